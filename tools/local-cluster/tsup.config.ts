import { defineConfig } from "tsup";

// ESM only: the launcher is run by this repository's scripts, tests, chaos runs and
// benchmarks, never published.
export default defineConfig({
  entry: ["src/index.ts", "src/vitest.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  external: ["vitest"],
});
