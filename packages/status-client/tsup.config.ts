import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.mjs";

// The library, and the `atlas-status` bin as one ESM file beside it (kept by the library's clean).
export default defineConfig([
  library({ clean: ["!cli.js", "!cli.js.map"] }),
  library({ entry: { cli: "src/bin.ts" }, format: ["esm"], dts: false, clean: false }),
]);
