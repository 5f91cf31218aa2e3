/**
 * The checker: what the run must prove, read from the store itself (the write log, the
 * entities, the applied hook positions) and from the status samples.
 *
 *   (1) writes the store accepted are monotone in epoch along its commit order, with a new
 *       term for every failover (`checkEpochs`, `checkTerms`);
 *   (2) every hook record in the topic was applied, every published create's entity exists
 *       exactly once, ACTIVE, at version 0 (`checkHooks`), and each partition's counter ends
 *       at its last seq with one version per update (`checkCounters`);
 *   (3) every REST write acknowledged with 200 is there afterwards;
 *   (4) moments where two instances answered ACTIVE (a figure), meaningful only with the
 *       sampler's coverage (`checkSampler`);
 *   (5) time to recovery of each fault (from the acknowledgement times, `writeAvailability`);
 *   and faults aimed at the active deposed it (`checkDeposals`).
 *
 * The pure parts take plain data, so unit tests can feed them. One file per check under
 * check/; the store's own cross-check is audit.ts, the stale-epoch writes stale.ts.
 */
import { crossCheckStore, readStoreTables } from "./audit.js";
import { checkCounters, counterExpectations, readCounters } from "./check/counters.js";
import { checkEpochs, readWriteLog } from "./check/epochs.js";
import { checkHooks, type TopicRecords } from "./check/hooks.js";
import { scanServerLogs, type ServerLogFigure } from "./check/logs.js";
import { checkRestWrites } from "./check/rest.js";
import { CALM_UNREACHABLE_BOUND, checkSampler, countSplitBrain } from "./check/sampler.js";
import { checkDeposals, checkTerms } from "./check/terms.js";
import { serverLogs } from "./collect.js";
import type { RunContext } from "./cycle.js";
import type { ChaosReport, FaultOutcome } from "./report.js";
import { checkStaleWrites, staleLeftovers } from "./stale.js";

export { writeAvailability } from "./check/availability.js";
export {
  checkCounters,
  counterExpectations,
  readCounters,
  type CounterCheck,
  type CounterExpectation,
  type CounterFound,
} from "./check/counters.js";
export { checkEpochs, readWriteLog, type EpochCheck } from "./check/epochs.js";
export {
  checkHooks,
  unappliedPositions,
  type HookCheck,
  type TopicRecords,
} from "./check/hooks.js";
export { scanServerLogs, type ServerLogFigure } from "./check/logs.js";
export { checkRestWrites, type RestCheck } from "./check/rest.js";
export {
  CALM_UNREACHABLE_BOUND,
  checkSampler,
  countSplitBrain,
  longestNoActive,
  type SamplerCheck,
  type SamplerInstanceFigure,
  type SplitBrainFigure,
} from "./check/sampler.js";
export {
  checkDeposals,
  checkTerms,
  type DeposalCheck,
  type FaultTerms,
  type TermCheck,
} from "./check/terms.js";

/**
 * Every check over a finished run, once the workload stopped and the last hook messages were
 * given their time: `unapplied` the topic positions still not applied, `calmFrom` the end of
 * the warm-up.
 */
export async function checkRun(
  ctx: RunContext,
  outcomes: readonly FaultOutcome[],
  records: TopicRecords,
  unapplied: { partition: number; offset: number }[],
  calmFrom: number,
): Promise<{ checks: ChaosReport["checks"]; serverLogs: ServerLogFigure }> {
  const { store, producer, writers, stale, sampler, cluster } = ctx;
  const partitions = ctx.settings.hookPartitions;
  const epochs = checkEpochs(await readWriteLog(store));
  const acknowledged = new Set(producer.records.map((r) => r.n));
  const hooks = await checkHooks(
    store,
    records,
    producer.attempted,
    acknowledged,
    unapplied,
    partitions,
  );
  const counters = checkCounters(
    counterExpectations(partitions, acknowledged, producer.attempted),
    await readCounters(store, partitions),
  );
  const rest = await checkRestWrites(
    store,
    writers.map((w) => ({ id: w.id, acks: w.acks, attempted: w.attempted })),
  );
  const staleWrites = checkStaleWrites(stale.attempts, await staleLeftovers(store, stale.attempts));
  const storeCheck = crossCheckStore(await readStoreTables(ctx.storeConfig));
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
    { calmFrom, bound: CALM_UNREACHABLE_BOUND },
  );
  const logs = scanServerLogs(serverLogs(cluster));
  return {
    checks: {
      epochs,
      terms: checkTerms(epochs.distinctEpochs, outcomes),
      staleWrites,
      deposedRefused: logs.byEvent.store_write_fenced?.count ?? 0,
      store: storeCheck,
      hooks,
      counters,
      rest,
      deposals: checkDeposals(outcomes),
      sampler: sampled,
      splitBrain,
    },
    serverLogs: logs,
  };
}
