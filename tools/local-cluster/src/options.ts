import { silentLogger, type Logger } from "@atlas-ha/shared";
import type { PropertyValue } from "@atlas-ha/testkit";
import { ClusterOptionsError } from "./errors.js";
import type { StoreBackend } from "./state.js";

/** A pino-compatible logger; the launcher logs events (`{ event: "kafka_started", … }`). */
export type ClusterLogger = Logger;

export { silentLogger };

/** Ports of the cluster's servers; each one absent is a free port picked at start. */
export interface LocalClusterPorts {
  /** HTTP ports of atlas-1, atlas-2, … */
  atlas?: number[];
  /** Client ports of zk-1, zk-2, zk-3. */
  zookeeper?: number[];
  kafka?: number;
  postgres?: number;
}

/** The fixed ports of the local cluster of docs/contracts/local-cluster.md (`npm start`, `npm run cluster`). */
export function localClusterPorts(instances: number, zk: number): Required<LocalClusterPorts> {
  return {
    atlas: Array.from({ length: instances }, (_, i) => 21000 + i),
    zookeeper: Array.from({ length: zk }, (_, i) => 2181 + i),
    kafka: 9092,
    // Not 5432, where a system PostgreSQL may already listen.
    postgres: 15432,
  };
}

export interface LocalClusterOptions {
  /** atlas-server instances; 0 gives ZooKeeper and Kafka only. Default 2. */
  instances?: number;
  /** ZooKeeper nodes, 1 or 3. Default 3. */
  zk?: 1 | 3;
  /** `atlas.server.ha.zookeeper.session.timeout.ms` of every instance. Default 4000. */
  sessionTimeoutMs?: number;
  /** Store the instances share. Default "sqlite" (one file, WAL). */
  backend?: StoreBackend;
  /**
   * Processes outlive the launcher (own session, no guard), for the CLI; a later process
   * takes the cluster over with `LocalCluster.attach`. Default false: everything dies with
   * the process that started it, which is what tests want.
   */
  detached?: boolean;
  /** Folder for data, logs, configuration and `state.json`; a fresh temp folder when absent (removed by `down`). */
  stateDir?: string;
  /** Where the docs/contracts/local-cluster.md description is written; default `<stateDir>/cluster.json`. */
  clusterFile?: string;
  /** Fixed ports; free ports when absent. A taken fixed port fails before anything starts. */
  ports?: LocalClusterPorts;
  /** Topic created at start and consumed by the instances. Default "ATLAS_HOOK". */
  hookTopic?: string;
  /** Its partitions. Default 1. */
  hookPartitions?: number;
  /** Password of the `admin` user (role ADMIN) of every instance. Default "admin". */
  adminPassword?: string;
  /** Extra `atlas-application.properties` keys for every instance (they win). */
  properties?: Record<string, PropertyValue>;
  /** Extra environment variables for every instance (e.g. `{ ATLAS_HA_DEBUG: "1" }`). */
  env?: Record<string, string>;
  /**
   * Each instance reaches ZooKeeper through proxies of its own (one per ZooKeeper node), so
   * `cluster.zkProxy("atlas-1").cut()` partitions that instance alone from the ensemble.
   * The proxies run in the launcher's process: not with `detached`. Default false.
   */
  zkProxy?: boolean;
  /**
   * ZooKeeper's own settings for fault injection: `isolatable` makes zk-3 cut-able from the
   * other two servers (`cluster.zookeeper.node(3).isolate()`), `syncLimit` how long a cut-off
   * follower goes on answering its clients (× tickTime). See the testkit's startZooKeeper.
   */
  zookeeper?: { isolatable?: boolean; syncLimit?: number };
  /** The server's entry point; default the `atlas-server` bin of @atlas-ha/atlas-server. */
  serverBin?: string;
  /** Deadline of each start-up step; default 60 s. */
  startTimeoutMs?: number;
  logger?: ClusterLogger;
  /** Aborting stops the start-up after the step in progress and removes what was started. */
  signal?: AbortSignal;
}

/** Throws a ClusterOptionsError naming the first option that is out of range. */
export function validateOptions(options: LocalClusterOptions): void {
  const {
    instances = 2,
    zk = 3,
    sessionTimeoutMs = 4000,
    backend = "sqlite",
    hookPartitions = 1,
  } = options;
  if (!Number.isInteger(instances) || instances < 0 || instances > 20) {
    throw new ClusterOptionsError(
      "instances",
      `must be an integer from 0 to 20, got ${String(instances)}`,
    );
  }
  if (zk !== 1 && zk !== 3)
    throw new ClusterOptionsError("zk", `must be 1 or 3, got ${String(zk)}`);
  if (
    !Number.isInteger(sessionTimeoutMs) ||
    sessionTimeoutMs < 1000 ||
    sessionTimeoutMs > 300_000
  ) {
    throw new ClusterOptionsError(
      "sessionTimeoutMs",
      `must be an integer number of ms from 1000 to 300000, got ${String(sessionTimeoutMs)}`,
    );
  }
  if (backend !== "sqlite" && backend !== "postgres") {
    throw new ClusterOptionsError(
      "backend",
      `must be "sqlite" or "postgres", got ${JSON.stringify(backend)}`,
    );
  }
  if (!Number.isInteger(hookPartitions) || hookPartitions < 1) {
    throw new ClusterOptionsError(
      "hookPartitions",
      `must be a positive integer, got ${String(hookPartitions)}`,
    );
  }
  const ports = options.ports ?? {};
  if (ports.atlas && ports.atlas.length < instances) {
    throw new ClusterOptionsError(
      "ports.atlas",
      `needs ${instances} ports, got ${ports.atlas.length}`,
    );
  }
  if (ports.zookeeper && ports.zookeeper.length < zk) {
    throw new ClusterOptionsError(
      "ports.zookeeper",
      `needs ${zk} ports, got ${ports.zookeeper.length}`,
    );
  }
  if (options.zkProxy && options.detached) {
    throw new ClusterOptionsError(
      "zkProxy",
      "needs the launcher's process to keep running: not with detached: true",
    );
  }
}

/**
 * ZooKeeper grants a session timeout between 2 and 20 ticks (docs/contracts/components.md): a tick of a tenth of
 * the session timeout (at most ZooKeeper's usual 2 s) puts the wanted timeout in the middle
 * of that range and keeps expiry precise to a tick.
 */
export function tickTimeFor(sessionTimeoutMs: number): number {
  return Math.max(50, Math.min(2000, Math.floor(sessionTimeoutMs / 10)));
}
