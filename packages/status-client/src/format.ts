import type { GroupStatus } from "./group.js";
import type { InstanceStatus } from "./probe.js";
import { PROBE_STATES } from "./states.js";
import type { WatchEvent } from "./watch.js";

/** `ATLAS OK: exactly one ACTIVE: http://a:21000; 1 PASSIVE`: the monitoring status line. */
export function verdictLine(group: GroupStatus): string {
  return `ATLAS ${group.verdict}: ${group.summary}`;
}

/** One line per instance (url, state, response time, what was wrong), then the verdict. */
export function formatTable(group: GroupStatus): string {
  const rows = group.instances.map(
    (i) => [i.url, i.state, `${i.responseTimeMs.toFixed(1)} ms`, detail(i)] as const,
  );
  const width = (col: 0 | 1 | 2): number => Math.max(...rows.map((r) => r[col].length));
  const [urlWidth, stateWidth, timeWidth] = [width(0), width(1), width(2)];
  const lines = rows.map(
    ([url, state, time, extra]) =>
      `${url.padEnd(urlWidth)}  ${state.padEnd(stateWidth)}  ${time.padStart(timeWidth)}${extra ? `  ${extra}` : ""}`,
  );
  return `${[...lines, verdictLine(group)].join("\n")}\n`;
}

function detail(instance: InstanceStatus): string {
  const parts: string[] = [];
  if (instance.detail !== undefined) parts.push(instance.detail);
  // A transitional state read from a 503 answer: say so, it explains the status code seen by others.
  if (
    instance.detail === undefined &&
    instance.httpStatus !== undefined &&
    instance.httpStatus !== 200
  ) {
    parts.push(`HTTP ${instance.httpStatus}`);
  }
  if (instance.attempts > 1) parts.push(`after ${instance.attempts} attempts`);
  return parts.join("; ");
}

/** The machine-readable form of a check: the GroupStatus without the duplicated `actives`. */
export function formatJson(group: GroupStatus): string {
  const { verdict, exitCode, problem, summary, active, instances, checkedAt, durationMs } = group;
  return `${JSON.stringify(
    {
      verdict,
      exitCode,
      problem,
      summary,
      active: active?.url ?? null,
      activeCount: group.actives.length,
      checkedAt,
      durationMs,
      instances,
    },
    null,
    2,
  )}\n`;
}

/**
 * Prometheus text exposition: one 0/1 gauge per instance and state (a "state set", so
 * `atlas_instance_state{state="ACTIVE"} == 1` selects the active), the response time, and
 * the number of ACTIVE instances (1 is healthy; 0 is no active, 2+ is split brain).
 */
export function formatPrometheus(group: GroupStatus): string {
  const out: string[] = [
    "# HELP atlas_instance_state State of each Atlas instance as probed on /api/atlas/admin/status (1 for its current state).",
    "# TYPE atlas_instance_state gauge",
  ];
  for (const instance of group.instances) {
    for (const state of PROBE_STATES) {
      out.push(
        `atlas_instance_state{url="${label(instance.url)}",state="${state}"} ${instance.state === state ? 1 : 0}`,
      );
    }
  }
  out.push(
    "# HELP atlas_instance_response_time_seconds Duration of the last status request to each instance.",
    "# TYPE atlas_instance_response_time_seconds gauge",
    ...group.instances.map(
      (i) =>
        `atlas_instance_response_time_seconds{url="${label(i.url)}"} ${Number((i.responseTimeMs / 1000).toFixed(4))}`,
    ),
    "# HELP atlas_active_instances Number of instances answering ACTIVE (1 is healthy, 0 no active, more is split brain).",
    "# TYPE atlas_active_instances gauge",
    `atlas_active_instances ${group.actives.length}`,
    "# HELP atlas_status_check_verdict Verdict of the check as a monitoring-plugin code (0 OK, 1 WARNING, 2 CRITICAL).",
    "# TYPE atlas_status_check_verdict gauge",
    `atlas_status_check_verdict ${group.exitCode}`,
  );
  return `${out.join("\n")}\n`;
}

/** Label values escape backslash, double quote and newline (Prometheus text format 0.0.4). */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `--watch` lines: `<ISO time> <url> <from> -> <to> …` and `<ISO time> verdict <from> -> <to>: …`. */
export function formatTransition(event: WatchEvent): string {
  if (event.kind === "instance") {
    const extra = detail(event.instance);
    return `${event.at} ${event.url} ${event.from ?? "(start)"} -> ${event.to} (${event.instance.responseTimeMs.toFixed(1)} ms)${extra ? ` ${extra}` : ""}\n`;
  }
  return `${event.at} verdict ${event.from ?? "(start)"} -> ${event.to}: ${event.summary}\n`;
}

/** `--watch --json`: one JSON object per line. */
export function formatTransitionJson(event: WatchEvent): string {
  if (event.kind === "instance") {
    const { kind, at, url, from, to, instance } = event;
    return `${JSON.stringify({ kind, at, url, from, to, instance })}\n`;
  }
  const { kind, at, from, to, problem, activeUrl, summary } = event;
  return `${JSON.stringify({ kind, at, from, to, problem, active: activeUrl ?? null, summary, exitCode: event.group.exitCode })}\n`;
}
