import { configDefaults, defineConfig } from "vitest/config";

// The files that start whole clusters (ZooKeeper, Kafka, several atlas-server processes).
// `npm test` (scripts/test.mjs) runs them after every other suite, one file at a time, so they
// never share the cores with other suites: ATLAS_HA_TEST_PHASE=parallel leaves them out,
// ATLAS_HA_TEST_PHASE=serial runs only them. Unset (vitest run by hand): everything.
const serial = [
  "test/cluster.test.ts",
  "test/cluster-zk-proxy.test.ts",
  "test/cluster-detached.test.ts",
  "test/e2e/**/*.test.ts",
  "test/hostile/hook-corpus.test.ts",
];
const phase = process.env.ATLAS_HA_TEST_PHASE;

export default defineConfig({
  test: {
    include: phase === "serial" ? serial : ["test/**/*.test.ts"],
    exclude: phase === "parallel" ? [...configDefaults.exclude, ...serial] : configDefaults.exclude,
    fileParallelism: phase !== "serial",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
