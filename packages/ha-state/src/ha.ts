/**
 * The service state machine of docs/contracts/states.md on top of election-core:
 *
 *   PASSIVE ──elected──▶ BECOMING_ACTIVE ──handlers ok, address published──▶ ACTIVE
 *      ▲                        │ handler failed / timed out / term ended         │
 *      └──── BECOMING_PASSIVE ◀─┴──────── suspended, lost, not leader, stop ◀─────┘
 *
 * Activation runs the handlers in ascending order, each with a timeout, then re-checks
 * leadership and publishes `active_server_info`. A failure passivates what was activated
 * (descending), and the election gives up its place and rejoins after a back-off. All
 * transitions run one at a time. Options and their validation: options.ts; one handler call
 * with its timeout: handler-call.ts; `active_server_info`: active-address.ts.
 */
import { createElection, type Election } from "@atlas-ha/election-core";
import {
  Emitter,
  flatEvent,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
} from "@atlas-ha/shared";
import {
  ACTIVE_SERVER_INFO,
  ActiveAddressCache,
  publishActiveAddress,
  type PublishedAddress,
  readActiveAddressStat,
  unpublishActiveAddress,
} from "./active-address.js";
import { ActivationAbortedError, HaStateOptionsError, StepDownRefusedError } from "./errors.js";
import { callHandler } from "./handler-call.js";
import {
  DEFAULT_HANDLER_TIMEOUT_MS,
  DEFAULT_ZK_ROOT,
  electionOptions,
  validate,
  validateHandler,
  type HaStateOptions,
} from "./options.js";
import type {
  ActiveStateHandler,
  HaEvent,
  HaEvents,
  HaSnapshot,
  HaState,
  ServiceState,
  StepDownOptions,
  Transition,
} from "./types.js";

/** Creates the HA state machine of one instance. Nothing happens until start(). */
export function createHaState(options: HaStateOptions): HaState {
  validate(options);
  return new HaStateMachine(options);
}

class HaStateMachine implements HaState {
  readonly serverId: string;
  readonly haEnabled: boolean;
  readonly election: Election | null;
  #o: HaStateOptions;
  #logger: Logger;
  #clock: Clock;
  #handlers: ActiveStateHandler[];
  #timeout: number;
  #zkRoot: string;
  #state: ServiceState = "PASSIVE";
  #since: number;
  #epoch: number | null = null;
  #transitions = 0;
  #activated: ActiveStateHandler[] = [];
  #queue: Promise<void> = Promise.resolve();
  #stopping = false;
  /** Set while leaving (stop() or stepDown()): the activation in hand must not go ACTIVE. */
  #leaving = false;
  /** Aborts the activation in progress (stop() must not wait behind a slow handler). */
  #activation: AbortController | null = null;
  #started = false;
  #leaderId: string | null = null;
  #address: ActiveAddressCache | null = null;
  /** The `active_server_info` this instance published in its current term, if any. */
  #published: PublishedAddress | null = null;
  readonly #events: Emitter<HaEvents>;

  constructor(options: HaStateOptions) {
    this.#o = options;
    this.serverId = options.serverId;
    this.haEnabled = options.zookeeper !== undefined;
    this.#logger = options.logger ?? silentLogger;
    // Unlike the election's, these timers keep the process alive: a handler timeout must fire
    // even when the handler waits on nothing else that does.
    this.#clock = options.clock ?? systemClock({ keepAlive: true });
    this.#events = new Emitter<HaEvents>({
      now: () => this.#clock.wallTime(),
      onListenerError: (error) =>
        this.#logger.error({ event: "ha_listener_failed", error: (error as Error).message }),
    });
    this.#since = this.#clock.wallTime();
    this.#handlers = [...(options.handlers ?? [])];
    this.#timeout = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
    this.#zkRoot = options.zookeeper?.zkRoot ?? DEFAULT_ZK_ROOT;
    this.election = null;
    if (options.zookeeper) {
      this.election = createElection(
        electionOptions({ ...options, zookeeper: options.zookeeper }, this.#logger, (term) =>
          this.#enqueue(() => this.#activate(term.epoch, term.signal)),
        ),
      );
      this.#wireElection(this.election);
    }
  }

  on<K extends keyof HaEvents>(event: K, listener: (event: HaEvent<K>) => void): () => void {
    return this.#events.on(event, (e) => listener(flatEvent(e)));
  }

  /** Emits an event stamped with the payload's own `at`. */
  #emit<K extends keyof HaEvents>(event: K, payload: HaEvents[K]): void {
    this.#events.emit(event, payload, payload.at);
  }

  #log(level: keyof Logger, event: string, extra: object = {}): void {
    this.#logger[level]({
      event,
      serverId: this.serverId,
      epoch: this.#epoch,
      state: this.#state,
      ...extra,
    });
  }

  #wireElection(election: Election): void {
    const path = `${this.#zkRoot}/${ACTIVE_SERVER_INFO}`;
    this.#address = new ActiveAddressCache(election.zk, path, this.#logger, (address) => {
      this.#log("info", "active_address_changed", { activeAddress: address });
      this.#emit("activeAddress", { address, at: this.#clock.wallTime() });
      void this.#refreshLeader();
    });
    election.on("connection", ({ payload: { state } }) => {
      if (state === "CONNECTED") this.#address?.sessionStarted();
      else if (state === "RECONNECTED") void this.#address?.refresh();
    });
    election.on("suspended", ({ payload: { wasLeader, reason } }) => {
      if (wasLeader) this.#leadershipEnded(reason === "lease" ? "lease_lapsed" : "suspended");
    });
    election.on("lost", ({ payload: { reason } }) => this.#leadershipEnded(`session_${reason}`));
    election.on("follower", ({ payload: { reason } }) => {
      this.#leadershipEnded(reason);
      void this.#refreshLeader();
    });
    election.on("leader", () => void this.#refreshLeader());
    election.on("error", ({ payload: { error, at, epoch } }) =>
      this.#emit("error", { error, at, epoch }),
    );
  }

  async #refreshLeader(): Promise<void> {
    if (!this.election) return;
    try {
      this.#leaderId = (await this.election.getLeader())?.id ?? null;
    } catch {
      // keep the last known value; it is refreshed on the next election event
    }
  }

  addHandler(handler: ActiveStateHandler): void {
    if (this.#started)
      throw new HaStateOptionsError("handlers", "handlers are added before start()");
    validateHandler(handler, `handler "${handler?.name}"`);
    this.#handlers.push(handler);
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #transition(to: ServiceState, reason: string): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#since = this.#clock.wallTime();
    this.#transitions++;
    const transition: Transition = { from, to, at: this.#since, epoch: this.#epoch, reason };
    this.#log(to === "ACTIVE" || to === "PASSIVE" ? "info" : "debug", "state_changed", {
      from,
      to,
      reason,
    });
    this.#emit("transition", transition);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#handlers.sort((a, b) => a.order - b.order);
    if (!this.election) {
      // Standalone (docs/contracts/config.md: HA off): always ACTIVE with epoch 0, joins no election.
      await this.#enqueue(() => this.#activate(0, new AbortController().signal));
      return;
    }
    this.#log("info", "ha_starting", { zkRoot: this.#zkRoot });
    await this.election.start();
  }

  async stop(): Promise<void> {
    if (this.#stopping) return this.#queue;
    this.#stopping = true;
    this.#log("info", "ha_stopping");
    // An activation in progress is abandoned at once: its handler may take up to its timeout,
    // and the instance must not go ACTIVE (nor keep its node) after it was told to stop.
    this.#activation?.abort(new ActivationAbortedError("the instance is stopping"));
    // Refuse writes now and leave the election at once, so the next instance is elected in
    // one round trip; the handlers (the hook consumer's commit and leave) stop meanwhile.
    // Safe because every write of this term carries its epoch, which the store refuses as
    // soon as the next active has fenced it (docs/contracts/states.md, "Leaving").
    const leaving = this.#leave("stopping", {}, false);
    const passivating = this.#enqueue(() => this.#passivate("stopping"));
    await Promise.all([leaving, passivating]);
    this.#address?.stop();
    await this.election?.close();
  }

  async stepDown(options: StepDownOptions): Promise<void> {
    const refuse = (reason: StepDownRefusedError["reason"], message: string) => {
      this.#log("warn", "ha_step_down_refused", { reason, target: options?.target });
      return Promise.reject(new StepDownRefusedError(reason, message));
    };
    if (!this.election)
      return refuse("standalone", "a standalone instance has nobody to hand over to");
    if (this.#stopping) return refuse("stopping", "the instance is stopping");
    if (this.#leaving) return refuse("in_progress", "a hand-over is already under way");
    if (this.snapshot().state !== "ACTIVE")
      return refuse("not_active", `this instance is ${this.snapshot().state}, not ACTIVE`);
    if (!options || !Number.isFinite(options.forMs) || options.forMs <= 0)
      throw new HaStateOptionsError("forMs", "a positive number of ms");
    this.#log("info", "ha_stepping_down", { forMs: options.forMs, target: options.target });
    const passivating = this.#enqueue(() => this.#passivate("stepped_down"));
    try {
      await Promise.all([
        this.#leave(
          "stepped_down",
          {
            forMs: options.forMs,
            ...(options.target !== undefined ? { target: options.target } : {}),
          },
          true,
        ),
        passivating,
      ]);
    } finally {
      this.#leaving = false;
    }
  }

  /**
   * Refuses writes at once (BECOMING_PASSIVE: the HTTP layer answers 503), then leaves the
   * election. Our `active_server_info` goes first (a session that lives on must not leave
   * passives redirecting to it, and a node left for the next active costs it one more write
   * before it is ACTIVE); it can never go later, as that delete could hit the next active's
   * node. When this term published it, its delete is sent without waiting for the answer:
   * the election node's delete follows it on the same session, which ZooKeeper applies in
   * order, so leaving costs no extra round trip. Otherwise only `unpublish` (stepDown) looks
   * for a node of ours first; on stop() the session's end takes it. Never rejects: a failure
   * is logged, and close() or the session's end removes what is left.
   */
  async #leave(
    reason: string,
    options: { forMs?: number; target?: string },
    unpublish: boolean,
  ): Promise<void> {
    this.#leaving = true;
    if (this.#state === "ACTIVE" || this.#state === "BECOMING_ACTIVE")
      this.#transition("BECOMING_PASSIVE", reason);
    if (!this.election) return;
    const published = this.#published;
    this.#published = null;
    try {
      if (published)
        void unpublishActiveAddress(this.election.zk, this.#zkRoot, published).catch((error) =>
          this.#log("debug", "active_address_unpublish_failed", {
            error: (error as Error).message,
          }),
        );
      else if (unpublish)
        await unpublishActiveAddress(this.election.zk, this.#zkRoot).catch(() => undefined);
      await this.election.stepAside(options);
      this.#log("info", "ha_left_election", { reason, ...options });
    } catch (error) {
      // Closed already (a fatal election error closes the participant): its node went with
      // its session, so there is nothing left to leave.
      if ((error as { code?: unknown }).code === "ELECTION_CLOSED")
        this.#log("debug", "ha_leave_skipped", { reason, why: "election_closed" });
      else this.#log("warn", "ha_leave_failed", { reason, error: (error as Error).message });
    }
  }

  async relinquish(reason: Error): Promise<void> {
    // Leaving already (a late fenced write of the term being given up): nothing to add.
    if (this.#leaving || this.#stopping) return;
    // A fencing error names the epoch that was refused. One about an earlier term (a write
    // of that term that finished late) says nothing about the current one: keep it.
    const refused = (reason as { epoch?: unknown }).epoch;
    if (typeof refused === "number" && refused !== this.#epoch) {
      this.#log("warn", "ha_relinquish_ignored", { error: reason.message, refusedEpoch: refused });
      return;
    }
    this.#log("warn", "ha_relinquishing", {
      error: reason.message,
      code: (reason as { code?: string }).code,
    });
    this.#emit("error", { error: reason, at: this.#clock.wallTime(), epoch: this.#epoch });
    // Passivate first, then give up the term (as stop() does): the next instance can only
    // lead once this one's handlers (the hook consumer) have stopped, never beside them.
    await this.#enqueue(() => this.#passivate("relinquished"));
    await this.election?.relinquish(reason);
  }

  #leadershipEnded(reason: string): void {
    if (this.#state === "PASSIVE" && this.#activated.length === 0) return;
    void this.#enqueue(() => this.#passivate(reason));
  }

  async #activate(epoch: number, termSignal: AbortSignal): Promise<void> {
    if (this.#stopping) throw new ActivationAbortedError("the instance is stopping");
    if (termSignal.aborted) return; // the term ended before its turn came
    // Handlers get a signal that aborts when the term ends or when this activation fails
    // (e.g. a handler timed out), so work they started in the background stops too.
    const controller = new AbortController();
    const forward = () => controller.abort(termSignal.reason);
    termSignal.addEventListener("abort", forward, { once: true });
    const signal = controller.signal;
    this.#activation = controller;
    this.#epoch = epoch;
    const started = this.#clock.now();
    this.#transition("BECOMING_ACTIVE", "elected");
    const ending = () =>
      new ActivationAbortedError(this.#stopping ? "the instance is stopping" : "leadership ended");
    try {
      for (const handler of this.#handlers.filter((h) => !h.afterActive)) {
        if (signal.aborted) throw new ActivationAbortedError("leadership ended");
        this.#activated.push(handler); // passivated too if it fails halfway
        await this.#run(
          handler,
          "activate",
          () => handler.instanceIsActive({ epoch, signal }),
          signal,
        );
      }
      if (this.election) {
        // Re-check before telling the world (docs/contracts/zookeeper.md): the handlers may have
        // taken long. The address node is read meanwhile (pipelined on the same session): every
        // round trip before ACTIVE is time writes are refused.
        const [leading, stat] = await Promise.all([
          this.election.confirmLeadership(),
          readActiveAddressStat(this.election.zk, this.#zkRoot),
        ]);
        if (!leading) throw new ActivationAbortedError("no longer the leader");
        this.#published = await publishActiveAddress(
          this.election.zk,
          this.#zkRoot,
          this.#o.selfAddress,
          stat,
        );
      }
      if (signal.aborted || this.#stopping || this.#leaving) throw ending();
      this.#transition("ACTIVE", "activated");
      this.#log("info", "became_active", { tookMs: Math.round(this.#clock.now() - started) });
      // Serving does not wait for these (the hook consumer joins its group meanwhile); each
      // fences its own work by the epoch.
      for (const handler of this.#handlers.filter((h) => h.afterActive)) {
        if (signal.aborted || this.#stopping || this.#leaving) throw ending();
        this.#activated.push(handler);
        await this.#run(
          handler,
          "activate",
          () => handler.instanceIsActive({ epoch, signal }),
          signal,
        );
      }
    } catch (error) {
      controller.abort(error);
      const aborted = (error as Error).name === "ActivationAbortedError";
      if (!aborted)
        this.#log("error", "activation_failed", {
          error: (error as Error).message,
          code: (error as { code?: string }).code,
        });
      await this.#passivate(aborted ? "activation_aborted" : "activation_failed");
      if (!aborted)
        this.#emit("error", { error: error as Error, at: this.#clock.wallTime(), epoch });
      // Rejecting makes the election give up its place and rejoin after a back-off.
      if (!aborted || this.#stopping) throw error;
    } finally {
      termSignal.removeEventListener("abort", forward);
      if (this.#activation === controller) this.#activation = null;
    }
  }

  async #passivate(reason: string): Promise<void> {
    if (this.#state === "PASSIVE" && this.#activated.length === 0) return;
    this.#transition("BECOMING_PASSIVE", reason);
    const context = { epoch: this.#epoch, reason };
    for (const handler of [...this.#activated].reverse()) {
      try {
        await this.#run(handler, "passivate", () => handler.instanceIsPassive(context));
      } catch (error) {
        // Passivation goes on: the other handlers must still stop.
        this.#emit("error", {
          error: error as Error,
          at: this.#clock.wallTime(),
          epoch: this.#epoch,
        });
        this.#log("error", "passivation_failed", {
          handler: handler.name,
          error: (error as Error).message,
        });
      }
    }
    this.#activated = [];
    // Leaving (stop(), stepDown()): the node may be gone already and the next active's
    // address published; #leave dealt with ours.
    if (this.election && !this.#leaving) {
      const published = this.#published;
      this.#published = null;
      await unpublishActiveAddress(this.election.zk, this.#zkRoot, published).catch(
        () => undefined,
      );
    }
    this.#transition("PASSIVE", reason);
  }

  async #run(
    handler: ActiveStateHandler,
    phase: "activate" | "passivate",
    call: () => Promise<void> | void,
    signal?: AbortSignal,
  ): Promise<void> {
    const started = this.#clock.now();
    await callHandler(handler, phase, call, {
      clock: this.#clock,
      timeoutMs: this.#timeout,
      signal,
    });
    this.#log("debug", `handler_${phase}d`, {
      handler: handler.name,
      tookMs: Math.round(this.#clock.now() - started),
    });
  }

  snapshot(): HaSnapshot {
    let state = this.#state;
    // The election's lease is computed from the clock: a leader that was paused reports
    // BECOMING_PASSIVE from its first instant awake, before any event is processed.
    if (state === "ACTIVE" && this.election && !this.election.isLeader())
      state = "BECOMING_PASSIVE";
    const activeAddress =
      state === "ACTIVE" ? this.#o.selfAddress : (this.#address?.address ?? null);
    return {
      serverId: this.serverId,
      state,
      since: this.#since,
      epoch: this.#epoch,
      leaderId: this.election ? this.#leaderId : this.serverId,
      activeAddress,
      selfAddress: this.#o.selfAddress,
      zookeeper: this.election ? this.election.connectionState : "STANDALONE",
      haEnabled: this.haEnabled,
      transitions: this.#transitions,
    };
  }

  isActive(): boolean {
    return this.snapshot().state === "ACTIVE";
  }
}
