/**
 * The leader's lease (docs/contracts/election.md): a leader stops leading when it has not
 * heard from ZooKeeper (a confirmed round trip) for `leaseMs`, because a paused process or a
 * stalled event loop cannot know its session expired meanwhile.
 */
import type { Clock } from "@atlas-ha/shared";
import type { Connection } from "./connection.js";

type Log = (level: "warn", event: string, extra: object) => void;

export class Lease {
  readonly #connection: Connection;
  /** The `leaseMs` option; null: 2/3 of the granted session timeout. */
  readonly #explicitMs: number | null;
  readonly #clock: Clock;
  readonly #log: Log;
  #timer: unknown = null;
  #clampLogged = false;

  constructor(connection: Connection, options: { leaseMs: number | null; clock: Clock }, log: Log) {
    this.#connection = connection;
    this.#explicitMs = options.leaseMs;
    this.#clock = options.clock;
    this.#log = log;
  }

  /**
   * The lease, against the session timeout the server granted (it may grant less than was
   * asked: its maxSessionTimeout). An explicit leaseMs that is not shorter than the granted
   * timeout could outlive the session, so the default (2/3 of it) is used instead.
   */
  get ms(): number {
    const granted = this.#connection.sessionTimeoutMs;
    const fallback = Math.floor((granted * 2) / 3);
    const explicit = this.#explicitMs;
    if (explicit === null) return fallback;
    if (explicit < granted) return explicit;
    if (!this.#clampLogged && this.#connection.connected) {
      this.#clampLogged = true;
      this.#log("warn", "election_lease_clamped", {
        leaseMs: explicit,
        grantedSessionTimeoutMs: granted,
        usedLeaseMs: fallback,
      });
    }
    return fallback;
  }

  /** Connected, and a round trip confirmed within the lease. Computed from the clock on every call. */
  valid(): boolean {
    return this.#connection.connected && this.#connection.confirmedElapsed() < this.ms;
  }

  /**
   * Arms (or re-arms) a check at the lease's end: if `leading()` still holds then and no
   * confirmed round trip renewed the lease, `lapsed()` runs; a renewed lease re-arms itself.
   */
  watch(leading: () => boolean, lapsed: () => void): void {
    this.cancel();
    const remaining = this.ms - this.#connection.confirmedElapsed();
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = null;
        if (!leading()) return;
        if (this.valid()) return this.watch(leading, lapsed);
        lapsed();
      },
      Math.max(0, remaining) + 1,
    );
  }

  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
