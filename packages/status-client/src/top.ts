import type { GroupView, MemberView } from "./inspect.js";

/** Terminal control for `--top`: the alternate screen (the shell's text comes back on exit), cursor hidden. */
export const SCREEN = {
  enter: "\x1b[?1049h\x1b[?25l",
  frame: "\x1b[H\x1b[2J",
  leave: "\x1b[?25h\x1b[?1049l",
} as const;

export interface TopFrameOptions {
  /** Wall clock in epoch ms: the header's time and each "since" age are relative to it. */
  now: number;
  /** Terminal width; lines are cut to it (default 120). */
  columns?: number;
  intervalMs: number;
}

/**
 * One frame of `atlas-status --top`: a header, the verdict line, one row per instance (state,
 * how long in it, epoch, ZooKeeper session, hook consumer and its lag per partition), then the
 * last failovers with how long each took. Plain text; the caller clears the screen.
 */
export function renderTop(view: GroupView, options: TopFrameOptions): string {
  const columns = Math.max(40, options.columns ?? 120);
  const lines: string[] = [
    `atlas-status --top  ${new Date(options.now).toISOString()}  every ${options.intervalMs} ms  (Ctrl-C quits)`,
    `ATLAS ${view.group.verdict}: ${view.group.summary}`,
    "",
    ...table(
      ["INSTANCE", "ID", "STATE", "FOR", "EPOCH", "ZOOKEEPER", "CONSUMER", "LAG"],
      view.members.map((m) => memberRow(m, options.now)),
    ),
    "",
    "Last failovers",
  ];
  if (view.failovers.length === 0) lines.push("  (none remembered by the instances that answered)");
  else
    lines.push(
      ...table(
        ["AT", "NEW ACTIVE", "EPOCH", "TOOK", "ACTIVATION", "PREVIOUS ACTIVE"],
        view.failovers.map((f) => [
          f.at,
          `${f.serverId} ${f.address}`,
          dash(f.epoch),
          f.tookMs === null ? "-" : `${f.tookMs} ms`,
          f.activationMs === null ? "-" : `${f.activationMs} ms`,
          f.previousActive ?? "-",
        ]),
      ),
    );
  return `${lines.map((line) => cut(line, columns)).join("\n")}\n`;
}

function memberRow(m: MemberView, now: number): string[] {
  const h = m.health;
  const reachable = m.state !== "UNREACHABLE" && m.state !== "INVALID";
  const consumer = h?.hookConsumer ?? null;
  const since = h?.since ? Date.parse(h.since) : Number.NaN;
  return [
    m.url,
    h?.serverId ?? "-",
    m.state,
    reachable && Number.isFinite(since) ? age(now - since) : "-",
    dash(h?.epoch ?? null),
    h?.zookeeper ?? "-",
    consumer?.state ?? "-",
    reachable
      ? consumer && consumer.lag.length > 0
        ? consumer.lag.map((l) => `${l.topic}/${l.partition}=${l.lag}`).join(" ")
        : "-"
      : (m.detail ?? m.state),
  ];
}

/** Columns padded to the widest cell; the last column is not padded. */
function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((r) => (r[col] ?? "").length)));
  return all.map((r) =>
    r
      .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** `45s`, `3m12s`, `2h05m`, `3d04h`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

function dash(value: number | null): string {
  return value === null ? "-" : String(value);
}

function cut(line: string, columns: number): string {
  return line.length > columns ? `${line.slice(0, columns - 1)}…` : line;
}
