/**
 * The report of a run: its shape (what the JSON file holds) and its human side, the per-fault
 * table, one line per verdict, and the figures.
 */
import type { StoreCrossCheck } from "./audit.js";
import type {
  CounterCheck,
  DeposalCheck,
  EpochCheck,
  HookCheck,
  RestCheck,
  SamplerCheck,
  ServerLogFigure,
  SplitBrainFigure,
  TermCheck,
} from "./check.js";
import type { InjectedFault } from "./faults.js";
import { describeFault, type FaultKind, type FaultSpec } from "./plan.js";
import type { StaleWriteCheck } from "./stale.js";
import type { Minimums, Verdict } from "./verdict.js";

export interface FaultOutcome extends InjectedFault {
  index: number;
  kind: FaultKind;
  spec: FaultSpec;
  /** The group was whole again (one ACTIVE, writes and hook messages served) before the deadline, without repair. */
  recovered: boolean;
  /**
   * (5) Injection → an instance ACTIVE and serving writes again, ms: the acknowledgement that
   * ended the last stretch of ≥ 1 s without one; for a fault that never interrupted writes
   * that long, the first acknowledgement after the injection.
   */
  recoveryMs: number | null;
  /** The longest stretch without an acknowledged write, ms. */
  writeOutageMs: number;
  /** Heal → the group whole again, ms. */
  settledMs: number | null;
  /** The store's highest epoch just before the injection: the active's term then. */
  epochBefore: number | null;
  /** Epoch ms the group was whole again (null: never, even after a repair). */
  settledAt: number | null;
  /** Longest stretch of samples with no ACTIVE instance between injection and recovery, ms. */
  noActiveMs: number;
  /** Sampled moments with two ACTIVE instances between injection and recovery. */
  splitBrainMoments: number;
  activeAfter: string | null;
  epochAfter: number | null;
  /** What the repair did, when the group did not come back by itself. */
  repaired: string[];
}

export interface ChaosReport {
  version: 1;
  seed: string;
  passed: boolean;
  /** Every planned fault ran and the group recovered from each without repair. */
  completed: boolean;
  abortedReason: string | null;
  startedAt: string;
  durationMs: number;
  settings: {
    faults: number;
    sessionTimeoutMs: number;
    backend: "sqlite" | "postgres";
    kinds: FaultKind[];
    hookRatePerSec: number;
    hookPartitions: number;
    writers: number;
    writeIntervalMs: number;
    sampleIntervalMs: number;
  };
  stateDir: string;
  faults: FaultOutcome[];
  checks: {
    epochs: EpochCheck;
    terms: TermCheck;
    staleWrites: StaleWriteCheck;
    /** Stale writes the instances themselves had refused (`store_write_fenced` in their logs): deposed actives still trying. */
    deposedRefused: number;
    store: StoreCrossCheck;
    hooks: HookCheck;
    counters: CounterCheck;
    rest: RestCheck;
    deposals: DeposalCheck;
    sampler: SamplerCheck;
    splitBrain: SplitBrainFigure;
  };
  minimums: Minimums;
  /** Every check the CLI prints, with its verdict; `passed` is all of them. */
  verdicts: Verdict[];
  recovery: { count: number; medianMs: number | null; p90Ms: number | null; maxMs: number | null };
  workload: {
    hookMessages: number;
    hookSendFailures: number;
    restWrites: number;
    restFailedAttempts: number;
    /** Answers other than 200, 307 and 503 (and network errors) to REST writes: count, and the first 20. */
    restUnexpectedCount: number;
    restUnexpected: { writer: number; n: number; at: string; status: number; body: string }[];
  };
  /** Lines of the instances' failed-messages logs (hook messages given up on). */
  failedMessages: { instance: string; lines: number; examples: string[] }[];
  /** Warnings and errors the instances logged, and those that point at a bug. */
  serverLogs: ServerLogFigure;
  reportFile: string | null;
}

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
