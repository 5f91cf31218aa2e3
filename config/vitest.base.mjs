// The one vitest base of every workspace. `serial`: files that start a whole cluster;
// scripts/test.mjs runs them after everything else, one at a time
// (ATLAS_HA_TEST_PHASE=parallel runs the rest, =serial those; unset: all, as usual).
import { configDefaults, defineConfig } from "vitest/config";

/** @param {{ serial?: string[], testTimeout?: number }} [options] */
export function testConfig(options = {}) {
  const serial = options.serial ?? [];
  const phase = process.env.ATLAS_HA_TEST_PHASE;
  return defineConfig({
    test: {
      include: phase === "serial" ? serial : ["test/**/*.test.ts"],
      exclude:
        phase === "parallel" ? [...configDefaults.exclude, ...serial] : configDefaults.exclude,
      fileParallelism: phase !== "serial",
      // Integration tests start real servers (a JVM each): generous, since a test that waits
      // waits for an event with its own deadline, never for these.
      testTimeout: options.testTimeout ?? 120_000,
      hookTimeout: 180_000,
    },
  });
}
