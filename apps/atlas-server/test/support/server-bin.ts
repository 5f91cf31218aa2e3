import { fileURLToPath } from "node:url";

/**
 * This package's own `atlas-server` bin (`dist/main.js`, built before its tests run), which
 * the tests that start real server processes give the testkit.
 */
export function atlasServerBin(): string {
  return fileURLToPath(new URL("../../dist/main.js", import.meta.url));
}
