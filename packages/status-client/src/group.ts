import { performance } from "node:perf_hooks";
import { StatusInputError } from "./errors.js";
import { resolveProbeOptions, type ProbeOptions } from "./options.js";
import { probeInstance, startDeadline, type InstanceStatus } from "./probe.js";
import { PROBE_STATES, isTransitional, type ProbeState } from "./states.js";
import { normalizeBaseUrl } from "./url.js";

/** Monitoring-plugin levels; UNKNOWN (3) is the CLI's, for bad arguments. */
export type Verdict = "OK" | "WARNING" | "CRITICAL";

/**
 * - `NONE`: exactly one ACTIVE, every other instance PASSIVE.
 * - `DEGRADED`: exactly one ACTIVE, but some instance is unreachable, invalid or transitional.
 * - `NO_ACTIVE`: no instance is ACTIVE.
 * - `SPLIT_BRAIN`: more than one instance says it is ACTIVE.
 */
export type GroupProblem = "NONE" | "DEGRADED" | "NO_ACTIVE" | "SPLIT_BRAIN";

export interface GroupStatus {
  verdict: Verdict;
  /** 0 OK, 1 WARNING, 2 CRITICAL: what `atlas-status` exits with. */
  exitCode: 0 | 1 | 2;
  problem: GroupProblem;
  /** One line for a human, e.g. `exactly one ACTIVE: http://a:21000; 1 PASSIVE`. */
  summary: string;
  /** The active instance, when exactly one is ACTIVE. */
  active: InstanceStatus | undefined;
  /** Every instance that answered ACTIVE (two or more is split brain). */
  actives: InstanceStatus[];
  /** One entry per distinct URL, in the order given. */
  instances: InstanceStatus[];
  /** When the check started (ISO 8601). */
  checkedAt: string;
  durationMs: number;
}

/**
 * Probes every URL in parallel (each with the per-request timeout, all under one overall
 * deadline) and says which instance is active, or that none or more than one is.
 * Duplicate URLs are probed once, since counting one ACTIVE twice would look like split brain.
 */
export async function findActive(
  urls: readonly string[],
  options: ProbeOptions = {},
): Promise<GroupStatus> {
  const opts = resolveProbeOptions(options);
  const bases = [...new Set(urls.map(normalizeBaseUrl))];
  if (bases.length === 0) {
    throw new StatusInputError(
      "STATUS_NO_URLS",
      "No instance URL given; pass the base URL of every instance of the group.",
    );
  }
  const checkedAt = new Date(opts.now()).toISOString();
  const started = performance.now();
  const deadline = startDeadline(opts);
  try {
    const instances = await Promise.all(bases.map((base) => probeInstance(base, opts, deadline)));
    return judge(instances, checkedAt, Math.round((performance.now() - started) * 10) / 10);
  } finally {
    deadline.dispose();
  }
}

/** The verdict for a set of probe results (docs/contracts/status-client.md exit codes). */
export function judge(
  instances: InstanceStatus[],
  checkedAt: string,
  durationMs: number,
): GroupStatus {
  const actives = instances.filter((i) => i.state === "ACTIVE");
  const others = instances.filter((i) => i.state !== "ACTIVE");
  const unhealthy = others.filter((i) => i.state !== "PASSIVE");
  const base = { actives, instances, checkedAt, durationMs };

  if (actives.length > 1) {
    const rest = counts(others);
    return {
      ...base,
      verdict: "CRITICAL",
      exitCode: 2,
      problem: "SPLIT_BRAIN",
      active: undefined,
      summary: `split brain: ${actives.length} instances ACTIVE (${actives.map((a) => a.url).join(", ")})${rest ? `; ${rest}` : ""}`,
    };
  }
  const [active] = actives;
  if (active === undefined) {
    return {
      ...base,
      verdict: "CRITICAL",
      exitCode: 2,
      problem: "NO_ACTIVE",
      active: undefined,
      summary: `no ACTIVE instance; ${counts(others)}`,
    };
  }
  const rest = counts(others);
  const summary = `exactly one ACTIVE: ${active.url}${rest ? `; ${rest}` : ""}`;
  if (unhealthy.length > 0) {
    return { ...base, verdict: "WARNING", exitCode: 1, problem: "DEGRADED", active, summary };
  }
  return { ...base, verdict: "OK", exitCode: 0, problem: "NONE", active, summary };
}

/** `2 PASSIVE, 1 UNREACHABLE (http://c:21002)`: URLs named for every state that needs attention. */
function counts(instances: InstanceStatus[]): string {
  const parts: string[] = [];
  for (const state of PROBE_STATES) {
    const inState = instances.filter((i) => i.state === state);
    if (inState.length === 0) continue;
    const named = needsAttention(state) ? ` (${inState.map((i) => i.url).join(", ")})` : "";
    parts.push(`${inState.length} ${state}${named}`);
  }
  return parts.join(", ");
}

function needsAttention(state: ProbeState): boolean {
  return state === "UNREACHABLE" || state === "INVALID" || isTransitional(state);
}
