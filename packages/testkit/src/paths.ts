import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The testkit package folder (holds `jars/<component>/pom.xml`). */
export const testkitDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The monorepo root: the nearest ancestor whose package.json declares workspaces. */
export function repoRoot(): string {
  let dir = testkitDir;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, "utf8")) as { workspaces?: unknown };
      if (json.workspaces) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(testkitDir, "../..");
    dir = parent;
  }
}

/** Ignored folder of the repo holding jars, cluster state and logs (SPEC §10). */
export function stateDir(): string {
  return process.env.ATLAS_HA_STATE_DIR ?? join(repoRoot(), ".atlas-ha");
}

/**
 * The folder of real Atlas hook messages shared with the project (`../shared/fixtures/atlas-hook`
 * next to the checkout, or `/work/shared/…` when the checkout lives elsewhere, e.g. a CI clone),
 * or undefined when absent: tests that use them skip then. `ATLAS_HA_FIXTURES` overrides.
 */
export function hookFixturesDir(): string | undefined {
  const candidates = [
    process.env.ATLAS_HA_FIXTURES,
    join(repoRoot(), "..", "shared", "fixtures", "atlas-hook"),
    "/work/shared/fixtures/atlas-hook",
  ];
  return candidates.find((dir): dir is string => !!dir && existsSync(dir));
}
