// @atlas-ha/status-client: find the active instance of an Atlas HA group (docs/contracts/status-client.md).
export { getStatus } from "./probe.js";
export type { InstanceStatus, ProbeProblem } from "./probe.js";
export { findActive } from "./group.js";
export type { GroupProblem, GroupStatus, Verdict } from "./group.js";
export { watch } from "./watch.js";
export type { InstanceTransition, VerdictTransition, WatchEvent, WatchOptions } from "./watch.js";
export type { Logger, ProbeOptions } from "./options.js";
export { ATLAS_STATES, PROBE_STATES } from "./states.js";
export type { AtlasState, ProbeState } from "./states.js";
export { inspectGroup, FAILOVERS_SHOWN } from "./inspect.js";
export type { GroupView, MemberView } from "./inspect.js";
export type { Failover, InstanceHealth, PartitionLag } from "./health.js";
export { readAtlasConfig, parseProperties } from "./config.js";
export type { AtlasClientConfig } from "./config.js";
export { formatJson, formatPrometheus, formatTable } from "./format.js";
export { StatusConfigError, StatusInputError } from "./errors.js";
