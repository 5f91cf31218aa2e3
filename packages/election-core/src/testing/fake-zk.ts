/**
 * An in-memory ZooKeeper behind our ZkSession interface, with a manual clock, for fast
 * deterministic unit tests of the recipe and of what is built on it (ha-state). Every
 * behaviour of the recipe tested on it is also tested against a real ensemble
 * (election-core's test/integration).
 */
import { ZooKeeperError } from "../errors.js";
import type {
  CreateMode,
  Watcher,
  WatchEvent,
  ZkAcl,
  ZkSession,
  ZkSessionEvent,
  ZkSessionFactory,
  ZkStat,
} from "../zk.js";

/** A node of the fake ensemble (`FakeEnsemble.nodes`). */
export interface FakeNode {
  data: Buffer;
  czxid: number;
  version: number;
  aversion: number;
  cversion: number;
  owner: string;
  acl: ZkAcl[];
  seq: number;
}

export class FakeEnsemble {
  readonly nodes = new Map<string, FakeNode>([
    [
      "/",
      {
        data: Buffer.alloc(0),
        czxid: 0,
        version: 0,
        aversion: 0,
        cversion: 0,
        owner: "0",
        acl: [],
        seq: 0,
      },
    ],
  ]);
  readonly sessions = new Map<string, FakeSession>();
  #zxid = 100;
  #nextSession = 0x1000;
  #dataWatches = new Map<string, Set<{ session: FakeSession; watcher: Watcher }>>();
  #childWatches = new Map<string, Set<{ session: FakeSession; watcher: Watcher }>>();
  /** Requests answered so far; a "hung" session gets no answers. */
  requests = 0;
  /** The next this-many new handles never connect (as the native client's stalled ones). */
  deadHandles = 0;
  handlesCreated = 0;

  factory: ZkSessionFactory = (options) => {
    const session = new FakeSession(
      this,
      (this.#nextSession++).toString(16),
      options.sessionTimeoutMs,
    );
    this.sessions.set(session.id, session);
    this.handlesCreated++;
    if (this.deadHandles > 0) this.deadHandles--;
    else queueMicrotask(() => session.connectNow());
    return session;
  };

  nextZxid(): number {
    return ++this.#zxid;
  }

  fire(kind: "data" | "child", path: string, event: WatchEvent): void {
    const map = kind === "data" ? this.#dataWatches : this.#childWatches;
    const set = map.get(path);
    if (!set) return;
    map.delete(path);
    for (const { session, watcher } of set)
      if (!session.closed) queueMicrotask(() => watcher(event));
  }

  watch(kind: "data" | "child", path: string, session: FakeSession, watcher: Watcher): void {
    const map = kind === "data" ? this.#dataWatches : this.#childWatches;
    let set = map.get(path);
    if (!set) map.set(path, (set = new Set()));
    set.add({ session, watcher });
  }

  parent(path: string): string {
    const i = path.lastIndexOf("/");
    return i === 0 ? "/" : path.slice(0, i);
  }

  childrenOf(path: string): string[] {
    const prefix = path === "/" ? "/" : `${path}/`;
    return [...this.nodes.keys()]
      .filter((p) => p !== "/" && p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
      .map((p) => p.slice(prefix.length));
  }

  deleteNode(path: string): void {
    this.nodes.delete(path);
    this.fire("data", path, { type: "deleted", path });
    this.fire("child", path, { type: "deleted", path });
    this.fire("child", this.parent(path), { type: "child", path: this.parent(path) });
  }

  /** The server ends a session: its ephemeral nodes go, the client hears "expired". */
  expire(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    for (const [path, node] of [...this.nodes]) if (node.owner === sessionId) this.deleteNode(path);
    session?.expireNow();
  }
}

export class FakeSession implements ZkSession {
  readonly id: string;
  readonly #ensemble: FakeEnsemble;
  readonly #timeout: number;
  #listeners: ((e: ZkSessionEvent) => void)[] = [];
  connected = false;
  closed = false;
  expired = false;
  /** When set, requests are never answered (a stalled link). */
  hung = false;
  /** When set, the next create is applied but answered with CONNECTIONLOSS. */
  loseNextCreateAnswer = false;
  /** When set, the next delete never reaches the server: the link drops (CONNECTIONLOSS). */
  dropNextDelete = false;
  /** When set, runs before each create reaches the server (with its path), e.g. to delete its parent. */
  beforeCreate: ((path: string) => void) | null = null;
  /**
   * When set, this session's server is cut off from its quorum: it still answers reads on
   * its own, but syncs and writes (which need the quorum leader) are never answered.
   */
  cutFromQuorum = false;
  /**
   * When set, a request it returns true for (its operation and path as this fake names them, e.g. "children /a")
   * is refused with ZK_NOAUTH, as for a node whose ACL this session's credentials miss.
   */
  refuse: ((operation: string) => boolean) | null = null;

  constructor(ensemble: FakeEnsemble, id: string, timeout: number) {
    this.#ensemble = ensemble;
    this.id = id;
    this.#timeout = timeout;
  }

  get sessionId(): string {
    return this.id;
  }
  get negotiatedTimeoutMs(): number {
    return this.#timeout;
  }
  onEvent(listener: (e: ZkSessionEvent) => void): void {
    this.#listeners.push(listener);
  }
  #emit(e: ZkSessionEvent): void {
    for (const l of this.#listeners) l(e);
  }
  connectNow(): void {
    if (this.closed || this.expired) return;
    this.connected = true;
    this.#emit("connected");
  }
  disconnect(): void {
    this.connected = false;
    this.#emit("disconnected");
  }
  expireNow(): void {
    this.connected = false;
    this.expired = true;
    this.#emit("expired");
  }

  async #op<T>(name: string, fn: () => T, quorum = false): Promise<T> {
    if (this.closed) throw new ZooKeeperError("ZK_CLOSING", name, "closed");
    if (this.expired) throw new ZooKeeperError("ZK_SESSIONEXPIRED", name, "expired");
    if (!this.connected) throw new ZooKeeperError("ZK_CONNECTIONLOSS", name, "connection loss");
    if (this.hung || (quorum && this.cutFromQuorum)) return new Promise<T>(() => undefined);
    if (this.refuse?.(name)) throw new ZooKeeperError("ZK_NOAUTH", name, "not authenticated");
    await Promise.resolve();
    this.#ensemble.requests++;
    return fn();
  }

  /** A write: answered by the quorum leader. */
  #write<T>(name: string, fn: () => T): Promise<T> {
    return this.#op(name, fn, true);
  }

  #stat(node: FakeNode): ZkStat {
    return {
      czxid: node.czxid,
      mzxid: node.czxid,
      version: node.version,
      cversion: node.cversion,
      aversion: node.aversion,
      ephemeralOwner: node.owner,
      dataLength: node.data.length,
      numChildren: 0,
    };
  }

  create(path: string, data: Buffer, mode: CreateMode): Promise<string> {
    return this.#write(`create ${path}`, () => {
      this.beforeCreate?.(path);
      const e = this.#ensemble;
      const parentPath = e.parent(path);
      const parent = e.nodes.get(parentPath);
      if (!parent) throw new ZooKeeperError("ZK_NONODE", `create ${path}`, "no parent");
      let full = path;
      if (mode === "ephemeral_sequential")
        full = `${path}${String(parent.seq++).padStart(10, "0")}`;
      if (e.nodes.has(full)) throw new ZooKeeperError("ZK_NODEEXISTS", `create ${path}`, "exists");
      parent.cversion++;
      e.nodes.set(full, {
        data,
        czxid: e.nextZxid(),
        version: 0,
        aversion: 0,
        cversion: 0,
        owner: mode === "persistent" ? "0" : this.id,
        acl: [],
        seq: 0,
      });
      e.fire("data", full, { type: "created", path: full });
      e.fire("child", parentPath, { type: "child", path: parentPath });
      if (this.loseNextCreateAnswer) {
        this.loseNextCreateAnswer = false;
        this.disconnect();
        throw new ZooKeeperError("ZK_CONNECTIONLOSS", `create ${path}`, "connection loss");
      }
      return full;
    });
  }
  remove(path: string, _version: number): Promise<void> {
    if (this.dropNextDelete && this.connected) {
      this.dropNextDelete = false;
      this.disconnect();
      return Promise.reject(
        new ZooKeeperError("ZK_CONNECTIONLOSS", `delete ${path}`, "connection loss"),
      );
    }
    return this.#write(`delete ${path}`, () => {
      if (!this.#ensemble.nodes.has(path))
        throw new ZooKeeperError("ZK_NONODE", `delete ${path}`, "no node");
      this.#ensemble.deleteNode(path);
    });
  }
  exists(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    return this.#op(`exists ${path}`, () => {
      if (watcher) this.#ensemble.watch("data", path, this, watcher);
      const node = this.#ensemble.nodes.get(path);
      return node ? this.#stat(node) : null;
    });
  }
  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: ZkStat }> {
    return this.#op(`get ${path}`, () => {
      const node = this.#ensemble.nodes.get(path);
      if (!node) throw new ZooKeeperError("ZK_NONODE", `get ${path}`, "no node");
      if (watcher) this.#ensemble.watch("data", path, this, watcher);
      return { data: node.data, stat: this.#stat(node) };
    });
  }
  setData(path: string, data: Buffer, version: number): Promise<ZkStat> {
    return this.#write(`set ${path}`, () => {
      const node = this.#ensemble.nodes.get(path);
      if (!node) throw new ZooKeeperError("ZK_NONODE", `set ${path}`, "no node");
      if (version !== -1 && version !== node.version)
        throw new ZooKeeperError("ZK_BADVERSION", `set ${path}`, "bad version");
      node.data = data;
      node.version++;
      this.#ensemble.fire("data", path, { type: "changed", path });
      return this.#stat(node);
    });
  }
  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.#op(`children ${path}`, () => {
      if (!this.#ensemble.nodes.has(path))
        throw new ZooKeeperError("ZK_NONODE", `children ${path}`, "no node");
      if (watcher) this.#ensemble.watch("child", path, this, watcher);
      return this.#ensemble.childrenOf(path);
    });
  }
  getAcl(path: string): Promise<{ acl: ZkAcl[]; stat: ZkStat }> {
    return this.#op(`getAcl ${path}`, () => {
      const node = this.#ensemble.nodes.get(path);
      if (!node) throw new ZooKeeperError("ZK_NONODE", `getAcl ${path}`, "no node");
      return { acl: node.acl, stat: this.#stat(node) };
    });
  }
  setAcl(path: string, acl: ZkAcl[], aclVersion: number): Promise<void> {
    return this.#write(`setAcl ${path}`, () => {
      const node = this.#ensemble.nodes.get(path);
      if (!node) throw new ZooKeeperError("ZK_NONODE", `setAcl ${path}`, "no node");
      if (aclVersion !== -1 && aclVersion !== node.aversion)
        throw new ZooKeeperError("ZK_BADVERSION", `setAcl ${path}`, "bad version");
      node.acl = acl;
      node.aversion++;
    });
  }
  sync(path: string): Promise<void> {
    return this.#op(`sync ${path}`, () => undefined, true);
  }
  addAuth(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Only a connected handle can tell the server to end its session; a disconnected one
    // just goes away, and the session lives on until it expires or is resumed.
    const wasConnected = this.connected;
    this.connected = false;
    if (wasConnected && !this.expired)
      for (const [path, node] of [...this.#ensemble.nodes])
        if (node.owner === this.id) this.#ensemble.deleteNode(path);
  }
}
