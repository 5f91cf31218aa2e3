#!/usr/bin/env node
// Part of `npm run lint` (after the build): a published package's built code and declarations
// import only what its package.json declares as a runtime dependency. The private
// @atlas-ha/shared is bundled in (config/tsup.base.mjs), so it must never appear in a dist;
// status-client, which depends on nothing of ours, imports no @atlas-ha package at all.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](@atlas-ha\/[^/"']+)[^"']*["']/gm;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(entry.name) ? [path] : [];
  });
}

const problems = [];
for (const folder of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, folder))) {
    const dir = join(root, folder, name);
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    if (pkg.private) continue;
    const dist = join(dir, "dist");
    if (!existsSync(dist)) {
      problems.push(`${pkg.name}: no dist/ (build first)`);
      continue;
    }
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    for (const file of files(dist)) {
      for (const match of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
        const imported = match[1];
        if (imported !== pkg.name && !declared.has(imported))
          problems.push(
            `${relative(root, file)} imports ${imported}, not a dependency of ${pkg.name}`,
          );
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`check-dist-imports: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("check-dist-imports: every published dist imports only its declared dependencies");
