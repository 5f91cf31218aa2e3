export {
  AtlasInstance,
  atlasProcess,
  atlasServerBin,
  hashPassword,
  startAtlasInstance,
  type AtlasInstanceOptions,
  type AtlasState,
} from "./atlas.js";
export { runClusterCli, type ClusterCliOptions } from "./cli.js";
export {
  LocalCluster,
  localClusterPorts,
  startLocalCluster,
  tickTimeFor,
  type ClusterLogger,
  type ClusterMember,
  type InstanceStatus,
  type LocalClusterOptions,
  type LocalClusterPorts,
  type MemberKind,
  ZooKeeperProxy,
} from "./cluster.js";
export { ClusterOptionsError, ClusterStateError, PortInUseError, UnknownMemberError, type TakenPort } from "./errors.js";
export { httpRequest, type HttpAnswer, type HttpRequestOptions } from "./http.js";
export { isListening, isPortFree, portHolder } from "./ports.js";
export type { ClusterDescription, StoreBackend } from "./state.js";
