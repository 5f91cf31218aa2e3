// The election's public shapes: a participant, the events, the Election interface.
import type { FlatEvent } from "@atlas-ha/shared";
import type { ZkClient } from "./client.js";
import type { ConnectionState } from "./connection.js";

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
  /** Wall-clock ms (the event's `timestamp`). */
  at: number;
}

/** The payload of each event, by type. */
export interface ElectionEvents {
  /** This participant leads. `resumed`: the same term continues after a blip. */
  leader: Stamped & { epoch: number; node: string; resumed: boolean };
  /** It participates without leading (joined behind another, or stepped down for good). */
  follower: Stamped & {
    reason: "joined" | "not_first" | "node_lost" | "gave_up" | "stepped_aside" | "refused";
  };
  /** Connection suspended (or lease lapsed): stop acting as leader now; the node is kept. */
  suspended: Stamped & { wasLeader: boolean; reason: "disconnected" | "lease" };
  /** The session is gone; a new one is opened and the participant rejoins at the back. */
  lost: Stamped & { wasLeader: boolean; reason: "expired" | "timeout" | "auth_failed" };
  /** A failure the participant recovers from by itself (logged, and told to listeners). */
  error: Stamped & { error: Error };
  /** Every connection state change. */
  connection: Stamped & { state: ConnectionState; previous: ConnectionState; sessionId: string };
}

/**
 * What a listener gets: `{ type, timestamp, payload }`, as every atlas-ha event. The payload's
 * fields are on the event itself too (deprecated: the 0.1 listeners read them there).
 */
export type ElectionEvent<K extends keyof ElectionEvents = keyof ElectionEvents> = FlatEvent<
  ElectionEvents,
  K
>;

/** stepAside(): how long to stay out of line, and whom to hand over to. */
export interface StepAsideOptions {
  /** Rejoin (at the back) after this many ms; without it, stay out until close(). */
  forMs?: number;
  /**
   * The participant id that should lead next. Participants ahead of it that come first
   * while the window lasts move to the back once, as long as it is in line.
   */
  target?: string;
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
  /**
   * Leaves the line now (stops leading, deletes the node) and stays out for `forMs` (or until
   * close()), then rejoins at the back: a planned hand-over. With a `target`, a hand-over
   * intent makes the participants ahead of the target move back once (docs/contracts/election.md).
   * Resolves once the node is deleted.
   */
  stepAside(options?: StepAsideOptions): Promise<void>;
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
    listener: (event: ElectionEvent<K>) => void,
  ): () => void;
}
