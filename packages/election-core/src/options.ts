import { parseAcl, parseAuth } from "./acl.js";
import { silentLogger, systemClock, type Clock, type Logger } from "@atlas-ha/shared";
import { ElectionOptionsError } from "./errors.js";
import { nativeSessionFactory, type ZkAcl, type ZkSessionFactory } from "./zk.js";

/** What the application's leadership work receives: the term's epoch and a signal that aborts when the term ends. */
export interface LeadershipTerm {
  epoch: number;
  signal: AbortSignal;
}

export interface ElectionOptions {
  /** ZooKeeper connect string, `host:port,host:port,…` (atlas.server.ha.zookeeper.connect). */
  connect: string;
  /** This participant's id, stored as the data of its node (the Atlas server id). */
  id: string;
  /** Root path (atlas.server.ha.zookeeper.zkroot). Default `/apache_atlas`. */
  zkRoot?: string;
  /** Parent of the participant nodes. Default `<zkRoot>/leader_elector_path`. */
  electionPath?: string;
  /** Requested session timeout (atlas.server.ha.zookeeper.session.timeout.ms). Default 20000. */
  sessionTimeoutMs?: number;
  /** `scheme:id` every created node carries, e.g. `digest:atlas:<hash>` (atlas.server.ha.zookeeper.acl). */
  acl?: string;
  /** `digest:user:password` the session authenticates with (atlas.server.ha.zookeeper.auth); needs `acl`. */
  auth?: string;
  /** Base of the exponential back-off after failed leadership work (atlas.server.ha.zookeeper.retry.sleeptime.ms). Default 1000. */
  retryBaseMs?: number;
  /** Cap of that back-off. Default 30000. */
  retryMaxMs?: number;
  /**
   * The application's "became leader" work. When it rejects, the participant gives up its
   * node and rejoins after the back-off; when it resolves, the failure count resets.
   */
  onLeadership?: (term: LeadershipTerm) => Promise<void>;
  /** How often the session is confirmed alive (a small read). Default sessionTimeout / 5. */
  heartbeatIntervalMs?: number;
  /**
   * How long after the last confirmed round trip a leader still trusts its leadership.
   * Default 2/3 of the session timeout: ZooKeeper cannot expire the session (and so cannot
   * elect another leader) earlier than a full session timeout after that round trip.
   */
  leaseMs?: number;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /** ZooKeeper transport; the native `zookeeper` client by default. */
  sessionFactory?: ZkSessionFactory;
  /** The C client's stderr log level (0 off … 4 debug). Default 0. */
  nativeLogLevel?: number;
}

export interface ResolvedOptions {
  connect: string;
  id: string;
  zkRoot: string;
  electionPath: string;
  sessionTimeoutMs: number;
  acl: ZkAcl[] | null;
  auth: { scheme: string; auth: string } | null;
  retryBaseMs: number;
  retryMaxMs: number;
  onLeadership: ((term: LeadershipTerm) => Promise<void>) | null;
  heartbeatIntervalMs: number | null;
  leaseMs: number | null;
  logger: Logger;
  clock: Clock;
  random: () => number;
  sessionFactory: ZkSessionFactory;
  nativeLogLevel: number;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

function positiveInt(
  options: ElectionOptions,
  key: keyof ElectionOptions,
  fallback: number,
  min = 1,
): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ElectionOptionsError(
      key,
      `expected an integer ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * A path ZooKeeper accepts (its PathUtils.validatePath): absolute, no empty, "." or ".."
 * segment, no trailing slash, none of the characters it refuses. The C client refuses a bad
 * path without a callback, so a path that slipped through would hang the start.
 */
function znodePath(key: "zkRoot" | "electionPath", value: unknown): string {
  const example = `an absolute ZooKeeper path like "/apache_atlas"`;
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw new ElectionOptionsError(key, `expected ${example}, got ${JSON.stringify(value)}`);
  }
  if (value === "/") throw new ElectionOptionsError(key, `the ZooKeeper root "/" cannot be used`);
  if (value.endsWith("/"))
    throw new ElectionOptionsError(key, `"${value}" ends with "/"; expected ${example}`);
  for (const segment of value.slice(1).split("/")) {
    if (segment === "")
      throw new ElectionOptionsError(key, `"${value}" has an empty segment ("//")`);
    if (segment === "." || segment === "..") {
      throw new ElectionOptionsError(
        key,
        `"${value}" has a relative segment "${segment}", which ZooKeeper refuses`,
      );
    }
  }

  const bad = /[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, "0");
    throw new ElectionOptionsError(
      key,
      `"${value}" has the character U+${code}, which ZooKeeper refuses in a path`,
    );
  }
  return value;
}

/** Validates and completes createElection() options; every bad value is named. */
export function resolveOptions(options: ElectionOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new ElectionOptionsError("options", "expected an object");
  }
  if (typeof options.connect !== "string" || options.connect.trim() === "") {
    throw new ElectionOptionsError("connect", `expected "host:port[,host:port…]"`);
  }
  const [hosts, chroot] = [options.connect.split("/")[0]!, options.connect.includes("/")];
  for (const part of hosts.split(",")) {
    const match = HOST_PORT.exec(part.trim());
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new ElectionOptionsError("connect", `"${part}" is not host:port`);
    }
  }
  if (chroot) {
    throw new ElectionOptionsError(
      "connect",
      "a chroot suffix is not supported; use zkRoot instead",
    );
  }
  if (
    typeof options.id !== "string" ||
    options.id.trim() === "" ||
    /[\u0000-\u001f]/.test(options.id)
  ) {
    throw new ElectionOptionsError(
      "id",
      "expected a non-empty participant id without control characters",
    );
  }
  const zkRoot = znodePath("zkRoot", options.zkRoot ?? "/apache_atlas");
  const electionPath = znodePath(
    "electionPath",
    options.electionPath ?? `${zkRoot}/leader_elector_path`,
  );
  const sessionTimeoutMs = positiveInt(options, "sessionTimeoutMs", 20_000, 100);
  if (options.auth !== undefined && options.acl === undefined) {
    throw new ElectionOptionsError(
      "auth",
      "is only used together with acl (docs/contracts/config.md); set acl too",
    );
  }
  const acl = options.acl === undefined ? null : parseAcl(options.acl);
  const auth = options.auth === undefined ? null : parseAuth(options.auth);
  for (const key of ["onLeadership"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function") {
      throw new ElectionOptionsError(key, "expected a function");
    }
  }
  const retryBaseMs = positiveInt(options, "retryBaseMs", 1000);
  const retryMaxMs = positiveInt(options, "retryMaxMs", 30_000);
  if (retryMaxMs < retryBaseMs)
    throw new ElectionOptionsError("retryMaxMs", "must be ≥ retryBaseMs");
  const heartbeatIntervalMs =
    options.heartbeatIntervalMs === undefined
      ? null
      : positiveInt(options, "heartbeatIntervalMs", 0, 10);
  const leaseMs = options.leaseMs === undefined ? null : positiveInt(options, "leaseMs", 0, 10);
  if (leaseMs !== null && leaseMs >= sessionTimeoutMs) {
    throw new ElectionOptionsError(
      "leaseMs",
      "must be shorter than the session timeout, or two leaders could overlap",
    );
  }
  return {
    connect: options.connect,
    id: options.id,
    zkRoot,
    electionPath,
    sessionTimeoutMs,
    acl,
    auth,
    retryBaseMs,
    retryMaxMs,
    onLeadership: options.onLeadership ?? null,
    heartbeatIntervalMs,
    leaseMs,
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock(),
    random: options.random ?? Math.random,
    sessionFactory: options.sessionFactory ?? nativeSessionFactory,
    nativeLogLevel: positiveInt(options, "nativeLogLevel", 0, 0),
  };
}
