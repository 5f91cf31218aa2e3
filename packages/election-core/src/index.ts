export {
  createElection,
  type Election,
  type ElectionEvent,
  type ElectionEvents,
  type Participant,
} from "./election.js";
export type { StepAsideOptions } from "./types.js";
export type { ElectionOptions, LeadershipTerm } from "./options.js";
export type { ConnectionState } from "./connection.js";
export type { ZkClient } from "./client.js";
export type { Clock, Logger } from "@atlas-ha/shared";
export { zkDigest } from "./acl.js";
export {
  AclConflictError,
  ElectionClosedError,
  ElectionNotAuthorizedError,
  ElectionOptionsError,
  FATAL_CODES,
  LeadershipFailedError,
  NodeTamperedError,
  ZooKeeperError,
  type ZooKeeperErrorCode,
} from "./errors.js";
export {
  PERM,
  nativeSessionFactory,
  type CreateMode,
  type Watcher,
  type WatchEvent,
  type ZkAcl,
  type ZkSession,
  type ZkSessionEvent,
  type ZkSessionFactory,
  type ZkSessionOptions,
  type ZkStat,
} from "./zk.js";
