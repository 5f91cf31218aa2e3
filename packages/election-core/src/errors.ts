/**
 * Error classes of election-core. Check `name` and `code`, never `instanceof`: the ESM and
 * CJS builds each have their own copy of these classes.
 */

/** An option of createElection() is missing or malformed; `option` names it. */
export class ElectionOptionsError extends Error {
  override readonly name = "ElectionOptionsError" as const;
  readonly code = "ELECTION_BAD_OPTION" as const;
  readonly option: string;
  constructor(option: string, message: string) {
    super(`invalid election option "${option}": ${message}`);
    this.option = option;
  }
}

/** Names of ZooKeeper result codes, as the C client and the Java client call them. */
export type ZooKeeperErrorCode =
  | "ZK_CONNECTIONLOSS"
  | "ZK_OPERATIONTIMEOUT"
  | "ZK_SESSIONEXPIRED"
  | "ZK_SESSIONMOVED"
  | "ZK_NONODE"
  | "ZK_NODEEXISTS"
  | "ZK_NOTEMPTY"
  | "ZK_BADVERSION"
  | "ZK_NOAUTH"
  | "ZK_AUTHFAILED"
  | "ZK_INVALIDACL"
  | "ZK_NOCHILDRENFOREPHEMERALS"
  | "ZK_CLOSING"
  | "ZK_NOT_CONNECTED"
  | "ZK_TIMEOUT"
  | "ZK_BADARGUMENTS"
  | "ZK_ERROR";

/** A ZooKeeper operation failed; `code` says how (`ZK_NONODE`, `ZK_CONNECTIONLOSS`, …). */
export class ZooKeeperError extends Error {
  override readonly name = "ZooKeeperError" as const;
  readonly code: ZooKeeperErrorCode;
  /** The operation and path, e.g. "create /apache_atlas/leader_elector_path/_c_…". */
  readonly operation: string;
  /** The C client's return code, when it gave one. */
  readonly rc: number | undefined;
  constructor(code: ZooKeeperErrorCode, operation: string, message: string, rc?: number) {
    super(`${operation}: ${message}`);
    this.code = code;
    this.operation = operation;
    this.rc = rc;
  }
}

/** The election was closed; the call cannot complete. */
export class ElectionClosedError extends Error {
  override readonly name = "ElectionClosedError" as const;
  readonly code = "ELECTION_CLOSED" as const;
  constructor(message = "the election is closed") {
    super(message);
  }
}

/** The application's leadership work failed; the participant gave up its node and will rejoin. */
export class LeadershipFailedError extends Error {
  override readonly name = "LeadershipFailedError" as const;
  readonly code = "ELECTION_LEADERSHIP_FAILED" as const;
  readonly epoch: number;
  /** Consecutive failures so far, including this one. */
  readonly attempt: number;
  /** How long the participant waits before it rejoins. */
  readonly retryInMs: number;
  constructor(epoch: number, attempt: number, retryInMs: number, cause: unknown) {
    super(
      `leadership work failed in epoch ${epoch} (attempt ${attempt}): ${cause instanceof Error ? cause.message : String(cause)}; rejoining in ${retryInMs} ms`,
      { cause },
    );
    this.epoch = epoch;
    this.attempt = attempt;
    this.retryInMs = retryInMs;
  }
}

/** A node we created was changed by someone else before our ACL protected it. */
export class NodeTamperedError extends Error {
  override readonly name = "NodeTamperedError" as const;
  readonly code = "ELECTION_NODE_TAMPERED" as const;
  constructor(path: string) {
    super(
      `${path} was modified by another client before its ACL was set; it was removed and will be created again`,
    );
  }
}

/**
 * ACLs are configured, and a node of our subtree without our ACL is owned by a live session
 * (an instance running without ACLs, or its active_server_info). Deleting it would depose
 * that instance behind its back, so the participant refuses to start instead: ACLs are
 * turned on with every instance stopped. Not retried.
 */
export class AclConflictError extends Error {
  override readonly name = "AclConflictError" as const;
  readonly code = "ELECTION_ACL_CONFLICT" as const;
  readonly path: string;
  readonly owner: string;
  constructor(path: string, owner: string, acl: string) {
    super(
      `${path} has the ACL ${acl} and belongs to the live ZooKeeper session 0x${owner}: an instance without ` +
        `ZooKeeper ACLs is running. Turning ACLs on (atlas.server.ha.zookeeper.acl) needs every instance ` +
        `stopped first, then all started with the same acl and auth; this instance will not join meanwhile.`,
    );
    this.path = path;
    this.owner = owner;
  }
}

/**
 * ZooKeeper refused a request of the election with NOAUTH: the election's nodes carry an ACL
 * this session's credentials do not satisfy (another instance secured them with other
 * credentials, or this one has none). Retrying cannot help until the configuration changes,
 * so the participant refuses to go on instead of retrying forever. Not retried.
 */
export class ElectionNotAuthorizedError extends Error {
  override readonly name = "ElectionNotAuthorizedError" as const;
  readonly code = "ELECTION_NOT_AUTHORIZED" as const;
  /** The refused request, e.g. "create /apache_atlas/leader_elector_path/_c_…". */
  readonly operation: string;
  constructor(operation: string) {
    super(
      `ZooKeeper refused ${operation} (NOAUTH): the election's nodes have an ACL this instance's ` +
        `credentials do not satisfy. Every instance needs the same ZooKeeper acl and auth ` +
        `(atlas.server.ha.zookeeper.acl and .auth); this instance will not join meanwhile.`,
    );
    this.operation = operation;
  }
}

/** Errors after which a participant does not retry: its start() rejects with them. */
export const FATAL_CODES = ["ELECTION_ACL_CONFLICT", "ELECTION_NOT_AUTHORIZED"] as const;

/** True when the error is a ZooKeeperError with one of the given codes. */
export function isZooKeeperError(
  error: unknown,
  ...codes: ZooKeeperErrorCode[]
): error is ZooKeeperError {
  const e = error as { name?: unknown; code?: unknown } | null;
  return (
    typeof e === "object" &&
    e !== null &&
    e.name === "ZooKeeperError" &&
    (codes.length === 0 || codes.includes(e.code as ZooKeeperErrorCode))
  );
}

/** Codes after which the session may still be alive: wait for RECONNECTED, then look again. */
export const CONNECTION_CODES: ZooKeeperErrorCode[] = [
  "ZK_CONNECTIONLOSS",
  "ZK_OPERATIONTIMEOUT",
  "ZK_NOT_CONNECTED",
  "ZK_TIMEOUT",
  "ZK_CLOSING",
  "ZK_SESSIONEXPIRED",
  "ZK_SESSIONMOVED",
];
