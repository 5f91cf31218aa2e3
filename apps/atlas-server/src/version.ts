import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import pkg from "../package.json" with { type: "json" };

function revision(): string {
  if (process.env.ATLAS_HA_REVISION) return process.env.ATLAS_HA_REVISION;
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: dirname(fileURLToPath(import.meta.url)),
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}

let cached: { version: string; revision: string; name: string; description: string } | undefined;

/** `GET /api/atlas/admin/version` content: `{Version, Revision, Name, Description}`. */
export function versionInfo() {
  cached ??= {
    version: pkg.version,
    revision: revision(),
    name: "atlas-ha",
    description: pkg.description,
  };
  return cached;
}
