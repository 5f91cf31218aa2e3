// (4) Moments with two ACTIVE instances, and the sampler's coverage that makes them mean something.
import type { Sample } from "../sampler.js";
import { EXAMPLES } from "./common.js";

/**
 * Outside fault windows every instance runs and answers its status endpoint in milliseconds;
 * the sampler waits 250 ms. More than this share of UNREACHABLE answers there means the
 * sampler (or the machine) cannot see the group, and (4) would count moments it did not see.
 * Measured on a loaded 2-core machine: see the README.
 */
export const CALM_UNREACHABLE_BOUND = 0.02;

export interface SplitBrainFigure {
  samples: number;
  /** Rounds in which two or more instances answered ACTIVE. */
  moments: number;
  examples: { at: string; states: string[] }[];
  /** Rounds in which no instance answered ACTIVE. */
  noActive: number;
}

/** (4) */
export function countSplitBrain(samples: readonly Sample[]): SplitBrainFigure {
  let moments = 0;
  let noActive = 0;
  const examples: SplitBrainFigure["examples"] = [];
  for (const s of samples) {
    const active = s.states.filter((state) => state === "ACTIVE").length;
    if (active === 0) noActive++;
    if (active >= 2) {
      moments++;
      if (examples.length < EXAMPLES)
        examples.push({ at: new Date(s.at).toISOString(), states: [...s.states] });
    }
  }
  return { samples: samples.length, moments, examples, noActive };
}

export interface SamplerInstanceFigure {
  name: string;
  samples: number;
  active: number;
  passive: number;
  /** BECOMING_ACTIVE, BECOMING_PASSIVE, … */
  other: number;
  unreachable: number;
  /** Samples outside every fault window (and after the warm-up), and how many of those were UNREACHABLE. */
  calmSamples: number;
  calmUnreachable: number;
}

export interface SamplerCheck {
  ok: boolean;
  instances: SamplerInstanceFigure[];
  /** Instances the sampler saw ACTIVE at least once. */
  seenActive: string[];
  /** Instances the runner itself found ACTIVE (before or after a fault), through its own status reads. */
  runnerSawActive: string[];
  /** Found ACTIVE by the runner, never by the sampler: the sampler missed answers. */
  missedActive: string[];
  /** Not every instance was active during the run (by either view): the run was too short to cover them all. */
  tooShort: boolean;
  calmSamples: number;
  calmUnreachable: number;
  calmUnreachableShare: number | null;
  /** Fails above this share of UNREACHABLE outside fault windows. */
  bound: number;
}

/**
 * The sampler's coverage, without which (4) means nothing: every instance the runner found
 * ACTIVE must have been seen ACTIVE by the sampler too (an instance that was never active by
 * either view only makes the run too short — said, not failed), and outside the fault
 * windows — every process running, the group whole — at most `bound` of the answers may be
 * UNREACHABLE. `windows` are the faults' [injection, group whole again]; samples before
 * `calmFrom` (the warm-up) are not calm either.
 */
export function checkSampler(
  samples: readonly Sample[],
  names: readonly string[],
  windows: readonly { from: number; to: number }[],
  runnerSawActive: readonly string[],
  options: { calmFrom: number; bound: number },
): SamplerCheck {
  const instances: SamplerInstanceFigure[] = names.map((name) => ({
    name,
    samples: 0,
    active: 0,
    passive: 0,
    other: 0,
    unreachable: 0,
    calmSamples: 0,
    calmUnreachable: 0,
  }));
  for (const s of samples) {
    const calm = s.at >= options.calmFrom && !windows.some((w) => s.at >= w.from && s.at <= w.to);
    s.states.forEach((state, i) => {
      const figure = instances[i];
      if (!figure) return;
      figure.samples++;
      if (state === "ACTIVE") figure.active++;
      else if (state === "PASSIVE") figure.passive++;
      else if (state === "UNREACHABLE") figure.unreachable++;
      else figure.other++;
      if (calm) {
        figure.calmSamples++;
        if (state === "UNREACHABLE") figure.calmUnreachable++;
      }
    });
  }
  const seenActive = instances.filter((i) => i.active > 0).map((i) => i.name);
  const runner = names.filter((n) => runnerSawActive.includes(n));
  const missedActive = runner.filter((n) => !seenActive.includes(n));
  const calmSamples = instances.reduce((sum, i) => sum + i.calmSamples, 0);
  const calmUnreachable = instances.reduce((sum, i) => sum + i.calmUnreachable, 0);
  const calmUnreachableShare = calmSamples === 0 ? null : calmUnreachable / calmSamples;
  return {
    ok:
      missedActive.length === 0 &&
      calmUnreachableShare !== null &&
      calmUnreachableShare <= options.bound,
    instances,
    seenActive,
    runnerSawActive: runner,
    missedActive,
    tooShort: names.some((n) => !seenActive.includes(n) && !runner.includes(n)),
    calmSamples,
    calmUnreachable,
    calmUnreachableShare,
    bound: options.bound,
  };
}

/** Longest run of consecutive samples in which nobody answered ACTIVE, ms. */
export function longestNoActive(samples: readonly Sample[], intervalMs: number): number {
  let longest = 0;
  let start: number | null = null;
  let last = 0;
  for (const s of samples) {
    if (!s.states.includes("ACTIVE")) {
      start ??= s.at;
      last = s.at;
      longest = Math.max(longest, last - start + intervalMs);
    } else {
      start = null;
    }
  }
  return longest;
}
