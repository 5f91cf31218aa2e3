/**
 * The launcher's cap on V8's young generation (docs/decisions.md, "Memory"). V8 grows the
 * semi-spaces of its young generation, doubling at a scavenge, up to 16 MB each on 64-bit
 * hosts: under hook load an instance would end up holding 2 × 16 MB where 2 × 8 MB applies
 * hooks as fast. `--max-semi-space-size` would cap it, but only on the command line
 * or in NODE_OPTIONS before the process starts (`v8.setFlagsFromString` cannot resize a heap
 * already set up), and a re-exec with the flag would change the PID that systemd, the testkit
 * and the bench stop. What V8 does read at every growth is `--semi-space-growth-factor`: after
 * each GC, once the young generation has reached the cap, the factor is set to 1 (no more
 * growth), and back to V8's 2 when V8 has shrunk it below (an idle instance). Same process,
 * any launcher (`atlas-server`, `node dist/main.js`, npm's shims). Before any of that, the
 * launcher's first line holds the young generation where V8 starts it while the modules load
 * ({@link holdYoungGeneration}).
 *
 * An operator who sets the young generation's size or growth themselves keeps their choice.
 */
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import type { Worker } from "node:worker_threads";
import { ConfigError } from "./config/errors.js";

/**
 * Per semi-space, in MB (docs/decisions.md, 5 December). 4 MB saved ~8 MB of RSS but cost
 * ~10% of hook throughput: a Kafka batch's objects outlived the more frequent scavenges and
 * were promoted. V8's own 16 MB applied hooks no faster than 8.
 */
export const SEMI_SPACE_CAP_MB = 8;

// V8 takes `-` and `_` alike in a flag's name.
const OPERATOR_FLAGS =
  /--(max[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor|max[-_]young[-_]generation[-_]size|min[-_]semi[-_]space[-_]size)\b/;

/** The flags V8 got at start: the command line's and NODE_OPTIONS'. */
function startFlags(): string {
  return `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
}

function youngGenerationBytes(): number {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  return space?.space_size ?? 0;
}

/**
 * Keeps the young generation at its present size (V8's growth factor 1) until
 * {@link capYoungGeneration} takes over: the launcher's first step. Compiling and running the
 * modules of the server and its dependencies (~250 ms) grew it to 2 × 8 MB, a size an active
 * under load then kept, before any cap could act. Changes nothing when the operator's own
 * flags decide.
 */
export function holdYoungGeneration(flags: string = startFlags()): void {
  if (!OPERATOR_FLAGS.test(flags)) v8.setFlagsFromString("--semi-space-growth-factor=1");
}

/**
 * Caps the young generation at `semiSpaceMb` per semi-space from now on (releasing
 * {@link holdYoungGeneration}'s hold below the cap); returns what undoes it, or null when the
 * operator's own flags decide (nothing is changed then).
 */
export function capYoungGeneration(
  semiSpaceMb: number = SEMI_SPACE_CAP_MB,
  flags: string = startFlags(),
): (() => void) | null {
  if (OPERATOR_FLAGS.test(flags)) return null;
  // new_space's size is both semi-spaces; growth stops where one more doubling would pass it.
  const limit = 2 * semiSpaceMb * 2 ** 20;
  // Unknown at first (the launcher's hold set 1): the first check sets the factor either way.
  let capped: boolean | undefined;
  const check = () => {
    const cap = youngGenerationBytes() * 2 > limit;
    if (cap === capped) return;
    capped = cap;
    v8.setFlagsFromString(`--semi-space-growth-factor=${cap ? 1 : 2}`);
  };
  // Each new isolate — a worker thread: an APM agent's, a pino transport — sets the factor,
  // one for the whole process, back to V8's 2 as it starts; the young generation then grew to
  // 16 MB semi-spaces. Once the worker runs, the factor is set again. A scavenge of this
  // thread in the milliseconds between the two doubles the young generation once (no JS runs
  // before a GC to prevent it); it grows no further, and is back under the cap once V8 shrinks
  // it (an idle instance).
  const reassert = () => {
    if (capped) v8.setFlagsFromString("--semi-space-growth-factor=1");
  };
  const onWorker = (worker: Worker) => worker.once("online", reassert);
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ["gc"] });
  process.on("worker", onWorker);
  check();
  return () => {
    observer.disconnect();
    process.off("worker", onWorker);
    if (capped) v8.setFlagsFromString("--semi-space-growth-factor=2");
  };
}

/**
 * How far V8 lets the old generation grow past what survived its last full GC before the next
 * one, in percent. V8's own factor moves between 1.1 and 4 with its GC speed; with the small
 * live heap of an instance (~20 MB) and the steady promotion of a hook load it sat near the
 * top: 50–70 MB of old space, most of it garbage, between full GCs (bench/ figure 7).
 * `--heap-growing-percent`, which V8 reads at each full GC (so `v8.setFlagsFromString` works
 * after start), fixes the factor at 1.3. It is no cap: a larger live heap gets a larger limit,
 * so a big legitimate workload does not run out of heap — it only collects more often, on
 * V8's concurrent marking threads.
 */
export const OLD_GENERATION_GROWTH_PERCENT = 30;

const OPERATOR_GROWTH_FLAG = /--heap[-_]growing[-_]percent\b/;

/**
 * The operator's choice in place of {@link OLD_GENERATION_GROWTH_PERCENT}: Node refuses
 * `--heap-growing-percent` in NODE_OPTIONS, so it is an environment variable (0: V8's own
 * dynamic factor). A flag on node's command line works too.
 */
export const GROWTH_PERCENT_ENV = "ATLAS_HA_HEAP_GROWING_PERCENT";

/** The old generation's growth: the operator's {@link GROWTH_PERCENT_ENV}, or ours. */
export function oldGenerationGrowthPercent(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[GROWTH_PERCENT_ENV];
  if (raw === undefined || raw.trim() === "") return OLD_GENERATION_GROWTH_PERCENT;
  const percent = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || percent > 1000)
    throw new ConfigError(
      GROWTH_PERCENT_ENV,
      `must be a whole number of percent from 0 (V8's own growth) to 1000, not "${raw}"`,
      `environment variable ${GROWTH_PERCENT_ENV}`,
    );
  return percent;
}

/**
 * Sets V8's old-generation growth to `percent` from now on; returns what undoes it, or null
 * when the operator's own `--heap-growing-percent` decides (nothing is changed then).
 */
export function limitOldGenerationGrowth(
  percent: number = OLD_GENERATION_GROWTH_PERCENT,
  flags: string = startFlags(),
  setFlags: (flags: string) => void = v8.setFlagsFromString,
): (() => void) | null {
  if (OPERATOR_GROWTH_FLAG.test(flags)) return null;
  setFlags(`--heap-growing-percent=${percent}`);
  // 0 is V8's default: its own dynamic factor.
  return () => setFlags("--heap-growing-percent=0");
}
