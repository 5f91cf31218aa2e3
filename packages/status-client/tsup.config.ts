import { defineConfig } from "tsup";

export default defineConfig([
  // The library: two builds side by side (ESM and CJS), each with its own type declarations.
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    // Both configs build at once into dist/: leave the bin to its own build.
    clean: ["!cli.js", "!cli.js.map"],
    target: "node20",
  },
  // The `atlas-status` bin: ESM only, self-contained; tsup keeps the shebang and marks it executable.
  {
    entry: { cli: "src/bin.ts" },
    format: ["esm"],
    dts: false,
    sourcemap: true,
    clean: false,
    target: "node20",
  },
]);
