/** What the young-generation tests measure and how they allocate (test/config/young-generation*.test.ts). */
import v8 from "node:v8";
import { setImmediate as turn } from "node:timers/promises";

/** V8's young generation (both semi-spaces), in MB. */
export const youngMb = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size / 2 ** 20;

/**
 * Allocation that survives a scavenge or two (what makes V8 grow the young generation), over
 * `rounds` turns of the event loop; returns the largest young generation seen.
 */
// Small pieces per turn: the cap is applied by a GC observer, which runs between turns, so a
// turn that allocates enough for two scavenges could grow the young generation twice before
// the observer sees the first growth (a CI run saw 16 MB on a loaded machine with 5,000
// objects per turn). A server's turns (a request, a batch of hook messages) are of this size.
export async function churn(rounds: number): Promise<number> {
  let largest = 0;
  const kept: unknown[][] = [];
  for (let r = 0; r < rounds; r++) {
    const batch: unknown[] = [];
    for (let i = 0; i < 1000; i++) batch.push({ i, s: `value ${i}`, a: [i, r] });
    kept.push(batch);
    if (kept.length > 40) kept.shift();
    await turn(); // the event loop turns, as a server's does between pieces of work
    largest = Math.max(largest, youngMb());
  }
  return largest;
}
