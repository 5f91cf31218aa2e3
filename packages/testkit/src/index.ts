export {
  AtlasInstance,
  atlasProcess,
  hashPassword,
  startAtlasInstance,
  type AtlasInstanceOptions,
  type AtlasState,
} from "./atlas.js";
export { ATLAS_ADMIN_AUTH, atlasCall, guidOf, hiveDb, type AtlasAnswer } from "./atlas-client.js";
export {
  makeCertificates,
  type CertificateOptions,
  type CertificateSet,
  type Credential,
} from "./certs.js";
export { PrerequisiteError, TcpProxyError, TimeoutError } from "./errors.js";
export { fourLetterWord } from "./fourletter.js";
export { checkJava, ensureJars, jarDir, javaBin, type Component } from "./jars.js";
export {
  KafkaBroker,
  startKafka,
  type KafkaOptions,
  type KafkaSecurityOptions,
  type SecureListener,
} from "./kafka.js";
export {
  atlasSamplesRequired,
  hookFixturesDir,
  hookMessagesDir,
  repoRoot,
  stateDir,
} from "./paths.js";
export { httpRequest, type HttpAnswer, type HttpRequestOptions } from "./http.js";
export {
  ephemeralPortRange,
  freePort,
  freePorts,
  isListening,
  isPortFree,
  portHolder,
} from "./ports.js";
export {
  descendantPids,
  isProcessAlive,
  isStopped,
  ManagedProcess,
  processStartTime,
  type ExitInfo,
  type ProcessIdentity,
  type ProcessSpec,
} from "./process.js";
export {
  startTcpProxy,
  TcpProxy,
  type TcpProxyCutMode,
  type TcpProxyCutOptions,
  type TcpProxyOptions,
  type TcpProxyState,
} from "./proxy.js";
export type { PropertyValue } from "./properties.js";
export {
  findPostgresBin,
  PostgresServer,
  startPostgres,
  type PostgresOptions,
  type PsqlOptions,
} from "./postgres.js";
export { thrownBy, type CaughtError } from "./thrown.js";
export { startFrozenWriter, type FrozenWriter, type FrozenWriterOptions } from "./frozen-writer.js";
export { waitFor, type WaitOptions } from "./wait.js";
export {
  startZooKeeper,
  ZooKeeperEnsemble,
  ZooKeeperNode,
  type ZooKeeperMode,
  type ZooKeeperOptions,
} from "./zookeeper.js";
