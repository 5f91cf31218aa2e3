/**
 * What `admin/health` remembers of the instance's HA history (api/ha-history.ts), driven by
 * ha-state's own event shapes: each failover into ACTIVE with how long the group was without
 * an active (from the former active's address gone), the activation time, and the last
 * transitions with the time spent in each state.
 */
import type { HaEvent, HaEvents, HaState, ServiceState } from "@atlas-ha/ha-state";
import { describe, expect, it } from "vitest";
import { recordHaHistory } from "../../src/api/ha-history.js";

const SELF = "http://127.0.0.1:21001";
const T0 = Date.parse("2026-12-03T12:00:00.000Z");

/** The two events and the snapshot's `since` that the history reads; nothing else of HaState. */
function fakeHa() {
  const listeners: { [K in keyof HaEvents]?: ((e: HaEvent<K>) => void)[] } = {};
  const ha = {
    serverId: "id2",
    snapshot: () => ({ since: T0 }),
    on<K extends keyof HaEvents>(event: K, listener: (e: HaEvent<K>) => void) {
      ((listeners[event] ??= []) as ((e: HaEvent<K>) => void)[]).push(listener);
      return () => {};
    },
  } as unknown as HaState;
  const emit = <K extends keyof HaEvents>(type: K, payload: HaEvents[K]): void => {
    for (const l of (listeners[type] ?? []) as ((e: HaEvent<K>) => void)[])
      l({ type, timestamp: payload.at, payload, ...payload });
  };
  let state: ServiceState = "PASSIVE";
  const to = (next: ServiceState, at: number, epoch: number | null, reason: string): void => {
    emit("transition", { from: state, to: next, at, epoch, reason });
    state = next;
  };
  const address = (value: string | null, at: number): void =>
    emit("activeAddress", { address: value, at });
  return { ha, to, address };
}

describe("the HA history in admin/health", () => {
  it("times a failover from the former active's address gone to ACTIVE here, and the activation alone", () => {
    const { ha, to, address } = fakeHa();
    const history = recordHaHistory(ha, SELF);
    address("http://127.0.0.1:21000", T0 + 100);
    address(null, T0 + 4_000); // the former active's session expired
    to("BECOMING_ACTIVE", T0 + 4_050, 8, "elected");
    address(SELF, T0 + 4_200); // our own publication is not a former active
    to("ACTIVE", T0 + 4_230, 8, "activated");
    expect(history.failovers()).toEqual([
      {
        at: new Date(T0 + 4_230).toISOString(),
        epoch: 8,
        serverId: "id2",
        address: SELF,
        tookMs: 230,
        activationMs: 180,
        previousActive: "http://127.0.0.1:21000",
      },
    ]);
    expect(history.transitions()).toEqual([
      {
        from: "BECOMING_ACTIVE",
        to: "ACTIVE",
        at: new Date(T0 + 4_230).toISOString(),
        epoch: 8,
        reason: "activated",
        ms: 180,
      },
      {
        from: "PASSIVE",
        to: "BECOMING_ACTIVE",
        at: new Date(T0 + 4_050).toISOString(),
        epoch: 8,
        reason: "elected",
        ms: 4_050,
      },
    ]);
  });

  it("has no took time when no former active was seen (the group's first start), and keeps the newest ten failovers first", () => {
    const { ha, to, address } = fakeHa();
    const history = recordHaHistory(ha, SELF);
    to("BECOMING_ACTIVE", T0 + 10, 1, "elected");
    to("ACTIVE", T0 + 20, 1, "activated");
    expect(history.failovers()[0]).toMatchObject({ epoch: 1, tookMs: null, previousActive: null });
    for (let epoch = 2; epoch <= 12; epoch++) {
      const at = T0 + epoch * 10_000;
      to("BECOMING_PASSIVE", at, epoch - 1, "suspended");
      to("PASSIVE", at + 5, epoch - 1, "suspended");
      address("http://127.0.0.1:21000", at + 10);
      address(null, at + 500);
      to("BECOMING_ACTIVE", at + 600, epoch, "elected");
      to("ACTIVE", at + 700, epoch, "activated");
    }
    const failovers = history.failovers();
    expect(failovers.map((f) => f.epoch)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(failovers.every((f) => f.tookMs === 200 && f.activationMs === 100)).toBe(true);
    expect(history.transitions()).toHaveLength(20);
  });
});
