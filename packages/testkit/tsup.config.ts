import { defineConfig } from "tsup";

// ESM only: the testkit is consumed by our own tests and scripts, never published.
export default defineConfig({
  entry: ["src/index.ts", "src/vitest.ts", "src/cli.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  external: ["vitest"],
});
