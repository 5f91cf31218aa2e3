// The options of createHaState, their validation, and the election options they make.
import type { ElectionOptions, LeadershipTerm } from "@atlas-ha/election-core";
import type { Clock, Logger } from "@atlas-ha/shared";
import { HaStateOptionsError } from "./errors.js";
import type { ActiveStateHandler } from "./types.js";

export interface HaZooKeeperOptions {
  connect: string;
  zkRoot?: string;
  sessionTimeoutMs?: number;
  acl?: string;
  auth?: string;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Passed to election-core as is (lease, heartbeat, session factory, …). Its `clock` defaults
   * to the instance's `clock`.
   */
  election?: Partial<ElectionOptions>;
}

export interface HaStateOptions {
  /** This instance's server id (the election participant id). */
  serverId: string;
  /** `http://host:port` or `https://host:port` other instances redirect to (published when active). */
  selfAddress: string;
  /** ZooKeeper settings. Absent → standalone: ACTIVE at once, no ZooKeeper touched. */
  zookeeper?: HaZooKeeperOptions;
  handlers?: ActiveStateHandler[];
  /** Default timeout of each handler call, ms. Default 30000. */
  handlerTimeoutMs?: number;
  logger?: Logger;
  /**
   * Time and timers (election-core's `Clock`): `wallTime` stamps transitions and events,
   * `setTimeout` bounds each handler call, `now` measures durations. Also the election's
   * clock unless `zookeeper.election.clock` is set. Default: the system clock.
   */
  clock?: Clock;
}

export const DEFAULT_ZK_ROOT = "/apache_atlas";
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

export function validate(options: HaStateOptions): void {
  if (!options || typeof options !== "object")
    throw new HaStateOptionsError("options", "expected an object");
  if (typeof options.serverId !== "string" || options.serverId.trim() === "") {
    throw new HaStateOptionsError("serverId", "expected a non-empty string");
  }
  let url: URL;
  try {
    url = new URL(options.selfAddress);
  } catch {
    throw new HaStateOptionsError(
      "selfAddress",
      `expected "http://host:port" or "https://host:port", got ${JSON.stringify(options.selfAddress)}`,
    );
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.pathname !== "/" ||
    url.search ||
    url.hash ||
    options.selfAddress.endsWith("/")
  ) {
    throw new HaStateOptionsError(
      "selfAddress",
      `expected a bare origin like "http://host:21000", got "${options.selfAddress}"`,
    );
  }
  if (
    options.handlerTimeoutMs !== undefined &&
    (!Number.isInteger(options.handlerTimeoutMs) || options.handlerTimeoutMs < 1)
  ) {
    throw new HaStateOptionsError("handlerTimeoutMs", "expected a positive integer");
  }
  for (const [i, h] of (options.handlers ?? []).entries()) validateHandler(h, `handlers[${i}]`);
}

export function validateHandler(h: ActiveStateHandler, where: string): void {
  if (!h || typeof h.name !== "string" || !Number.isFinite(h.order)) {
    throw new HaStateOptionsError(where, "a handler needs a name and a numeric order");
  }
  if (typeof h.instanceIsActive !== "function" || typeof h.instanceIsPassive !== "function") {
    throw new HaStateOptionsError(
      where,
      `handler "${h.name}" needs instanceIsActive and instanceIsPassive functions`,
    );
  }
  if (h.afterActive !== undefined && typeof h.afterActive !== "boolean") {
    throw new HaStateOptionsError(where, `handler "${h.name}": afterActive is true or false`);
  }
}

/** The election of an instance with `zookeeper` options: its id, session, ACL and back-off. */
export function electionOptions(
  options: HaStateOptions & { zookeeper: HaZooKeeperOptions },
  logger: Logger,
  onLeadership: (term: LeadershipTerm) => Promise<void>,
): ElectionOptions {
  const zk = options.zookeeper;
  return {
    connect: zk.connect,
    id: options.serverId,
    zkRoot: zk.zkRoot ?? DEFAULT_ZK_ROOT,
    ...(zk.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: zk.sessionTimeoutMs } : {}),
    ...(zk.acl !== undefined ? { acl: zk.acl } : {}),
    ...(zk.auth !== undefined ? { auth: zk.auth } : {}),
    ...(zk.retryBaseMs !== undefined ? { retryBaseMs: zk.retryBaseMs } : {}),
    ...(zk.retryMaxMs !== undefined ? { retryMaxMs: zk.retryMaxMs } : {}),
    logger,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...zk.election,
    onLeadership,
  };
}
