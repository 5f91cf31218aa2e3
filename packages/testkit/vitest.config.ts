import { defineConfig } from "vitest/config";

// No file here starts a whole cluster (those tests live with the launcher, in
// tools/local-cluster), so every file runs in `npm test`'s parallel step.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
