import { describe, expect, it } from "vitest";
import { checkEpochs, countSplitBrain, scanServerLogs, writeAvailability } from "../src/index.js";
import { RestWriter } from "../src/writer.js";

const write = (seq: number, epoch: number, operation = "HOOK") => ({
  seq,
  epoch,
  operation,
  user: "u",
  at: seq,
  changed: 1,
});

describe("check (1): writes monotone in epoch", () => {
  it("passes a log whose epochs never decrease, and groups it in terms", () => {
    const result = checkEpochs([
      write(1, 5),
      write(2, 5, "FENCE"),
      write(3, 9, "FENCE"),
      write(5, 9),
      write(6, 12),
    ]);
    expect(result.ok).toBe(true);
    expect(result.terms.map((t) => [t.epoch, t.writes])).toEqual([
      [5, 2],
      [9, 2],
      [12, 1],
    ]);
    expect(result.byOperation).toEqual({ HOOK: 3, FENCE: 2 });
  });

  it("reports a write from an older epoch committed after a newer one", () => {
    const result = checkEpochs([write(1, 5), write(2, 9), write(3, 5), write(4, 9), write(5, 7)]);
    expect(result.ok).toBe(false);
    expect(result.violationCount).toBe(2);
    expect(result.violations[0]).toEqual({ seq: 3, epoch: 5, afterSeq: 2, afterEpoch: 9 });
    expect(result.violations[1]).toEqual({ seq: 5, epoch: 7, afterSeq: 4, afterEpoch: 9 });
  });

  it("reports seqs out of order as a broken log", () => {
    const result = checkEpochs([write(2, 5), write(1, 5)]);
    expect(result.ok).toBe(false);
    expect(result.disorder).toBe(1);
  });
});

describe("figure (4): moments with two ACTIVE", () => {
  it("counts the rounds where two or more instances answered ACTIVE, and those with none", () => {
    const figure = countSplitBrain([
      { at: 0, states: ["ACTIVE", "PASSIVE", "PASSIVE"] },
      { at: 50, states: ["ACTIVE", "ACTIVE", "PASSIVE"] },
      { at: 100, states: ["UNREACHABLE", "BECOMING_ACTIVE", "PASSIVE"] },
      { at: 150, states: ["ACTIVE", "ACTIVE", "ACTIVE"] },
    ]);
    expect(figure).toMatchObject({ samples: 4, moments: 2, noActive: 1 });
    expect(figure.examples[0]).toEqual({
      at: new Date(50).toISOString(),
      states: ["ACTIVE", "ACTIVE", "PASSIVE"],
    });
  });
});

describe("figure (5): when writes were served again", () => {
  it("is the end of the last outage of a second or more", () => {
    expect(
      writeAvailability([900, 1100, 1200, 4200, 4300, 4400, 6000, 6100], 1000, 7000, 1000),
    ).toEqual({ longestGapMs: 3000, servedAt: 6000 });
  });

  it("is the first acknowledgement when writes were never interrupted that long", () => {
    expect(writeAvailability([1100, 1200, 1300, 1400], 1000, 1450, 1000)).toEqual({
      longestGapMs: 100,
      servedAt: 1100,
    });
  });

  it("is unknown when writes were still not served at the end of the window", () => {
    expect(writeAvailability([1100, 1200], 1000, 5000, 1000)).toEqual({
      longestGapMs: 3800,
      servedAt: null,
    });
  });

  it("a writer finds its first acknowledgement of a write sent after a moment", () => {
    const writer = new RestWriter({
      id: 0,
      urls: ["http://127.0.0.1:1"],
      authorization: "",
      intervalMs: 0,
      requestTimeoutMs: 1,
      logger: console,
    });
    [100, 200, 300].forEach((t, n) =>
      writer.acks.push({
        writer: 0,
        n,
        qualifiedName: `q${n}`,
        guid: null,
        startedAt: t - 5,
        ackedAt: t,
        url: "",
      }),
    );
    expect(writer.firstAckStartedAfter(150)?.n).toBe(1);
    expect(writer.firstAckStartedAfter(400)).toBeUndefined();
  });
});

describe("the server-log scan", () => {
  it("counts warnings and errors by event and singles out those that mean a bug", () => {
    const text = [
      '{"level":"info","event":"became_active"}',
      '{"level":"warn","event":"leadership_suspended","time":"t1"}',
      '{"level":"warn","event":"leadership_suspended","time":"t2"}',
      '{"level":"warn","event":"hook_consumer_listener_failed","time":"t3","error":"Cannot read properties of undefined"}',
      '{"level":"error","event":"http_unexpected_error","time":"t4","error":"boom"}',
      "a native line that is not JSON",
    ].join("\n");
    const figure = scanServerLogs([{ instance: "atlas-1", text }]);
    expect(figure.byEvent).toEqual({
      leadership_suspended: { level: "warn", count: 2 },
      hook_consumer_listener_failed: { level: "warn", count: 1 },
      http_unexpected_error: { level: "error", count: 1 },
    });
    expect(figure.suspiciousCount).toBe(2);
    expect(figure.suspicious[0]).toEqual({
      instance: "atlas-1",
      time: "t3",
      event: "hook_consumer_listener_failed",
      error: "Cannot read properties of undefined",
    });
  });
});
