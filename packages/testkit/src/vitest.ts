import { afterAll, afterEach, beforeAll } from "vitest";
import { startKafka, type KafkaBroker, type KafkaOptions } from "./kafka.js";
import { startPostgres, type PostgresOptions, type PostgresServer } from "./postgres.js";
import { startZooKeeper, type ZooKeeperEnsemble, type ZooKeeperOptions } from "./zookeeper.js";

/**
 * Starts a resource before the suite's tests and shuts it down after them. When a test of
 * the suite failed, its data and logs are kept and their path printed. The other `use…`
 * helpers are this over one server (the local cluster's `useLocalCluster` too).
 */
export function useResource<T>(
  start: () => Promise<T>,
  shutdown: (resource: T, keepLogs: boolean) => Promise<void>,
  startTimeoutMs: number,
): () => T {
  let resource: T | undefined;
  let failed = false;
  beforeAll(async () => {
    resource = await start();
  }, startTimeoutMs);
  afterEach((context) => {
    if (context.task.result?.state === "fail") failed = true;
  });
  afterAll(async () => {
    if (resource !== undefined) await shutdown(resource, failed);
  }, 60_000);
  return () => {
    if (resource === undefined)
      throw new Error("the server is not started yet (use it inside a test)");
    return resource;
  };
}

/** A ZooKeeper ensemble for the current suite: `const zk = useZooKeeper({ nodes: 3 })`, then `zk()`. */
export function useZooKeeper(options: ZooKeeperOptions = {}): () => ZooKeeperEnsemble {
  return useResource(
    () => startZooKeeper(options),
    (zk, keepLogs) => zk.shutdown({ keepLogs }),
    (options.startTimeoutMs ?? 60_000) + 120_000,
  );
}

/** A Kafka broker for the current suite: `const kafka = useKafka()`, then `kafka().bootstrap`. */
export function useKafka(options: KafkaOptions = {}): () => KafkaBroker {
  return useResource(
    () => startKafka(options),
    (kafka, keepLogs) => kafka.shutdown({ keepLogs }),
    (options.startTimeoutMs ?? 60_000) + 120_000,
  );
}

/** A PostgreSQL server for the current suite: `const pg = usePostgres()`, then `pg().url`. */
export function usePostgres(options: PostgresOptions = {}): () => PostgresServer {
  return useResource(
    () => startPostgres(options),
    (pg, keepLogs) => pg.shutdown({ keepLogs }),
    (options.startTimeoutMs ?? 60_000) + 60_000,
  );
}
