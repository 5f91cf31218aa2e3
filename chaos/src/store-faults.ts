/**
 * Faults on the store and on ZooKeeper's data, for the fault kinds of the safety review:
 *
 * - a writer frozen inside its write transaction (the real store, in a process of its own,
 *   stopped by SIGSTOP right after its fence check took the lock), as an active that lost
 *   power or froze halfway through a write would leave it: PostgreSQL ends its session after
 *   the idle-transaction timeout; on SQLite it holds the file's lock until it is killed;
 * - the election path deleted under the running group (an operator's `deleteall`).
 */
import { nativeSessionFactory, type ZkSession } from "@atlas-ha/election-core";
import { startFrozenWriter, type FrozenWriter } from "@atlas-ha/testkit";

export type StoreConfig =
  { backend: "sqlite"; path: string } | { backend: "postgres"; url: string };

/**
 * The real store of the instances in another process, fenced with the store's current highest
 * epoch (an equal epoch is accepted, so the write takes the lock) and frozen inside that write.
 */
export function startFrozenStoreWriter(store: StoreConfig): Promise<FrozenWriter> {
  return startFrozenWriter({
    storeModule: import.meta.resolve("@atlas-ha/atlas-server"),
    config: store,
  });
}

async function connect(connectString: string): Promise<ZkSession> {
  const session = nativeSessionFactory({ connectString, sessionTimeoutMs: 10_000 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ZooKeeper session with ${connectString}`)),
      15_000,
    );
    session.onEvent((event) => {
      if (event === "connected") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return session;
}

/**
 * Children at once, then the node: the participants re-create their nodes as soon as theirs
 * is gone, so the window between reading the children and removing the parent must be short
 * (one sequential delete per child lost that race for 10 s on a loaded machine).
 */
async function removeTree(session: ZkSession, path: string): Promise<void> {
  const children = await session.getChildren(path);
  await Promise.all(
    children.map((child) =>
      removeTree(session, `${path}/${child}`).catch((error: { code?: string }) => {
        if (error.code !== "ZK_NONODE") throw error;
      }),
    ),
  );
  await session.remove(path, -1);
}

/**
 * Deletes `<zkRoot>/leader_elector_path` with everything in it. Participants rejoin as soon as
 * their nodes go, so the path may not be empty yet: deleted again until it is gone once.
 * Returns how many attempts it took.
 */
export async function deleteElectionPath(
  connectString: string,
  zkRoot: string,
  timeoutMs = 30_000,
): Promise<number> {
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
