import { defineConfig } from "tsup";
import { tool } from "../config/tsup.base.mjs";

export default defineConfig(tool({ entry: ["src/index.ts", "src/cli.ts"] }));
