export * from "./cluster/index.js";
export { PrerequisiteError, TcpProxyError, TimeoutError } from "./errors.js";
export { fourLetterWord } from "./fourletter.js";
export { checkJava, ensureJars, jarDir, javaBin, type Component } from "./jars.js";
export { KafkaBroker, startKafka, type KafkaOptions } from "./kafka.js";
export { atlasSamplesRequired, hookFixturesDir, hookMessagesDir, repoRoot, stateDir } from "./paths.js";
export { freePort, freePorts } from "./ports.js";
export {
  isProcessAlive,
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
export { findPostgresBin, PostgresServer, startPostgres, type PostgresOptions } from "./postgres.js";
export { startFrozenWriter, type FrozenWriter, type FrozenWriterOptions } from "./frozen-writer.js";
export { waitFor, type WaitOptions } from "./wait.js";
export {
  startZooKeeper,
  ZooKeeperEnsemble,
  ZooKeeperNode,
  type ZooKeeperMode,
  type ZooKeeperOptions,
} from "./zookeeper.js";
