// `atlas-status --top`: the frame's rendering, inspectGroup against real HTTP servers on 127.0.0.1, and the CLI loop.
import { afterEach, describe, expect, it } from "vitest";
import { main, parseCliArgs } from "../src/cli.js";
import { inspectGroup, type GroupView } from "../src/index.js";
import { age, renderTop, SCREEN } from "../src/top.js";
import { captureIO, refusedPort, serverPool } from "./helpers/servers.js";

const pool = serverPool();
afterEach(() => pool.closeAll());

const NOW = Date.parse("2026-12-03T12:00:00.000Z");

function health(overrides: Record<string, unknown>) {
  return {
    serverId: "id1",
    state: "PASSIVE",
    since: "2026-12-03T11:56:48.000Z",
    epoch: 7,
    zookeeper: "CONNECTED",
    activeAddress: null,
    hookConsumer: { state: "stopped", totalLag: 0, lag: [] },
    failovers: [],
    version: "0.1.0",
    ...overrides,
  };
}

const view: GroupView = {
  group: {
    verdict: "WARNING",
    exitCode: 1,
    problem: "DEGRADED",
    summary: "exactly one ACTIVE: http://a:21000; 1 PASSIVE, 1 UNREACHABLE (http://c:21002)",
    checkedAt: new Date(NOW).toISOString(),
    durationMs: 3.2,
    active: "http://a:21000",
    activeCount: 1,
  },
  members: [
    {
      url: "http://a:21000",
      state: "ACTIVE",
      responseTimeMs: 1.2,
      checkedAt: new Date(NOW).toISOString(),
      attempts: 1,
      httpStatus: 200,
      health: {
        serverId: "id1",
        state: "ACTIVE",
        since: "2026-12-03T11:56:48.000Z",
        epoch: 7,
        zookeeper: "CONNECTED",
        activeAddress: "http://a:21000",
        hookConsumer: {
          state: "running",
          totalLag: 5,
          lag: [
            { topic: "ATLAS_HOOK", partition: 0, lag: 2 },
            { topic: "ATLAS_HOOK", partition: 1, lag: 3 },
          ],
        },
        failovers: [],
        version: "0.1.0",
      },
    },
    {
      url: "http://b:21001",
      state: "PASSIVE",
      responseTimeMs: 1.0,
      checkedAt: new Date(NOW).toISOString(),
      attempts: 1,
      httpStatus: 200,
      health: null,
    },
    {
      url: "http://c:21002",
      state: "UNREACHABLE",
      responseTimeMs: 0.4,
      checkedAt: new Date(NOW).toISOString(),
      attempts: 1,
      problem: "CONNECTION_REFUSED",
      detail: "connection refused (ECONNREFUSED)",
      health: null,
    },
  ],
  failovers: [
    {
      at: "2026-12-03T11:56:48.000Z",
      epoch: 7,
      serverId: "id1",
      address: "http://a:21000",
      tookMs: 412,
      activationMs: 9,
      previousActive: "http://c:21002",
    },
  ],
};

describe("atlas-status --top frame", () => {
  it("shows the verdict, one row per instance with its state, age, epoch, ZooKeeper session and lag per partition, and the failovers", () => {
    const frame = renderTop(view, { now: NOW, intervalMs: 1000, columns: 200 });
    const lines = frame.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "atlas-status --top  2026-12-03T12:00:00.000Z  every 1000 ms  (Ctrl-C quits)",
    );
    expect(lines[1]).toBe(`ATLAS WARNING: ${view.group.summary}`);
    expect(lines[3]).toMatch(/^INSTANCE +ID +STATE +FOR +EPOCH +ZOOKEEPER +CONSUMER +LAG$/);
    expect(lines[4]!.split(/ {2,}/)).toEqual([
      "http://a:21000",
      "id1",
      "ACTIVE",
      "3m12s",
      "7",
      "CONNECTED",
      "running",
      "ATLAS_HOOK/0=2 ATLAS_HOOK/1=3",
    ]);
    // No health (Apache Atlas, or an older server): the state from the status probe, dashes for the rest.
    expect(lines[5]!.split(/ {2,}/)).toEqual([
      "http://b:21001",
      "-",
      "PASSIVE",
      "-",
      "-",
      "-",
      "-",
      "-",
    ]);
    // Unreachable: kept in the list, with why.
    expect(lines[6]!.split(/ {2,}/)).toEqual([
      "http://c:21002",
      "-",
      "UNREACHABLE",
      "-",
      "-",
      "-",
      "-",
      "connection refused (ECONNREFUSED)",
    ]);
    expect(lines[8]).toBe("Last failovers");
    expect(lines[9]).toMatch(/^AT +NEW ACTIVE +EPOCH +TOOK +ACTIVATION +PREVIOUS ACTIVE$/);
    expect(lines[10]!.split(/ {2,}/)).toEqual([
      "2026-12-03T11:56:48.000Z",
      "id1 http://a:21000",
      "7",
      "412 ms",
      "9 ms",
      "http://c:21002",
    ]);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });

  it("cuts every line to the terminal width and says when no failover is remembered", () => {
    const frame = renderTop({ ...view, failovers: [] }, { now: NOW, intervalMs: 500, columns: 50 });
    const lines = frame.trimEnd().split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(lines[1]).toBe("ATLAS WARNING: exactly one ACTIVE: http://a:21000…");
    expect(lines.at(-1)).toBe("  (none remembered by the instances that answered)");
  });

  it("writes ages as the largest two units", () => {
    expect([0, 45_900, 192_000, 7_500_000, 273_600_000].map(age)).toEqual([
      "0s",
      "45s",
      "3m12s",
      "2h05m",
      "3d04h",
    ]);
  });
});

describe("inspectGroup", () => {
  it("gives findActive's verdict, each member's health, and the failovers merged by epoch, newest first", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const b = await pool.start({ kind: "state", state: "PASSIVE" });
    const down = `http://127.0.0.1:${await refusedPort()}`;
    const older = {
      at: "2026-12-03T11:00:00.000Z",
      epoch: 6,
      serverId: "b",
      address: b.url,
      tookMs: 100,
      activationMs: 5,
      previousActive: null,
    };
    const newer = {
      ...older,
      at: "2026-12-03T11:30:00.000Z",
      epoch: 7,
      serverId: "a",
      address: a.url,
    };
    a.setHealth(health({ serverId: "a", state: "ACTIVE", failovers: [newer] }));
    // A failover two members report counts once (the epoch names the term); a malformed part is dropped.
    b.setHealth(health({ serverId: "b", failovers: [older, newer], hookConsumer: "bad" }));
    const result = await inspectGroup([a.url, b.url, down], { timeoutMs: 1000 });
    expect(result.group).toMatchObject({
      verdict: "WARNING",
      problem: "DEGRADED",
      active: a.url,
      activeCount: 1,
    });
    expect(result.members.map((m) => [m.url, m.state, m.health?.serverId ?? null])).toEqual([
      [a.url, "ACTIVE", "a"],
      [b.url, "PASSIVE", "b"],
      [down, "UNREACHABLE", null],
    ]);
    expect(result.members[1]!.health!.hookConsumer).toBeNull();
    expect(result.failovers.map((f) => f.epoch)).toEqual([7, 6]);
  });
});

describe("atlas-status --top (CLI)", () => {
  it("draws --count frames on the alternate screen, restores it, and exits with the last verdict", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const b = await pool.start({ kind: "state", state: "PASSIVE" });
    a.setHealth(health({ serverId: "a", state: "ACTIVE" }));
    const capture = captureIO();
    const code = await main(["--top", "--interval", "10", "--count", "2", a.url, b.url], {
      ...capture.io,
      columns: () => 100,
    });
    expect(code).toBe(0);
    const out = capture.stdout();
    expect(out.startsWith(SCREEN.enter)).toBe(true);
    expect(out.endsWith(SCREEN.leave)).toBe(true);
    const frames = out.split(SCREEN.frame).slice(1);
    expect(frames).toHaveLength(2);
    expect(frames[1]).toContain(`ATLAS OK: exactly one ACTIVE: ${a.url}; 1 PASSIVE`);
    expect(frames[1]).toMatch(new RegExp(`${a.url} +a +ACTIVE +\\d+`));
  });

  it("refuses --top with --watch, --json or --prometheus, and takes --interval and --count", () => {
    for (const other of ["--watch", "--json", "--prometheus"]) {
      const parsed = parseCliArgs(["--top", other, "http://a:1"]);
      expect(parsed).toMatchObject({ kind: "usage-error" });
      expect((parsed as { message: string }).message).toContain("--top");
    }
    expect(parseCliArgs(["--top", "-i", "250", "--count", "3", "http://a:1"])).toMatchObject({
      kind: "run",
      options: { top: true, intervalMs: 250, count: 3 },
    });
  });
});
