import { testConfig } from "../../config/vitest.base.mjs";

export default testConfig();
