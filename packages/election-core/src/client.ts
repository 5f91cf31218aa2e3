/**
 * ZooKeeper operations on the election's current session, with the configured ACL applied
 * to every node created. ha-state uses the same client (and so the same session) to publish
 * and watch `active_server_info`: one session per instance, nobody else talks to ZooKeeper.
 */
import { sameAcl, withWorldRead } from "./acl.js";
import type { Connection } from "./connection.js";
import { AclConflictError, NodeTamperedError, isZooKeeperError } from "./errors.js";
import type { Logger } from "@atlas-ha/shared";
import type { CreateMode, Watcher, ZkAcl, ZkStat } from "./zk.js";

/** Writes go through the quorum leader: their success confirms the session (see Connection.run). */
const WRITE = { confirms: true } as const;

export class ZkClient {
  #connection: Connection;
  #acl: ZkAcl[] | null;
  #secureUnder: string;
  #logger: Logger;

  /** @internal created by createElection() */
  constructor(connection: Connection, acl: ZkAcl[] | null, secureUnder: string, logger: Logger) {
    this.#connection = connection;
    this.#acl = acl;
    this.#secureUnder = secureUnder;
    this.#logger = logger;
  }

  /** Hex id of the current session ("" when none). */
  get sessionId(): string {
    return this.#connection.sessionId;
  }

  get connected(): boolean {
    return this.#connection.connected;
  }

  /**
   * Creates a node owned by this session. With an ACL configured, the node is created (the
   * C client can only create with the open ACL), its ACL set at ACL version 0, and then
   * checked: a node another client changed in that short window is removed and
   * NodeTamperedError thrown, so no node of ours ever lives on with foreign content.
   * `worldRead` adds READ for everyone to that ACL (`active_server_info`, as Atlas sets it).
   */
  async create(
    path: string,
    data: Buffer | string,
    mode: CreateMode,
    options: { worldRead?: boolean } = {},
  ): Promise<string> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const created = await this.#connection.run((s) => s.create(path, bytes, mode), WRITE);
    if (!this.#acl) return created;
    const acl = options.worldRead ? withWorldRead(this.#acl) : this.#acl;
    try {
      await this.#connection.run((s) => s.setAcl(created, acl, 0), WRITE);
      const stat = await this.#connection.run((s) => s.exists(created));
      if (!stat || stat.version !== 0 || stat.aversion !== 1) throw new NodeTamperedError(created);
      if (mode !== "persistent" && stat.ephemeralOwner !== this.sessionId)
        throw new NodeTamperedError(created);
    } catch (error) {
      if (
        isZooKeeperError(error, "ZK_BADVERSION", "ZK_NOAUTH") ||
        (error as Error).name === "NodeTamperedError"
      ) {
        await this.remove(created).catch(() => undefined);
        throw error instanceof Error && error.name === "NodeTamperedError"
          ? error
          : new NodeTamperedError(created);
      }
      throw error;
    }
    return created;
  }

  /**
   * Creates every missing persistent node of `path`. With an ACL configured, nodes of our
   * own subtree that already exist with a different ACL get ours (a root left open by an
   * earlier run would let any client join or rig the election), and what was created under
   * such a node while it was open is removed (see #purgeForeign).
   */
  async ensurePath(path: string): Promise<void> {
    const parts = path.split("/").filter(Boolean);
    let current = "";
    for (const [i, part] of parts.entries()) {
      current += `/${part}`;
      const ours =
        this.#acl !== null &&
        (current === this.#secureUnder || current.startsWith(`${this.#secureUnder}/`));
      const stat = await this.exists(current);
      let wasOpen = false;
      if (!stat) {
        try {
          await this.create(current, Buffer.alloc(0), "persistent");
          wasOpen = true; // the C client creates with the open ACL; ours came an instant later
        } catch (error) {
          if (!isZooKeeperError(error, "ZK_NODEEXISTS")) throw error;
        }
      } else if (ours) {
        wasOpen = await this.#secure(current);
      }
      if (ours && wasOpen) await this.#purgeForeign(current, parts[i + 1]);
    }
  }

  /** Gives `path` our ACL; true when it had another one (and so may hold foreign children). */
  async #secure(path: string): Promise<boolean> {
    const { acl, stat } = await this.#connection.run((s) => s.getAcl(path));
    if (sameAcl(acl, this.#acl!)) return false;
    // Before anything is locked: an instance still running without ACLs (a rolling restart
    // that turns them on) would lose access to its own nodes, and its nodes would be purged.
    await this.#refuseLiveForeign(this.#secureUnder);
    try {
      await this.#connection.run((s) => s.setAcl(path, this.#acl!, stat.aversion), WRITE);
      this.#logger.warn({
        event: "zk_acl_secured",
        path,
        previous: acl.map((a) => `${a.scheme}:${a.id}`),
      });
      return true;
    } catch (error) {
      this.#logger.warn({ event: "zk_acl_not_secured", path, error: (error as Error).message });
      return false;
    }
  }

  /**
   * While a node of our subtree was open (before an earlier run secured it, or in the instant
   * between creating it and setting its ACL), a client without the credentials could create
   * children in it: a participant node that sorts first and so "leads" forever, or an
   * `active_server_info` naming its own host, to which every passive would redirect. Once
   * the node carries our ACL nobody else can add children, so the children it has now that
   * do not carry our ACL are removed (with what is under them), except `keep`, the next node
   * of the path being ensured, which is secured and purged in its turn.
   *
   * A node owned by a live session is never removed: a participant of the group creates its
   * node open and sets our ACL right after, so such a node is given a moment to get it; one
   * that does not belongs to an instance running without ACLs, and deleting it would depose
   * that instance behind its back (its node gone, another participant first, while it still
   * acts as leader). That is AclConflictError: ACLs are turned on with every instance stopped.
   */
  async #purgeForeign(path: string, keep: string | undefined): Promise<void> {
    const children = await this.getChildren(path).catch(() => [] as string[]);
    for (const child of children) {
      if (child === keep) continue;
      const full = `${path}/${child}`;
      try {
        if (await this.#hasOurAcl(full)) continue;
        await this.#removeTree(full);
      } catch (error) {
        if ((error as Error).name === "AclConflictError") throw error;
        if (isZooKeeperError(error, "ZK_NONODE")) continue;
        this.#logger.warn({
          event: "zk_foreign_node_not_removed",
          path: full,
          error: (error as Error).message,
        });
      }
    }
  }

  /**
   * True when the node carries our ACL. A node of a live session (ephemeral) that does not is
   * given a moment, since a participant sets its ACL right after creating its node; one that
   * still does not is another instance's live node, which is never deleted: AclConflictError.
   */
  async #hasOurAcl(path: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const { acl, stat } = await this.getAcl(path);
      if (sameAcl(acl, this.#acl!)) return true;
      if (stat.ephemeralOwner === "0" || stat.ephemeralOwner === "") return false;
      if (attempt >= 10)
        throw new AclConflictError(
          path,
          stat.ephemeralOwner,
          acl.map((a) => `${a.scheme}:${a.id}`).join(","),
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Throws AclConflictError when a live session's node without our ACL is in the subtree. */
  async #refuseLiveForeign(path: string): Promise<void> {
    let children: string[];
    try {
      children = await this.getChildren(path);
    } catch (error) {
      if (isZooKeeperError(error, "ZK_NONODE")) return;
      throw error;
    }
    for (const child of children) {
      const full = `${path}/${child}`;
      try {
        await this.#hasOurAcl(full); // throws for a live foreign node
        await this.#refuseLiveForeign(full);
      } catch (error) {
        if (!isZooKeeperError(error, "ZK_NONODE")) throw error;
      }
    }
  }

  /** Removes a foreign subtree; a live session's node in it stops the purge (AclConflictError). */
  async #removeTree(path: string): Promise<void> {
    const { acl, stat } = await this.getAcl(path);
    if (stat.ephemeralOwner !== "0" && stat.ephemeralOwner !== "") {
      if (await this.#hasOurAcl(path)) return; // a live node of ours: never deleted here
    }
    for (const child of await this.getChildren(path).catch(() => [] as string[]))
      await this.#removeTree(`${path}/${child}`);
    await this.remove(path);
    this.#logger.warn({
      event: "zk_foreign_node_removed",
      path,
      acl: acl.map((a) => `${a.scheme}:${a.id}`),
    });
  }

  exists(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    return this.#connection.run((s) => s.exists(path, watcher));
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: ZkStat }> {
    return this.#connection.run((s) => s.getData(path, watcher));
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.#connection.run((s) => s.getChildren(path, watcher));
  }

  /** Sets a node's data (a write: it goes through the quorum leader). */
  setData(path: string, data: Buffer | string, version = -1): Promise<ZkStat> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    return this.#connection.run((s) => s.setData(path, bytes, version), WRITE);
  }

  getAcl(path: string): Promise<{ acl: ZkAcl[]; stat: ZkStat }> {
    return this.#connection.run((s) => s.getAcl(path));
  }

  /** Deletes a node (any version by default); an absent node is not an error. */
  async remove(path: string, version = -1): Promise<void> {
    try {
      await this.#connection.run((s) => s.remove(path, version), WRITE);
    } catch (error) {
      if (!isZooKeeperError(error, "ZK_NONODE")) throw error;
    }
  }
}
