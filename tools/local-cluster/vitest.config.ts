import { testConfig } from "../../config/vitest.base.mjs";

// Files that start a whole cluster run in the serial step (config/vitest.base.mjs).
export default testConfig({
  serial: [
    "test/cluster.test.ts",
    "test/cluster-zk-proxy.test.ts",
    "test/cluster-detached.test.ts",
    "test/deploy.test.ts",
    "test/e2e/**/*.test.ts",
    "test/hostile/hook-corpus.test.ts",
  ],
});
