import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * The file of bin `name` of the dependency `pkg`, read from the `bin` field of its
 * package.json (found the way Node finds the package, not by a path into the repository).
 */
function packageBin(pkg: string, name: string): string {
  const manifestFile = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[name];
  if (!bin) throw new Error(`${pkg} declares no bin "${name}" (${manifestFile})`);
  return join(dirname(manifestFile), bin);
}

/** The `atlas-server` bin of @atlas-ha/atlas-server (its `dist/main.js`). */
export function atlasServerBin(): string {
  return packageBin("@atlas-ha/atlas-server", "atlas-server");
}

/** The `atlas-status` bin of @atlas-ha/status-client (its `dist/cli.js`). */
export function statusClientBin(): string {
  return packageBin("@atlas-ha/status-client", "atlas-status");
}
