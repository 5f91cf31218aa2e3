import { defineConfig } from "tsup";

// Two builds side by side (ESM and CJS), each with its own type declarations.
export default defineConfig({
  // `testing` (the fake ZooKeeper, for tests of code built on the election) is its own entry,
  // published as the `./testing` subpath: nothing of it is in the main entry.
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // import.meta.url in the CJS build (the native client is loaded through createRequire).
  shims: true,
});
