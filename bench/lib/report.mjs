// One row per figure: the measured samples, the baseline measured in the same run, their
// ratio, and the target. The table is printed; everything (raw samples included)
// goes to bench/results.json.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { round, summarize } from "./stats.mjs";

/**
 * A figure. `samples` are one per round (ms, req/s, MB …); `baseline` likewise; `target`
 * is `{ text, check(stat) → boolean }` or undefined when the issue sets none.
 */
export function figure({
  scenario,
  name,
  unit,
  samples,
  baseline,
  baselineName,
  target,
  better = "lower",
  note,
}) {
  const stat = summarize(samples);
  const base = baseline && baseline.length > 0 ? summarize(baseline) : undefined;
  return {
    scenario,
    name,
    unit,
    better,
    stat: roundStat(stat, unit),
    samples: samples.map((v) => round(v, digits(unit))),
    ...(base
      ? {
          baselineName,
          baseline: roundStat(base, unit),
          baselineSamples: baseline.map((v) => round(v, digits(unit))),
        }
      : {}),
    // Ratio of medians, measured / baseline: for throughput, > 1 is faster than the baseline.
    ...(base && base.p50 ? { ratio: round(stat.p50 / base.p50, 2) } : {}),
    ...(target ? { target: target.text, met: stat.n > 0 && target.check(stat) } : {}),
    ...(note ? { note } : {}),
  };
}

function digits(unit) {
  return unit === "ms" || unit === "MB" ? 1 : 0;
}

function roundStat(stat, unit) {
  const d = digits(unit);
  return {
    n: stat.n,
    min: round(stat.min, d),
    p50: round(stat.p50, d),
    p99: round(stat.p99, d),
    max: round(stat.max, d),
  };
}

const fmt = (v) => (v === null || v === undefined ? "–" : String(v));

/** The table of every figure, grouped by scenario. */
export function printTable(figures, out = process.stdout) {
  const header = [
    "scenario",
    "figure",
    "unit",
    "n",
    "min",
    "median",
    "p99",
    "max",
    "baseline (median)",
    "ratio",
    "target",
    "met",
  ];
  const rows = figures.map((f) => [
    f.scenario,
    f.name,
    f.unit,
    fmt(f.stat.n),
    fmt(f.stat.min),
    fmt(f.stat.p50),
    fmt(f.stat.p99),
    fmt(f.stat.max),
    f.baseline ? `${f.baseline.p50} ${f.baselineName}` : "–",
    fmt(f.ratio),
    f.target ?? "–",
    f.target === undefined ? "" : f.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  out.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}

export function writeResults(file, { figures, settings, startedAt, errors }) {
  const cpus = os.cpus();
  const doc = {
    date: new Date().toISOString(),
    tookSeconds: Math.round((Date.now() - startedAt) / 1000),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      loadavg: os.loadavg().map((l) => round(l, 2)),
    },
    settings,
    figures,
    errors,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
