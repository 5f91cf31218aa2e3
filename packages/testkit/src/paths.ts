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

/** Ignored folder of the repo holding jars, cluster state and logs (docs/contracts/local-cluster.md). */
export function stateDir(): string {
  return process.env.ATLAS_HA_STATE_DIR ?? join(repoRoot(), ".atlas-ha");
}

/**
 * The project's own hook messages, carried in the repository (`packages/testkit/fixtures/hook-messages`):
 * every envelope form (V1, V2, legacy bare body, GZIP, split) and every notification type, for
 * Hive, HBase, Kafka and HDFS entities. Written after Atlas's formats; see the folder's README.
 */
export function hookMessagesDir(): string {
  return join(testkitDir, "fixtures", "hook-messages");
}

/**
 * The folder of real Atlas hook messages shared with the project (`../shared/fixtures/atlas-hook`
 * next to the checkout, or `/work/shared/…` when the checkout lives elsewhere, e.g. a CI clone),
 * or undefined when absent. They are an extra cross-check beside {@link hookMessagesDir}: tests
 * that use them skip when they are absent, unless {@link atlasSamplesRequired}. `ATLAS_HA_FIXTURES`
 * overrides
 * (alone: when set to a folder that does not exist, the samples count as absent).
 */
export function hookFixturesDir(): string | undefined {
  const override = process.env.ATLAS_HA_FIXTURES;
  const candidates = override
    ? [override]
    : [
        join(repoRoot(), "..", "shared", "fixtures", "atlas-hook"),
        "/work/shared/fixtures/atlas-hook",
      ];
  return candidates.find((dir) => existsSync(dir));
}

/** In CI (`CI` set) the real Atlas samples must be there: their absence fails the cross-check instead of skipping it. */
export function atlasSamplesRequired(): boolean {
  return !!process.env.CI;
}
