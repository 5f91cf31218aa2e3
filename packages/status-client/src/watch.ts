import { performance } from "node:perf_hooks";
import { StatusInputError } from "./errors.js";
import { findActive, type GroupProblem, type GroupStatus, type Verdict } from "./group.js";
import type { ProbeOptions } from "./options.js";
import type { InstanceStatus } from "./probe.js";
import { sleep } from "./probe.js";
import type { ProbeState } from "./states.js";

export interface WatchOptions extends ProbeOptions {
  /** Time from the start of one round of probes to the start of the next. Default 1000. */
  intervalMs?: number;
  /** Stop after this many rounds (default: until `signal` aborts or the loop breaks). */
  maxRounds?: number;
}

/** An instance changed state (`from` is null the first time it is seen). */
export interface InstanceTransition {
  kind: "instance";
  /** When the probe that saw the new state ended (ISO 8601). */
  at: string;
  url: string;
  from: ProbeState | null;
  to: ProbeState;
  instance: InstanceStatus;
  group: GroupStatus;
}

/** The group's verdict, problem or active instance changed (`from` is null on the first round). */
export interface VerdictTransition {
  kind: "verdict";
  at: string;
  from: Verdict | null;
  to: Verdict;
  problem: GroupProblem;
  /** URL of the single active instance, if there is one. */
  activeUrl: string | undefined;
  summary: string;
  group: GroupStatus;
}

export type WatchEvent = InstanceTransition | VerdictTransition;

export const DEFAULT_WATCH_INTERVAL_MS = 1000;

/**
 * Polls the group every interval and yields each change: first the initial state of every
 * instance and the initial verdict, then only transitions. Ends quietly when `signal` aborts,
 * after `maxRounds`, or when the consumer breaks out of its `for await`.
 */
export async function* watch(
  urls: readonly string[],
  intervalOrOptions: number | WatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  const options: WatchOptions =
    typeof intervalOrOptions === "number" ? { intervalMs: intervalOrOptions } : intervalOrOptions;
  const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new StatusInputError(
      "STATUS_BAD_OPTION",
      `intervalMs must be a positive number of milliseconds, got ${intervalMs}.`,
    );
  }
  const maxRounds = options.maxRounds ?? Number.POSITIVE_INFINITY;
  if (maxRounds !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxRounds) || maxRounds < 1)) {
    throw new StatusInputError(
      "STATUS_BAD_OPTION",
      `maxRounds must be a whole number ≥ 1, got ${maxRounds}.`,
    );
  }
  const signal = options.signal ?? new AbortController().signal;

  const seen = new Map<string, ProbeState>();
  let lastVerdict:
    { verdict: Verdict; problem: GroupProblem; activeUrl: string | undefined } | undefined;

  for (let round = 0; round < maxRounds && !signal.aborted; round++) {
    const started = performance.now();
    let group: GroupStatus;
    try {
      group = await findActive(urls, options);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }

    for (const instance of group.instances) {
      const from = seen.get(instance.url) ?? null;
      if (from === instance.state) continue;
      seen.set(instance.url, instance.state);
      yield {
        kind: "instance",
        at: instance.checkedAt,
        url: instance.url,
        from,
        to: instance.state,
        instance,
        group,
      };
    }
    const activeUrl = group.active?.url;
    if (
      lastVerdict === undefined ||
      lastVerdict.verdict !== group.verdict ||
      lastVerdict.problem !== group.problem ||
      lastVerdict.activeUrl !== activeUrl
    ) {
      yield {
        kind: "verdict",
        at: new Date((options.now ?? Date.now)()).toISOString(),
        from: lastVerdict?.verdict ?? null,
        to: group.verdict,
        problem: group.problem,
        activeUrl,
        summary: group.summary,
        group,
      };
      lastVerdict = { verdict: group.verdict, problem: group.problem, activeUrl };
    }

    if (round + 1 < maxRounds)
      await sleep(Math.max(0, intervalMs - (performance.now() - started)), signal);
  }
}
