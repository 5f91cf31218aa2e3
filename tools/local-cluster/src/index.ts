// Public API of @atlas-ha/local-cluster: the launcher behind `npm start` and `npm run cluster`
// (ZooKeeper, Kafka, PostgreSQL and atlas-server processes on loopback), for the CLI, the
// product's end-to-end tests, chaos runs and benchmarks.
export { atlasServerBin, statusClientBin } from "./bins.js";
export { runClusterCli, type ClusterCliOptions } from "./cli/index.js";
export { LocalCluster } from "./cluster.js";
export {
  ClusterOptionsError,
  ClusterStateError,
  PortInUseError,
  UnknownMemberError,
  type TakenPort,
} from "./errors.js";
export type { ClusterMember, InstanceStatus, MemberKind } from "./members.js";
export {
  localClusterPorts,
  tickTimeFor,
  type ClusterLogger,
  type LocalClusterOptions,
  type LocalClusterPorts,
} from "./options.js";
export { startLocalCluster } from "./start.js";
export type { ClusterDescription, StoreBackend } from "./state.js";
export { ZooKeeperProxy } from "./zk-proxy.js";
// The instances of a cluster are the testkit's server processes.
export type { AtlasInstance, AtlasState } from "@atlas-ha/testkit";
