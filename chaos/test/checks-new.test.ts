/**
 * The checks added for issue 19 (items 5–9), over recorded data, and the hook messages and
 * stale writes against a real SQLite store (no cluster).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore, type MetadataStore } from "@atlas-ha/atlas-server";
import { decodeBody, parseValue, type HookNotification } from "@atlas-ha/hook-consumer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkCounters,
  checkDeposals,
  checkSampler,
  checkStaleWrites,
  checkTerms,
  counterExpectations,
  crossCheckStore,
  hookMessage,
  messageKind,
  readStoreTables,
  StaleWriter,
  type FaultTerms,
  type StaleAttempt,
  type StoreTables,
} from "../src/index.js";
import { readCounters } from "../src/check.js";
import { silentLogger } from "../src/log.js";

const fault = (over: Partial<FaultTerms> & Pick<FaultTerms, "index" | "kind">): FaultTerms => ({
  target: "atlas-1",
  spec: {},
  activeBefore: "atlas-1",
  activeAfter: "atlas-2",
  epochBefore: 10,
  epochAfter: 11,
  ...over,
});

describe("check (1): a new term for every failover", () => {
  it("passes when the log holds one term more than the faults that raised the epoch", () => {
    const faults = [
      fault({ index: 1, kind: "kill-active" }),
      fault({
        index: 2,
        kind: "kafka-restart",
        activeBefore: "atlas-2",
        activeAfter: "atlas-2",
        epochBefore: 11,
        epochAfter: 11,
      }),
    ];
    expect(checkTerms(2, faults)).toEqual({
      ok: true,
      terms: 2,
      failovers: 1,
      newTerms: 1,
      failoversWithoutNewTerm: [],
    });
  });

  it("fails with fewer epochs in the log than 1 + failovers", () => {
    const faults = [
      fault({ index: 1, kind: "kill-active" }),
      fault({
        index: 2,
        kind: "term-active",
        activeBefore: "atlas-2",
        activeAfter: "atlas-3",
        epochBefore: 11,
        epochAfter: 12,
      }),
    ];
    expect(checkTerms(2, faults)).toMatchObject({ ok: false, failovers: 2, newTerms: 2 });
  });

  it("fails on a failover that kept the old epoch", () => {
    const result = checkTerms(5, [
      fault({ index: 4, kind: "kill-active", epochBefore: 10, epochAfter: 10 }),
    ]);
    expect(result).toMatchObject({
      ok: false,
      failovers: 1,
      newTerms: 0,
      failoversWithoutNewTerm: [4],
    });
  });
});

describe("check (7): a frozen or cut active is deposed", () => {
  it("requires the epoch to rise after a pause, a stall or a long partition of the active", () => {
    const ok = checkDeposals([
      fault({ index: 1, kind: "pause-active" }),
      fault({ index: 2, kind: "stall-active", activeAfter: "atlas-1", epochAfter: 12 }),
      fault({ index: 3, kind: "partition-long", spec: { target: "active" } }),
    ]);
    expect(ok).toEqual({ ok: true, aimed: 3, deposed: 3, notDeposed: [] });
    const notDeposed = checkDeposals([
      fault({ index: 7, kind: "pause-active", activeAfter: "atlas-1", epochAfter: 10 }),
    ]);
    expect(notDeposed).toMatchObject({ ok: false, aimed: 1, deposed: 0 });
    expect(notDeposed.notDeposed).toEqual([
      { index: 7, kind: "pause-active", target: "atlas-1", epochBefore: 10, epochAfter: 10 },
    ]);
  });

  it("does not count partitions of a passive, short partitions, or faults that found no active", () => {
    const result = checkDeposals([
      fault({
        index: 1,
        kind: "partition-long",
        spec: { target: "passive" },
        target: "atlas-3",
        epochAfter: 10,
      }),
      fault({ index: 2, kind: "partition-short", spec: { target: "active" }, epochAfter: 10 }),
      fault({
        index: 3,
        kind: "pause-active",
        activeBefore: null,
        target: "atlas-2",
        epochAfter: 10,
      }),
    ]);
    expect(result).toEqual({ ok: true, aimed: 0, deposed: 0, notDeposed: [] });
  });
});

describe("check (4): the sampler saw the group", () => {
  const names = ["a", "b", "c"];
  const samples = [
    { at: 100, states: ["ACTIVE", "PASSIVE", "PASSIVE"] },
    { at: 200, states: ["UNREACHABLE", "ACTIVE", "PASSIVE"] }, // in the fault window
    { at: 300, states: ["PASSIVE", "ACTIVE", "PASSIVE"] },
    { at: 400, states: ["PASSIVE", "PASSIVE", "ACTIVE"] },
  ] as const;
  const windows = [{ from: 150, to: 250 }];

  it("passes when every instance the runner found ACTIVE was seen ACTIVE, and counts UNREACHABLE apart", () => {
    const result = checkSampler(
      samples.map((s) => ({ at: s.at, states: [...s.states] })),
      names,
      windows,
      ["a", "b", "c"],
      { calmFrom: 0, bound: 0.05 },
    );
    expect(result).toMatchObject({
      ok: true,
      seenActive: ["a", "b", "c"],
      missedActive: [],
      tooShort: false,
      calmSamples: 9,
      calmUnreachable: 0,
    });
    expect(result.instances[0]).toEqual({
      name: "a",
      samples: 4,
      active: 1,
      passive: 2,
      other: 0,
      unreachable: 1,
      calmSamples: 3,
      calmUnreachable: 0,
    });
  });

  it("fails when the runner found an instance ACTIVE that the sampler never saw ACTIVE", () => {
    const blind = samples.map((s) => ({
      at: s.at,
      states: s.states.map((x, i) => (i === 2 ? "UNREACHABLE" : x)) as never,
    }));
    const result = checkSampler(blind, names, windows, ["a", "b", "c"], { calmFrom: 0, bound: 1 });
    expect(result).toMatchObject({ ok: false, missedActive: ["c"] });
  });

  it("says the run was too short, without failing, when an instance never became active by either view", () => {
    const result = checkSampler(
      samples.slice(0, 3).map((s) => ({ at: s.at, states: [...s.states] })),
      names,
      windows,
      ["a", "b"],
      { calmFrom: 0, bound: 0.05 },
    );
    expect(result).toMatchObject({
      ok: true,
      tooShort: true,
      seenActive: ["a", "b"],
      missedActive: [],
    });
  });

  it("fails when too many answers outside the fault windows were UNREACHABLE, or when there were none to judge", () => {
    const flaky = [
      ...samples.map((s) => ({ at: s.at, states: [...s.states] })),
      { at: 500, states: ["UNREACHABLE", "PASSIVE", "ACTIVE"] as const },
    ].map((s) => ({ at: s.at, states: [...s.states] }));
    const result = checkSampler(flaky, names, windows, ["a", "b", "c"], {
      calmFrom: 0,
      bound: 0.05,
    });
    expect(result).toMatchObject({ ok: false, calmSamples: 12, calmUnreachable: 1 });
    expect(result.calmUnreachableShare).toBeCloseTo(1 / 12);
    expect(checkSampler([], names, [], [], { calmFrom: 0, bound: 0.05 })).toMatchObject({
      ok: false,
      calmSamples: 0,
      calmUnreachableShare: null,
    });
  });
});

describe("check (2): counters updated once each, in order", () => {
  it("derives each partition's expected seq from the numbers acknowledged and attempted", () => {
    // 2 partitions: n=0,1 create (and the counters), n=2,3 seq 1, n=4,5 create, n=6,7 seq 2.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => messageKind(n, 2).kind)).toEqual([
      "create",
      "create",
      "counter",
      "counter",
      "create",
      "create",
      "counter",
      "counter",
    ]);
    expect(counterExpectations(2, [0, 1, 2, 3, 4, 5, 6], 8)).toEqual([
      { partition: 0, createAcknowledged: true, lastAcknowledged: 2, lastAttempted: 2 },
      { partition: 1, createAcknowledged: true, lastAcknowledged: 1, lastAttempted: 2 },
    ]);
  });

  const expected = [
    { partition: 0, createAcknowledged: true, lastAcknowledged: 5, lastAttempted: 6 },
  ];

  it("passes a counter at the last seq (acknowledged or only sent) with one version per update", () => {
    expect(
      checkCounters(expected, new Map([[0, { seq: 5, version: 5, status: "ACTIVE" }]])),
    ).toMatchObject({ ok: true, updates: 5, problems: [] });
    expect(
      checkCounters(expected, new Map([[0, { seq: 6, version: 6, status: "ACTIVE" }]])),
    ).toMatchObject({ ok: true, updates: 6 });
  });

  it("fails an update applied again after a later one (more versions than seqs)", () => {
    const result = checkCounters(
      expected,
      new Map([[0, { seq: 5, version: 7, status: "ACTIVE" }]]),
    );
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.problem).toMatch(/2 more changes than updates/);
  });

  it("fails lost updates: a seq below the last acknowledged, or fewer versions than seqs", () => {
    expect(
      checkCounters(expected, new Map([[0, { seq: 4, version: 4, status: "ACTIVE" }]])).problems[0]!
        .problem,
    ).toMatch(/acknowledged/);
    expect(
      checkCounters(expected, new Map([[0, { seq: 5, version: 4, status: "ACTIVE" }]])).problems[0]!
        .problem,
    ).toMatch(/1 updates missing/);
    expect(checkCounters(expected, new Map([[0, null]]))).toMatchObject({
      ok: false,
      problems: [{ partition: 0, problem: expect.stringMatching(/missing/) }],
    });
    expect(
      checkCounters(expected, new Map([[0, { seq: 9, version: 9, status: "ACTIVE" }]])).problems[0]!
        .problem,
    ).toMatch(/beyond/);
  });
});

describe("the cross-check of the store's stamps against its write log", () => {
  const clean = (): StoreTables => ({
    writes: [
      { seq: 1, epoch: 5, operation: "FENCE", changed: 0 },
      { seq: 2, epoch: 5, operation: "HOOK", changed: 2 },
      { seq: 3, epoch: 5, operation: "ENTITY_CREATE_OR_UPDATE", changed: 1 },
      { seq: 4, epoch: 7, operation: "FENCE", changed: 0 },
      { seq: 5, epoch: 7, operation: "HOOK", changed: 0 }, // a redelivery of offset 0, skipped
      { seq: 6, epoch: 7, operation: "HOOK", changed: 1 },
    ],
    entities: [
      { guid: "g1", qualifiedName: "hook-0", writeEpoch: 5, writeSeq: 2, createSeq: 2 },
      { guid: "g2", qualifiedName: "counter-0", writeEpoch: 7, writeSeq: 6, createSeq: 2 },
      { guid: "g3", qualifiedName: "rest-0", writeEpoch: 5, writeSeq: 3, createSeq: 3 },
    ],
    offsets: [
      { topic: "T", partition: 0, offset: 0, epoch: 5, writeSeq: 2 },
      { topic: "T", partition: 0, offset: 1, epoch: 7, writeSeq: 6 },
    ],
  });

  it("passes agreeing tables and counts HOOK writes without a position as skipped redeliveries", () => {
    expect(crossCheckStore(clean())).toEqual({
      ok: true,
      writes: 6,
      entities: 3,
      offsets: 2,
      hookWrites: 3,
      skippedRedeliveries: 1,
      problems: [],
    });
  });

  it("fails an entity whose write_epoch is not its write's epoch", () => {
    const t = clean();
    t.entities[1]!.writeEpoch = 5; // updated under epoch 7 but stamped with the old one
    const result = crossCheckStore(t);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.what)).toEqual([
      "entity's write_epoch differs from its write's epoch in the log",
    ]);
  });

  it("fails a hook applied without its position, a position with another epoch, and a stamp the log lacks", () => {
    const t = clean();
    t.writes[4]!.changed = 1; // seq 5 changed an entity but recorded no position
    t.offsets[1]!.epoch = 5;
    t.entities[2]!.writeSeq = 99;
    const whats = crossCheckStore(t).problems.map((p) => p.what);
    expect(whats).toContain("HOOK write that changed entities without recording its position");
    expect(whats).toContain("hook position's epoch differs from its write's epoch in the log");
    expect(whats).toContain("entity stamped with a write_seq the write log does not have");
  });
});

describe("check (1): stale-epoch writes", () => {
  const attempt = (i: number, outcome: StaleAttempt["outcome"]): StaleAttempt => ({
    i,
    kind: i % 2 ? "hook" : "rest",
    epoch: 4,
    highestEpoch: 5,
    at: i,
    reason: "periodic",
    outcome,
    tries: 1,
  });

  it("passes only when every attempt was refused and none left anything in the store", () => {
    expect(
      checkStaleWrites([attempt(0, "refused"), attempt(1, "refused")], {
        entities: 0,
        positions: 0,
      }),
    ).toMatchObject({ ok: true, refused: 2, byKind: { rest: 1, hook: 1 } });
    expect(
      checkStaleWrites([attempt(0, "refused"), attempt(1, "accepted")], {
        entities: 0,
        positions: 1,
      }),
    ).toMatchObject({ ok: false, accepted: 1 });
    expect(
      checkStaleWrites([attempt(0, "refused"), attempt(1, "error")], { entities: 0, positions: 0 }),
    ).toMatchObject({ ok: false, errors: 1 });
    expect(checkStaleWrites([attempt(0, "refused")], { entities: 1, positions: 0 }).ok).toBe(false);
    expect(checkStaleWrites([], { entities: 0, positions: 0 }).ok).toBe(false);
  });
});

describe("the stale writer on a busy database", () => {
  const busy = Object.assign(new Error("database is locked"), {
    name: "SqliteError",
    code: "SQLITE_BUSY",
  });
  const fenced = Object.assign(new Error("fenced"), {
    name: "StoreFencedError",
    code: "STORE_FENCED",
  });
  const fakeStore = (answers: Error[]) =>
    ({
      highestEpoch: async () => 7,
      createOrUpdate: async () => {
        const next = answers.shift();
        if (next) throw next;
        return { mutatedEntities: {}, guidAssignments: {} };
      },
    }) as unknown as MetadataStore;

  it("tries again a write that did not reach the fence, and judges the try that did", async () => {
    const writer = new StaleWriter({
      store: fakeStore([busy, fenced]),
      intervalMs: 60_000,
      logger: silentLogger,
    });
    expect(await writer.inject("t")).toMatchObject({ outcome: "refused", tries: 2, epoch: 6 });
    const accepting = new StaleWriter({
      store: fakeStore([busy]),
      intervalMs: 60_000,
      logger: silentLogger,
    });
    expect(await accepting.inject("t")).toMatchObject({ outcome: "accepted", tries: 2 });
  });

  it("gives up after three tries, as an error that fails the check", async () => {
    const writer = new StaleWriter({
      store: fakeStore([busy, busy, busy, fenced]),
      intervalMs: 60_000,
      logger: silentLogger,
    });
    const attempt = await writer.inject("t");
    expect(attempt).toMatchObject({
      outcome: "error",
      tries: 3,
      error: "SqliteError SQLITE_BUSY: database is locked",
    });
    expect(checkStaleWrites(writer.attempts, { entities: 0, positions: 0 })).toMatchObject({
      ok: false,
      errors: 1,
      retried: 1,
    });
  });
});

describe("against a real SQLite store", () => {
  let dir: string;
  let path: string;
  let store: MetadataStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "atlas-ha-chaos-checks-"));
    path = join(dir, "atlas.db");
    store = createStore({ backend: "sqlite", path });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the stale writer's entity writes and hook applications are all refused by the fence, with a previous term's epoch and the highest minus one", async () => {
    const writer = new StaleWriter({ store, intervalMs: 60_000, logger: silentLogger });
    expect(await writer.inject("before any term")).toBeNull();
    await store.fence(10);
    await writer.inject("t1");
    await store.fence(20);
    for (let i = 0; i < 4; i++) await writer.inject(`t2-${i}`);
    await writer.stop();
    expect(writer.attempts.map((a) => [a.kind, a.epoch, a.outcome])).toEqual([
      ["rest", 9, "refused"],
      ["rest", 19, "refused"],
      ["hook", 10, "refused"],
      ["hook", 19, "refused"],
      ["rest", 10, "refused"],
    ]);
  });

  it("the producer's messages make counters that check out, and a counter update applied again after a later one fails the check", async () => {
    const partitions = 2;
    const epoch = 30;
    await store.fence(epoch);
    const decode = (n: number): HookNotification => {
      const parsed = parseValue(hookMessage(n, partitions));
      if (parsed.kind !== "message") throw new Error("a split part");
      return decodeBody(parsed.body);
    };
    const changes = (m: HookNotification) =>
      (m.type === "ENTITY_PARTIAL_UPDATE_V2"
        ? [{ kind: "partialUpdate", objectId: m.entityId, entity: m.entity }]
        : [
            { kind: "createOrUpdate", entities: (m as { entities: unknown }).entities },
          ]) as Parameters<MetadataStore["applyHook"]>[2];
    const offsets = [0, 0];
    const apply = async (n: number) => {
      const p = n % partitions;
      return store.applyHook(
        epoch,
        { topic: "T", partition: p, offset: String(offsets[p]!++) },
        changes(decode(n)),
        "chaos",
      );
    };
    for (let n = 0; n < 12; n++) await apply(n); // seqs 1 and 2 of each counter (n = 2,3 and 6,7), 10,11 seq 3
    const expected = counterExpectations(
      partitions,
      Array.from({ length: 12 }, (_, n) => n),
      12,
    );
    const once = checkCounters(expected, await readCounters(store, partitions));
    expect(once).toMatchObject({
      ok: true,
      updates: 6,
      partitions: [
        { partition: 0, seq: 3, version: 3 },
        { partition: 1, seq: 3, version: 3 },
      ],
    });

    // A redelivery at the same position is skipped by the store and counted as such.
    expect(
      await store.applyHook(
        epoch,
        { topic: "T", partition: 0, offset: "1" },
        changes(decode(2)),
        "chaos",
      ),
    ).toEqual({ applied: false });
    const audit = crossCheckStore(await readStoreTables({ backend: "sqlite", path }));
    expect(audit).toMatchObject({ ok: true, skippedRedeliveries: 1 });

    // Message 2 (seq 1 of partition 0) applied a second time, as a store without its position check would.
    await store.applyHook(
      epoch,
      { topic: "T", partition: 0, offset: "99" },
      changes(decode(2)),
      "chaos",
    );
    await apply(10); // and seq 3 again, which brings the value back but not the version
    const twice = checkCounters(expected, await readCounters(store, partitions));
    expect(twice.ok).toBe(false);
    expect(twice.problems).toEqual([
      {
        partition: 0,
        problem:
          "version 5 at seq 3: 2 more changes than updates (an update applied again after a later one)",
      },
    ]);
  });
});
