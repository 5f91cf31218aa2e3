/**
 * The instance's recent HA history for `admin/health` and the HA page (docs/operations.md): the
 * last transitions, and each time this instance became ACTIVE with how long it took. Kept in
 * memory (a restart forgets it); the group's view merges what every instance remembers.
 */
import type { HaState, ServiceState } from "@atlas-ha/ha-state";

const TRANSITIONS_KEPT = 20;
const FAILOVERS_KEPT = 10;

export interface RecentTransition {
  from: ServiceState;
  to: ServiceState;
  at: string;
  epoch: number | null;
  reason: string;
  /** Time spent in `from`. */
  ms: number;
}

export interface FailoverRecord {
  /** When this instance became ACTIVE. */
  at: string;
  epoch: number | null;
  serverId: string;
  address: string;
  /**
   * From the moment this instance saw the former active's `active_server_info` disappear
   * (its clean stop, or its ZooKeeper session's expiry after a crash) to ACTIVE here; null
   * when no former active was seen (the group's first start). A crash's detection time, up
   * to the session timeout, comes before and is not included.
   */
  tookMs: number | null;
  /** BECOMING_ACTIVE → ACTIVE: the activation handlers and the address publication. */
  activationMs: number | null;
  /** The address of the active seen before, if any. */
  previousActive: string | null;
}

export interface HaHistory {
  transitions(): RecentTransition[];
  failovers(): FailoverRecord[];
}

/** Starts recording; call before `ha.start()` so the first election is seen. */
export function recordHaHistory(ha: HaState, selfAddress: string): HaHistory {
  const transitions: RecentTransition[] = [];
  const failovers: FailoverRecord[] = [];
  let lastAt = ha.snapshot().since;
  let becomingActiveAt: number | null = null;
  /** The last active address seen that was not this instance's, and when it went away. */
  let former: { address: string; goneAt: number | null } | null = null;

  ha.on("activeAddress", ({ payload }) => {
    if (payload.address !== null && payload.address !== selfAddress)
      former = { address: payload.address, goneAt: null };
    else if (payload.address === null && former !== null && former.goneAt === null)
      former.goneAt = payload.at;
  });

  ha.on("transition", ({ payload: t }) => {
    push(
      transitions,
      {
        from: t.from,
        to: t.to,
        at: new Date(t.at).toISOString(),
        epoch: t.epoch,
        reason: t.reason,
        ms: Math.max(0, Math.round(t.at - lastAt)),
      },
      TRANSITIONS_KEPT,
    );
    lastAt = t.at;
    if (t.to === "BECOMING_ACTIVE") becomingActiveAt = t.at;
    if (t.to !== "ACTIVE") return;
    push(
      failovers,
      {
        at: new Date(t.at).toISOString(),
        epoch: t.epoch,
        serverId: ha.serverId,
        address: selfAddress,
        tookMs: former?.goneAt != null ? Math.max(0, Math.round(t.at - former.goneAt)) : null,
        activationMs: becomingActiveAt === null ? null : Math.round(t.at - becomingActiveAt),
        previousActive: former?.address ?? null,
      },
      FAILOVERS_KEPT,
    );
    former = null;
    becomingActiveAt = null;
  });

  return {
    transitions: () => [...transitions].reverse(),
    failovers: () => [...failovers].reverse(),
  };
}

function push<T>(ring: T[], item: T, max: number): void {
  ring.push(item);
  if (ring.length > max) ring.shift();
}
