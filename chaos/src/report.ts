/** The human side of a ChaosReport: the per-fault table, one line per verdict, and the figures. */
import { describeFault } from "./plan.js";
import type { ChaosReport } from "./run.js";

const s = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(1)}s`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === rows[0]!.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatReport(report: ChaosReport): string {
  const { splitBrain } = report.checks;
  const rows = [
    [
      "#",
      "fault",
      "target",
      "active before → after",
      "epoch before → after",
      "recovery",
      "no writes",
      "no ACTIVE",
      "settled",
      "2×ACTIVE",
      "notes",
    ],
    ...report.faults.map((f) => [
      String(f.index),
      describeFault(f.spec),
      f.target || "-",
      `${f.activeBefore ?? "-"} → ${f.activeAfter ?? "-"}`,
      `${f.epochBefore ?? "-"} → ${f.epochAfter ?? "-"}`,
      s(f.recoveryMs),
      s(f.writeOutageMs),
      s(f.noActiveMs),
      f.recovered ? s(f.settledMs) : "NO",
      String(f.splitBrainMoments),
      [...f.problems, ...(f.repaired.length ? [`repaired: ${f.repaired.join(", ")}`] : [])].join(
        "; ",
      ),
    ]),
  ];
  const width = Math.max(...report.verdicts.map((v) => v.label.length));
  const lines = [
    table(rows),
    "",
    ...report.verdicts.map(
      (v) => `${v.label.padEnd(width)}  ${v.ok ? "PASS" : "FAIL"}  ${v.detail}`,
    ),
    `${"(4) moments with two ACTIVE".padEnd(width)}  ${splitBrain.moments} of ${splitBrain.samples} samples (none ACTIVE in ${splitBrain.noActive})`,
    `${"    samples by instance".padEnd(width)}  ` +
      report.checks.sampler.instances
        .map(
          (i) =>
            `${i.name} ${i.active} ACTIVE, ${i.passive} PASSIVE, ${i.other} other, ${i.unreachable} UNREACHABLE (${i.calmUnreachable} of ${i.calmSamples} outside faults)`,
        )
        .join("; "),
    `${"(5) time to recovery".padEnd(width)}  median ${s(report.recovery.medianMs)}, p90 ${s(report.recovery.p90Ms)}, max ${s(report.recovery.maxMs)} over ${report.recovery.count} faults`,
    `${"    server logs".padEnd(width)}  ${Object.values(report.serverLogs.byEvent).reduce((sum, e) => sum + e.count, 0)} warnings and errors`,
    "",
    `seed ${report.seed}: ${report.passed ? "PASSED" : "FAILED"}${report.completed ? "" : ` (incomplete: ${report.abortedReason ?? "some fault needed a repair"})`} in ${s(report.durationMs)}` +
      (report.reportFile ? `; report ${report.reportFile}` : ""),
  ];
  return `${lines.join("\n")}\n`;
}
