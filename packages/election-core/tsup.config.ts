import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.mjs";

export default defineConfig(
  library({
    entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
    shims: true,
  }),
);
