/**
 * The launcher's cap on V8's young generation (src/young-generation.ts): without any Node
 * flag from the operator, allocation keeps the young generation at the cap's semi-spaces
 * (8 MB; 4 here) instead of V8's 16; with the operator's own flag nothing is changed. Runs in
 * this test file's own process (vitest's forks pool), where V8 starts with its defaults; a
 * worker thread's start, which may leave the young generation larger, is in
 * young-generation-worker.test.ts; a real server process, in young-generation-server.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
import {
  GROWTH_PERCENT_ENV,
  OLD_GENERATION_GROWTH_PERCENT,
  capYoungGeneration,
  limitOldGenerationGrowth,
  oldGenerationGrowthPercent,
} from "../../src/young-generation.js";
import { atlasServerBin } from "../support/server-bin.js";
import { churn, youngMb } from "../support/young-generation.js";

describe("the launcher's young-generation cap", () => {
  it("leaves the young generation alone when the operator set its size (or growth) in the flags", () => {
    expect(capYoungGeneration(4, "--max-semi-space-size=8")).toBeNull();
    expect(capYoungGeneration(4, "--require x.cjs --semi-space-growth-factor=4")).toBeNull();
    // V8 takes underscores for dashes.
    expect(capYoungGeneration(4, "--max_semi_space_size=8")).toBeNull();
  });

  it("keeps the young generation at 2 × 4 MB under allocation, where V8 alone grows it further", async () => {
    const atStart = youngMb();
    expect(atStart, "the test process starts with a small young generation").toBeLessThanOrEqual(8);
    const undo = capYoungGeneration(4, "");
    expect(undo).not.toBeNull();
    let capped: number;
    try {
      capped = await churn(2000);
    } finally {
      undo!();
    }
    // The same allocation without the cap: V8 grows the young generation past it.
    const uncapped = await churn(2000);
    expect(capped).toBeLessThanOrEqual(8);
    expect(uncapped).toBeGreaterThan(8);
  }, 30_000); // CPU-bound: seconds on a loaded CI machine are not a failure of the cap
});

// V8's heap, alone in a fresh process (this file's own process holds vitest's heap too): the
// flag in $FLAG, if any, set after start as the launcher does; a live set of ~30 MB; then
// batches that survive a few turns of the event loop and die in the old generation, as a hook
// load's do. Prints the largest heap in use (MB).
const CHURN = `
const v8 = require("node:v8");
const { setImmediate: turn } = require("node:timers/promises");
if (process.env.FLAG) v8.setFlagsFromString(process.env.FLAG);
const live = [];
for (let i = 0; i < 300000; i++) live.push({ i, s: "live " + i, a: [i] });
(async () => {
  let largest = 0;
  const kept = [];
  for (let r = 0; r < 1200; r++) {
    const batch = [];
    for (let i = 0; i < 2000; i++) batch.push({ i, s: "value " + i, a: [i, r] });
    kept.push(batch);
    if (kept.length > 30) kept.shift();
    await turn();
    if (r > 300) largest = Math.max(largest, process.memoryUsage().heapUsed);
  }
  console.log(JSON.stringify({ largestMb: largest / 2 ** 20, live: live.length }));
})();
`;

async function largestHeapMb(flag: string | undefined): Promise<number> {
  const { stdout } = await run(process.execPath, ["-e", CHURN], {
    env: { ...process.env, NODE_OPTIONS: "", FLAG: flag ?? "" },
  });
  return (JSON.parse(stdout) as { largestMb: number }).largestMb;
}

describe("the launcher's limit on the old generation's growth", () => {
  it("sets V8's --heap-growing-percent, and undoes it", () => {
    const set: string[] = [];
    const undo = limitOldGenerationGrowth(OLD_GENERATION_GROWTH_PERCENT, "", (f) => set.push(f));
    expect(set).toEqual([`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`]);
    undo!();
    expect(set.at(-1)).toBe("--heap-growing-percent=0");
  });

  it("leaves V8's growth alone when the operator set --heap-growing-percent", () => {
    const set: string[] = [];
    const record = (f: string) => set.push(f);
    expect(limitOldGenerationGrowth(30, "--heap-growing-percent=0", record)).toBeNull();
    expect(
      limitOldGenerationGrowth(30, "--require x.cjs --heap_growing_percent=100", record),
    ).toBeNull();
    expect(set).toEqual([]);
  });

  it("takes the operator's ATLAS_HA_HEAP_GROWING_PERCENT over its own, and names it when it is bad", () => {
    expect(oldGenerationGrowthPercent({})).toBe(OLD_GENERATION_GROWTH_PERCENT);
    expect(oldGenerationGrowthPercent({ [GROWTH_PERCENT_ENV]: "0" })).toBe(0);
    expect(oldGenerationGrowthPercent({ [GROWTH_PERCENT_ENV]: "100" })).toBe(100);
    for (const bad of ["-5", "1.5", "lots", "5000"]) {
      let error: unknown;
      try {
        oldGenerationGrowthPercent({ [GROWTH_PERCENT_ENV]: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        name: "ConfigError",
        code: "CONFIG_INVALID",
        key: GROWTH_PERCENT_ENV,
      });
    }
  });

  it("atlas-server refuses to start with a bad ATLAS_HA_HEAP_GROWING_PERCENT, naming it (exit code 2)", async () => {
    const home = mkdtempSync(join(tmpdir(), "atlas-growth-"));
    try {
      writeFileSync(
        join(home, "atlas-application.properties"),
        `atlas.server.ha.enabled=false\natlas.store.backend=sqlite\natlas.store.sqlite.path=${join(home, "atlas.db")}\n`,
      );
      const started = run(process.execPath, [atlasServerBin(), "--config", home], {
        env: { ...process.env, [GROWTH_PERCENT_ENV]: "lots" },
        // A server that started anyway is killed (and the test fails on its exit code).
        timeout: 60_000,
      });
      const failure = (await started.then(
        () => undefined,
        (error: unknown) => error,
      )) as { code?: number; stderr?: string } | undefined;
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toContain(GROWTH_PERCENT_ENV);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("V8 honours the flag set after start: the old generation stays closer to its live size", async () => {
    const own = await largestHeapMb(undefined);
    const limited = await largestHeapMb(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
    expect(limited).toBeLessThan(own * 0.7);
  }, 30_000); // two child processes that allocate for a second or two each
});
