/**
 * Faults on the store and on ZooKeeper's data, for the fault kinds of the safety review:
 *
 * - a writer frozen inside its write transaction (the real store, in a process of its own,
 *   stopped by SIGSTOP right after its fence check took the lock), as an active that lost
 *   power or froze halfway through a write would leave it: PostgreSQL ends its session after
 *   the idle-transaction timeout; on SQLite it holds the file's lock until it is killed;
 * - the election path deleted under the running group (an operator's `deleteall`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { nativeSessionFactory, type ZkSession } from "@atlas-ha/election-core";

export type StoreConfig = { backend: "sqlite"; path: string } | { backend: "postgres"; url: string };

export interface FrozenWriter {
  readonly pid: number;
  /** SIGKILL: the frozen transaction is rolled back (the process is gone). */
  kill(): Promise<void>;
}

/**
 * Starts the store in another process, fences it with the store's current highest epoch (an
 * equal epoch is accepted, so the write takes the lock) and freezes it inside that write.
 * Resolves once it is frozen.
 */
export async function startFrozenWriter(store: StoreConfig, timeoutMs = 30_000): Promise<FrozenWriter> {
  const entry = import.meta.resolve("@atlas-ha/atlas-server");
  const script = `
    import { createStore } from ${JSON.stringify(entry)};
    let armed = false;
    // The store reads the clock inside the write transaction, right after the fence check
    // took the lock: the place to freeze.
    const now = () => {
      if (armed) {
        armed = false;
        process.stdout.write("frozen\\n");
        process.kill(process.pid, "SIGSTOP");
      }
      return Date.now();
    };
    const store = createStore(${JSON.stringify(store)}, { now });
    const epoch = await store.highestEpoch();
    armed = true;
    await store.fence(epoch);
  `;
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await Promise.race([
    lines.next(),
    exited.then(() => ({ value: "exited", done: true })),
    new Promise<{ value: string }>((resolve) => setTimeout(() => resolve({ value: "timeout" }), timeoutMs)),
  ]);
  if (first.value !== "frozen") {
    child.kill("SIGKILL");
    throw new Error(`the frozen writer did not freeze (${first.value}): ${stderr.slice(0, 500)}`);
  }
  return {
    pid: child.pid!,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

async function connect(connectString: string): Promise<ZkSession> {
  const session = nativeSessionFactory({ connectString, sessionTimeoutMs: 10_000 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ZooKeeper session with ${connectString}`)), 15_000);
    session.onEvent((event) => {
      if (event === "connected") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return session;
}

async function removeTree(session: ZkSession, path: string): Promise<void> {
  for (const child of await session.getChildren(path)) {
    await removeTree(session, `${path}/${child}`).catch((error: { code?: string }) => {
      if (error.code !== "ZK_NONODE") throw error;
    });
  }
  await session.remove(path, -1);
}

/**
 * Deletes `<zkRoot>/leader_elector_path` with everything in it. Participants rejoin as soon as
 * their nodes go, so the path may not be empty yet: deleted again until it is gone once.
 * Returns how many attempts it took.
 */
export async function deleteElectionPath(connectString: string, zkRoot: string, timeoutMs = 10_000): Promise<number> {
  const session = await connect(connectString);
  const path = `${zkRoot}/leader_elector_path`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await removeTree(session, path);
        return attempt;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "ZK_NONODE") return attempt;
        if (code !== "ZK_NOTEMPTY" || Date.now() > deadline) throw error;
      }
    }
  } finally {
    session.close();
  }
}
