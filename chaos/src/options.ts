// The options of a chaos run: what each means, its default, and the check of a bad value.
import { ChaosOptionsError } from "./errors.js";
import { silentLogger, type Logger } from "./log.js";
import { FAULT_KINDS, type FaultKind } from "./plan.js";

export interface ChaosOptions {
  /** Faults to inject (at least 1: a run without faults proves nothing). Default 10. */
  faults?: number;
  /** Seed of the fault plan; the same seed gives the same sequence. Default "1". */
  seed?: string;
  /** The instances' ZooKeeper session timeout, ms. Default 4000. */
  sessionTimeoutMs?: number;
  /** The shared store. Default "sqlite". */
  backend?: "sqlite" | "postgres";
  /** Fault kinds to draw from. Default all. */
  kinds?: readonly FaultKind[];
  /** Hook messages per second. Default 20. */
  hookRatePerSec?: number;
  /** Partitions of the hook topic (one counter entity each). Default 2. */
  hookPartitions?: number;
  /** Period of the stale-epoch writes against the store, ms (besides one after each fault). Default 1000. */
  staleIntervalMs?: number;
  /** REST clients writing side by side. Default 2. */
  writers?: number;
  /** Pause between two acknowledged REST writes of one client, ms. Default 50. */
  writeIntervalMs?: number;
  /** Status sampling period, ms. Default 50. */
  sampleIntervalMs?: number;
  /** How long the group may take to be whole again after a heal before it is repaired, ms. Default 90 000. */
  settleTimeoutMs?: number;
  /** How long the last hook messages may take to be applied after the workload stops, ms. Default 120 000. */
  drainTimeoutMs?: number;
  /** Calm between a recovery and the next fault, ms. Default 1000. */
  quietMs?: number;
  /** Where the JSON report goes; default `.atlas-ha/chaos/report-<seed>.json` at the repo root; null: nowhere. */
  reportFile?: string | null;
  /** Keep the cluster's data and logs (always kept when a check fails). */
  keepLogs?: boolean;
  logger?: Logger;
  /** One line per step for a human (the CLI prints them). */
  progress?: (line: string) => void;
}

/** The options with every default filled in. */
export type ChaosSettings = Required<Omit<ChaosOptions, "reportFile" | "keepLogs">> & {
  kinds: FaultKind[];
};

/** Throws ChaosOptionsError naming the first bad option. */
export function resolveChaosOptions(o: ChaosOptions = {}): ChaosSettings {
  validate(o);
  return {
    faults: o.faults ?? 10,
    seed: o.seed ?? "1",
    sessionTimeoutMs: o.sessionTimeoutMs ?? 4000,
    backend: o.backend ?? "sqlite",
    kinds: [...(o.kinds ?? FAULT_KINDS)],
    hookRatePerSec: o.hookRatePerSec ?? 20,
    hookPartitions: o.hookPartitions ?? 2,
    staleIntervalMs: o.staleIntervalMs ?? 1000,
    writers: o.writers ?? 2,
    writeIntervalMs: o.writeIntervalMs ?? 50,
    sampleIntervalMs: o.sampleIntervalMs ?? 50,
    settleTimeoutMs: o.settleTimeoutMs ?? 90_000,
    drainTimeoutMs: o.drainTimeoutMs ?? 120_000,
    quietMs: o.quietMs ?? 1000,
    logger: o.logger ?? silentLogger,
    progress: o.progress ?? (() => undefined),
  };
}

function validate(o: ChaosOptions): void {
  const positiveInt = (name: string, value: number | undefined, min = 1) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new ChaosOptionsError(name, `must be a whole number ≥ ${min}, got ${String(value)}`);
    }
  };
  positiveInt("faults", o.faults, 1);
  positiveInt("hookPartitions", o.hookPartitions, 1);
  positiveInt("staleIntervalMs", o.staleIntervalMs, 50);
  positiveInt("sessionTimeoutMs", o.sessionTimeoutMs, 1000);
  positiveInt("writeIntervalMs", o.writeIntervalMs, 0);
  positiveInt("writers", o.writers, 1);
  positiveInt("sampleIntervalMs", o.sampleIntervalMs, 10);
  positiveInt("settleTimeoutMs", o.settleTimeoutMs, 1000);
  positiveInt("drainTimeoutMs", o.drainTimeoutMs, 1000);
  positiveInt("quietMs", o.quietMs, 0);
  if (o.hookRatePerSec !== undefined && !(o.hookRatePerSec > 0 && o.hookRatePerSec <= 1000)) {
    throw new ChaosOptionsError(
      "hookRatePerSec",
      `must be a number in (0, 1000], got ${String(o.hookRatePerSec)}`,
    );
  }
  if (o.backend !== undefined && o.backend !== "sqlite" && o.backend !== "postgres") {
    throw new ChaosOptionsError(
      "backend",
      `must be "sqlite" or "postgres", got ${JSON.stringify(o.backend)}`,
    );
  }
}
