/**
 * The election recipe (docs/contracts/election.md), in the manner of Curator's LeaderLatch:
 *
 * - each participant creates an EPHEMERAL_SEQUENTIAL node `_c_<uuid>-latch-<seq>` under the
 *   election path, with its id as data; the lowest sequence leads;
 * - a non-leader watches only its predecessor (no herd effect when the leader goes);
 * - before leading it confirms the node is owned by its current session;
 * - the epoch of a term is the czxid of the leader's node: zxids are global and strictly
 *   increasing, and a new leader's node is always younger than the previous leader's
 *   (it would otherwise have been first already), so epochs strictly increase across terms;
 * - SUSPENDED: stop leading at once, keep the node; RECONNECTED: look again, and lead with the
 *   same epoch if the node is still first (a blip causes no failover); LOST: forget the node,
 *   rejoin at the back on the new session;
 * - a leader also stops leading when it has not heard from ZooKeeper for `leaseMs` (a paused
 *   process or a stalled event loop cannot know its session expired meanwhile);
 * - failed leadership work: give up the node, rejoin after a jittered exponential back-off;
 * - close(): delete the node at once, so a clean shutdown hands over in milliseconds.
 *
 * All steps run one at a time through a queue; each re-reads ZooKeeper rather than trusting
 * what an earlier step saw.
 */
import { randomUUID } from "node:crypto";
import { backoffDelay } from "./clock.js";
import { ZkClient } from "./client.js";
import { Connection, type ConnectionChange, type ConnectionState } from "./connection.js";
import {
  CONNECTION_CODES,
  ElectionClosedError,
  FATAL_CODES,
  LeadershipFailedError,
  isZooKeeperError,
} from "./errors.js";
import { Emitter } from "./events.js";
import { resolveOptions, type ElectionOptions, type ResolvedOptions } from "./options.js";

export interface Participant {
  /** The participant's id (its node's data). */
  id: string;
  /** Full path of its node. */
  node: string;
  /** The node's sequence number. */
  sequence: number;
  /** The epoch it has (or would have) as leader: its node's czxid. */
  epoch: number;
  isLeader: boolean;
  isSelf: boolean;
}

interface Stamped {
  /** Epoch of the current or last term of this participant (null before any). */
  epoch: number | null;
  /** Wall-clock ms. */
  at: number;
}

export interface ElectionEvents {
  /** This participant leads. `resumed`: the same term continues after a blip. */
  leader: Stamped & { epoch: number; node: string; resumed: boolean };
  /** It participates without leading (joined behind another, or stepped down for good). */
  follower: Stamped & { reason: "joined" | "not_first" | "node_lost" | "gave_up" };
  /** Connection suspended (or lease lapsed): stop acting as leader now; the node is kept. */
  suspended: Stamped & { wasLeader: boolean; reason: "disconnected" | "lease" };
  /** The session is gone; a new one is opened and the participant rejoins at the back. */
  lost: Stamped & { wasLeader: boolean; reason: "expired" | "timeout" | "auth_failed" };
  /** A failure the participant recovers from by itself (logged, and told to listeners). */
  error: Stamped & { error: Error };
  /** Every connection state change. */
  connection: Stamped & { state: ConnectionState; previous: ConnectionState; sessionId: string };
}

export interface Election {
  readonly id: string;
  /** Epoch of the current term while leading, else of the last term led (null before any). */
  readonly epoch: number | null;
  readonly connectionState: ConnectionState;
  /** The session timeout the server granted. */
  readonly sessionTimeoutMs: number;
  readonly zkRoot: string;
  readonly electionPath: string;
  /** Operations on this participant's session, with its ACL (used by ha-state). */
  readonly zk: ZkClient;
  /** Connects and joins; resolves once the participant has a node and knows its role. */
  start(): Promise<void>;
  /** Leaves at once: deletes the node, ends the session. */
  close(): Promise<void>;
  /** True while leading: connected, first, and heard from ZooKeeper within the lease. */
  isLeader(): boolean;
  /** Re-reads ZooKeeper: true only if still first, owned by this session, same epoch. */
  confirmLeadership(): Promise<boolean>;
  /**
   * Gives up the current term because the application cannot lead (e.g. its store fenced
   * it): the node is deleted and the participant rejoins after the back-off, as when
   * `onLeadership` rejects. Does nothing when not leading.
   */
  relinquish(reason: unknown): Promise<void>;
  getLeader(): Promise<Participant | null>;
  getParticipants(): Promise<Participant[]>;
  /**
   * The ensemble's zxid now (by a write to the election path): every epoch this ensemble has
   * handed out is at most this. An epoch above it (kept in a store) came from another
   * ensemble: the one this replaced.
   */
  currentZxid(): Promise<number>;
  on<K extends keyof ElectionEvents>(
    event: K,
    listener: (payload: ElectionEvents[K]) => void,
  ): () => void;
}

const SEQUENCE = /(\d{10})$/;

function sequenceOf(name: string): number {
  const match = SEQUENCE.exec(name);
  return match ? Number(match[1]) : Number.NaN;
}

/** Creates a participant of the election. Nothing happens until start(). */
export function createElection(options: ElectionOptions): Election {
  return new LeaderElection(resolveOptions(options));
}

class LeaderElection implements Election {
  readonly #o: ResolvedOptions;
  readonly #connection: Connection;
  readonly #events: Emitter<ElectionEvents>;
  readonly zk: ZkClient;

  #queue: Promise<void> = Promise.resolve();
  #node: string | null = null;
  #pendingPrefix: string | null = null;
  #leader = false;
  #epoch: number | null = null;
  #role: "none" | "follower" | "leader" = "none";
  #term: { epoch: number; abort: AbortController } | null = null;
  #failures = 0;
  #leaseLapsed = false;
  #leaseTimer: unknown = null;
  #rejoinTimer: unknown = null;
  #retryTimer: unknown = null;
  #retryAttempt = 0;
  /** Nodes of this session that must go (given up, or stale): deleted until done or the session ends. */
  #doomed = new Set<string>();
  /** The node a leader watches (its own), so that it steps down when someone deletes it. */
  #ownWatch: string | null = null;
  #leaseClampLogged = false;
  /** An error no retry can help with: the participant stays out of the election. */
  #fatal: Error | null = null;
  #closed = false;
  #started: Promise<void> | null = null;
  #joined: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#events = new Emitter<ElectionEvents>((error) =>
      options.logger.error({ event: "election_listener_failed", error: (error as Error)?.message }),
    );
    this.#connection = new Connection({
      connect: options.connect,
      sessionTimeoutMs: options.sessionTimeoutMs,
      auth: options.auth,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      sessionFactory: options.sessionFactory,
      nativeLogLevel: options.nativeLogLevel,
      clock: options.clock,
      logger: options.logger,
      retryBaseMs: options.retryBaseMs,
      retryMaxMs: options.retryMaxMs,
      random: options.random,
    });
    this.zk = new ZkClient(this.#connection, options.acl, options.zkRoot, options.logger);
    this.#connection.events.on("change", (change) => this.#onConnection(change));
    this.#connection.events.on("confirmed", () => this.#onConfirmed());
  }

  get id(): string {
    return this.#o.id;
  }
  get epoch(): number | null {
    return this.#epoch;
  }
  get connectionState(): ConnectionState {
    return this.#connection.state;
  }
  get sessionTimeoutMs(): number {
    return this.#connection.sessionTimeoutMs;
  }
  get zkRoot(): string {
    return this.#o.zkRoot;
  }
  get electionPath(): string {
    return this.#o.electionPath;
  }

  on<K extends keyof ElectionEvents>(
    event: K,
    listener: (payload: ElectionEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  #stamp(): Stamped {
    return { epoch: this.#epoch, at: this.#o.clock.wallTime() };
  }

  #log(level: "debug" | "info" | "warn" | "error", event: string, extra: object = {}): void {
    this.#o.logger[level]({ event, participant: this.#o.id, epoch: this.#epoch, ...extra });
  }

  /**
   * The lease, against the session timeout the server granted (it may grant less than was
   * asked: its maxSessionTimeout). An explicit leaseMs that is not shorter than the granted
   * timeout could outlive the session, so the default (2/3 of it) is used instead.
   */
  get #leaseMs(): number {
    const granted = this.#connection.sessionTimeoutMs;
    const fallback = Math.floor((granted * 2) / 3);
    const explicit = this.#o.leaseMs;
    if (explicit === null) return fallback;
    if (explicit < granted) return explicit;
    if (!this.#leaseClampLogged && this.#connection.connected) {
      this.#leaseClampLogged = true;
      this.#log("warn", "election_lease_clamped", {
        leaseMs: explicit,
        grantedSessionTimeoutMs: granted,
        usedLeaseMs: fallback,
      });
    }
    return fallback;
  }

  #leaseValid(): boolean {
    return this.#connection.connected && this.#connection.confirmedElapsed() < this.#leaseMs;
  }

  isLeader(): boolean {
    // Computed from the clock on every call, not only when a timer fires: after a pause the
    // first request served may run before any timer does.
    return this.#leader && this.#leaseValid();
  }

  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new ElectionClosedError());
    this.#started ??= new Promise<void>((resolve, reject) => {
      this.#joined = { resolve, reject };
      this.#log("info", "election_starting", {
        connect: this.#o.connect,
        path: this.#o.electionPath,
      });
      this.#connection.start();
    });
    return this.#started;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of [this.#leaseTimer, this.#rejoinTimer, this.#retryTimer]) {
      if (timer !== null) this.#o.clock.clearTimeout(timer);
    }
    this.#stepDown();
    const node = this.#node;
    this.#node = null;
    if (node && this.#connection.connected) {
      // Deleting the node is what hands over at once; bound it so a dead ensemble cannot
      // hold shutdown (closing the session deletes it too when the server hears of it).
      await Promise.race([
        this.zk.remove(node).catch(() => undefined),
        new Promise((resolve) => this.#o.clock.setTimeout(() => resolve(undefined), 2000)),
      ]);
    }
    this.#connection.close();
    this.#joined?.reject(new ElectionClosedError("the election was closed before it joined"));
    this.#joined = null;
    this.#log("info", "election_closed", { node });
  }

  // ---------------------------------------------------------------------------------------
  // Reactions to the connection.

  #onConnection(change: ConnectionChange): void {
    this.#events.emit("connection", {
      ...this.#stamp(),
      state: change.state,
      previous: change.previous,
      sessionId: change.sessionId,
    });
    switch (change.state) {
      case "CONNECTED":
        // A new session: whatever node we had died with the previous one.
        this.#node = null;
        this.#pendingPrefix = null;
        this.#doomed.clear();
        this.#ownWatch = null;
        this.#serial(() => this.#join());
        break;
      case "SUSPENDED": {
        const wasLeader = this.#stepDown();
        if (wasLeader) this.#log("warn", "leadership_suspended", { reason: "disconnected" });
        this.#events.emit("suspended", { ...this.#stamp(), wasLeader, reason: "disconnected" });
        break;
      }
      case "RECONNECTED":
        this.#serial(() => this.#check());
        break;
      case "LOST": {
        const wasLeader = this.#stepDown();
        this.#node = null;
        this.#pendingPrefix = null;
        this.#doomed.clear();
        this.#ownWatch = null;
        this.#role = "none";
        this.#log(wasLeader ? "warn" : "info", "session_lost", {
          reason: change.reason,
          wasLeader,
        });
        this.#events.emit("lost", {
          ...this.#stamp(),
          wasLeader,
          reason: change.reason ?? "expired",
        });
        break;
      }
      default:
        break;
    }
  }

  #onConfirmed(): void {
    if (this.#leader) this.#scheduleLeaseCheck();
    if (this.#leaseLapsed && this.#connection.connected) {
      this.#leaseLapsed = false;
      this.#serial(() => this.#check());
    }
  }

  #scheduleLeaseCheck(): void {
    if (this.#leaseTimer !== null) this.#o.clock.clearTimeout(this.#leaseTimer);
    const remaining = this.#leaseMs - this.#connection.confirmedElapsed();
    this.#leaseTimer = this.#o.clock.setTimeout(
      () => {
        this.#leaseTimer = null;
        if (!this.#leader) return;
        if (this.#leaseValid()) return this.#scheduleLeaseCheck();
        this.#stepDown();
        this.#leaseLapsed = true;
        this.#log("warn", "leadership_suspended", { reason: "lease", leaseMs: this.#leaseMs });
        this.#events.emit("suspended", { ...this.#stamp(), wasLeader: true, reason: "lease" });
      },
      Math.max(0, remaining) + 1,
    );
  }

  // ---------------------------------------------------------------------------------------
  // The steps, run one at a time.

  #serial(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#closed || this.#fatal) return;
      try {
        await step();
        this.#retryAttempt = 0;
      } catch (error) {
        if (this.#closed) return;
        if ((FATAL_CODES as readonly unknown[]).includes((error as { code?: unknown }).code)) {
          // Retrying cannot help (see AclConflictError): start() rejects, nothing more is tried.
          this.#fatal = error as Error;
          this.#log("error", "election_refused", {
            error: (error as Error).message,
            code: (error as { code?: string }).code,
          });
          this.#events.emit("error", { ...this.#stamp(), error: error as Error });
          this.#joined?.reject(error as Error);
          this.#joined = null;
          return;
        }
        const connectionTrouble = isZooKeeperError(error, ...CONNECTION_CODES);
        if (connectionTrouble && !this.#connection.connected) {
          // The connection's state change (RECONNECTED or a new session) brings us back.
          this.#log("debug", "election_step_interrupted", { error: (error as Error).message });
          return;
        }
        if (!connectionTrouble) {
          this.#log("error", "election_step_failed", {
            error: (error as Error).message,
            code: (error as { code?: string }).code,
          });
          this.#events.emit("error", { ...this.#stamp(), error: error as Error });
        }
        this.#scheduleRetry();
      }
    });
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== null || this.#closed) return;
    const delay = backoffDelay(
      ++this.#retryAttempt,
      this.#o.retryBaseMs,
      this.#o.retryMaxMs,
      this.#o.random,
    );
    this.#retryTimer = this.#o.clock.setTimeout(() => {
      this.#retryTimer = null;
      this.#serial(() => this.#check());
    }, delay);
  }

  async #join(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#joinOnce();
      } catch (error) {
        // The election path was deleted between ensuring it and creating our node in it (an
        // operator's deleteall): ensure it again, a few times, rather than fail the step.
        if (!isZooKeeperError(error, "ZK_NONODE") || attempt >= 5 || this.#node) throw error;
        this.#pendingPrefix = null; // a create answered NONODE did not happen
        this.#log("info", "election_path_gone", { attempt });
      }
    }
  }

  async #joinOnce(): Promise<void> {
    if (this.#closed || !this.#connection.connected || this.#rejoinTimer !== null) return;
    if (this.#node) return this.#check();
    await this.#deleteDoomed();
    await this.zk.ensurePath(this.#o.electionPath);
    if (this.#pendingPrefix) {
      // A create whose answer was lost with the connection may still have happened:
      // adopt that node rather than leaving a twin of ours ahead in the queue.
      const prefix = this.#pendingPrefix;
      const children = await this.zk.getChildren(this.#o.electionPath);
      const mine = children.find((c) => c.startsWith(prefix));
      if (mine) {
        const stat = await this.zk.exists(`${this.#o.electionPath}/${mine}`);
        if (stat && stat.ephemeralOwner === this.zk.sessionId)
          this.#node = `${this.#o.electionPath}/${mine}`;
      }
    }
    if (!this.#node) {
      const prefix = `_c_${randomUUID()}-latch-`;
      this.#pendingPrefix = prefix;
      this.#node = await this.zk.create(
        `${this.#o.electionPath}/${prefix}`,
        this.#o.id,
        "ephemeral_sequential",
      );
    }
    this.#pendingPrefix = null;
    this.#log("info", "election_joined", { node: this.#node, sessionId: this.zk.sessionId });
    await this.#check();
  }

  async #check(): Promise<void> {
    if (this.#closed || !this.#connection.connected) return;
    await this.#deleteDoomed();
    if (!this.#node) return this.#join();
    const node = this.#node;
    let children: string[];
    try {
      children = await this.#participantNodes();
    } catch (error) {
      // The election path itself was deleted (and our node with it): join again, which
      // recreates the path; retrying the read would fail forever (docs/decisions.md).
      if (isZooKeeperError(error, "ZK_NONODE")) return this.#nodeLost(node);
      throw error;
    }
    const index = children.indexOf(node.slice(this.#o.electionPath.length + 1));
    if (index === -1) return this.#nodeLost(node);
    // A node of this very session ahead of ours is one whose delete was lost with the
    // connection: left there, it would lead nobody and block everyone behind it for good.
    if (index > 0 && (await this.#removeStaleOwnNodes(children.slice(0, index))))
      return this.#check();
    if (index === 0) {
      const stat = await this.zk.exists(node, this.#watchOwnNode(node));
      if (!stat) return this.#nodeLost(node);
      if (stat.ephemeralOwner !== this.zk.sessionId) {
        // Not ours to lead with (Curator ≥ 5.7 checks the same): drop it and rejoin.
        this.#log("warn", "election_node_not_owned", {
          node,
          owner: stat.ephemeralOwner,
          sessionId: this.zk.sessionId,
        });
        await this.zk.remove(node);
        return this.#nodeLost(node);
      }
      if (!this.#leaseValid()) {
        this.#leaseLapsed = true; // the next confirmed round trip looks again
        return;
      }
      this.#becomeLeader(stat.czxid, node);
      return;
    }
    if (this.#stepDown()) {
      this.#log("warn", "leadership_lost", { reason: "not_first", node });
      this.#announceFollower("not_first");
    } else if (this.#role !== "follower") {
      this.#announceFollower("joined");
    }
    const predecessor = `${this.#o.electionPath}/${children[index - 1]}`;
    const stat = await this.zk.exists(predecessor, () => this.#serial(() => this.#check()));
    if (!stat) return this.#check(); // gone between the two reads: look again
    this.#resolveJoined();
  }

  /** The participant nodes under the election path, in sequence order. */
  async #participantNodes(): Promise<string[]> {
    return (await this.zk.getChildren(this.#o.electionPath))
      .filter((c) => !Number.isNaN(sequenceOf(c)))
      .sort((a, b) => sequenceOf(a) - sequenceOf(b));
  }

  /**
   * A one-shot watch on the leader's own node, set once per node: when somebody deletes it
   * (an operator, a purge by a misconfigured instance), the leader looks again and steps
   * down, instead of leading on while another participant is first.
   */
  #watchOwnNode(node: string): (() => void) | undefined {
    if (this.#ownWatch === node) return undefined;
    this.#ownWatch = node;
    return () => {
      if (this.#ownWatch === node) this.#ownWatch = null;
      this.#serial(() => this.#check());
    };
  }

  /** Deletes those of `names` that this session owns; true when it deleted any. */
  async #removeStaleOwnNodes(names: string[]): Promise<boolean> {
    let removed = false;
    for (const name of names) {
      const path = `${this.#o.electionPath}/${name}`;
      const stat = await this.zk.exists(path);
      if (!stat || stat.ephemeralOwner !== this.zk.sessionId) continue;
      this.#log("warn", "election_stale_node_removed", { node: path, current: this.#node });
      this.#doomed.add(path);
      await this.#deleteDoomed();
      removed = true;
    }
    return removed;
  }

  /**
   * Deletes the nodes this session gave up. A delete whose answer was lost with the
   * connection is retried on the next step (Curator's guaranteed delete); a failure here
   * fails the step, which is retried after reconnection or the back-off.
   */
  async #deleteDoomed(): Promise<void> {
    for (const path of [...this.#doomed]) {
      await this.zk.remove(path);
      this.#doomed.delete(path);
      this.#log("info", "election_node_deleted", { node: path });
    }
  }

  async #nodeLost(node: string): Promise<void> {
    this.#node = null;
    if (this.#stepDown()) {
      this.#log("warn", "leadership_lost", { reason: "node_lost", node });
      this.#announceFollower("node_lost");
    }
    return this.#join();
  }

  #announceFollower(reason: ElectionEvents["follower"]["reason"]): void {
    this.#role = "follower";
    this.#events.emit("follower", { ...this.#stamp(), reason });
  }

  #resolveJoined(): void {
    this.#joined?.resolve();
    this.#joined = null;
  }

  #becomeLeader(epoch: number, node: string): void {
    if (this.#leader && this.#epoch === epoch) return this.#resolveJoined();
    const resumed = this.#epoch === epoch;
    this.#leader = true;
    this.#epoch = epoch;
    this.#role = "leader";
    this.#scheduleLeaseCheck();
    const term = { epoch, abort: new AbortController() };
    this.#term = term;
    this.#log("info", "became_leader", { node, resumed });
    this.#events.emit("leader", { ...this.#stamp(), epoch, node, resumed });
    this.#resolveJoined();
    const work = this.#o.onLeadership;
    if (!work) return;
    Promise.resolve()
      .then(() => work({ epoch, signal: term.abort.signal }))
      .then(
        () => {
          if (this.#term === term) this.#failures = 0;
        },
        (error: unknown) => {
          if (this.#term === term && !term.abort.signal.aborted)
            this.#serial(() => this.#giveUp(term, error));
        },
      );
  }

  /** Stops leading (if leading). Returns whether it was leading. */
  #stepDown(): boolean {
    if (!this.#leader) return false;
    this.#leader = false;
    this.#role = "none";
    this.#term?.abort.abort(new Error("leadership ended"));
    this.#term = null;
    if (this.#leaseTimer !== null) this.#o.clock.clearTimeout(this.#leaseTimer);
    this.#leaseTimer = null;
    return true;
  }

  async #giveUp(term: { epoch: number }, cause: unknown): Promise<void> {
    if (this.#term !== term) return;
    this.#failures++;
    const delay = backoffDelay(
      this.#failures,
      this.#o.retryBaseMs,
      this.#o.retryMaxMs,
      this.#o.random,
    );
    this.#stepDown();
    const node = this.#node;
    this.#node = null;
    if (node) {
      this.#doomed.add(node);
      await this.#deleteDoomed().catch((e: Error) =>
        // Still doomed: retried by the next step (the rejoin, or the check after reconnection).
        this.#log("warn", "election_node_delete_failed", { node, error: e.message }),
      );
    }
    const error = new LeadershipFailedError(term.epoch, this.#failures, delay, cause);
    this.#log("error", "leadership_failed", {
      error: error.message,
      attempt: this.#failures,
      retryInMs: delay,
    });
    this.#events.emit("error", { ...this.#stamp(), error });
    this.#announceFollower("gave_up");
    this.#rejoinTimer = this.#o.clock.setTimeout(() => {
      this.#rejoinTimer = null;
      this.#serial(() => this.#join());
    }, delay);
  }

  relinquish(reason: unknown): Promise<void> {
    const term = this.#term;
    if (!term) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#serial(async () => {
        try {
          await this.#giveUp(term, reason);
        } finally {
          resolve();
        }
      });
    });
  }

  // ---------------------------------------------------------------------------------------
  // Reads.

  async confirmLeadership(): Promise<boolean> {
    if (!this.isLeader() || !this.#node) return false;
    const node = this.#node;
    let children: string[];
    try {
      children = await this.#participantNodes();
    } catch (error) {
      if (isZooKeeperError(error, "ZK_NONODE")) return false; // the election path is gone
      throw error;
    }
    if (`${this.#o.electionPath}/${children[0]}` !== node) return false;
    const stat = await this.zk.exists(node);
    return (
      !!stat &&
      stat.ephemeralOwner === this.zk.sessionId &&
      stat.czxid === this.#epoch &&
      this.isLeader()
    );
  }

  async getParticipants(): Promise<Participant[]> {
    const names = await this.#participantNodes();
    const read = await Promise.all(
      names.map(async (name) => {
        const path = `${this.#o.electionPath}/${name}`;
        try {
          const { data, stat } = await this.zk.getData(path);
          return { name, path, id: data.toString("utf8"), czxid: stat.czxid };
        } catch (error) {
          if (isZooKeeperError(error, "ZK_NONODE")) return null; // left meanwhile
          throw error;
        }
      }),
    );
    const present = read.filter((p): p is NonNullable<typeof p> => p !== null);
    return present.map((p, i) => ({
      id: p.id,
      node: p.path,
      sequence: sequenceOf(p.name),
      epoch: p.czxid,
      isLeader: i === 0,
      isSelf: p.path === this.#node,
    }));
  }

  async currentZxid(): Promise<number> {
    await this.zk.ensurePath(this.#o.electionPath);
    const stat = await this.zk.setData(this.#o.electionPath, Buffer.alloc(0));
    return stat.mzxid;
  }

  async getLeader(): Promise<Participant | null> {
    const participants = await this.getParticipants();
    return participants[0] ?? null;
  }
}
