import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  ManagedProcess,
  PostgresServer,
  startKafka,
  startPostgres,
  startZooKeeper,
  type KafkaBroker,
  type ProcessSpec,
  type ZooKeeperEnsemble,
} from "@atlas-ha/testkit";
import type { ClusterLogger, LocalClusterPorts } from "./options.js";
import type { StoreBackend } from "./state.js";

export interface Infrastructure {
  zookeeper: ZooKeeperEnsemble;
  kafka: KafkaBroker;
  /** Only with the postgres backend: the server and the URL of its `atlas` database. */
  postgres: { server: PostgresServer; url: string } | undefined;
}

export interface InfrastructureOptions {
  stateDir: string;
  zkNodes: 1 | 3;
  tickTime: number;
  sessionTimeoutMs: number;
  backend: StoreBackend;
  hookTopic: string;
  hookPartitions: number;
  /** ZooKeeper's own settings for fault injection (LocalClusterOptions.zookeeper). */
  zookeeper?: { isolatable?: boolean; syncLimit?: number };
  ports: LocalClusterPorts;
  detached: boolean;
  startTimeoutMs: number;
  log: ClusterLogger;
}

async function timed<T>(what: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const value = await what();
  return [value, Date.now() - t0];
}

/**
 * ZooKeeper (its session timeout bounds from the tick), Kafka with the hook topic created,
 * and PostgreSQL for the postgres backend, started together. When one fails, the others are
 * stopped again (logs kept) and its error is thrown.
 */
export async function startInfrastructure(o: InfrastructureOptions): Promise<Infrastructure> {
  const { stateDir, zkNodes, tickTime, ports, detached, startTimeoutMs, log } = o;
  const [zkResult, kafkaResult, pgResult] = await Promise.allSettled([
    timed(() =>
      startZooKeeper({
        nodes: zkNodes,
        tickTime,
        minSessionTimeout: 2 * tickTime,
        maxSessionTimeout: Math.max(60_000, o.sessionTimeoutMs),
        ...(ports.zookeeper ? { clientPorts: ports.zookeeper.slice(0, zkNodes) } : {}),
        baseDir: join(stateDir, "zookeeper"),
        startTimeoutMs,
        detached,
        ...(o.zookeeper?.isolatable ? { isolatable: true } : {}),
        ...(o.zookeeper?.syncLimit !== undefined ? { syncLimit: o.zookeeper.syncLimit } : {}),
      }),
    ),
    timed(async () => {
      const broker = await startKafka({
        ...(ports.kafka !== undefined ? { port: ports.kafka } : {}),
        baseDir: join(stateDir, "kafka"),
        startTimeoutMs,
        detached,
      });
      try {
        await broker.createTopic(o.hookTopic, o.hookPartitions);
      } catch (error) {
        await broker.shutdown({ keepLogs: true });
        throw error;
      }
      return broker;
    }),
    o.backend === "postgres"
      ? timed(() =>
          startSharedPostgres(join(stateDir, "postgres"), ports.postgres, detached, startTimeoutMs),
        )
      : Promise.resolve(undefined),
  ]);
  const infraFailure = [zkResult, kafkaResult, pgResult].find((r) => r.status === "rejected");
  if (infraFailure) {
    await Promise.all([
      zkResult.status === "fulfilled" ? zkResult.value[0].shutdown({ keepLogs: true }) : undefined,
      kafkaResult.status === "fulfilled"
        ? kafkaResult.value[0].shutdown({ keepLogs: true })
        : undefined,
      pgResult.status === "fulfilled" && pgResult.value
        ? pgResult.value[0].server.shutdown({ keepLogs: true })
        : undefined,
    ]);
    throw infraFailure.reason;
  }
  const [zookeeper, zkMs] = (zkResult as PromiseFulfilledResult<[ZooKeeperEnsemble, number]>).value;
  const [kafka, kafkaMs] = (kafkaResult as PromiseFulfilledResult<[KafkaBroker, number]>).value;
  const pgStarted = (
    pgResult as PromiseFulfilledResult<
      [{ server: PostgresServer; url: string }, number] | undefined
    >
  ).value;
  log.info({
    event: "zookeeper_started",
    nodes: zookeeper.nodes.map((n) => n.name),
    connect: zookeeper.connectString,
    tickTime,
    tookMs: zkMs,
  });
  log.info({
    event: "kafka_started",
    bootstrap: kafka.bootstrap,
    topic: o.hookTopic,
    tookMs: kafkaMs,
  });
  if (pgStarted)
    log.info({ event: "postgres_started", url: pgStarted[0].url, tookMs: pgStarted[1] });
  return { zookeeper, kafka, postgres: pgStarted?.[0] };
}

/**
 * PostgreSQL for the instances, with an `atlas` database. Detached, it is started once by
 * `startPostgres` (which owns initdb and the command line, root handling included), stopped,
 * and run again from the same spec as a detached process.
 */
async function startSharedPostgres(
  baseDir: string,
  port: number | undefined,
  detached: boolean,
  startTimeoutMs: number,
): Promise<{ server: PostgresServer; url: string }> {
  mkdirSync(baseDir, { recursive: true });
  let server = await startPostgres({
    ...(port !== undefined ? { port } : {}),
    baseDir,
    startTimeoutMs,
  });
  try {
    const url = await server.createDatabase("atlas");
    if (detached) {
      const spec: ProcessSpec = { ...server.process.spec, detached: true };
      await server.stop();
      server = new PostgresServer(
        server.port,
        server.baseDir,
        server.binDir,
        new ManagedProcess(spec),
        false,
      );
      await server.start(startTimeoutMs);
    }
    return { server, url };
  } catch (error) {
    await server.shutdown({ keepLogs: true });
    throw error;
  }
}
