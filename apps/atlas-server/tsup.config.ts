import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.mjs";

export default defineConfig([
  // The library (createAtlasServer, loadConfig, …): ESM and CJS, each with its declarations.
  library({ clean: false, shims: true }),
  // The `atlas-server` bin: one ESM file.
  library({ entry: { main: "src/main.ts" }, format: ["esm"], dts: false, clean: false }),
]);
