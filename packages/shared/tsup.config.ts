import { defineConfig } from "tsup";

// ESM with declarations; the published packages bundle it (tsup `noExternal`), code and types.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
