import { defineConfig } from "tsup";
import { tool } from "../../config/tsup.base.mjs";

// Bundled into the published packages (their tsup `noExternal`), code and types.
export default defineConfig(tool());
