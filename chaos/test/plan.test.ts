import { describe, expect, it } from "vitest";
import { createRandom, FAULT_KINDS, planFaults, seedHash } from "../src/index.js";

describe("the seeded generator", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = createRandom("42");
    const b = createRandom("42");
    const c = createRandom("43");
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    expect(seedHash(42)).toBe(seedHash("42"));
  });

  it("stays in range and shuffles into a permutation", () => {
    const r = createRandom("range");
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
      const x = r.between(1.5, 2);
      expect(x).toBeGreaterThanOrEqual(1.5);
      expect(x).toBeLessThan(2);
    }
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(r.shuffle(items).sort()).toEqual(items);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});

describe("the fault plan", () => {
  it("is the same for the same seed (a run is reproducible) and differs for another seed", () => {
    const plan = planFaults({ seed: "ci", faults: 25, sessionTimeoutMs: 4000 });
    expect(planFaults({ seed: "ci", faults: 25, sessionTimeoutMs: 4000 })).toEqual(plan);
    expect(planFaults({ seed: "other", faults: 25, sessionTimeoutMs: 4000 })).not.toEqual(plan);
    // A longer run with the same seed starts with the same faults.
    expect(planFaults({ seed: "ci", faults: 40, sessionTimeoutMs: 4000 }).slice(0, 25)).toEqual(
      plan,
    );
  });

  it("deals every kind once per round, so fifteen faults cover the fifteen kinds", () => {
    expect(FAULT_KINDS).toHaveLength(15);
    const plan = planFaults({ seed: "any", faults: 45, sessionTimeoutMs: 4000 });
    for (let round = 0; round < 3; round++) {
      const kinds = plan.slice(round * 15, round * 15 + 15).map((f) => f.kind);
      expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
    }
    expect(plan.map((f) => f.index)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  it("holds each fault for the time its kind promises, relative to the session timeout", () => {
    const t = 4000;
    const plan = planFaults({ seed: "durations", faults: 400, sessionTimeoutMs: t });
    for (const f of plan) {
      if (
        f.kind === "pause-active" ||
        f.kind === "stall-active" ||
        f.kind === "held-transaction" ||
        f.kind === "term-during-activation" ||
        f.kind === "zk-follower-isolated"
      )
        expect(f.holdMs).toBeGreaterThan(t);
      if (f.kind === "election-path-deleted" || f.kind === "acl-rolling-restart")
        expect(f.holdMs).toBe(0);
      if (f.kind === "partition-short") expect(f.holdMs).toBeLessThan(t);
      if (f.kind === "partition-long") expect(f.holdMs).toBeGreaterThan(t);
      if (f.kind.startsWith("partition")) {
        expect(["active", "passive"]).toContain(f.target);
        expect(["refuse", "blackhole"]).toContain(f.mode);
        expect(["drop", "stall"]).toContain(f.live);
      }
      if (f.kind === "kafka-restart") expect(["SIGTERM", "SIGKILL"]).toContain(f.signal);
      expect(f.choice).toBeGreaterThanOrEqual(0);
      expect(f.choice).toBeLessThan(1);
    }
    const partitions = plan.filter((f) => f.kind.startsWith("partition"));
    expect(new Set(partitions.map((f) => `${f.target} ${f.mode} ${f.live}`)).size).toBe(8);
  });

  it("draws only from the kinds asked for, and refuses unknown kinds and bad counts", () => {
    const plan = planFaults({
      seed: "s",
      faults: 7,
      sessionTimeoutMs: 4000,
      kinds: ["kill-active", "kafka-restart"],
    });
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(["kill-active", "kafka-restart"]));
    expect(() =>
      planFaults({
        seed: "s",
        faults: 1,
        sessionTimeoutMs: 4000,
        kinds: ["reboot-datacenter" as never],
      }),
    ).toThrow(
      expect.objectContaining({
        name: "ChaosOptionsError",
        code: "CHAOS_BAD_OPTION",
        option: "kinds",
      }),
    );
    expect(() => planFaults({ seed: "s", faults: -1, sessionTimeoutMs: 4000 })).toThrow(
      expect.objectContaining({ option: "faults" }),
    );
    expect(() => planFaults({ seed: "s", faults: 1, sessionTimeoutMs: 4000, kinds: [] })).toThrow(
      expect.objectContaining({ option: "kinds" }),
    );
  });
});
