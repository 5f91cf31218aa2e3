// @atlas-ha/chaos: the fault-injection run of atlas-ha (issue 7), for the CLI and the CI test.
export { runChaos, defaultReportFile } from "./run.js";
export type { ChaosOptions } from "./options.js";
export type { ChaosReport, FaultOutcome } from "./report.js";
export {
  planFaults,
  describeFault,
  FAULT_KINDS,
  FAULT_DESCRIPTIONS,
  type FaultKind,
  type FaultSpec,
  type PlanOptions,
} from "./plan.js";
export { createRandom, seedHash, type Random } from "./random.js";
export {
  CALM_UNREACHABLE_BOUND,
  checkCounters,
  checkDeposals,
  checkEpochs,
  checkSampler,
  checkTerms,
  counterExpectations,
  countSplitBrain,
  scanServerLogs,
  writeAvailability,
  type CounterCheck,
  type CounterExpectation,
  type CounterFound,
  type DeposalCheck,
  type EpochCheck,
  type FaultTerms,
  type HookCheck,
  type RestCheck,
  type SamplerCheck,
  type ServerLogFigure,
  type SplitBrainFigure,
  type TermCheck,
} from "./check.js";
export {
  crossCheckStore,
  readStoreTables,
  type StoreCrossCheck,
  type StoreTables,
} from "./audit.js";
export {
  checkStaleWrites,
  StaleWriter,
  staleQualifiedName,
  STALE_SUFFIX,
  STALE_TOPIC,
  type StaleAttempt,
  type StaleWriteCheck,
} from "./stale.js";
export {
  verdicts,
  minimums,
  MIN_HOOK_MESSAGES_PER_FAULT,
  MIN_REST_WRITES_PER_FAULT,
  MIN_STALE_WRITES_PER_FAULT,
  type Minimums,
  type Verdict,
  type VerdictInput,
} from "./verdict.js";
export {
  hookMessage,
  messageKind,
  counterQualifiedName,
  counterSeq,
  hookQualifiedName,
} from "./producer.js";
export { formatReport } from "./report.js";
export { ChaosOptionsError } from "./errors.js";
export type { Logger } from "./log.js";
