/**
 * The CI chaos run: real ZooKeeper (3 nodes), Kafka and three atlas-server processes
 * (SQLite store) from the local-cluster launcher, fifteen seeded faults — one of each
 * kind — under a steady hook stream and a REST writer, then the checker.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FAULT_KINDS, formatReport, runChaos, type ChaosReport } from "../src/index.js";

const home = mkdtempSync(join(tmpdir(), "atlas-ha-chaos-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("a seeded chaos run of fifteen faults (one of each kind)", () => {
  let report: ChaosReport;

  it("keeps the promises: epochs monotone, every hook message applied exactly once, every acknowledged write kept", async () => {
    const lines: string[] = [];
    report = await runChaos({
      faults: 15,
      seed: "ci",
      reportFile: join(home, "report.json"),
      progress: (l) => lines.push(l),
    });
    const text = formatReport(report);
    process.stdout.write(`${lines.join("\n")}\n${text}`);
    expect(report.checks.epochs).toMatchObject({ ok: true, violationCount: 0 });
    expect(report.checks.epochs.writes).toBeGreaterThan(0);
    expect(report.checks.hooks).toMatchObject({
      ok: true,
      unappliedRecords: 0,
      missing: [],
      duplicated: [],
      changed: [],
    });
    expect(report.checks.hooks.acknowledged).toBeGreaterThan(0);
    expect(report.checks.rest).toMatchObject({ ok: true, missingCount: 0, wrongGuid: [] });
    expect(report.checks.rest.acknowledged).toBeGreaterThan(0);
    // The fence was exercised: stale-epoch writes went in during the run and every one was refused.
    expect(report.checks.staleWrites).toMatchObject({ ok: true, accepted: 0, errors: 0 });
    expect(report.checks.staleWrites.refused).toBeGreaterThanOrEqual(10);
    expect(report.checks.store.problems).toEqual([]);
    expect(report.checks.counters).toMatchObject({ ok: true, problems: [] });
    expect(report.checks.counters.updates).toBeGreaterThan(0);
    expect(report.checks.terms).toMatchObject({ ok: true, failoversWithoutNewTerm: [] });
    expect(report.checks.deposals).toMatchObject({ ok: true, notDeposed: [] });
    expect(report.checks.sampler.missedActive).toEqual([]);
    expect(report.workload.restUnexpectedCount).toBe(0);
    // No listener threw, no request failed unexpectedly, no step failed in any instance.
    expect(report.serverLogs.suspicious).toEqual([]);
    // passed is every printed verdict.
    expect(report.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(report.passed).toBe(true);
  }, 600_000);

  it("injected one fault of each kind and recovered from every one without a repair", () => {
    expect(report.faults.map((f) => f.kind).sort()).toEqual([...FAULT_KINDS].sort());
    for (const fault of report.faults) {
      expect(fault.problems, `fault ${fault.index} ${fault.kind}`).toEqual([]);
      expect(fault.recovered, `fault ${fault.index} ${fault.kind}`).toBe(true);
      expect(fault.recoveryMs, `fault ${fault.index} ${fault.kind}`).not.toBeNull();
    }
    expect(report.completed).toBe(true);
    // A failover, with a new term, happened where the active was taken away.
    for (const fault of report.faults.filter(
      (f) => f.kind === "kill-active" || f.kind === "term-active",
    )) {
      expect(fault.activeAfter).not.toBe(fault.activeBefore);
      expect(fault.epochAfter!).toBeGreaterThan(fault.epochBefore!);
    }
    expect(report.checks.terms.terms).toBeGreaterThanOrEqual(1 + report.checks.terms.failovers);
  });

  it("writes the JSON report with the verdicts and the figures (1)–(5)", () => {
    const saved = JSON.parse(readFileSync(join(home, "report.json"), "utf8")) as ChaosReport;
    expect(saved.seed).toBe("ci");
    expect(saved.passed).toBe(true);
    expect(saved.checks.splitBrain.samples).toBeGreaterThan(100);
    expect(typeof saved.checks.splitBrain.moments).toBe("number");
    expect(saved.faults).toHaveLength(15);
    expect(saved.recovery.count).toBe(15);
    expect(saved.verdicts.map((v) => v.ok)).toEqual(saved.verdicts.map(() => true));
    expect(saved.minimums.ok).toBe(true);
  });
});
