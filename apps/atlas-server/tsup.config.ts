import { defineConfig } from "tsup";

export default defineConfig([
  // The library (createAtlasServer, loadConfig, …): ESM and CJS, each with its declarations.
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: false,
    target: "node20",
    shims: true,
  },
  // The `atlas-server` bin: one ESM file.
  {
    entry: { main: "src/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
  },
]);
