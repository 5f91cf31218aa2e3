import { createRequire } from "node:module";

/** The few calls of the `zookeeper` package these tests use (its bundled typings are loose). */
interface ZooKeeper {
  init(config: object): void;
  once(event: "connect", listener: () => void): void;
  close(): void;
  a_create(
    path: string,
    data: string,
    flags: number,
    cb: (rc: number, error: string, created: string) => void,
  ): void;
  a_get(
    path: string,
    watch: boolean,
    cb: (rc: number, error: string, stat: unknown, data: Buffer | null) => void,
  ): void;
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
  const client = new ZooKeeper({
    connect,
    timeout: timeoutMs,
    debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
    host_order_deterministic: false,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ZooKeeper session with ${connect}`)),
      15_000,
    );
    client.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    client.init({});
  });
  return client;
}

/** ZooKeeper's return codes these tests tell apart (zookeeper.h); others keep their number. */
const RC_NAMES: Record<number, string> = {
  [-4]: "ZCONNECTIONLOSS",
  [-7]: "ZOPERATIONTIMEOUT",
  [-101]: "ZNONODE",
  [-110]: "ZNODEEXISTS",
  [-112]: "ZSESSIONEXPIRED",
};

/** A call that failed: `code` is ZooKeeper's (ZCONNECTIONLOSS, ZNONODE, …) or TIMEOUT when no answer came. */
export class ZooKeeperCallError extends Error {
  override readonly name = "ZooKeeperCallError";
  constructor(
    message: string,
    readonly code: string,
    readonly rc?: number,
  ) {
    super(message);
  }
}

function callError(what: string, rc: number, error: string): ZooKeeperCallError {
  return new ZooKeeperCallError(`${what}: ${error} (${rc})`, RC_NAMES[rc] ?? `RC_${rc}`, rc);
}

/** Creates a persistent node; rejects when the ensemble cannot take writes. */
export function createNode(
  client: ZooKeeper,
  path: string,
  data: string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new ZooKeeperCallError(`create ${path}: no answer within ${timeoutMs} ms`, "TIMEOUT"),
        ),
      timeoutMs,
    );
    client.a_create(
      path,
      data,
      ZooKeeper.constants.ZOO_PERSISTENT,
      (rc: number, error: string, created: string) => {
        clearTimeout(timer);
        if (rc === 0) resolve(created);
        else reject(callError(`create ${path}`, rc, error));
      },
    );
  });
}

export function readNode(client: ZooKeeper, path: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new ZooKeeperCallError(`get ${path}: no answer within ${timeoutMs} ms`, "TIMEOUT")),
      timeoutMs,
    );
    client.a_get(path, false, (rc: number, error: string, _stat: unknown, data: Buffer | null) => {
      clearTimeout(timer);
      if (rc === 0) resolve(data ? data.toString("utf8") : "");
      else reject(callError(`get ${path}`, rc, error));
    });
  });
}
