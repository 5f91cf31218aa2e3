import { defineConfig } from "tsup";

export default defineConfig([
  // The library (createAtlasServer, loadConfig, …): ESM and CJS, each with its declarations.
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    // The private @atlas-ha/shared is bundled in (code and types): no runtime dependency on it.
    noExternal: ["@atlas-ha/shared"],
    dts: { resolve: ["@atlas-ha/shared"] },
    sourcemap: true,
    clean: false,
    target: "node20",
    shims: true,
  },
  // The `atlas-server` bin: one ESM file.
  {
    entry: { main: "src/main.ts" },
    format: ["esm"],
    noExternal: ["@atlas-ha/shared"],
    sourcemap: true,
    target: "node20",
  },
]);
