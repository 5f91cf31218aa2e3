/**
 * The real store (src/store) bundled into one ESM file, for tests that run it in another
 * Node process (a second server sharing the SQLite file, a writer frozen by SIGSTOP).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Inside the repo so that the bundle resolves better-sqlite3 and pg from node_modules.
const cacheDir = resolve(packageDir, "../../node_modules/.cache");

export interface StoreBundle {
  /** Absolute path of the bundle; `import { createStore } from <file>`. */
  file: string;
  remove(): void;
}

export async function bundleStore(): Promise<StoreBundle> {
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(cacheDir, "atlas-store-bundle-"));
  await build({
    entry: { store: join(packageDir, "src/store/index.ts") },
    outDir: dir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    external: ["better-sqlite3", "pg"],
    noExternal: ["@atlas-ha/atlas-model"],
    // .mjs: ESM whatever package.json the folder is under.
    outExtension: () => ({ js: ".mjs" }),
  });
  return {
    file: join(dir, "store.mjs"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
