// @atlas-ha/chaos: the fault-injection run of atlas-ha (issue 7), for the CLI and the CI test.
export { runChaos, defaultReportFile, type ChaosOptions, type ChaosReport, type FaultOutcome } from "./run.js";
export { planFaults, describeFault, FAULT_KINDS, FAULT_DESCRIPTIONS, type FaultKind, type FaultSpec, type PlanOptions } from "./plan.js";
export { createRandom, seedHash, type Random } from "./random.js";
export { checkEpochs, countSplitBrain, scanServerLogs, writeAvailability, type ServerLogFigure, type EpochCheck, type HookCheck, type RestCheck, type SplitBrainFigure } from "./check.js";
export { formatReport } from "./report.js";
export { ChaosOptionsError } from "./errors.js";
export type { Logger } from "./log.js";
