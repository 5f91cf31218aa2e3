/** The human side of a ChaosReport: the per-fault table and the five figures. */
import { describeFault } from "./plan.js";
import type { ChaosReport } from "./run.js";

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(1)}s`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === rows[0]!.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ").trimEnd()).join("\n");
}

export function formatReport(report: ChaosReport): string {
  const { epochs, hooks, rest, splitBrain } = report.checks;
  const rows = [
    ["#", "fault", "target", "active before → after", "epoch", "recovery", "no writes", "no ACTIVE", "settled", "2×ACTIVE", "notes"],
    ...report.faults.map((f) => [
      String(f.index),
      describeFault(f.spec),
      f.target || "-",
      `${f.activeBefore ?? "-"} → ${f.activeAfter ?? "-"}`,
      f.epochAfter === null ? "-" : String(f.epochAfter),
      s(f.recoveryMs),
      s(f.writeOutageMs),
      s(f.noActiveMs),
      f.recovered ? s(f.settledMs) : "NO",
      String(f.splitBrainMoments),
      [...f.problems, ...(f.repaired.length ? [`repaired: ${f.repaired.join(", ")}`] : [])].join("; "),
    ]),
  ];
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  const failed = report.failedMessages.reduce((sum, f) => sum + f.lines, 0);
  const lines = [
    table(rows),
    "",
    `(1) writes monotone in epoch      ${verdict(epochs.ok)}  ${epochs.writes} writes in ${epochs.terms.length} terms, ${epochs.violationCount} violations${epochs.disorder ? `, ${epochs.disorder} out of seq order` : ""}`,
    `(2) hook messages exactly once    ${verdict(hooks.ok)}  ${hooks.published} published, ${hooks.topicRecords} records in the topic, ${hooks.unappliedRecords} not applied, ` +
      `${hooks.missing.length} missing, ${hooks.duplicated.length} duplicated, ${hooks.changed.length} not at version 0` +
      (failed ? `; ${failed} lines in failed-messages logs` : ""),
    `(3) acknowledged writes present   ${verdict(rest.ok)}  ${rest.acknowledged} acknowledged, ${rest.missingCount} missing, ${rest.wrongGuidCount} under another guid ` +
      `(${rest.unacknowledgedPresent} unacknowledged but present)`,
    `(4) moments with two ACTIVE       ${splitBrain.moments} of ${splitBrain.samples} samples (none ACTIVE in ${splitBrain.noActive})`,
    `(5) time to recovery              median ${s(report.recovery.medianMs)}, p90 ${s(report.recovery.p90Ms)}, max ${s(report.recovery.maxMs)} over ${report.recovery.count} faults`,
    `    server logs                    ${Object.values(report.serverLogs.byEvent).reduce((sum, e) => sum + e.count, 0)} warnings and errors; ` +
      `${report.serverLogs.suspiciousCount} pointing at a bug${report.serverLogs.suspiciousCount ? ` (${[...new Set(report.serverLogs.suspicious.map((e) => e.event))].join(", ")})` : ""}`,
    "",
    `seed ${report.seed}: ${report.passed ? "PASSED" : "FAILED"}${report.completed ? "" : ` (incomplete: ${report.abortedReason ?? "some fault needed a repair"})`} in ${s(report.durationMs)}` +
      (report.reportFile ? `; report ${report.reportFile}` : ""),
  ];
  return `${lines.join("\n")}\n`;
}
