import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.mjs";

export default defineConfig(library());
