/**
 * Doing a planned fault to a running cluster: inject, hold, heal. Healing always runs, even
 * when the injection went wrong, so the next fault starts from a whole cluster.
 */
import type { AtlasInstance, LocalCluster } from "@atlas-ha/local-cluster";
import { sleep, type Logger } from "./log.js";
import type { FaultSpec } from "./plan.js";

export interface FaultContext {
  cluster: LocalCluster;
  /** `Basic …` of an ADMIN user (the stall trigger). */
  authorization: string;
  logger: Logger;
}

export interface InjectedFault {
  /** Who was hit: `atlas-2`, `zk-1+zk-3`, `kafka`. */
  target: string;
  /** The active when the fault started (null when none was found). */
  activeBefore: string | null;
  /** Epoch ms: the fault took effect (signal sent, link cut, stall requested). */
  injectedAt: number;
  /** Epoch ms: the heal step finished (process answering again, link restored, stall over). */
  healedAt: number;
  /** What went wrong while injecting or healing, if anything (the run goes on). */
  problems: string[];
}

/** The one ACTIVE instance, or null when the group has none (or more than one) right now. */
async function currentActive(cluster: LocalCluster): Promise<AtlasInstance | null> {
  const states = await cluster.statuses(500);
  const active = states.filter((s) => s.state === "ACTIVE");
  return active.length === 1 ? cluster.instance(active[0]!.name) : null;
}

function chooseFrom<T>(items: T[], choice: number): T | undefined {
  return items[Math.floor(choice * items.length)];
}

export async function runFault(ctx: FaultContext, spec: FaultSpec): Promise<InjectedFault> {
  const { cluster, logger } = ctx;
  const problems: string[] = [];
  const active = await currentActive(cluster);
  const activeBefore = active?.name ?? null;
  const note = (what: string, error: unknown) => {
    const message = `${what}: ${(error as Error)?.message ?? String(error)}`;
    problems.push(message);
    logger.warn({ event: "fault_step_failed", fault: spec.index, kind: spec.kind, what, error: message });
  };
  const hold = async (since: number) => sleep(since + spec.holdMs - Date.now());

  let target = "";
  let injectedAt = Date.now();
  let heal: () => Promise<void> = async () => undefined;

  try {
    switch (spec.kind) {
      case "kill-active":
      case "term-active": {
        const victim = active ?? chooseFrom(cluster.instances, spec.choice)!;
        target = victim.name;
        injectedAt = Date.now();
        heal = () => cluster.start(victim.name);
        if (spec.kind === "kill-active") await cluster.kill(victim.name);
        else await cluster.stop(victim.name, 30_000);
        await hold(injectedAt);
        break;
      }
      case "pause-active": {
        const victim = active ?? chooseFrom(cluster.instances, spec.choice)!;
        target = victim.name;
        injectedAt = Date.now();
        heal = () => cluster.resume(victim.name);
        await cluster.pause(victim.name);
        await hold(injectedAt);
        break;
      }
      case "stall-active": {
        const victim = active ?? chooseFrom(cluster.instances, spec.choice)!;
        target = victim.name;
        injectedAt = Date.now();
        // The answer comes when the stall is over: that is the heal.
        const answered = fetch(`${victim.url}/api/atlas/admin/debug/stall?ms=${spec.holdMs}`, {
          method: "POST",
          headers: { authorization: ctx.authorization },
          redirect: "manual",
          signal: AbortSignal.timeout(spec.holdMs + 30_000),
        }).then(async (response) => {
          const text = await response.text();
          if (response.status !== 200) throw new Error(`the stall trigger answered ${response.status}: ${text.slice(0, 200)} (is ATLAS_HA_DEBUG=1 set?)`);
        });
        heal = () => answered;
        break;
      }
      case "kill-zk-follower":
      case "kill-zk-leader": {
        const leader = await cluster.zookeeper.leader(10_000);
        const victim =
          spec.kind === "kill-zk-leader" ? leader : chooseFrom(cluster.zookeeper.nodes.filter((n) => n !== leader && n.process.running), spec.choice)!;
        target = victim.name;
        injectedAt = Date.now();
        heal = () => cluster.start(victim.name);
        await cluster.kill(victim.name);
        await hold(injectedAt);
        break;
      }
      case "zk-quorum-loss": {
        const nodes = cluster.zookeeper.nodes;
        const spared = chooseFrom(nodes, spec.choice)!;
        const victims = nodes.filter((n) => n !== spared);
        target = victims.map((n) => n.name).join("+");
        injectedAt = Date.now();
        // Started together: a node of a two-node quorum only serves once the other is back.
        heal = async () => {
          await Promise.all(victims.map((v) => cluster.start(v.name)));
        };
        await Promise.all(victims.map((v) => cluster.kill(v.name)));
        await hold(injectedAt);
        break;
      }
      case "kafka-restart": {
        target = "kafka";
        injectedAt = Date.now();
        heal = () => cluster.start("kafka", 120_000);
        if (spec.signal === "SIGKILL") await cluster.kill("kafka");
        else await cluster.stop("kafka", 30_000);
        await hold(injectedAt);
        break;
      }
      case "partition-short":
      case "partition-long": {
        const passives = cluster.instances.filter((i) => i !== active);
        const victim = spec.target === "active" && active ? active : chooseFrom(passives, spec.choice)!;
        target = victim.name;
        const proxy = cluster.zkProxy(victim.name);
        injectedAt = Date.now();
        heal = () => proxy.restore();
        await proxy.cut({ mode: spec.mode ?? "refuse", live: spec.live ?? "drop" });
        await hold(injectedAt);
        break;
      }
    }
  } catch (error) {
    note("inject", error);
  }
  try {
    await heal();
  } catch (error) {
    note("heal", error);
  }
  return { target, activeBefore, injectedAt, healedAt: Date.now(), problems };
}

/**
 * Puts every process back as it should be: resumes what is paused, restores every proxy,
 * starts what is not running. For a fault whose own heal failed.
 */
export async function repairCluster(cluster: LocalCluster, logger: Logger): Promise<string[]> {
  const done: string[] = [];
  for (const member of cluster.members) {
    try {
      if (member.process.running && member.process.paused) {
        await cluster.resume(member.name);
        done.push(`resumed ${member.name}`);
      }
    } catch (error) {
      logger.warn({ event: "repair_failed", member: member.name, error: (error as Error).message });
    }
  }
  for (const instance of cluster.instances) {
    try {
      const proxy = cluster.zkProxy(instance.name);
      if (proxy.isCut) {
        await proxy.restore();
        done.push(`restored ${instance.name}'s ZooKeeper link`);
      }
    } catch (error) {
      logger.warn({ event: "repair_failed", member: instance.name, error: (error as Error).message });
    }
  }
  const stopped = cluster.members.filter((m) => !m.process.running);
  await Promise.all(
    stopped.map(async (m) => {
      try {
        await cluster.start(m.name, 120_000);
        done.push(`started ${m.name}`);
      } catch (error) {
        logger.warn({ event: "repair_failed", member: m.name, error: (error as Error).message });
      }
    }),
  );
  return done;
}
