import type { ConnectionState } from "@atlas-ha/election-core";

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
