/**
 * `<zkroot>/active_server_info` (docs/contracts/zookeeper.md): the active's `http(s)://host:port`, in an
 * EPHEMERAL node owned by the active's own session. Passives watch and cache it, so a
 * request never waits for ZooKeeper. Apache Knox reads the same path and format.
 */
import type { ZkClient } from "@atlas-ha/election-core";
import type { Logger } from "@atlas-ha/shared";

export const ACTIVE_SERVER_INFO = "active_server_info";

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

/** The watched, cached value of active_server_info. */
export class ActiveAddressCache {
  #zk: ZkClient;
  #path: string;
  #logger: Logger;
  #onChange: (address: string | null) => void;
  #address: string | null = null;
  #watching = false;
  #stopped = false;

  constructor(
    zk: ZkClient,
    path: string,
    logger: Logger,
    onChange: (address: string | null) => void,
  ) {
    this.#zk = zk;
    this.#path = path;
    this.#logger = logger;
    this.#onChange = onChange;
  }

  get address(): string | null {
    return this.#address;
  }

  /** Call on every new session: its watches died with the old one. */
  sessionStarted(): void {
    this.#watching = false;
    void this.refresh();
  }

  /**
   * Reads the node, setting one watch when none is outstanding (after a reconnect on the same
   * session the C client re-registers its watches itself, so none is added then).
   */
  async refresh(): Promise<void> {
    if (this.#stopped || !this.#zk.connected) return;
    const watch = !this.#watching;
    const watcher = watch
      ? () => {
          this.#watching = false;
          void this.refresh();
        }
      : undefined;
    try {
      if (watch) this.#watching = true;
      const { data } = await this.#zk.getData(this.#path, watcher);
      this.#set(data.toString("utf8").trim() || null);
    } catch (error) {
      if (isCode(error, "ZK_NONODE")) {
        // The get did not leave a watch on an absent node; watch for its creation instead.
        try {
          const stat = await this.#zk.exists(this.#path, watcher);
          if (stat) return this.refresh(); // created between the two reads
          this.#set(null);
        } catch (inner) {
          if (watch) this.#watching = false;
          this.#logger.debug({
            event: "active_address_read_failed",
            error: (inner as Error).message,
          });
        }
        return;
      }
      if (watch) this.#watching = false;
      this.#logger.debug({ event: "active_address_read_failed", error: (error as Error).message });
    }
  }

  #set(address: string | null): void {
    if (address === this.#address) return;
    this.#address = address;
    this.#onChange(address);
  }

  stop(): void {
    this.#stopped = true;
  }
}

/** The node this session published: enough to delete it later without reading it first. */
export interface PublishedAddress {
  sessionId: string;
  version: number;
}

/**
 * Publishes this instance's address from its own session (docs/contracts/zookeeper.md): a node left by another
 * session (a crashed or paused former active, whose session has not expired yet) is removed
 * first; a node of ours with the right content is kept.
 */
export async function publishActiveAddress(
  zk: ZkClient,
  zkRoot: string,
  address: string,
  /** The node's stat as read just before (one round trip saved), when the caller has it. */
  first?: Awaited<ReturnType<ZkClient["exists"]>>,
): Promise<PublishedAddress> {
  const path = `${zkRoot}/${ACTIVE_SERVER_INFO}`;
  let known = first;
  // zkRoot is ensured only when the create finds it missing: one round trip less on the way
  // to ACTIVE, where every round trip is writes refused.
  for (let attempt = 0; attempt < 4; attempt++) {
    const stat = known !== undefined ? known : await zk.exists(path);
    known = undefined;
    if (stat) {
      if (stat.ephemeralOwner === zk.sessionId) {
        const { data, stat: current } = await zk.getData(path);
        if (data.toString("utf8") === address)
          return { sessionId: zk.sessionId, version: current.version };
      }
      await zk.remove(path);
    }
    try {
      // With an ACL configured, everyone may read it (Apache Knox), only the group write it.
      await zk.create(path, address, "ephemeral", { worldRead: true });
      return { sessionId: zk.sessionId, version: 0 };
    } catch (error) {
      if (isCode(error, "ZK_NONODE")) {
        await zk.ensurePath(zkRoot);
        continue;
      }
      // Someone created it between our delete and create: look again.
      if (!isCode(error, "ZK_NODEEXISTS")) throw error;
    }
  }
  throw new Error(`could not publish ${path}: it kept being recreated by another session`);
}

/** Reads the node's stat (null when absent), for publishActiveAddress's first look. */
export function readActiveAddressStat(
  zk: ZkClient,
  zkRoot: string,
): ReturnType<ZkClient["exists"]> {
  return zk.exists(`${zkRoot}/${ACTIVE_SERVER_INFO}`);
}

/**
 * Removes the node if this session owns it (a passivating active). With `published` (what
 * this session's publish left), the delete is sent at once, without reading the node first:
 * its request is on the wire before any request made after this call, and ZooKeeper applies
 * one session's requests in order, so a caller may send the next one (the election node's
 * delete) without waiting for this answer.
 */
export async function unpublishActiveAddress(
  zk: ZkClient,
  zkRoot: string,
  published?: PublishedAddress | null,
): Promise<void> {
  const path = `${zkRoot}/${ACTIVE_SERVER_INFO}`;
  if (!zk.connected) return; // ephemeral: it goes with the session if the session goes
  if (published && published.sessionId === zk.sessionId) {
    await zk.remove(path, published.version).catch((error: unknown) => {
      if (!isCode(error, "ZK_NONODE")) throw error;
    });
    return;
  }
  const stat = await zk.exists(path);
  if (stat && stat.ephemeralOwner === zk.sessionId) await zk.remove(path, stat.version);
}
