/**
 * The fault-injection run: a local cluster (3 ZooKeeper nodes, Kafka, 3 atlas-server
 * instances behind per-instance ZooKeeper proxies, debug trigger on), a workload (hook
 * messages at a steady rate, a REST client writing through findActive), status samples every
 * 50 ms, then N seeded faults — each injected, held, healed, and followed by a wait until the
 * group is whole again (cycle.ts) — and finally the checker (check.ts `checkRun`), whose
 * verdicts and figures make the report (report.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createStore, type MetadataStore } from "@atlas-ha/atlas-server";
import { startLocalCluster } from "@atlas-ha/local-cluster";
import { repoRoot } from "@atlas-ha/testkit";
import { checkRun, unappliedPositions } from "./check.js";
import { failedMessages, topicRecords } from "./collect.js";
import { AUTHORIZATION, faultCycle, settle, type RunContext } from "./cycle.js";
import { sleep } from "./log.js";
import { resolveChaosOptions, type ChaosOptions } from "./options.js";
import { planFaults } from "./plan.js";
import { HookProducer } from "./producer.js";
import type { ChaosReport, FaultOutcome } from "./report.js";
import { StatusSampler } from "./sampler.js";
import { StaleWriter } from "./stale.js";
import { verdicts } from "./verdict.js";
import { RestWriter } from "./writer.js";

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
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
  const settings = resolveChaosOptions(options);
  const { seed, sessionTimeoutMs, backend, hookRatePerSec, hookPartitions } = settings;
  const { staleIntervalMs, writeIntervalMs, sampleIntervalMs, logger, progress } = settings;
  const plan = planFaults({
    seed,
    faults: settings.faults,
    sessionTimeoutMs,
    kinds: settings.kinds,
  });
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
    { length: settings.writers },
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
  const sampler = new StatusSampler({
    instances: cluster.instances.map((i) => ({ name: i.name, url: i.url })),
    intervalMs: sampleIntervalMs,
    timeoutMs: 250,
  });

  let stale: StaleWriter | undefined;

  try {
    store = createStore(storeConfig);
    stale = new StaleWriter({ store, intervalMs: staleIntervalMs, logger });
    const ctx: RunContext = {
      settings,
      cluster,
      store,
      storeConfig,
      producer,
      writers,
      stale,
      sampler,
    };

    sampler.start();
    producer.start();
    for (const w of writers) w.start();
    const warm = await settle(ctx, started);
    if (warm === null)
      throw new Error(
        `the workload did not get going within ${settings.settleTimeoutMs} ms (no write acknowledged or no hook message applied)`,
      );
    stale.start();
    progress(
      `workload running: ${hookRatePerSec} hook messages/s on ${hookPartitions} partitions, ${settings.writers} REST writers (${writeIntervalMs} ms after each answer), ` +
        `a stale-epoch write every ${staleIntervalMs} ms`,
    );

    const outcomes: FaultOutcome[] = [];
    let abortedReason: string | null = null;
    for (const spec of plan) {
      const outcome = await faultCycle(ctx, spec, plan.length);
      outcomes.push(outcome);
      if (outcome.settledAt === null) {
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
    const records = await topicRecords(cluster.kafka.bootstrap, cluster.hookTopic);
    let unapplied = await unappliedPositions(store, records);
    const drainDeadline = Date.now() + settings.drainTimeoutMs;
    while (unapplied.length > 0 && Date.now() < drainDeadline) {
      await sleep(250);
      unapplied = await unappliedPositions(store, records, unapplied);
    }
    await sampler.stop();

    const { checks, serverLogs } = await checkRun(ctx, outcomes, records, unapplied, warm);
    const recoveries = outcomes.map((o) => o.recoveryMs).filter((v): v is number => v !== null);
    const unexpected = writers.flatMap((w) => w.unexpected);
    const partial = {
      seed,
      faults: outcomes,
      checks,
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
        kinds: settings.kinds,
        hookRatePerSec,
        hookPartitions,
        writers: settings.writers,
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
