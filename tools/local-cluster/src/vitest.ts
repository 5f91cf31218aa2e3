import { useResource } from "@atlas-ha/testkit/vitest";
import type { LocalCluster } from "./cluster.js";
import type { LocalClusterOptions } from "./options.js";
import { startLocalCluster } from "./start.js";

/**
 * A local cluster (ZooKeeper, Kafka, atlas-server instances) for the current suite, on free
 * ports in a temp folder: `const cluster = useLocalCluster({ instances: 2, zk: 1 })`, then
 * `cluster().waitForActive()`. When a test of the suite failed, its data and logs are kept.
 */
export function useLocalCluster(options: LocalClusterOptions = {}): () => LocalCluster {
  return useResource(
    () => startLocalCluster(options),
    (cluster, keepLogs) => cluster.down({ keepLogs }),
    (options.startTimeoutMs ?? 60_000) * 3 + 60_000,
  );
}
