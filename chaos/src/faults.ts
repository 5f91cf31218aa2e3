/**
 * Doing a planned fault to a running cluster: inject, hold, heal. Healing always runs, even
 * when the injection went wrong, so the next fault starts from a whole cluster.
 */
import { zkDigest } from "@atlas-ha/election-core";
import { atlasServerBin, type AtlasInstance, type LocalCluster } from "@atlas-ha/local-cluster";
import { atlasProcess, waitFor } from "@atlas-ha/testkit";
import { sleep, type Logger } from "./log.js";
import type { FaultSpec } from "./plan.js";
import { deleteElectionPath, startFrozenStoreWriter, type StoreConfig } from "./store-faults.js";

export interface FaultContext {
  cluster: LocalCluster;
  /** `Basic …` of an ADMIN user (the stall trigger). */
  authorization: string;
  logger: Logger;
  /** The store the instances share (held-transaction, term-during-activation). */
  store: StoreConfig;
  /** The instances' ZooKeeper root. */
  zkRoot: string;
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
    logger.warn({
      event: "fault_step_failed",
      fault: spec.index,
      kind: spec.kind,
      what,
      error: message,
    });
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
          if (response.status !== 200)
            throw new Error(
              `the stall trigger answered ${response.status}: ${text.slice(0, 200)} (is ATLAS_HA_DEBUG=1 set?)`,
            );
        });
        heal = () => answered;
        break;
      }
      case "kill-zk-follower":
      case "kill-zk-leader": {
        const leader = await cluster.zookeeper.leader(10_000);
        const victim =
          spec.kind === "kill-zk-leader"
            ? leader
            : chooseFrom(
                cluster.zookeeper.nodes.filter((n) => n !== leader && n.process.running),
                spec.choice,
              )!;
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
      case "held-transaction":
      case "term-during-activation": {
        const victim = active ?? chooseFrom(cluster.instances, spec.choice)!;
        const terminated: string[] = [];
        const frozen = await startFrozenStoreWriter(ctx.store);
        heal = async () => {
          await frozen.kill();
          for (const name of [victim.name, ...terminated]) await cluster.start(name);
        };
        injectedAt = Date.now();
        await cluster.kill(victim.name);
        target = victim.name;
        if (spec.kind === "term-during-activation") {
          // The next leader's fence waits for the frozen writer's lock: it is BECOMING_ACTIVE
          // for as long as that lasts (on PostgreSQL until the server ends the frozen session).
          const becoming = await waitFor(
            async () =>
              (await cluster.statuses(300)).find((s) => s.state === "BECOMING_ACTIVE")?.name,
            {
              timeoutMs: spec.holdMs + 4 * cluster.sessionTimeoutMs,
              intervalMs: 20,
              what: "an instance BECOMING_ACTIVE",
            },
          );
          await cluster.stop(becoming, 30_000);
          terminated.push(becoming);
          target = `${victim.name}+${becoming}`;
        }
        await hold(injectedAt);
        break;
      }
      case "zk-follower-isolated": {
        const isolated = cluster.zookeeper.node(3);
        // The cut-off server must be a follower (a cut-off leader just loses its quorum).
        if ((await isolated.mode()) === "leader") {
          await cluster.kill(isolated.name);
          await cluster.start(isolated.name);
          await isolated.waitServing(60_000);
        }
        const pinned =
          (await currentActive(cluster)) ?? chooseFrom(cluster.instances, spec.choice)!;
        target = pinned.name; // pinned to zk-3, which is cut off below
        const proxies = cluster.zkProxy(pinned.name).proxies;
        heal = async () => {
          await isolated.heal();
          await Promise.all(proxies.map((p) => p.restore()));
        };
        // Pin: the instance keeps only its link to zk-3 (its session moves there).
        await Promise.all(proxies.slice(0, 2).map((p) => p.cut({ mode: "refuse", live: "drop" })));
        // Its session is on zk-3 (the only server it reaches) once its link through the zk-3
        // proxy is up and it answers a settled state again. It may have lost its term meanwhile
        // (its session can expire while the native client paces its reconnection): then the
        // fault cuts off a passive's server, which the run checks just the same.
        await waitFor(
          async () => {
            if (proxies[2]!.connections === 0) return undefined;
            const state = await pinned.status(500);
            return state === "ACTIVE" || state === "PASSIVE" ? state : undefined;
          },
          {
            timeoutMs: 3 * cluster.sessionTimeoutMs,
            what: `${pinned.name} connected through ${isolated.name} alone`,
          },
        ).then(
          (state) =>
            logger.info({ event: "fault_pinned", fault: spec.index, instance: pinned.name, state }),
          (error: unknown) => note("pin", error),
        );
        injectedAt = Date.now();
        await isolated.isolate();
        await hold(injectedAt);
        break;
      }
      case "election-path-deleted": {
        target = "leader_elector_path";
        injectedAt = Date.now();
        const attempts = await deleteElectionPath(cluster.zookeeper.connectString, ctx.zkRoot);
        logger.info({ event: "election_path_deleted", fault: spec.index, attempts });
        break;
      }
      case "acl-rolling-restart": {
        const passives = cluster.instances.filter((i) => i !== active);
        const victim =
          chooseFrom(passives, spec.choice) ?? chooseFrom(cluster.instances, spec.choice)!;
        target = victim.name;
        heal = () => cluster.start(victim.name);
        await cluster.stop(victim.name, 30_000);
        injectedAt = Date.now();
        // Restarted with ACLs on, the others still without: it must refuse (exit 1) rather
        // than delete their live nodes (which deposed the active behind its back).
        const password = "chaos-acl";
        const secured = atlasProcess(`${victim.name}-acl`, victim.dir, {
          serverBin: atlasServerBin(),
          env: {
            ATLAS_SERVER_HA_ZOOKEEPER_ACL: `digest:${zkDigest("atlas", password)}`,
            ATLAS_SERVER_HA_ZOOKEEPER_AUTH: `digest:atlas:${password}`,
          },
        });
        await secured.start();
        const exit = await Promise.race([
          secured.exited,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
        ]);
        if (exit === null) {
          await secured.kill();
          problems.push(
            `${victim.name} started with ACLs beside instances without them and did not refuse within 30 s`,
          );
        } else if (exit.code !== 1) {
          problems.push(
            `${victim.name} with ACLs exited ${exit.code ?? exit.signal}, expected 1 (ELECTION_ACL_CONFLICT)`,
          );
        }
        break;
      }
      case "partition-short":
      case "partition-long": {
        const passives = cluster.instances.filter((i) => i !== active);
        const victim =
          spec.target === "active" && active ? active : chooseFrom(passives, spec.choice)!;
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
      logger.warn({
        event: "repair_failed",
        member: instance.name,
        error: (error as Error).message,
      });
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
