import { defineConfig } from "tsup";

// Two builds side by side (ESM and CJS), each with its own type declarations.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // The private @atlas-ha/shared is bundled in (code and types): no runtime dependency on it.
  noExternal: ["@atlas-ha/shared"],
  dts: { resolve: ["@atlas-ha/shared"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
