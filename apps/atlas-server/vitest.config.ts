import { testConfig } from "../../config/vitest.base.mjs";

// Files that start a whole cluster run in the serial step (config/vitest.base.mjs).
export default testConfig({ serial: ["test/e2e/**/*.test.ts"] });
