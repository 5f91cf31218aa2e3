/**
 * The fault-injection run: a local cluster (3 ZooKeeper nodes, Kafka, 3 atlas-server
 * instances behind per-instance ZooKeeper proxies, debug trigger on), a workload (hook
 * messages at a steady rate, a REST client writing through findActive), status samples every
 * 50 ms, then N seeded faults — each injected, held, healed, and followed by a wait until the
 * group is whole again — and finally the checker.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createStore, type MetadataStore } from "@atlas-ha/atlas-server";
import { startLocalCluster, type LocalCluster } from "@atlas-ha/local-cluster";
import { repoRoot } from "@atlas-ha/testkit";
import kafkajs from "kafkajs";
import { crossCheckStore, readStoreTables, type StoreCrossCheck } from "./audit.js";
import {
  checkCounters,
  checkDeposals,
  checkEpochs,
  checkHooks,
  checkRestWrites,
  checkSampler,
  checkTerms,
  counterExpectations,
  countSplitBrain,
  readCounters,
  readWriteLog,
  scanServerLogs,
  unappliedPositions,
  writeAvailability,
  type CounterCheck,
  type DeposalCheck,
  type EpochCheck,
  type HookCheck,
  type RestCheck,
  type SamplerCheck,
  type ServerLogFigure,
  type SplitBrainFigure,
  type TermCheck,
  type TopicRecords,
} from "./check.js";
import { ChaosOptionsError } from "./errors.js";
import { repairCluster, runFault, type InjectedFault } from "./faults.js";
import { silentLogger, sleep, type Logger } from "./log.js";
import { describeFault, FAULT_KINDS, planFaults, type FaultKind, type FaultSpec } from "./plan.js";
import { HookProducer } from "./producer.js";
import { StatusSampler, type Sample } from "./sampler.js";
import { checkStaleWrites, staleLeftovers, StaleWriter, type StaleWriteCheck } from "./stale.js";
import { verdicts, type Minimums, type Verdict } from "./verdict.js";
import { RestWriter } from "./writer.js";

const { Kafka, logLevel } = kafkajs;

export interface ChaosOptions {
  /** Faults to inject (at least 1: a run without faults proves nothing). Default 10. */
  faults?: number;
  /** Seed of the fault plan; the same seed gives the same sequence. Default "1". */
  seed?: string;
  /** The instances' ZooKeeper session timeout, ms. Default 4000. */
  sessionTimeoutMs?: number;
  /** The shared store. Default "sqlite". */
  backend?: "sqlite" | "postgres";
  /** Fault kinds to draw from. Default all. */
  kinds?: readonly FaultKind[];
  /** Hook messages per second. Default 20. */
  hookRatePerSec?: number;
  /** Partitions of the hook topic (one counter entity each). Default 2. */
  hookPartitions?: number;
  /** Period of the stale-epoch writes against the store, ms (besides one after each fault). Default 1000. */
  staleIntervalMs?: number;
  /** REST clients writing side by side. Default 2. */
  writers?: number;
  /** Pause between two acknowledged REST writes of one client, ms. Default 50. */
  writeIntervalMs?: number;
  /** Status sampling period, ms. Default 50. */
  sampleIntervalMs?: number;
  /** How long the group may take to be whole again after a heal before it is repaired, ms. Default 90 000. */
  settleTimeoutMs?: number;
  /** How long the last hook messages may take to be applied after the workload stops, ms. Default 120 000. */
  drainTimeoutMs?: number;
  /** Calm between a recovery and the next fault, ms. Default 1000. */
  quietMs?: number;
  /** Where the JSON report goes; default `.atlas-ha/chaos/report-<seed>.json` at the repo root; null: nowhere. */
  reportFile?: string | null;
  /** Keep the cluster's data and logs (always kept when a check fails). */
  keepLogs?: boolean;
  logger?: Logger;
  /** One line per step for a human (the CLI prints them). */
  progress?: (line: string) => void;
}

export interface FaultOutcome extends InjectedFault {
  index: number;
  kind: FaultKind;
  spec: FaultSpec;
  /** The group was whole again (one ACTIVE, writes and hook messages served) before the deadline, without repair. */
  recovered: boolean;
  /**
   * (5) Injection → an instance ACTIVE and serving writes again, ms: the acknowledgement that
   * ended the last stretch of ≥ 1 s without one; for a fault that never interrupted writes
   * that long, the first acknowledgement after the injection.
   */
  recoveryMs: number | null;
  /** The longest stretch without an acknowledged write, ms. */
  writeOutageMs: number;
  /** Heal → the group whole again, ms. */
  settledMs: number | null;
  /** The store's highest epoch just before the injection: the active's term then. */
  epochBefore: number | null;
  /** Epoch ms the group was whole again (null: never, even after a repair). */
  settledAt: number | null;
  /** Longest stretch of samples with no ACTIVE instance between injection and recovery, ms. */
  noActiveMs: number;
  /** Sampled moments with two ACTIVE instances between injection and recovery. */
  splitBrainMoments: number;
  activeAfter: string | null;
  epochAfter: number | null;
  /** What the repair did, when the group did not come back by itself. */
  repaired: string[];
}

export interface ChaosReport {
  version: 1;
  seed: string;
  passed: boolean;
  /** Every planned fault ran and the group recovered from each without repair. */
  completed: boolean;
  abortedReason: string | null;
  startedAt: string;
  durationMs: number;
  settings: {
    faults: number;
    sessionTimeoutMs: number;
    backend: "sqlite" | "postgres";
    kinds: FaultKind[];
    hookRatePerSec: number;
    hookPartitions: number;
    writers: number;
    writeIntervalMs: number;
    sampleIntervalMs: number;
  };
  stateDir: string;
  faults: FaultOutcome[];
  checks: {
    epochs: EpochCheck;
    terms: TermCheck;
    staleWrites: StaleWriteCheck;
    /** Stale writes the instances themselves had refused (`store_write_fenced` in their logs): deposed actives still trying. */
    deposedRefused: number;
    store: StoreCrossCheck;
    hooks: HookCheck;
    counters: CounterCheck;
    rest: RestCheck;
    deposals: DeposalCheck;
    sampler: SamplerCheck;
    splitBrain: SplitBrainFigure;
  };
  minimums: Minimums;
  /** Every check the CLI prints, with its verdict; `passed` is all of them. */
  verdicts: Verdict[];
  recovery: { count: number; medianMs: number | null; p90Ms: number | null; maxMs: number | null };
  workload: {
    hookMessages: number;
    hookSendFailures: number;
    restWrites: number;
    restFailedAttempts: number;
    /** Answers other than 200, 307 and 503 (and network errors) to REST writes: count, and the first 20. */
    restUnexpectedCount: number;
    restUnexpected: { writer: number; n: number; at: string; status: number; body: string }[];
  };
  /** Lines of the instances' failed-messages logs (hook messages given up on). */
  failedMessages: { instance: string; lines: number; examples: string[] }[];
  /** Warnings and errors the instances logged, and those that point at a bug. */
  serverLogs: ServerLogFigure;
  reportFile: string | null;
}

function validate(o: ChaosOptions): void {
  const positiveInt = (name: string, value: number | undefined, min = 1) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new ChaosOptionsError(name, `must be a whole number ≥ ${min}, got ${String(value)}`);
    }
  };
  positiveInt("faults", o.faults, 1);
  positiveInt("hookPartitions", o.hookPartitions, 1);
  positiveInt("staleIntervalMs", o.staleIntervalMs, 50);
  positiveInt("sessionTimeoutMs", o.sessionTimeoutMs, 1000);
  positiveInt("writeIntervalMs", o.writeIntervalMs, 0);
  positiveInt("writers", o.writers, 1);
  positiveInt("sampleIntervalMs", o.sampleIntervalMs, 10);
  positiveInt("settleTimeoutMs", o.settleTimeoutMs, 1000);
  positiveInt("drainTimeoutMs", o.drainTimeoutMs, 1000);
  positiveInt("quietMs", o.quietMs, 0);
  if (o.hookRatePerSec !== undefined && !(o.hookRatePerSec > 0 && o.hookRatePerSec <= 1000)) {
    throw new ChaosOptionsError(
      "hookRatePerSec",
      `must be a number in (0, 1000], got ${String(o.hookRatePerSec)}`,
    );
  }
  if (o.backend !== undefined && o.backend !== "sqlite" && o.backend !== "postgres") {
    throw new ChaosOptionsError(
      "backend",
      `must be "sqlite" or "postgres", got ${JSON.stringify(o.backend)}`,
    );
  }
}

/** A stretch without an acknowledged write at least this long is an outage (writes normally come every ~0.1 s). */
const OUTAGE_MS = 1000;

/**
 * Outside fault windows every instance runs and answers its status endpoint in milliseconds;
 * the sampler waits 250 ms. More than this share of UNREACHABLE answers there means the
 * sampler (or the machine) cannot see the group, and (4) would count moments it did not see.
 * Measured on a loaded 2-core machine: see the README.
 */
export const CALM_UNREACHABLE_BOUND = 0.02;

const AUTHORIZATION = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Longest run of consecutive samples in which nobody answered ACTIVE, ms. */
function longestNoActive(samples: Sample[], intervalMs: number): number {
  let longest = 0;
  let start: number | null = null;
  let last = 0;
  for (const s of samples) {
    if (!s.states.includes("ACTIVE")) {
      start ??= s.at;
      last = s.at;
      longest = Math.max(longest, last - start + intervalMs);
    } else {
      start = null;
    }
  }
  return longest;
}

async function topicRecords(bootstrap: string, topic: string): Promise<TopicRecords> {
  const admin = new Kafka({
    clientId: "atlas-ha-chaos-check",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return {
      topic,
      partitions: offsets.map((o) => ({
        partition: o.partition,
        low: Number(o.low),
        high: Number(o.high),
      })),
    };
  } finally {
    await admin.disconnect();
  }
}

function failedMessages(cluster: LocalCluster): ChaosReport["failedMessages"] {
  return cluster.instances.map((i) => {
    const file = join(i.dir, "failed-messages.log");
    const lines = existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
      : [];
    return {
      instance: i.name,
      lines: lines.length,
      examples: lines.slice(0, 5).map((l) => l.slice(0, 400)),
    };
  });
}

export function defaultReportFile(seed: string): string {
  return join(
    repoRoot(),
    ".atlas-ha",
    "chaos",
    `report-${seed.replace(/[^A-Za-z0-9._-]/g, "_")}.json`,
  );
}

export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  validate(options);
  const seed = options.seed ?? "1";
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 4000;
  const backend = options.backend ?? "sqlite";
  const kinds = [...(options.kinds ?? FAULT_KINDS)];
  const hookRatePerSec = options.hookRatePerSec ?? 20;
  const hookPartitions = options.hookPartitions ?? 2;
  const staleIntervalMs = options.staleIntervalMs ?? 1000;
  const writeIntervalMs = options.writeIntervalMs ?? 50;
  const writerCount = options.writers ?? 2;
  const sampleIntervalMs = options.sampleIntervalMs ?? 50;
  const settleTimeoutMs = options.settleTimeoutMs ?? 90_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 120_000;
  const quietMs = options.quietMs ?? 1000;
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? (() => undefined);
  const plan = planFaults({ seed, faults: options.faults ?? 10, sessionTimeoutMs, kinds });
  const started = Date.now();

  progress(
    `seed ${seed}: ${plan.length} faults, session timeout ${sessionTimeoutMs} ms, ${backend} store`,
  );
  const cluster = await startLocalCluster({
    instances: 3,
    zk: 3,
    sessionTimeoutMs,
    backend,
    zkProxy: true,
    // zk-3 can be cut off from its quorum (zk-follower-isolated), and keeps answering its
    // clients for 2 × the session timeout meanwhile, past the moment the quorum expires their
    // sessions: the case where a lease renewed by its reads would overlap the next leader.
    zookeeper: { isolatable: true, syncLimit: 20 },
    hookPartitions,
    env: { ATLAS_HA_DEBUG: "1" },
    properties: {
      // The Kafka group notices a dead active's consumer after this; 6 s is the broker's minimum.
      "atlas.kafka.session.timeout.ms": 6000,
    },
  });
  progress(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.stateDir})`);
  const storeConfig =
    backend === "postgres"
      ? { backend: "postgres" as const, url: cluster.describe().postgres!.url }
      : { backend: "sqlite" as const, path: join(cluster.stateDir, "store", "atlas.db") };
  let store: MetadataStore | undefined;
  let passed = false;
  const producer = new HookProducer({
    bootstrap: cluster.kafka.bootstrap,
    topic: cluster.hookTopic,
    ratePerSec: hookRatePerSec,
    partitions: hookPartitions,
    logger,
  });
  const writers = Array.from(
    { length: writerCount },
    (_, id) =>
      new RestWriter({
        id,
        urls: cluster.instances.map((i) => i.url),
        authorization: AUTHORIZATION,
        intervalMs: writeIntervalMs,
        requestTimeoutMs: 3000,
        logger,
      }),
  );
  const ackTimes = () => writers.flatMap((w) => w.acks.map((a) => a.ackedAt)).sort((a, b) => a - b);
  const sampler = new StatusSampler({
    instances: cluster.instances.map((i) => ({ name: i.name, url: i.url })),
    intervalMs: sampleIntervalMs,
    timeoutMs: 250,
  });

  let stale: StaleWriter | undefined;

  try {
    store = createStore(storeConfig);
    stale = new StaleWriter({ store, intervalMs: staleIntervalMs, logger });
    const topic = cluster.hookTopic;
    const applied = async (partition: number, offset: string) =>
      store!.isHookApplied({ topic, partition, offset });

    /**
     * The group is whole: every process runs, one instance ACTIVE and the others PASSIVE,
     * every ZooKeeper node serves, and since `since` a REST write was acknowledged and a
     * hook message published was applied.
     */
    const whole = async (since: number): Promise<boolean> => {
      if (cluster.members.some((m) => !m.process.running || m.process.paused)) return false;
      const states = await cluster.statuses(500);
      if (states.filter((s) => s.state === "ACTIVE").length !== 1) return false;
      if (states.some((s) => s.state !== "ACTIVE" && s.state !== "PASSIVE")) return false;
      if (!writers.every((w) => w.firstAckStartedAfter(since))) return false;
      const hook = producer.records.find((r) => r.ackedAt >= since);
      if (!hook || !(await applied(hook.partition, hook.offset))) return false;
      const modes = await Promise.all(cluster.zookeeper.nodes.map((n) => n.mode(500)));
      return modes.every((m) => m !== null);
    };
    const settle = async (since: number): Promise<number | null> => {
      const deadline = Date.now() + settleTimeoutMs;
      while (Date.now() < deadline) {
        if (await whole(since).catch(() => false)) return Date.now();
        await sleep(100);
      }
      return null;
    };

    sampler.start();
    producer.start();
    for (const w of writers) w.start();
    const warm = await settle(started);
    if (warm === null)
      throw new Error(
        `the workload did not get going within ${settleTimeoutMs} ms (no write acknowledged or no hook message applied)`,
      );
    stale.start();
    progress(
      `workload running: ${hookRatePerSec} hook messages/s on ${hookPartitions} partitions, ${writerCount} REST writers (${writeIntervalMs} ms after each answer), ` +
        `a stale-epoch write every ${staleIntervalMs} ms`,
    );

    const outcomes: FaultOutcome[] = [];
    let abortedReason: string | null = null;
    for (const spec of plan) {
      await sleep(quietMs);
      const epochBefore = await store.highestEpoch().catch(() => null);
      logger.info({ event: "fault_starting", fault: spec.index, spec, epochBefore });
      const injected = await runFault(
        {
          cluster,
          authorization: AUTHORIZATION,
          logger,
          store: storeConfig,
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
      let settledAt = await settle(injected.healedAt);
      const recovered = settledAt !== null && injected.problems.length === 0;
      let repaired: string[] = [];
      if (settledAt === null) {
        repaired = await repairCluster(cluster, logger);
        progress(
          `  fault ${spec.index}: not whole ${settleTimeoutMs} ms after the heal; repaired: ${repaired.join(", ") || "nothing to do"}`,
        );
        settledAt = await settle(Date.now());
      }
      const window = sampler.between(injected.injectedAt, settledAt ?? Date.now());
      const writes = writeAvailability(
        ackTimes(),
        injected.injectedAt,
        settledAt ?? Date.now(),
        OUTAGE_MS,
      );
      const states = await cluster.statuses(500);
      const activeAfter = states.find((s) => s.state === "ACTIVE")?.name ?? null;
      const health = activeAfter ? await cluster.instance(activeAfter).health() : undefined;
      // What the deposed term would still try, now that the group is whole under the new one.
      if (settledAt !== null)
        await stale.inject(`after fault ${spec.index}`).catch(() => undefined);
      const outcome: FaultOutcome = {
        index: spec.index,
        kind: spec.kind,
        spec,
        ...injected,
        recovered,
        recoveryMs: writes.servedAt === null ? null : writes.servedAt - injected.injectedAt,
        writeOutageMs: writes.longestGapMs,
        settledMs: settledAt !== null && recovered ? settledAt - injected.healedAt : null,
        noActiveMs: longestNoActive(window, sampleIntervalMs),
        splitBrainMoments: countSplitBrain(window).moments,
        activeAfter,
        epochBefore,
        settledAt,
        epochAfter: typeof health?.epoch === "number" ? health.epoch : null,
        repaired,
      };
      outcomes.push(outcome);
      logger.info({ event: "fault_done", ...outcome });
      progress(
        `  fault ${String(spec.index).padStart(3)}/${plan.length} ${describeFault(spec).padEnd(44)} ${injected.target.padEnd(11)} ` +
          `${(outcome.activeBefore ?? "-").padEnd(7)} → ${(activeAfter ?? "-").padEnd(7)} ` +
          (recovered
            ? `recovered ${((outcome.recoveryMs ?? 0) / 1000).toFixed(1)} s`
            : "NOT RECOVERED") +
          (injected.problems.length ? `  (${injected.problems.join("; ")})` : ""),
      );
      if (settledAt === null) {
        abortedReason = `fault ${spec.index} (${spec.kind}): the group was not whole again even after a repair`;
        progress(`  ${abortedReason}; stopping the run`);
        break;
      }
    }

    await stale.stop();
    await Promise.all(writers.map((w) => w.stop()));
    await producer.stop();
    const restWrites = writers.reduce((sum, w) => sum + w.acks.length, 0);
    progress(
      `workload stopped: ${producer.records.length} hook messages, ${restWrites} acknowledged REST writes; waiting for the last hook messages`,
    );
    const records = await topicRecords(cluster.kafka.bootstrap, topic);
    let unapplied = await unappliedPositions(store, records);
    const drainDeadline = Date.now() + drainTimeoutMs;
    while (unapplied.length > 0 && Date.now() < drainDeadline) {
      await sleep(250);
      unapplied = await unappliedPositions(store, records, unapplied);
    }
    await sampler.stop();

    const epochs = checkEpochs(await readWriteLog(store));
    const acknowledged = new Set(producer.records.map((r) => r.n));
    const hooks = await checkHooks(
      store,
      records,
      producer.attempted,
      acknowledged,
      unapplied,
      hookPartitions,
    );
    const counters = checkCounters(
      counterExpectations(hookPartitions, acknowledged, producer.attempted),
      await readCounters(store, hookPartitions),
    );
    const rest = await checkRestWrites(
      store,
      writers.map((w) => ({ id: w.id, acks: w.acks, attempted: w.attempted })),
    );
    const staleWrites = checkStaleWrites(
      stale.attempts,
      await staleLeftovers(store, stale.attempts),
    );
    const storeCheck = crossCheckStore(await readStoreTables(storeConfig));
    const splitBrain = countSplitBrain(sampler.samples);
    const sampled = checkSampler(
      sampler.samples,
      cluster.instances.map((i) => i.name),
      outcomes.map((o) => ({ from: o.injectedAt, to: o.settledAt ?? Date.now() })),
      [
        ...new Set(
          outcomes
            .flatMap((o) => [o.activeBefore, o.activeAfter])
            .filter((n): n is string => n !== null),
        ),
      ],
      { calmFrom: warm, bound: CALM_UNREACHABLE_BOUND },
    );
    const serverLogs = scanServerLogs(
      cluster.instances.map((i) => ({
        instance: i.name,
        text: existsSync(i.logFile) ? readFileSync(i.logFile, "utf8") : "",
      })),
    );
    const recoveries = outcomes.map((o) => o.recoveryMs).filter((v): v is number => v !== null);
    const unexpected = writers.flatMap((w) => w.unexpected);
    const partial = {
      seed,
      faults: outcomes,
      checks: {
        epochs,
        terms: checkTerms(epochs.distinctEpochs, outcomes),
        staleWrites,
        deposedRefused: serverLogs.byEvent.store_write_fenced?.count ?? 0,
        store: storeCheck,
        hooks,
        counters,
        rest,
        deposals: checkDeposals(outcomes),
        sampler: sampled,
        splitBrain,
      },
      settings: { faults: plan.length },
      workload: { restWrites, restUnexpectedCount: unexpected.length },
      failedMessages: failedMessages(cluster),
      serverLogs,
    };
    const judged = verdicts(partial);
    passed = judged.verdicts.every((v) => v.ok);
    const report: ChaosReport = {
      version: 1,
      seed,
      passed,
      completed:
        abortedReason === null &&
        outcomes.length === plan.length &&
        outcomes.every((o) => o.recovered),
      abortedReason,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      settings: {
        faults: plan.length,
        sessionTimeoutMs,
        backend,
        kinds,
        hookRatePerSec,
        hookPartitions,
        writers: writerCount,
        writeIntervalMs,
        sampleIntervalMs,
      },
      stateDir: cluster.stateDir,
      faults: outcomes,
      checks: partial.checks,
      minimums: judged.minimums,
      verdicts: judged.verdicts,
      recovery: {
        count: recoveries.length,
        medianMs: percentile(recoveries, 50),
        p90Ms: percentile(recoveries, 90),
        maxMs: recoveries.length ? Math.max(...recoveries) : null,
      },
      workload: {
        hookMessages: producer.records.length,
        hookSendFailures: producer.failedSends,
        restWrites,
        restFailedAttempts: writers.reduce((sum, w) => sum + w.failedAttempts, 0),
        restUnexpectedCount: unexpected.length,
        restUnexpected: unexpected
          .slice(0, 20)
          .map((u) => ({ ...u, at: new Date(u.at).toISOString() })),
      },
      failedMessages: partial.failedMessages,
      serverLogs,
      reportFile:
        options.reportFile === null ? null : (options.reportFile ?? defaultReportFile(seed)),
    };
    if (report.reportFile) {
      mkdirSync(dirname(report.reportFile), { recursive: true });
      writeFileSync(report.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    }
    return report;
  } finally {
    await stale?.stop().catch(() => undefined);
    await Promise.all(writers.map((w) => w.stop().catch(() => undefined)));
    await producer.stop().catch(() => undefined);
    await sampler.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    const keepLogs = options.keepLogs === true || !passed;
    await cluster
      .down({ keepLogs })
      .catch((error: Error) =>
        logger.error({ event: "cluster_down_failed", error: error.message }),
      );
    if (keepLogs) progress(`cluster data and logs kept in ${cluster.stateDir}`);
  }
}
