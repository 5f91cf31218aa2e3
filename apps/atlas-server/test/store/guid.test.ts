/**
 * The guids the store assigns: time-ordered (RFC 9562 version 7), strictly increasing within
 * a process whatever the clock does, in Atlas's textual form (src/store/guid.ts).
 */
import { describe, expect, it } from "vitest";
import { timeOrderedGuids } from "../../src/store/guid.js";
import { hiveDb, storeFactory } from "./helpers.js";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix ms in a guid's first 48 bits. */
const msOf = (guid: string) => parseInt(guid.replace(/-/g, "").slice(0, 12), 16);

/** Guids from a generator whose clock reads `times` in turn (the last one from then on). */
function generate(times: number[], count: number, random?: (b: Uint8Array) => void) {
  let i = 0;
  const next = timeOrderedGuids({
    now: () => times[Math.min(i++, times.length - 1)]!,
    ...(random ? { random } : {}),
  });
  return Array.from({ length: count }, () => next());
}

function expectIncreasing(guids: string[]) {
  for (let i = 1; i < guids.length; i++) {
    if (!(guids[i - 1]! < guids[i]!))
      throw new Error(`not increasing at ${i}: ${guids[i - 1]} ≥ ${guids[i]}`);
  }
}

describe("time-ordered guids", () => {
  it("are version-7 UUIDs in lowercase, with the clock's ms in their first 48 bits", () => {
    const at = Date.UTC(2026, 11, 4, 3, 30, 0, 123);
    const [guid] = generate([at], 1);
    expect(guid).toMatch(V7);
    expect(msOf(guid!)).toBe(at);
    // Atlas's rule for an assigned guid (AtlasTypeUtil.isAssignedGuid): not empty, no leading '-'.
    expect(guid!.startsWith("-")).toBe(false);
  });

  it("increase strictly within one ms (a 12-bit counter), past the counter's end (the time moves on by 1 ms), and when the clock goes back", () => {
    const frozen = generate([1_000_000], 10_000);
    expectIncreasing(frozen);
    expect(new Set(frozen).size).toBe(10_000);
    for (const g of frozen) expect(g).toMatch(V7);
    expect(msOf(frozen[0]!)).toBe(1_000_000);
    expect(msOf(frozen[4095]!)).toBe(1_000_000); // 4,096 counter values in one ms
    expect(msOf(frozen[4096]!)).toBe(1_000_001);
    const back = generate([5_000, 5_001, 4_000, 3_000, 5_001, 5_002], 6);
    expectIncreasing(back);
    expect(back.map(msOf)).toEqual([5_000, 5_001, 5_001, 5_001, 5_001, 5_002]);
  });

  it("take their last 62 bits from the random source, keeping the variant bits", () => {
    const [zeros] = generate([1], 1, (b) => b.fill(0));
    expect(zeros).toBe("00000000-0001-7000-8000-000000000000");
    const [ones] = generate([1], 1, (b) => b.fill(0xff));
    expect(ones).toBe("00000000-0001-7000-bfff-ffffffffffff");
    const a = generate([1], 600); // more than one refill of the random pool
    expect(new Set(a.map((g) => g.slice(19))).size).toBe(600);
  });
});

describe("the store's guids", () => {
  const stores = storeFactory("sqlite", () => {
    throw new Error("SQLite only");
  });

  it("are time-ordered by default, for REST creates and hook messages alike", async () => {
    const { store } = await stores.fresh();
    await store.fence(1);
    const before = Date.now();
    const rest = await Promise.all(
      ["a", "b", "c"].map((name) =>
        store.createOrUpdate(1, { entities: [hiveDb(name)], referredEntities: {} }, "admin"),
      ),
    );
    const hook = await store.applyHook(
      1,
      { topic: "ATLAS_HOOK", partition: 0, offset: "0" },
      [{ kind: "createOrUpdate", entities: { entities: [hiveDb("d")], referredEntities: {} } }],
      "hive",
    );
    const guids = [
      ...rest.flatMap((r) => r.mutatedEntities.CREATE ?? []),
      ...(hook.applied ? (hook.mutations.mutatedEntities.CREATE ?? []) : []),
    ].map((h) => h.guid);
    expect(guids).toHaveLength(4);
    for (const g of guids) {
      expect(g).toMatch(V7);
      expect(msOf(g)).toBeGreaterThanOrEqual(before);
      expect(msOf(g)).toBeLessThanOrEqual(Date.now());
    }
    // In the order they were written: the three REST creates of one group commit, then the hook.
    expectIncreasing(guids);
  });

  it("still come from deps.newGuid when one is given", async () => {
    let n = 0;
    const { store } = await stores.fresh({ newGuid: () => `fixed-${++n}` });
    await store.fence(1);
    const result = await store.createOrUpdate(
      1,
      { entities: [hiveDb("e")], referredEntities: {} },
      "admin",
    );
    expect(result.mutatedEntities.CREATE?.[0]?.guid).toMatch(/^fixed-\d+$/);
  });
});
