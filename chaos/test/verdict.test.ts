import { describe, expect, it } from "vitest";
import { verdicts, type VerdictInput } from "../src/index.js";

/** A run of 2 faults where every check holds. */
function healthy(): VerdictInput {
  return {
    faults: [{}, {}],
    settings: { faults: 2 },
    checks: {
      epochs: {
        ok: true,
        writes: 500,
        terms: [],
        byOperation: {},
        violations: [],
        violationCount: 0,
        disorder: 0,
        distinctEpochs: 2,
      },
      terms: { ok: true, terms: 2, failovers: 1, newTerms: 1, failoversWithoutNewTerm: [] },
      staleWrites: {
        ok: true,
        attempts: 10,
        refused: 10,
        accepted: 0,
        errors: 0,
        retried: 0,
        byKind: { rest: 5, hook: 5 },
        leftovers: { entities: 0, positions: 0 },
        examples: [],
      },
      deposedRefused: 0,
      store: {
        ok: true,
        writes: 500,
        entities: 400,
        offsets: 100,
        hookWrites: 101,
        skippedRedeliveries: 1,
        problems: [],
      },
      hooks: {
        ok: true,
        published: 100,
        acknowledged: 100,
        topicRecords: 100,
        unappliedRecords: 0,
        unapplied: [],
        missing: [],
        duplicated: [],
        changed: [],
      },
      counters: {
        ok: true,
        partitions: [
          { partition: 0, seq: 25, version: 25, lastAcknowledged: 25, lastAttempted: 25 },
        ],
        updates: 25,
        problems: [],
      },
      rest: {
        ok: true,
        acknowledged: 300,
        missing: [],
        missingCount: 0,
        wrongGuid: [],
        wrongGuidCount: 0,
        unacknowledgedPresent: 0,
      },
      deposals: { ok: true, aimed: 1, deposed: 1, notDeposed: [] },
      sampler: {
        ok: true,
        instances: [],
        seenActive: ["a", "b"],
        runnerSawActive: ["a", "b"],
        missedActive: [],
        tooShort: true,
        calmSamples: 100,
        calmUnreachable: 0,
        calmUnreachableShare: 0,
        bound: 0.02,
      },
    },
    workload: { restWrites: 300, restUnexpectedCount: 0 },
    failedMessages: [{ instance: "atlas-1", lines: 0 }],
    serverLogs: { suspicious: [], suspiciousCount: 0 },
  };
}

const failing = (input: VerdictInput) =>
  verdicts(input)
    .verdicts.filter((v) => !v.ok)
    .map((v) => v.id);

describe("the verdict", () => {
  it("passes a healthy run on every line, and states the minimums it reached", () => {
    const { verdicts: lines, minimums } = verdicts(healthy());
    expect(lines.map((v) => v.id)).toEqual([
      "epochs",
      "terms",
      "stale-writes",
      "store-stamps",
      "hooks",
      "counters",
      "failed-messages",
      "rest",
      "rest-unexpected",
      "sampler",
      "deposals",
      "server-logs",
      "minimums",
    ]);
    expect(lines.every((v) => v.ok)).toBe(true);
    expect(minimums).toMatchObject({
      ok: true,
      faultsInjected: 2,
      hookMessagesRequired: 20,
      restWritesRequired: 20,
      staleWritesRequired: 2,
    });
    expect(lines.find((v) => v.id === "minimums")!.detail).toBe(
      "faults injected 2 of 2 (≥ 1); hook messages applied 100 (≥ 20); writes acknowledged 300 (≥ 20); stale writes refused 10 (≥ 2)",
    );
    expect(lines.find((v) => v.id === "counters")!.detail).toMatch(
      /1 redeliveries skipped by the store/,
    );
    expect(lines.find((v) => v.id === "sampler")!.detail).toMatch(/run too short/);
  });

  it("fails exactly the line of the check that failed", () => {
    const cases: [string, (i: VerdictInput) => void][] = [
      ["stale-writes", (i) => Object.assign(i.checks.staleWrites, { ok: false, accepted: 1 })],
      ["counters", (i) => Object.assign(i.checks.counters, { ok: false })],
      ["failed-messages", (i) => (i.failedMessages = [{ instance: "atlas-2", lines: 3 }])],
      ["rest-unexpected", (i) => (i.workload.restUnexpectedCount = 1)],
      ["sampler", (i) => Object.assign(i.checks.sampler, { ok: false, missedActive: ["b"] })],
      ["deposals", (i) => Object.assign(i.checks.deposals, { ok: false })],
      [
        "server-logs",
        (i) =>
          (i.serverLogs = {
            suspicious: [{ instance: "a", time: "t", event: "http_unexpected_error", error: "" }],
            suspiciousCount: 1,
          }),
      ],
      ["terms", (i) => Object.assign(i.checks.terms, { ok: false })],
      ["store-stamps", (i) => Object.assign(i.checks.store, { ok: false })],
    ];
    for (const [id, breakIt] of cases) {
      const input = healthy();
      breakIt(input);
      expect(failing(input), id).toEqual([id]);
    }
  });

  it("fails the minimums when a fault was not injected, or too few messages, writes or stale writes went through", () => {
    const notAll = healthy();
    notAll.settings.faults = 3;
    expect(failing(notAll)).toEqual(["minimums"]);
    const fewMessages = healthy();
    fewMessages.checks.hooks.topicRecords = 19;
    fewMessages.checks.hooks.unappliedRecords = 0;
    expect(failing(fewMessages)).toEqual(["minimums"]);
    const fewWrites = healthy();
    fewWrites.workload.restWrites = 19;
    expect(failing(fewWrites)).toEqual(["minimums"]);
    const noFaults = healthy();
    noFaults.faults = [];
    noFaults.settings.faults = 0;
    expect(verdicts(noFaults).minimums).toMatchObject({ ok: false, faultsInjected: 0 });
  });
});
