import { createRequire } from "node:module";

/** The few calls of the `zookeeper` package these tests use (its bundled typings are loose). */
interface ZooKeeper {
  init(config: object): void;
  once(event: "connect", listener: () => void): void;
  close(): void;
  a_create(path: string, data: string, flags: number, cb: (rc: number, error: string, created: string) => void): void;
  a_get(path: string, watch: boolean, cb: (rc: number, error: string, stat: unknown, data: Buffer | null) => void): void;
}
interface ZooKeeperClass {
  new (config: object): ZooKeeper;
  constants: { ZOO_LOG_LEVEL_ERROR: number; ZOO_PERSISTENT: number };
}
const ZooKeeper = createRequire(import.meta.url)("zookeeper") as ZooKeeperClass;
export type { ZooKeeper };

/**
 * A bare client of the `zookeeper` package, used only to prove what the ensemble does
 * (the election itself lives in election-core).
 */
export async function connectClient(connect: string, timeoutMs = 4000): Promise<ZooKeeper> {
  const client = new ZooKeeper({ connect, timeout: timeoutMs, debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ZooKeeper session with ${connect}`)), 15_000);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    client.init({});
  });
  return client;
}

/** Creates a persistent node; rejects when the ensemble cannot take writes. */
export function createNode(client: ZooKeeper, path: string, data: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`create ${path}: no answer within ${timeoutMs} ms`)), timeoutMs);
    client.a_create(path, data, ZooKeeper.constants.ZOO_PERSISTENT, (rc: number, error: string, created: string) => {
      clearTimeout(timer);
      if (rc === 0) resolve(created);
      else reject(new Error(`create ${path}: ${error} (${rc})`));
    });
  });
}

export function readNode(client: ZooKeeper, path: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`get ${path}: no answer`)), timeoutMs);
    client.a_get(path, false, (rc: number, error: string, _stat: unknown, data: Buffer | null) => {
      clearTimeout(timer);
      if (rc === 0) resolve(data ? data.toString("utf8") : "");
      else reject(new Error(`get ${path}: ${error} (${rc})`));
    });
  });
}
