import type { ConnectionState, Election } from "@atlas-ha/election-core";
import type { FlatEvent } from "@atlas-ha/shared";

/** docs/contracts/states.md. PASSIVE is the start-up state when HA is on. */
export type ServiceState = "PASSIVE" | "BECOMING_ACTIVE" | "ACTIVE" | "BECOMING_PASSIVE";

export interface ActivationContext {
  /** The leadership term's epoch: carry it with every write (fencing token). */
  epoch: number;
  /** Aborts when the term ends (or the handler timed out): stop what you started. */
  signal: AbortSignal;
}

export interface PassivationContext {
  /** Epoch of the term that ends (null when the instance never became active). */
  epoch: number | null;
  /** Why: "suspended", "lost", "not_leader", "activation_failed", "stopping", … */
  reason: string;
}

/**
 * One piece of the service that runs only on the active (Atlas's ActiveStateChangeHandler):
 * activated in ascending `order`, passivated in descending order.
 */
export interface ActiveStateHandler {
  name: string;
  order: number;
  instanceIsActive(context: ActivationContext): Promise<void> | void;
  instanceIsPassive(context: PassivationContext): Promise<void> | void;
  /** Overrides the instance-wide handler timeout. */
  timeoutMs?: number;
  /**
   * Activated after the instance reports ACTIVE (in ascending order, after the others), so
   * that it does not hold up serving: for work that is fenced by the epoch on its own, such
   * as a hook consumer. A failure ends the term as a failed activation does.
   */
  afterActive?: boolean;
}

/** stepDown(): how long to stay out of the election, and whom to hand over to. */
export interface StepDownOptions {
  /** Rejoin the election (as passive, at the back) after this many ms. */
  forMs: number;
  /** The instance (server id) that should become active next; default the next in line. */
  target?: string;
}

/** What status endpoints report: a consistent picture, read without touching ZooKeeper. */
export interface HaSnapshot {
  serverId: string;
  /** ACTIVE only while the election lease holds (docs/contracts/election.md); otherwise BECOMING_PASSIVE at once. */
  state: ServiceState;
  /** Wall-clock ms of the last transition. */
  since: number;
  /** Epoch of the current term (while becoming active / active), else of the last one. */
  epoch: number | null;
  /** Id of the participant leading the election, as last seen. */
  leaderId: string | null;
  /** `http(s)://host:port` from `<zkroot>/active_server_info`, watched and cached. */
  activeAddress: string | null;
  /** This instance's own address (what it publishes when active). */
  selfAddress: string;
  zookeeper: ConnectionState | "STANDALONE";
  haEnabled: boolean;
  /** Transitions since start. */
  transitions: number;
}

export interface Transition {
  from: ServiceState;
  to: ServiceState;
  at: number;
  epoch: number | null;
  reason: string;
}

/** The payload of each event, by type. */
export interface HaEvents {
  transition: Transition;
  error: { error: Error; at: number; epoch: number | null };
  activeAddress: { address: string | null; at: number };
}

/**
 * What a listener gets: `{ type, timestamp, payload }`, as every atlas-ha event. The payload's
 * fields are on the event itself too (deprecated: the 0.1 listeners read them there).
 */
export type HaEvent<K extends keyof HaEvents = keyof HaEvents> = FlatEvent<HaEvents, K>;

export interface HaState {
  readonly serverId: string;
  readonly haEnabled: boolean;
  /** The election (null in standalone mode). */
  readonly election: Election | null;
  /** Adds a handler; allowed before start(). */
  addHandler(handler: ActiveStateHandler): void;
  /** Joins the election (standalone: activates at once). Resolves once joined. */
  start(): Promise<void>;
  /** Passivates if active, then leaves the election at once (hand-over in milliseconds). */
  stop(): Promise<void>;
  /**
   * A planned hand-over (docs/contracts/states.md): refuses writes at once (BECOMING_PASSIVE),
   * leaves the election (the next instance, or `target`, becomes active), passivates
   * meanwhile, and rejoins as passive after `forMs`. Rejects with StepDownRefusedError
   * (`HA_STEP_DOWN_REFUSED`) unless ACTIVE with an election. Resolves once passivated.
   */
  stepDown(options: StepDownOptions): Promise<void>;
  /**
   * Gives up the active role because the instance cannot act as active (e.g. its store
   * refused a write with a stale epoch); it rejoins the election after a back-off.
   */
  relinquish(reason: Error): Promise<void>;
  snapshot(): HaSnapshot;
  /** True only while ACTIVE and the election lease holds. */
  isActive(): boolean;
  on<K extends keyof HaEvents>(event: K, listener: (event: HaEvent<K>) => void): () => void;
}
