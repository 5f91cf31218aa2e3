/**
 * Our small ZooKeeper interface, and its adapter over the `zookeeper` npm package (the
 * native C client). The election recipe only sees `ZkSession`, so unit tests run it on a
 * fake and the transport could be swapped without touching the recipe.
 */
import { createRequire } from "node:module";
import { ZooKeeperError, type ZooKeeperErrorCode } from "./errors.js";

export type CreateMode = "persistent" | "ephemeral" | "ephemeral_sequential";

export interface ZkStat {
  /** Zxid of the transaction that created the node: global, strictly increasing. */
  czxid: number;
  mzxid: number;
  /** Data version. */
  version: number;
  /** Children version. */
  cversion: number;
  /** ACL version. */
  aversion: number;
  /** Session id (hex) owning an ephemeral node, "0" for a persistent one. */
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

export interface ZkAcl {
  /** Bit set of ZooKeeper permissions (READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16). */
  perms: number;
  scheme: string;
  /** The id within the scheme, e.g. "anyone" or "atlas:<base64 sha1>". */
  id: string;
}

type WatchEventType = "created" | "deleted" | "changed" | "child" | "notwatching";
export interface WatchEvent {
  type: WatchEventType;
  path: string;
}
/** One-shot watcher, called once for the first node event (never for session events). */
export type Watcher = (event: WatchEvent) => void;

export type ZkSessionEvent = "connected" | "disconnected" | "expired" | "auth_failed" | "closed";

/** One ZooKeeper session. It starts connecting when created and reconnects by itself. */
export interface ZkSession {
  /** Hex session id once connected, "" before. */
  readonly sessionId: string;
  /** Session timeout the server granted (or the requested one before connecting). */
  readonly negotiatedTimeoutMs: number;
  onEvent(listener: (event: ZkSessionEvent) => void): void;
  create(path: string, data: Buffer, mode: CreateMode): Promise<string>;
  remove(path: string, version: number): Promise<void>;
  exists(path: string, watcher?: Watcher): Promise<ZkStat | null>;
  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: ZkStat }>;
  setData(path: string, data: Buffer, version: number): Promise<ZkStat>;
  getChildren(path: string, watcher?: Watcher): Promise<string[]>;
  getAcl(path: string): Promise<{ acl: ZkAcl[]; stat: ZkStat }>;
  setAcl(path: string, acl: ZkAcl[], aclVersion: number): Promise<void>;
  addAuth(scheme: string, auth: string): Promise<void>;
  /**
   * Flushes the channel between the server this session is connected to and the quorum
   * leader; it is answered only once the leader has seen it. A read answered after a sync
   * proves the server was part of the quorum then, which a plain read does not: a follower
   * cut off from its quorum keeps answering reads on its own for a while.
   */
  sync(path: string): Promise<void>;
  /** Ends the session (the server deletes its ephemeral nodes at once). */
  close(): void;
}

export interface ZkSessionOptions {
  connectString: string;
  sessionTimeoutMs: number;
  /** The C client's own log level on stderr: 0 off (default), 1 error … 4 debug. */
  nativeLogLevel?: number;
  /** Try the servers in the order of the connect string (the caller spreads the load). Default false: random. */
  deterministicHostOrder?: boolean;
}

export type ZkSessionFactory = (options: ZkSessionOptions) => ZkSession;

export const PERM = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

// ----------------------------------------------------------------------------------------
// Adapter over the `zookeeper` package.

interface NativeStat {
  czxid: number;
  mzxid: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}
type RcCallback<T extends unknown[]> = (rc: number, error: string, ...rest: T) => void;
interface NativeClient {
  init(config: object): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(): void;
  readonly client_id: string;
  readonly timeout: number;
  a_create(path: string, data: Buffer, flags: number, cb: RcCallback<[string]>): number;
  a_delete_(path: string, version: number, cb: RcCallback<[]>): number;
  a_exists(path: string, watch: boolean, cb: RcCallback<[NativeStat | null]>): number;
  aw_exists(path: string, watcher: NativeWatcher, cb: RcCallback<[NativeStat | null]>): number;
  a_get(path: string, watch: boolean, cb: RcCallback<[NativeStat | null, Buffer | null]>): number;
  aw_get(
    path: string,
    watcher: NativeWatcher,
    cb: RcCallback<[NativeStat | null, Buffer | null]>,
  ): number;
  a_set(path: string, data: Buffer, version: number, cb: RcCallback<[NativeStat | null]>): number;
  a_get_children(path: string, watch: boolean, cb: RcCallback<[string[] | null]>): number;
  aw_get_children(path: string, watcher: NativeWatcher, cb: RcCallback<[string[] | null]>): number;
  a_get_acl(
    path: string,
    cb: RcCallback<[{ perms: number; scheme: string; auth: string }[] | null, NativeStat | null]>,
  ): number;
  a_set_acl(
    path: string,
    version: number,
    acl: { perms: number; scheme: string; auth: string }[],
    cb: RcCallback<[]>,
  ): number;
  add_auth(scheme: string, auth: string, cb: RcCallback<[]>): number;
  a_sync(path: string, cb: RcCallback<[string]>): number;
}
type NativeWatcher = (type: number, state: number, path: string) => void;
interface NativeModule {
  new (config: object): NativeClient;
  constants: Record<string, number>;
}

let nativeModule: NativeModule | undefined;
function loadNative(): NativeModule {
  // Loaded lazily so that importing this package (e.g. for its types, or with a fake
  // session factory in tests) never requires the native addon.
  nativeModule ??= createRequire(import.meta.url)("zookeeper") as NativeModule;
  return nativeModule;
}

const RC_NAMES: Record<number, ZooKeeperErrorCode> = {
  [-4]: "ZK_CONNECTIONLOSS",
  [-7]: "ZK_OPERATIONTIMEOUT",
  [-8]: "ZK_BADARGUMENTS",
  [-9]: "ZK_NOT_CONNECTED", // invalid state: the handle is closed or expired
  [-101]: "ZK_NONODE",
  [-102]: "ZK_NOAUTH",
  [-103]: "ZK_BADVERSION",
  [-108]: "ZK_NOCHILDRENFOREPHEMERALS",
  [-110]: "ZK_NODEEXISTS",
  [-111]: "ZK_NOTEMPTY",
  [-112]: "ZK_SESSIONEXPIRED",
  [-114]: "ZK_INVALIDACL",
  [-115]: "ZK_AUTHFAILED",
  [-116]: "ZK_CLOSING",
  [-118]: "ZK_SESSIONMOVED",
};

/** What the C client means by the codes it returns synchronously. */
const SYNC_RC_TEXT: Record<number, string> = {
  [-8]: "bad arguments (a malformed path?)",
  [-9]: "invalid state: the handle is closed or expired",
  [-5]: "marshalling error",
};

function stat(s: NativeStat): ZkStat {
  return {
    czxid: s.czxid,
    mzxid: s.mzxid,
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: s.ephemeralOwner,
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

const WATCH_TYPES: Record<number, WatchEventType> = {
  1: "created",
  2: "deleted",
  3: "changed",
  4: "child",
  [-2]: "notwatching",
};

class NativeSession implements ZkSession {
  #client: NativeClient;
  /**
   * Where requests go: the package's native object itself. The package's JavaScript
   * wrapper formats every request's arguments with util.inspect for a debug log nobody
   * reads (~25 µs a request, on a hand-over's path); the native methods take the same
   * arguments.
   */
  #ops: NativeClient;
  #listeners: ((event: ZkSessionEvent) => void)[] = [];
  #requestedTimeout: number;
  #closed = false;
  #modes: Record<CreateMode, number>;
  #expiredState: number;
  #authFailedState: number;

  constructor(options: ZkSessionOptions) {
    const Native = loadNative();
    const c = Native.constants;
    this.#modes = {
      persistent: c.ZOO_PERSISTENT!,
      ephemeral: c.ZOO_EPHEMERAL!,
      ephemeral_sequential: c.ZOO_EPHEMERAL_SEQUENTIAL!,
    };
    this.#expiredState = c.ZOO_EXPIRED_SESSION_STATE!;
    this.#authFailedState = c.ZOO_AUTH_FAILED_STATE!;
    this.#requestedTimeout = options.sessionTimeoutMs;
    this.#client = new Native({
      connect: options.connectString,
      timeout: options.sessionTimeoutMs,
      debug_level: options.nativeLogLevel ?? 0,
      // Random server order unless the caller orders the list itself.
      host_order_deterministic: options.deterministicHostOrder ?? false,
      // The package closes a handle as "expired" after a run of empty reads, which also
      // happens to healthy handles of a busy process and while a server without quorum keeps
      // dropping the connection. Only the server's word (or our own LOST timer) may end a
      // session, so that heuristic is off; Connection replaces a new handle that never
      // connects instead (docs/decisions.md).
      response_counter_limit: 2_147_483_647,
    });
    this.#ops = (this.#client as { native?: NativeClient }).native ?? this.#client;
    this.#client.on("connect", () => this.#emit("connected"));
    this.#client.on("connecting", () => this.#emit("disconnected"));
    this.#client.on("close", (_self: unknown, code: unknown) => {
      if (this.#closed) return this.#emit("closed");
      if (code === this.#authFailedState) return this.#emit("auth_failed");
      if (code === this.#expiredState) return this.#emit("expired");
      this.#emit("closed");
    });
    this.#client.init({});
  }

  #emit(event: ZkSessionEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  get sessionId(): string {
    const id = this.#client.client_id;
    return id && id !== "0" ? id : "";
  }

  get negotiatedTimeoutMs(): number {
    const t = this.#client.timeout;
    return t > 0 ? t : this.#requestedTimeout;
  }

  onEvent(listener: (event: ZkSessionEvent) => void): void {
    this.#listeners.push(listener);
  }

  #call<T>(
    operation: string,
    start: (done: (rc: number, error: string, value: T) => void) => unknown,
  ): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new ZooKeeperError("ZK_CLOSING", operation, "the session is closed"));
    }
    return new Promise<T>((resolve, reject) => {
      const fail = (rc: number, error: string) =>
        reject(
          new ZooKeeperError(RC_NAMES[rc] ?? "ZK_ERROR", operation, `${error} (rc ${rc})`, rc),
        );
      try {
        const rc = start((code, error, value) => {
          if (code === 0) resolve(value);
          else fail(code, error);
        });
        // The C client answers some errors synchronously (a malformed path, a closed handle):
        // it returns the code and never calls back, so that return value is the only answer.
        if (typeof rc === "number" && rc !== 0)
          fail(rc, SYNC_RC_TEXT[rc] ?? "refused by the client");
      } catch (error) {
        reject(
          new ZooKeeperError(
            "ZK_NOT_CONNECTED",
            operation,
            error instanceof Error ? error.message : String(error),
          ),
        );
      }
    });
  }

  #watcher(watcher: Watcher): NativeWatcher {
    let fired = false;
    return (type, _state, path) => {
      // The C client also hands session events (type -1) to every registered watcher;
      // they are not node events and the watch stays registered, so skip them.
      const kind = WATCH_TYPES[type];
      if (!kind || fired) return;
      fired = true;
      watcher({ type: kind, path });
    };
  }

  create(path: string, data: Buffer, mode: CreateMode): Promise<string> {
    return this.#call(`create ${path}`, (done) =>
      this.#ops.a_create(path, data, this.#modes[mode], done),
    );
  }

  remove(path: string, version: number): Promise<void> {
    return this.#call(`delete ${path}`, (done) =>
      this.#ops.a_delete_(path, version, (rc, error) => done(rc, error, undefined)),
    );
  }

  async exists(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    try {
      const s = await this.#call<NativeStat | null>(`exists ${path}`, (done) =>
        watcher
          ? this.#ops.aw_exists(path, this.#watcher(watcher), done)
          : this.#ops.a_exists(path, false, done),
      );
      return s ? stat(s) : null;
    } catch (error) {
      // The watch is set even when the node is absent (it fires on "created").
      if ((error as ZooKeeperError).code === "ZK_NONODE") return null;
      throw error;
    }
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: ZkStat }> {
    return this.#call(`get ${path}`, (done) => {
      const cb: RcCallback<[NativeStat | null, Buffer | null]> = (rc, error, s, data) =>
        done(rc, error, {
          data: data ?? Buffer.alloc(0),
          stat: s ? stat(s) : (undefined as never),
        });
      return watcher
        ? this.#ops.aw_get(path, this.#watcher(watcher), cb)
        : this.#ops.a_get(path, false, cb);
    });
  }

  async setData(path: string, data: Buffer, version: number): Promise<ZkStat> {
    const s = await this.#call<NativeStat | null>(`set ${path}`, (done) =>
      this.#ops.a_set(path, data, version, done),
    );
    return stat(s!);
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    const children = await this.#call<string[] | null>(`children ${path}`, (done) =>
      watcher
        ? this.#ops.aw_get_children(path, this.#watcher(watcher), done)
        : this.#ops.a_get_children(path, false, done),
    );
    return children ?? [];
  }

  async getAcl(path: string): Promise<{ acl: ZkAcl[]; stat: ZkStat }> {
    // The binding (zookeeper 7.3.0, acl_completion) frees the ACL vector of an answer without
    // a null check, so a refused getACL kills the process (SIGSEGV). ZooKeeper refuses it when
    // the session may not read the node; a read of the node finds that out and fails cleanly.
    await this.getData(path);
    return this.#call(`getAcl ${path}`, (done) =>
      this.#ops.a_get_acl(path, (rc, error, acl, s) =>
        done(rc, error, {
          acl: (acl ?? []).map((a) => ({ perms: a.perms, scheme: a.scheme, id: a.auth })),
          stat: s ? stat(s) : (undefined as never),
        }),
      ),
    );
  }

  setAcl(path: string, acl: ZkAcl[], aclVersion: number): Promise<void> {
    const native = acl.map((a) => ({ perms: a.perms, scheme: a.scheme, auth: a.id }));
    return this.#call(`setAcl ${path}`, (done) =>
      this.#client.a_set_acl(path, aclVersion, native, (rc, error) => done(rc, error, undefined)),
    );
  }

  sync(path: string): Promise<void> {
    return this.#call(`sync ${path}`, (done) =>
      this.#ops.a_sync(path, (rc, error) => done(rc, error, undefined)),
    );
  }

  addAuth(scheme: string, auth: string): Promise<void> {
    return this.#call(`addAuth ${scheme}`, (done) =>
      this.#ops.add_auth(scheme, auth, (rc, error) => done(rc, error, undefined)),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }
}

/** The default session factory: the `zookeeper` package's native C client. */
export const nativeSessionFactory: ZkSessionFactory = (options) => new NativeSession(options);
