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
 * - close(): delete the node at once, so a clean shutdown hands over in milliseconds;
 * - stepAside(): delete the node and stay out of line for a window (or until close()),
 *   optionally leaving a hand-over intent (intent.ts) that names the participant that should
 *   lead next: a participant that comes first during the window while the named one is in
 *   line moves to the back once per intent, so the named one leads.
 *
 * All steps run one at a time through a queue (steps.ts); each re-reads ZooKeeper rather
 * than trusting what an earlier step saw. The lease is lease.ts, the line of participants
 * participants.ts, the guaranteed delete doomed.ts.
 */
import { backoffDelay, Emitter, flatEvent } from "@atlas-ha/shared";
import { ZkClient } from "./client.js";
import { Connection, type ConnectionChange, type ConnectionState } from "./connection.js";
import { DoomedNodes } from "./doomed.js";
import {
  ElectionClosedError,
  ElectionOptionsError,
  LeadershipFailedError,
  isZooKeeperError,
} from "./errors.js";
import { Lease } from "./lease.js";
import { resolveOptions, type ElectionOptions, type ResolvedOptions } from "./options.js";
import { createIntent, findIntent, removeIntent, type HandoverIntent } from "./intent.js";
import { enterLine, inLine, readParticipants, stillFirst } from "./participants.js";
import { Steps } from "./steps.js";
import type { Watcher } from "./zk.js";
import type {
  Election,
  ElectionEvent,
  ElectionEvents,
  Participant,
  StepAsideOptions,
} from "./types.js";

export type { Election, ElectionEvent, ElectionEvents, Participant } from "./types.js";

/** Creates a participant of the election. Nothing happens until start(). */
export function createElection(options: ElectionOptions): Election {
  return new LeaderElection(resolveOptions(options));
}

class LeaderElection implements Election {
  readonly #o: ResolvedOptions;
  readonly #connection: Connection;
  readonly #events: Emitter<ElectionEvents>;
  readonly #lease: Lease;
  readonly #steps: Steps;
  /** Nodes of this session that must go (given up, or stale). */
  readonly #doomed: DoomedNodes;
  readonly zk: ZkClient;

  #node: string | null = null;
  /** The prefix of a create in flight: its node is adopted if the answer was lost. */
  readonly #pending: { prefix: string | null } = { prefix: null };
  #leader = false;
  #epoch: number | null = null;
  #role: "none" | "follower" | "leader" = "none";
  /** The term led now; `abort` only for the leadership work (onLeadership) to be told it ended. */
  #term: { epoch: number; abort: AbortController | null } | null = null;
  #failures = 0;
  #leaseLapsed = false;
  #rejoinTimer: unknown = null;
  /** The node a leader watches (its own), so that it steps down when someone deletes it. */
  #ownWatch: string | null = null;
  /**
   * Our node's stat (czxid, owner), read while its own-node watch was armed, and kept while
   * that watch has not fired and the connection has not dropped: ZooKeeper delivers a watch
   * event before any later answer on the session, so as long as the watch stays silent the
   * node the line lists is the node that was read. A hand-over then waits for the line alone.
   */
  #ownStat: { node: string; czxid: number; owner: string } | null = null;
  /** Bumped whenever #ownStat may no longer hold (own watch fired, connection changed). */
  #ownGuard = 0;
  #closed = false;
  /** Out of line by stepAside(): no join until its window ends (or ever, without one). */
  #aside = false;
  /** Hand-over intents (by czxid) this participant already moved back for: once each. */
  readonly #yielded = new Set<number>();
  #started: Promise<void> | null = null;
  #joined: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#events = new Emitter<ElectionEvents>({
      now: () => options.clock.wallTime(),
      onListenerError: (error) =>
        options.logger.error({
          event: "election_listener_failed",
          error: (error as Error)?.message,
        }),
    });
    // The resolved options hold every setting of the connection.
    this.#connection = new Connection(options);
    this.zk = new ZkClient(this.#connection, options.acl, options.zkRoot, options.logger);
    const log = (level: "debug" | "info" | "warn" | "error", event: string, extra: object) =>
      this.#log(level, event, extra);
    this.#lease = new Lease(this.#connection, options, log);
    this.#doomed = new DoomedNodes(this.zk, log);
    this.#steps = new Steps(options, {
      log,
      closed: () => this.#closed,
      connected: () => this.#connection.connected,
      onFatal: (error) => {
        // Nothing more is tried, so nothing would notice losing the node: a leader that hit a
        // fatal error (say NOAUTH after another instance changed the ACLs) leads no longer.
        if (this.#stepDown()) {
          this.#log("warn", "leadership_lost", {
            reason: "refused",
            code: (error as { code?: string }).code,
          });
          this.#announceFollower("refused");
        }
        this.#emit("error", { error });
        this.#joined?.reject(error);
        this.#joined = null;
        // Out for good: end the session, so that a node of ours (a leader's, first in line)
        // does not hold everyone behind it until the application calls close().
        void this.close();
      },
      onError: (error) => this.#emit("error", { error }),
      retry: () => this.#check(),
    });
    this.#connection.events.on("change", ({ payload }) => this.#onConnection(payload));
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
    listener: (event: ElectionEvent<K>) => void,
  ): () => void {
    return this.#events.on(event, (e) => listener(flatEvent(e)));
  }

  /** Emits with the participant's epoch and the time (payload `at` = event `timestamp`). */
  #emit<K extends keyof ElectionEvents>(
    type: K,
    payload: Omit<ElectionEvents[K], "at" | "epoch"> & { epoch?: number },
  ): void {
    const at = this.#o.clock.wallTime();
    this.#events.emit(type, { epoch: this.#epoch, at, ...payload } as ElectionEvents[K], at);
  }

  #log(level: "debug" | "info" | "warn" | "error", event: string, extra: object = {}): void {
    this.#o.logger[level]({ event, participant: this.#o.id, epoch: this.#epoch, ...extra });
  }

  isLeader(): boolean {
    // Computed from the clock on every call, not only when a timer fires: after a pause the
    // first request served may run before any timer does.
    return this.#leader && this.#lease.valid();
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
    this.#lease.cancel();
    this.#steps.cancel();
    if (this.#rejoinTimer !== null) this.#o.clock.clearTimeout(this.#rejoinTimer);
    this.#stepDown();
    const node = this.#node;
    this.#node = null;
    // Ending the session is what hands over: ZooKeeper deletes the session's ephemeral nodes,
    // ours among them, in the session-close transaction and fires the successor's watch with
    // it. One write and nothing after it: a delete of our node first would make the session
    // close a second write, and one that reaches the server after the successor's watch fired
    // holds the successor's read of the line behind its fsync (docs/decisions.md). The native
    // client waits for the server's answer to it (or its own timeouts) before returning.
    this.#connection.close();
    this.#joined?.reject(new ElectionClosedError("the election was closed before it joined"));
    this.#joined = null;
    this.#log("info", "election_closed", { node });
  }

  // ---------------------------------------------------------------------------------------
  // Reactions to the connection.

  #onConnection(change: ConnectionChange): void {
    // Across a disconnection the own-node watch may have been lost or fired unseen.
    this.#forgetOwnStat();
    this.#emit("connection", {
      state: change.state,
      previous: change.previous,
      sessionId: change.sessionId,
    });
    switch (change.state) {
      case "CONNECTED":
        // A new session: whatever node we had died with the previous one.
        this.#node = null;
        this.#pending.prefix = null;
        this.#doomed.clear();
        this.#ownWatch = null;
        this.#steps.run(() => this.#join());
        break;
      case "SUSPENDED": {
        const wasLeader = this.#stepDown();
        if (wasLeader) this.#log("warn", "leadership_suspended", { reason: "disconnected" });
        this.#emit("suspended", { wasLeader, reason: "disconnected" });
        break;
      }
      case "RECONNECTED":
        this.#steps.run(() => this.#check());
        break;
      case "LOST": {
        const wasLeader = this.#stepDown();
        this.#node = null;
        this.#pending.prefix = null;
        this.#doomed.clear();
        this.#ownWatch = null;
        this.#role = "none";
        this.#log(wasLeader ? "warn" : "info", "session_lost", {
          reason: change.reason,
          wasLeader,
        });
        this.#emit("lost", { wasLeader, reason: change.reason ?? "expired" });
        break;
      }
      default:
        break;
    }
  }

  #onConfirmed(): void {
    if (this.#leader) this.#watchLease();
    if (this.#leaseLapsed && this.#connection.connected) {
      this.#leaseLapsed = false;
      this.#steps.run(() => this.#check());
    }
  }

  #watchLease(): void {
    this.#lease.watch(
      () => this.#leader,
      () => {
        this.#stepDown();
        this.#leaseLapsed = true;
        this.#log("warn", "leadership_suspended", { reason: "lease", leaseMs: this.#lease.ms });
        this.#emit("suspended", { wasLeader: true, reason: "lease" });
      },
    );
  }

  // ---------------------------------------------------------------------------------------
  // The steps, run one at a time (steps.ts).

  async #join(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#joinOnce();
      } catch (error) {
        // The election path was deleted between ensuring it and creating our node in it (an
        // operator's deleteall): ensure it again, a few times, rather than fail the step.
        if (!isZooKeeperError(error, "ZK_NONODE") || attempt >= 5 || this.#node) throw error;
        this.#pending.prefix = null; // a create answered NONODE did not happen
        this.#log("info", "election_path_gone", { attempt });
      }
    }
  }

  async #joinOnce(): Promise<void> {
    if (this.#closed || this.#aside || !this.#connection.connected || this.#rejoinTimer !== null)
      return;
    if (this.#node) return this.#check();
    await this.#doomed.deleteAll();
    await this.zk.ensurePath(this.#o.electionPath);
    this.#node = await enterLine(this.zk, this.#o.electionPath, this.#o.id, this.#pending);
    this.#log("info", "election_joined", { node: this.#node, sessionId: this.zk.sessionId });
    await this.#check();
  }

  async #check(): Promise<void> {
    if (this.#closed || !this.#connection.connected) return;
    await this.#doomed.deleteAll();
    if (!this.#node) return this.#join();
    const node = this.#node;
    // The line, and our own node's stat unless its watch still vouches for the one read
    // before (#ownStat): a hand-over (the predecessor's watch fired) then waits for one
    // request, as Curator's LeaderLatch leads after one getChildren. Otherwise both are asked
    // for together: ZooKeeper answers a session's requests in the order they were sent, so
    // the stat is read after the line exactly as if the two requests were sequential, in one
    // round trip. A follower's first request sets the watch on its own node a little early,
    // which only makes it look again sooner.
    const line = this.zk.getChildren(this.#o.electionPath);
    const cached = this.#ownStat?.node === node ? this.#ownStat : null;
    const guard = this.#ownGuard;
    const read = cached ? null : this.#readOwnStat(node);
    read?.catch(() => undefined); // awaited below when first; a failed line is what counts
    let children: string[];
    let intent: HandoverIntent | null;
    try {
      const all = await line;
      children = inLine(all);
      intent = findIntent(this.#o.electionPath, all);
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
    if (
      index > 0 &&
      (await this.#doomed.removeStaleOwn(this.#o.electionPath, children.slice(0, index), node))
    )
      return this.#check();
    if (index === 0) {
      if (intent && !this.#leader && (await this.#yieldTo(intent, node))) return;
      // The own watch fired (or the connection changed) since the line was asked for: the
      // stat kept may be of a node since replaced. The step that event queued looks again.
      if (cached && this.#ownGuard !== guard) return;
      const stat = read ? await read : cached;
      if (!stat) return this.#nodeLost(node);
      if (stat.owner !== this.zk.sessionId) {
        // Not ours to lead with (Curator ≥ 5.7 checks the same): drop it and rejoin.
        this.#log("warn", "election_node_not_owned", {
          node,
          owner: stat.owner,
          sessionId: this.zk.sessionId,
        });
        this.#forgetOwnStat();
        await this.zk.remove(node);
        return this.#nodeLost(node);
      }
      if (!this.#lease.valid()) {
        this.#leaseLapsed = true; // the next confirmed round trip looks again
        return;
      }
      this.#becomeLeader(stat.czxid, node);
      // The hand-over this intent asked for is done: nobody needs to move back for it now.
      if (intent?.target === this.#o.id) void removeIntent(this.zk, intent).catch(() => undefined);
      return;
    }
    if (this.#stepDown()) {
      this.#log("warn", "leadership_lost", { reason: "not_first", node });
      this.#announceFollower("not_first");
    } else if (this.#role !== "follower") {
      this.#announceFollower("joined");
    }
    const predecessor = `${this.#o.electionPath}/${children[index - 1]}`;
    const stat = await this.zk.exists(predecessor, () => this.#steps.run(() => this.#check()));
    if (!stat) return this.#check(); // gone between the two reads: look again
    this.#resolveJoined();
  }

  /**
   * Reads our node's stat, arming the own-node watch if it is not armed (#watchOwnNode), and
   * keeps it in #ownStat when that watch guarded the node for the whole read: armed before
   * the request (or by it), not fired, and the connection not changed, by the answer.
   */
  async #readOwnStat(node: string): Promise<{ czxid: number; owner: string } | null> {
    const watcher = this.#watchOwnNode(node);
    const guard = this.#ownGuard;
    let stat;
    try {
      stat = await this.zk.exists(node, watcher);
    } catch (error) {
      // Without an answer the watch may not be registered: the next read arms it again.
      if (watcher && this.#ownWatch === node) this.#ownWatch = null;
      throw error;
    }
    if (!stat) return null;
    const own = { node, czxid: stat.czxid, owner: stat.ephemeralOwner };
    if (this.#ownWatch === node && this.#ownGuard === guard) this.#ownStat = own;
    return own;
  }

  #forgetOwnStat(): void {
    this.#ownStat = null;
    this.#ownGuard++;
  }

  /**
   * A one-shot watch on the leader's own node, set once per node: when somebody deletes it
   * (an operator, a purge by a misconfigured instance), the leader steps down at once and
   * looks again, instead of leading on while another participant is first. It also guards
   * #ownStat.
   */
  #watchOwnNode(node: string): Watcher | undefined {
    if (this.#ownWatch === node) return undefined;
    this.#ownWatch = node;
    return (event) => {
      if (this.#ownWatch === node) this.#ownWatch = null;
      this.#forgetOwnStat();
      // The deletion itself says the node is gone: step down now, not one round trip later
      // (#check). The next participant's watch fired with ours, and one round trip later it
      // leads. (Our own deletes — give-up, step aside — come after #stepDown: no-ops here.)
      if (event.type === "deleted" && this.#node === node) this.#leadershipLost(node);
      this.#steps.run(() => this.#check());
    };
  }

  #leadershipLost(node: string): void {
    if (!this.#stepDown()) return;
    this.#log("warn", "leadership_lost", { reason: "node_lost", node });
    this.#announceFollower("node_lost");
  }

  async #nodeLost(node: string): Promise<void> {
    this.#node = null;
    this.#leadershipLost(node);
    return this.#join();
  }

  #announceFollower(reason: ElectionEvents["follower"]["reason"]): void {
    this.#role = "follower";
    this.#emit("follower", { reason });
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
    this.#watchLease();
    const work = this.#o.onLeadership;
    // A signal only for the work to watch: aborting one (an Error's stack and an event
    // dispatch, tens of µs) delays close()'s delete, which has to wait for it.
    const abort = work ? new AbortController() : null;
    const term = { epoch, abort };
    this.#term = term;
    this.#log("info", "became_leader", { node, resumed });
    this.#emit("leader", { epoch, node, resumed });
    this.#resolveJoined();
    if (!work || !abort) return;
    Promise.resolve()
      .then(() => work({ epoch, signal: abort.signal }))
      .then(
        () => {
          if (this.#term === term) this.#failures = 0;
        },
        (error: unknown) => {
          if (this.#term === term && !abort.signal.aborted)
            this.#steps.run(() => this.#giveUp(term, error));
        },
      );
  }

  /** Stops leading (if leading). Returns whether it was leading. */
  #stepDown(): boolean {
    if (!this.#leader) return false;
    this.#leader = false;
    this.#role = "none";
    this.#term?.abort?.abort(new Error("leadership ended"));
    this.#term = null;
    this.#lease.cancel();
    return true;
  }

  async #giveUp(term: { epoch: number }, cause: unknown): Promise<void> {
    if (this.#term !== term) return;
    this.#failures++;
    const delay = backoffDelay(this.#failures, {
      baseMs: this.#o.retryBaseMs,
      maxMs: this.#o.retryMaxMs,
      jitter: "equal",
      random: this.#o.random,
    });
    this.#stepDown();
    const node = this.#node;
    this.#node = null;
    if (node) {
      this.#doomed.add(node);
      await this.#doomed.deleteAll().catch((e: Error) =>
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
    this.#emit("error", { error });
    this.#announceFollower("gave_up");
    this.#rejoinTimer = this.#o.clock.setTimeout(() => {
      this.#rejoinTimer = null;
      this.#steps.run(() => this.#join());
    }, delay);
  }

  relinquish(reason: unknown): Promise<void> {
    const term = this.#term;
    if (!term) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#steps.run(
        async () => {
          try {
            await this.#giveUp(term, reason);
          } finally {
            resolve();
          }
        },
        () => resolve(),
      );
    });
  }

  /**
   * First in line while a hand-over intent names another participant: move to the back (a
   * new node) when the named one is in line, so that it leads. Once per intent, and only
   * while the named one is there, so a missing or failing target can never leave the line
   * without a leader; moving back only ever removes a candidate, so it can never make two.
   */
  async #yieldTo(intent: HandoverIntent, node: string): Promise<boolean> {
    if (intent.target === this.#o.id) return false;
    const stat = await this.zk.exists(intent.path);
    if (!stat || this.#yielded.has(stat.czxid)) return false;
    const line = await readParticipants(this.zk, this.#o.electionPath, node);
    if (!line.some((p) => p.id === intent.target && !p.isSelf)) return false;
    this.#yielded.add(stat.czxid);
    this.#log("info", "election_yielded", { node, target: intent.target });
    this.#node = null;
    this.#doomed.add(node);
    await this.#doomed.deleteAll();
    await this.#join();
    return true;
  }

  stepAside(options: StepAsideOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new ElectionClosedError());
    const { forMs, target } = options;
    if (forMs !== undefined && (!Number.isFinite(forMs) || forMs <= 0))
      return Promise.reject(
        new ElectionOptionsError("forMs", `a positive number of ms, got ${String(forMs)}`),
      );
    if (target !== undefined && (typeof target !== "string" || target === ""))
      return Promise.reject(new ElectionOptionsError("target", "a participant id"));
    // Out of line from this instant: no step that runs before ours may join again.
    this.#aside = true;
    return new Promise<void>((resolve, reject) => {
      this.#steps.run(
        async () => {
          try {
            await this.#stepAside(forMs, target);
            resolve();
          } catch (error) {
            reject(error);
            throw error;
          }
        },
        // Closed, or out for good after a fatal error: there is no line left to step out of.
        (why) => (why === "fatal" ? resolve() : reject(new ElectionClosedError())),
      );
    });
  }

  async #stepAside(forMs: number | undefined, target: string | undefined): Promise<void> {
    if (this.#rejoinTimer !== null) this.#o.clock.clearTimeout(this.#rejoinTimer);
    this.#rejoinTimer = null;
    this.#aside = true;
    // The intent goes in before our node goes out: whoever wakes up first already sees it.
    let intent: HandoverIntent | null = null;
    try {
      if (target !== undefined)
        intent = await createIntent(
          this.zk,
          this.#o.electionPath,
          await this.zk.getChildren(this.#o.electionPath),
          target,
        );
    } catch (error) {
      // Nothing was given up yet: stay in line as before, and say why to the caller.
      this.#aside = false;
      throw error;
    }
    const wasLeader = this.#stepDown();
    const node = this.#node;
    this.#node = null;
    if (node) this.#doomed.add(node);
    this.#log("info", "election_stepped_aside", { node, wasLeader, forMs, target });
    if (this.#role !== "none" || wasLeader) this.#announceFollower("stepped_aside");
    if (forMs !== undefined) {
      this.#rejoinTimer = this.#o.clock.setTimeout(() => {
        this.#rejoinTimer = null;
        this.#aside = false;
        this.#steps.run(async () => {
          if (intent) await removeIntent(this.zk, intent);
          await this.#join();
        });
      }, forMs);
    }
    // Guaranteed: a delete lost with the connection is redone by the next step (and the
    // session's end deletes it too).
    await this.#doomed
      .deleteAll()
      .catch((e: Error) =>
        this.#log("warn", "election_node_delete_failed", { node, error: e.message }),
      );
  }

  // ---------------------------------------------------------------------------------------
  // Reads.

  async confirmLeadership(): Promise<boolean> {
    if (!this.isLeader() || !this.#node) return false;
    const first = await stillFirst(this.zk, this.#o.electionPath, this.#node, this.#epoch);
    return first && this.isLeader();
  }

  getParticipants(): Promise<Participant[]> {
    return readParticipants(this.zk, this.#o.electionPath, this.#node);
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
