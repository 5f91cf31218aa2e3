/**
 * Connection states (docs/contracts/election.md): CONNECTED, SUSPENDED (disconnected, the session may still be
 * alive), RECONNECTED (same session back), LOST (expired, or disconnected for a whole
 * session timeout as measured here, because a partitioned client never hears "expired").
 * It also keeps the time of the last confirmed round trip, which bounds how long a leader
 * may trust its leadership when it hears nothing (a paused process, a stalled event loop).
 */
import { backoffDelay, Emitter, type Clock, type Logger } from "@atlas-ha/shared";
import { ZooKeeperError } from "./errors.js";
import type { ZkSession, ZkSessionFactory } from "./zk.js";

export type ConnectionState =
  "CONNECTING" | "CONNECTED" | "SUSPENDED" | "RECONNECTED" | "LOST" | "CLOSED";

export interface ConnectionChange {
  state: ConnectionState;
  previous: ConnectionState;
  sessionId: string;
  /** For LOST: why the session ended. */
  reason?: "expired" | "timeout" | "auth_failed";
}

export interface ConnectionOptions {
  connect: string;
  sessionTimeoutMs: number;
  auth: { scheme: string; auth: string } | null;
  heartbeatIntervalMs: number | null;
  sessionFactory: ZkSessionFactory;
  nativeLogLevel: number;
  clock: Clock;
  logger: Logger;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
}

export class Connection {
  readonly events: Emitter<{ change: ConnectionChange; confirmed: { at: number } }>;
  #options: ConnectionOptions;
  #session: ZkSession | null = null;
  #generation = 0;
  #state: ConnectionState = "CONNECTING";
  #sessionId = "";
  #lostTimer: unknown = null;
  #heartbeatTimer: unknown = null;
  #lastConfirmed = Number.NEGATIVE_INFINITY;
  /** Wall-clock twin of #lastConfirmed: the monotonic clock stands still while the host is suspended. */
  #lastConfirmedWall = Number.NEGATIVE_INFINITY;
  #failedOpens = 0;
  #connectTimer: unknown = null;
  #connectRetries = 0;
  #hostOffset: number;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.events = new Emitter({
      now: () => options.clock.wallTime(),
      onListenerError: (error, type) =>
        options.logger.error({
          event: "zk_connection_listener_failed",
          type,
          error: (error as Error)?.message,
        }),
    });
    this.#hostOffset = Math.floor(options.random() * 1_000_000);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get sessionId(): string {
    return this.#sessionId;
  }

  /** Session timeout granted by the server (the requested one until connected). */
  get sessionTimeoutMs(): number {
    return this.#session?.negotiatedTimeoutMs ?? this.#options.sessionTimeoutMs;
  }

  /** True while a session is usable: CONNECTED or RECONNECTED. */
  get connected(): boolean {
    return this.#state === "CONNECTED" || this.#state === "RECONNECTED";
  }

  /**
   * Time since the send of the last request that the quorum answered on this session: a sync
   * (the heartbeat), a write, or the session's (re-)establishment. Plain reads do not count:
   * a follower cut off from its quorum answers them on its own. The larger of the monotonic
   * and the wall-clock measure, because the monotonic clock does not advance while the host
   * is suspended (a laptop lid, a VM paused by its hypervisor) while the ensemble's clocks do.
   */
  confirmedElapsed(): number {
    const clock = this.#options.clock;
    return Math.max(clock.now() - this.#lastConfirmed, clock.wallTime() - this.#lastConfirmedWall);
  }

  #confirm(sentAt: number, sentAtWall: number): void {
    this.#lastConfirmed = sentAt;
    this.#lastConfirmedWall = sentAtWall;
  }

  start(): void {
    if (this.#session || this.#state === "CLOSED") return;
    this.#open();
  }

  #open(): void {
    const generation = ++this.#generation;
    // Each new handle starts with the next server of a rotation that began at a random one:
    // clients spread over the ensemble, and a handle that got stuck on one server (the native
    // client can stop polling a connection attempt that never completes) is replaced by one
    // that starts elsewhere.
    const hosts = this.#options.connect.split(",");
    const first = ((this.#hostOffset++ % hosts.length) + hosts.length) % hosts.length;
    const connectString = [...hosts.slice(first), ...hosts.slice(0, first)].join(",");
    const session = this.#options.sessionFactory({
      connectString,
      deterministicHostOrder: true,
      sessionTimeoutMs: this.#options.sessionTimeoutMs,
      nativeLogLevel: this.#options.nativeLogLevel,
    });
    this.#session = session;
    this.#armConnectWatchdog(generation);
    session.onEvent((event) => {
      this.#options.logger.debug({
        event: "zk_session_event",
        kind: event,
        generation,
        current: this.#generation,
      });
      if (generation !== this.#generation) return; // an event of a session we already left
      switch (event) {
        case "connected":
          void this.#onConnected(session, generation);
          break;
        case "disconnected":
          this.#onDisconnected();
          break;
        case "expired":
          this.#lose("expired");
          break;
        case "auth_failed":
          this.#lose("auth_failed");
          break;
        case "closed":
          break;
      }
    });
  }

  /**
   * Opens the next session on a later turn of the event loop, never in the turn that closed
   * the previous handle: the closed handle's socket descriptor is released by libuv only at
   * the end of that turn, and a new handle whose socket got the same number would then fail
   * to register it for polling (the `zookeeper` package ignores that error) and never connect
   * (docs/decisions.md).
   */
  #openAfterClose(): void {
    const generation = this.#generation;
    this.#options.clock.setTimeout(() => {
      if (generation === this.#generation && this.#state !== "CLOSED" && !this.#session)
        this.#open();
    }, 0);
  }

  /**
   * A new handle that never connects is replaced: the `zookeeper` package can stop polling a
   * handle for good when its first connection attempts are all refused (its poll loop returns
   * without re-arming its timer when the C client has no socket), as they are while the
   * ensemble has no quorum (docs/decisions.md).
   */
  #armConnectWatchdog(generation: number): void {
    if (this.#connectTimer !== null) this.#options.clock.clearTimeout(this.#connectTimer);
    // Replaced after 1×, 2×, then every 4× the session timeout (at least 1 s): long enough for
    // the C client to go round the servers and wait after a round of refusals, and growing,
    // so a slow ensemble is never raced by ever-new handles.
    const base = Math.max(1000, this.#options.sessionTimeoutMs);
    const timeout = backoffDelay(this.#connectRetries + 1, { baseMs: base, maxMs: base * 4 });
    this.#connectTimer = this.#options.clock.setTimeout(() => {
      this.#connectTimer = null;
      if (generation !== this.#generation || this.#state === "CLOSED") return;
      if (this.#state !== "CONNECTING" && this.#state !== "LOST") return; // it connected
      this.#connectRetries++;
      this.#options.logger.warn({
        event: "zk_connect_retry",
        afterMs: timeout,
        connect: this.#options.connect,
      });
      this.#generation++;
      this.#session?.close();
      this.#session = null;
      this.#openAfterClose();
    }, timeout);
  }

  async #onConnected(session: ZkSession, generation: number): Promise<void> {
    const sessionId = session.sessionId;
    this.#clearLostTimer();
    // A session is (re-)established through the quorum leader: that is a confirmation.
    this.#confirm(this.#options.clock.now(), this.#options.clock.wallTime());
    if (this.#state === "SUSPENDED" && sessionId === this.#sessionId) {
      this.#set("RECONNECTED");
    } else if (
      this.#state === "CONNECTING" ||
      this.#state === "LOST" ||
      this.#state === "SUSPENDED"
    ) {
      if (this.#state === "SUSPENDED") this.#set("LOST", "expired"); // a different session: the old one is gone
      this.#sessionId = sessionId;
      if (this.#options.auth) {
        try {
          // Authenticate before anything else is done on the session, so every node we
          // create is created by the authenticated identity.
          await session.addAuth(this.#options.auth.scheme, this.#options.auth.auth);
        } catch (error) {
          this.#options.logger.error({ event: "zk_auth_failed", error: (error as Error).message });
          if (generation === this.#generation) this.#lose("auth_failed");
          return;
        }
        if (generation !== this.#generation) return;
      }
      this.#failedOpens = 0;
      this.#connectRetries = 0;
      this.#set("CONNECTED");
    }
    this.#scheduleHeartbeat();
  }

  #onDisconnected(): void {
    if (!this.connected) return;
    this.#set("SUSPENDED");
    // Measured from when we noticed: the server may expire the session somewhat earlier,
    // which is why SUSPENDED already makes a leader step down.
    this.#lostTimer = this.#options.clock.setTimeout(() => {
      this.#lostTimer = null;
      if (this.#state === "SUSPENDED") this.#lose("timeout");
    }, this.sessionTimeoutMs);
  }

  #lose(reason: "expired" | "timeout" | "auth_failed"): void {
    if (this.#state === "CLOSED") return;
    this.#clearLostTimer();
    this.#clearHeartbeat();
    this.#generation++;
    this.#session?.close();
    this.#session = null;
    this.#confirm(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    const established = this.#state !== "CONNECTING" && this.#state !== "LOST";
    if (established) {
      this.#failedOpens = 0;
      this.#set("LOST", reason);
    } else {
      this.#failedOpens++;
    }
    // The first new session opens at once (the election rejoins when it is CONNECTED).
    // A session that ends before it was ever established (a wrong password, a server that
    // refuses it) is retried with back-off, never in a tight loop.
    // Capped at 4 × the base: after an outage every participant is back within seconds, not
    // after a long back-off that grew while the ensemble was down (docs/decisions.md).
    const cap = Math.min(this.#options.retryMaxMs, 4 * this.#options.retryBaseMs);
    const delay =
      reason === "auth_failed" || this.#failedOpens > 0
        ? backoffDelay(this.#failedOpens, {
            baseMs: this.#options.retryBaseMs,
            maxMs: cap,
            jitter: "equal",
            random: this.#options.random,
          })
        : 0;
    if (!established) {
      this.#options.logger.warn({
        event: "zk_session_failed",
        reason,
        attempt: this.#failedOpens,
        retryInMs: delay,
      });
    }
    if (delay === 0) return this.#openAfterClose();
    this.#lostTimer = this.#options.clock.setTimeout(() => {
      this.#lostTimer = null;
      if (this.#state !== "CLOSED" && !this.#session) this.#open();
    }, delay);
  }

  #set(state: ConnectionState, reason?: ConnectionChange["reason"]): void {
    const previous = this.#state;
    if (previous === state && state !== "LOST") return;
    this.#state = state;
    this.#options.logger.info({
      event: "zk_connection",
      state,
      previous,
      sessionId: this.#sessionId,
      reason,
    });
    this.events.emit("change", {
      state,
      previous,
      sessionId: this.#sessionId,
      ...(reason ? { reason } : {}),
    });
  }

  #clearLostTimer(): void {
    if (this.#lostTimer !== null) this.#options.clock.clearTimeout(this.#lostTimer);
    this.#lostTimer = null;
  }

  #clearHeartbeat(): void {
    if (this.#heartbeatTimer !== null) this.#options.clock.clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }

  #scheduleHeartbeat(): void {
    this.#clearHeartbeat();
    const interval =
      this.#options.heartbeatIntervalMs ?? Math.max(50, Math.floor(this.sessionTimeoutMs / 5));
    this.#heartbeatTimer = this.#options.clock.setTimeout(() => {
      this.#heartbeatTimer = null;
      if (!this.connected) return;
      // Scheduled before the answer: a request that is never answered must not stop the
      // heartbeat (the lease needs the next answer as soon as the link works again).
      this.#scheduleHeartbeat();
      // A sync first: answered only once the quorum leader has seen it, so a server cut off
      // from its quorum cannot keep the lease alive by answering the read on its own.
      this.run(
        async (s) => {
          await s.sync("/");
          return s.exists("/");
        },
        { confirms: true },
      ).catch(() => undefined); // trouble shows as a state change
    }, interval);
  }

  /**
   * Runs an operation on the current session. With `confirms` (for operations the quorum
   * leader answers: syncs and writes), a success confirms the session was alive when the
   * request was sent, which renews a leader's lease.
   */
  async run<T>(
    operation: (session: ZkSession) => Promise<T>,
    options: { confirms?: boolean } = {},
  ): Promise<T> {
    const session = this.#session;
    if (!session || !this.connected) {
      throw new ZooKeeperError(
        "ZK_NOT_CONNECTED",
        "request",
        `no ZooKeeper session (state ${this.#state})`,
      );
    }
    const sentAt = this.#options.clock.now();
    const sentAtWall = this.#options.clock.wallTime();
    const generation = this.#generation;
    const result = await operation(session);
    if (options.confirms && generation === this.#generation && sentAt > this.#lastConfirmed) {
      this.#confirm(sentAt, sentAtWall);
      this.events.emit("confirmed", { at: sentAt });
    }
    return result;
  }

  close(): void {
    if (this.#state === "CLOSED") return;
    if (this.#connectTimer !== null) this.#options.clock.clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#clearLostTimer();
    this.#clearHeartbeat();
    this.#generation++;
    this.#session?.close();
    this.#session = null;
    this.#set("CLOSED");
  }
}
