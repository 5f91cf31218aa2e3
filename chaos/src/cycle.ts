/**
 * One fault cycle of the run: inject the fault, heal it, wait until the group is whole again
 * (repair it when it does not come back by itself), and measure what the cycle cost.
 */
import type { MetadataStore } from "@atlas-ha/atlas-server";
import type { LocalCluster } from "@atlas-ha/local-cluster";
import { countSplitBrain, longestNoActive, writeAvailability } from "./check.js";
import { repairCluster, runFault } from "./faults.js";
import { sleep } from "./log.js";
import type { ChaosSettings } from "./options.js";
import { describeFault, type FaultSpec } from "./plan.js";
import type { HookProducer } from "./producer.js";
import type { FaultOutcome } from "./report.js";
import type { StatusSampler } from "./sampler.js";
import type { StaleWriter } from "./stale.js";
import type { StoreConfig } from "./store-faults.js";
import type { RestWriter } from "./writer.js";

/** A stretch without an acknowledged write at least this long is an outage (writes normally come every ~0.1 s). */
const OUTAGE_MS = 1000;

export const AUTHORIZATION = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

/** The running cluster and workload a cycle acts on and measures. */
export interface RunContext {
  settings: ChaosSettings;
  cluster: LocalCluster;
  store: MetadataStore;
  storeConfig: StoreConfig;
  producer: HookProducer;
  writers: RestWriter[];
  stale: StaleWriter;
  sampler: StatusSampler;
}

/** Every writer's acknowledgement times, sorted. */
export function ackTimes(writers: readonly RestWriter[]): number[] {
  return writers.flatMap((w) => w.acks.map((a) => a.ackedAt)).sort((a, b) => a - b);
}

/**
 * The group is whole: every process runs, one instance ACTIVE and the others PASSIVE, every
 * ZooKeeper node serves, and since `since` a REST write was acknowledged and a hook message
 * published was applied.
 */
async function whole(ctx: RunContext, since: number): Promise<boolean> {
  const { cluster, writers, producer, store } = ctx;
  if (cluster.members.some((m) => !m.process.running || m.process.paused)) return false;
  const states = await cluster.statuses(500);
  if (states.filter((s) => s.state === "ACTIVE").length !== 1) return false;
  if (states.some((s) => s.state !== "ACTIVE" && s.state !== "PASSIVE")) return false;
  if (!writers.every((w) => w.firstAckStartedAfter(since))) return false;
  const hook = producer.records.find((r) => r.ackedAt >= since);
  if (!hook) return false;
  const topic = cluster.hookTopic;
  if (!(await store.isHookApplied({ topic, partition: hook.partition, offset: hook.offset })))
    return false;
  const modes = await Promise.all(cluster.zookeeper.nodes.map((n) => n.mode(500)));
  return modes.every((m) => m !== null);
}

/** Waits until the group is whole since `since`: the time it was, or null at the deadline. */
export async function settle(ctx: RunContext, since: number): Promise<number | null> {
  const deadline = Date.now() + ctx.settings.settleTimeoutMs;
  while (Date.now() < deadline) {
    if (await whole(ctx, since).catch(() => false)) return Date.now();
    await sleep(100);
  }
  return null;
}

/** Runs one planned fault through injection, heal and recovery; `settledAt` null: not whole even after a repair. */
export async function faultCycle(
  ctx: RunContext,
  spec: FaultSpec,
  planned: number,
): Promise<FaultOutcome> {
  const { cluster, store, stale, sampler, settings } = ctx;
  const { logger, progress } = settings;
  await sleep(settings.quietMs);
  const epochBefore = await store.highestEpoch().catch(() => null);
  logger.info({ event: "fault_starting", fault: spec.index, spec, epochBefore });
  const injected = await runFault(
    {
      cluster,
      authorization: AUTHORIZATION,
      logger,
      store: ctx.storeConfig,
      zkRoot: "/apache_atlas",
    },
    spec,
  );
  logger.info({
    event: "fault_healed",
    fault: spec.index,
    target: injected.target,
    problems: injected.problems,
  });
  let settledAt = await settle(ctx, injected.healedAt);
  const recovered = settledAt !== null && injected.problems.length === 0;
  let repaired: string[] = [];
  if (settledAt === null) {
    repaired = await repairCluster(cluster, logger);
    progress(
      `  fault ${spec.index}: not whole ${settings.settleTimeoutMs} ms after the heal; repaired: ${repaired.join(", ") || "nothing to do"}`,
    );
    settledAt = await settle(ctx, Date.now());
  }
  const window = sampler.between(injected.injectedAt, settledAt ?? Date.now());
  const writes = writeAvailability(
    ackTimes(ctx.writers),
    injected.injectedAt,
    settledAt ?? Date.now(),
    OUTAGE_MS,
  );
  const states = await cluster.statuses(500);
  const activeAfter = states.find((s) => s.state === "ACTIVE")?.name ?? null;
  const health = activeAfter ? await cluster.instance(activeAfter).health() : undefined;
  // What the deposed term would still try, now that the group is whole under the new one.
  if (settledAt !== null) await stale.inject(`after fault ${spec.index}`).catch(() => undefined);
  const outcome: FaultOutcome = {
    index: spec.index,
    kind: spec.kind,
    spec,
    ...injected,
    recovered,
    recoveryMs: writes.servedAt === null ? null : writes.servedAt - injected.injectedAt,
    writeOutageMs: writes.longestGapMs,
    settledMs: settledAt !== null && recovered ? settledAt - injected.healedAt : null,
    noActiveMs: longestNoActive(window, settings.sampleIntervalMs),
    splitBrainMoments: countSplitBrain(window).moments,
    activeAfter,
    epochBefore,
    settledAt,
    epochAfter: typeof health?.epoch === "number" ? health.epoch : null,
    repaired,
  };
  logger.info({ event: "fault_done", ...outcome });
  progress(
    `  fault ${String(spec.index).padStart(3)}/${planned} ${describeFault(spec).padEnd(44)} ${injected.target.padEnd(11)} ` +
      `${(outcome.activeBefore ?? "-").padEnd(7)} → ${(activeAfter ?? "-").padEnd(7)} ` +
      (recovered
        ? `recovered ${((outcome.recoveryMs ?? 0) / 1000).toFixed(1)} s`
        : "NOT RECOVERED") +
      (injected.problems.length ? `  (${injected.problems.join("; ")})` : ""),
  );
  return outcome;
}
