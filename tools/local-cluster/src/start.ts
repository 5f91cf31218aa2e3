import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePorts,
  hashPassword,
  startAtlasInstance,
  startTcpProxy,
  type AtlasInstance,
  type TcpProxy,
} from "@atlas-ha/testkit";
import { atlasServerBin } from "./bins.js";
import { LocalCluster } from "./cluster.js";
import { instanceProperties, type SharedSettings } from "./config.js";
import { startInfrastructure, type Infrastructure } from "./infra.js";
import { record } from "./members.js";
import { silentLogger, tickTimeFor, validateOptions, type LocalClusterOptions } from "./options.js";
import { assertPortsFree } from "./ports.js";
import type { ClusterState } from "./state.js";
import { ZooKeeperProxy } from "./zk-proxy.js";

/**
 * Starts ZooKeeper (1 or 3 nodes), Kafka (with the hook topic created and
 * `group.initial.rebalance.delay.ms=0`), PostgreSQL for the postgres backend, then the
 * atlas-server instances: atlas-1 first, until it is ACTIVE (so the first active is known),
 * then the others together. Resolves once every instance answers its status endpoint. On
 * any failure, what was started is stopped again (logs kept) before the error is thrown.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  validateOptions(options);
  const count = options.instances ?? 2;
  const zkNodes = options.zk ?? 3;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 4000;
  const backend = options.backend ?? "sqlite";
  const hookTopic = options.hookTopic ?? "ATLAS_HOOK";
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const detached = options.detached === true;
  const log = options.logger ?? silentLogger;
  const serverBin = options.serverBin ?? atlasServerBin();
  const ports = options.ports ?? {};
  const started = Date.now();

  await assertPortsFree([
    ...(ports.atlas ?? [])
      .slice(0, count)
      .map((port, i) => ({ port, use: `atlas-${i + 1} (HTTP)` })),
    ...(ports.zookeeper ?? [])
      .slice(0, zkNodes)
      .map((port, i) => ({ port, use: `zk-${i + 1} (client port)` })),
    ...(ports.kafka !== undefined ? [{ port: ports.kafka, use: "kafka" }] : []),
    ...(ports.postgres !== undefined && backend === "postgres"
      ? [{ port: ports.postgres, use: "postgres" }]
      : []),
  ]);
  // Hash before anything runs: a server that is not built fails here, in a second.
  const adminHash =
    count > 0 ? await hashPassword(options.adminPassword ?? "admin", serverBin) : undefined;
  options.signal?.throwIfAborted();

  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "atlas-ha-cluster-"));
  mkdirSync(stateDir, { recursive: true });
  // mkdtemp makes a 0700 folder; PostgreSQL runs as its own OS user when we are root and must
  // reach its data dir inside.
  if (ownsStateDir && backend === "postgres") chmodSync(stateDir, 0o755);
  const clusterFile = options.clusterFile ?? join(stateDir, "cluster.json");
  const tickTime = tickTimeFor(sessionTimeoutMs);
  log.info({
    event: "cluster_starting",
    stateDir,
    instances: count,
    zk: zkNodes,
    backend,
    sessionTimeoutMs,
    tickTime,
    detached,
  });

  const infra = await startInfrastructure({
    stateDir,
    zkNodes,
    tickTime,
    sessionTimeoutMs,
    backend,
    hookTopic,
    hookPartitions: options.hookPartitions ?? 1,
    ...(options.zookeeper ? { zookeeper: options.zookeeper } : {}),
    ports,
    detached,
    startTimeoutMs,
    log,
  });
  const state = initialState(infra, {
    stateDir,
    clusterFile,
    sessionTimeoutMs,
    backend,
    hookTopic,
    tickTime,
  });
  const instances: AtlasInstance[] = [];
  const zkProxies = new Map<string, ZooKeeperProxy>();
  const { zookeeper, kafka, postgres } = infra;
  const cluster = new LocalCluster(
    state,
    { zookeeper, kafka, postgres: postgres?.server, instances, zkProxies },
    ownsStateDir,
  );
  cluster.save();

  try {
    options.signal?.throwIfAborted();
    if (count > 0) {
      const httpPorts = ports.atlas ?? [];
      // Every instance must know every address before the first one starts (docs/contracts/config.md).
      const freeHttp = httpPorts.length >= count ? [] : await freePorts(count);
      const members = Array.from({ length: count }, (_, i) => ({
        name: `atlas-${i + 1}`,
        id: `id${i + 1}`,
        port: httpPorts[i] ?? freeHttp[i]!,
      }));
      const usersFile = join(stateDir, "users-credentials.properties");
      if (adminHash) writeFileSync(usersFile, `admin=ADMIN::${adminHash}\n`, { mode: 0o600 });
      const shared: SharedSettings = {
        instances: members,
        zkConnect: zookeeper.connectString,
        sessionTimeoutMs,
        kafkaBootstrap: kafka.bootstrap,
        hookTopic,
        backend,
        postgresUrl: postgres?.url,
        sqlitePath: join(stateDir, "store", "atlas.db"),
        usersFile,
      };
      if (!postgres) mkdirSync(join(stateDir, "store"), { recursive: true });
      if (options.zkProxy) {
        for (const { name } of members) {
          const proxies: TcpProxy[] = [];
          zkProxies.set(name, new ZooKeeperProxy(name, proxies));
          for (const node of zookeeper.nodes) {
            proxies.push(
              await startTcpProxy({ target: node.clientPort, name: `${name} → ${node.name}` }),
            );
          }
        }
      }

      const startOne = async (i: number): Promise<AtlasInstance> => {
        const { name, id, port } = members[i]!;
        const dir = join(stateDir, name);
        const t0 = Date.now();
        const properties = await instanceProperties(
          shared,
          {
            id,
            zkConnect: zkProxies.get(name)?.connectString,
            failedMessagesFile: join(dir, "failed-messages.log"),
          },
          options.properties,
        );
        const instance = await startAtlasInstance({
          name,
          port,
          dir,
          serverBin,
          detached,
          startTimeoutMs,
          ...(options.env ? { env: options.env } : {}),
          properties,
        });
        instances.push(instance);
        state.instances.push({
          name,
          id,
          port: instance.port,
          dir,
          process: record(instance.process),
        });
        cluster.save();
        log.info({
          event: "instance_started",
          name,
          url: instance.url,
          pid: instance.process.pid,
          tookMs: Date.now() - t0,
        });
        return instance;
      };
      await startInstances(startOne, count, startTimeoutMs, options.signal);
      const byName = (a: { name: string }, b: { name: string }) =>
        a.name.localeCompare(b.name, "en", { numeric: true });
      instances.sort(byName);
      state.instances.sort(byName);
      cluster.save();
    }
  } catch (error) {
    await cluster.down({ keepLogs: true }).catch((downError: Error) => {
      log.error({ event: "cluster_cleanup_failed", error: downError.message });
    });
    throw error;
  }
  log.info({ event: "cluster_started", tookMs: Date.now() - started });
  return cluster;
}

/**
 * atlas-1 first, until it is ACTIVE (known roles make walk-throughs and tests readable: atlas-1
 * leads until it is stopped), then the others together.
 */
async function startInstances(
  startOne: (i: number) => Promise<AtlasInstance>,
  count: number,
  startTimeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const first = await startOne(0);
  await first.process
    .aliveUntil(first.waitForState("ACTIVE", startTimeoutMs))
    .catch((error: Error) => {
      throw new Error(`${error.message}; end of ${first.logFile}:\n${first.process.logTail()}`, {
        cause: error,
      });
    });
  signal?.throwIfAborted();
  const rest = await Promise.allSettled(
    Array.from({ length: count - 1 }, (_, i) => startOne(i + 1)),
  );
  const failed = rest.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

function initialState(
  infra: Infrastructure,
  o: Pick<
    ClusterState,
    "stateDir" | "clusterFile" | "sessionTimeoutMs" | "backend" | "hookTopic" | "tickTime"
  >,
): ClusterState {
  const { zookeeper, kafka, postgres } = infra;
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    ...o,
    zookeeper: zookeeper.nodes.map((n) => ({
      id: n.id,
      name: n.name,
      clientPort: n.clientPort,
      dataDir: n.dataDir,
      process: record(n.process),
    })),
    kafka: {
      name: kafka.name,
      port: kafka.port,
      controllerPort: kafka.controllerPort,
      baseDir: kafka.baseDir,
      process: record(kafka.process),
    },
    postgres: postgres
      ? {
          name: "postgres",
          port: postgres.server.port,
          baseDir: postgres.server.baseDir,
          binDir: postgres.server.binDir,
          url: postgres.url,
          process: record(postgres.server.process),
        }
      : null,
    instances: [],
  };
}
