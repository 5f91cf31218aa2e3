import { defineConfig } from "tsup";

// Two builds side by side (ESM and CJS), each with its own type declarations.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
