/**
 * The launcher's cap on V8's young generation (src/young-generation.ts): without any Node
 * flag from the operator, allocation keeps the young generation at 4 MB semi-spaces instead of
 * V8's 16; with the operator's own flag nothing is changed. Runs in this test file's own
 * process (vitest's forks pool), where V8 starts with its defaults.
 */
import v8 from "node:v8";
import { setImmediate as turn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { capYoungGeneration } from "../../src/young-generation.js";

const youngMb = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size / 2 ** 20;

/** Allocation that survives a scavenge or two (what makes V8 grow the young generation). */
async function churn(rounds: number): Promise<number> {
  let largest = 0;
  const kept: unknown[][] = [];
  for (let r = 0; r < rounds; r++) {
    const batch: unknown[] = [];
    for (let i = 0; i < 5000; i++) batch.push({ i, s: `value ${i}`, a: [i, r] });
    kept.push(batch);
    if (kept.length > 8) kept.shift();
    await turn(); // the event loop turns, as a server's does between pieces of work
    largest = Math.max(largest, youngMb());
  }
  return largest;
}

describe("the launcher's young-generation cap", () => {
  it("leaves the young generation alone when the operator set its size (or growth) in the flags", () => {
    expect(capYoungGeneration(4, "--max-semi-space-size=8")).toBeNull();
    expect(capYoungGeneration(4, "--require x.cjs --semi-space-growth-factor=4")).toBeNull();
  });

  it("keeps the young generation at 2 × 4 MB under allocation, where V8 alone grows it further", async () => {
    const atStart = youngMb();
    expect(atStart, "the test process starts with a small young generation").toBeLessThanOrEqual(8);
    const undo = capYoungGeneration(4, "");
    expect(undo).not.toBeNull();
    let capped: number;
    try {
      capped = await churn(400);
    } finally {
      undo!();
    }
    // The same allocation without the cap: V8 grows the young generation past it.
    const uncapped = await churn(400);
    expect(capped).toBeLessThanOrEqual(8);
    expect(uncapped).toBeGreaterThan(8);
  });
});
