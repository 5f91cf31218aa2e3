#!/usr/bin/env node
// `npm test`: everything a fresh clone needs, then every workspace's tests, then totals.
//
//   1. install dependencies when missing or older than package-lock.json (npm ci);
//   2. build every workspace (turbo, cached);
//   3. fetch the ZooKeeper and Kafka jars once (Maven, cached in .atlas-ha/jars);
//   4. run each workspace's vitest suite through turbo (extra arguments go to turbo,
//      e.g. `npm test -- --filter=@atlas-ha/election-core`);
//   5. print a table per workspace and, as the very last line, `N passed, N failed`.
//
// Plain Node, no dependency: it must run before `npm ci` has.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, fetchJars, install, root, step } from "./setup.mjs";

const RESULTS = ".vitest-results.json";
const started = Date.now();

function fail(message) {
  process.stderr.write(`\n✖ ${message}\n`);
  printTotals(0, 1);
  process.exit(1);
}

function workspaces() {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const dirs = [];
  for (const pattern of manifest.workspaces) {
    // "packages/*" lists the folders below; a plain entry ("chaos") is one workspace.
    const globbed = pattern.endsWith("/*");
    const base = join(root, globbed ? pattern.slice(0, -2) : pattern);
    if (!existsSync(base)) continue;
    const candidates = globbed ? readdirSync(base).map((entry) => join(base, entry)) : [base];
    for (const dir of candidates) {
      if (existsSync(join(dir, "package.json"))) dirs.push(dir);
    }
  }
  return dirs;
}

function hasTests(dir) {
  const testDir = join(dir, "test");
  if (!existsSync(testDir)) return false;
  const walk = (d) =>
    readdirSync(d, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".test.ts"),
    );
  return walk(testDir);
}

function printTotals(passed, failed) {
  const line = `${passed} passed, ${failed} failed`;
  mkdirSync(join(root, ".atlas-ha"), { recursive: true });
  writeFileSync(join(root, ".atlas-ha", "test-totals.txt"), `${line}\n`);
  process.stdout.write(`${line}\n`);
}

// 1–3. Dependencies, build, jars (shared with npm start and npm run cluster).
for (const run of [install, build, fetchJars]) {
  const problem = run();
  if (problem) fail(problem);
}

// 4. Tests.
const dirs = workspaces();
for (const dir of dirs) rmSync(join(dir, RESULTS), { force: true });
const extra = process.argv.slice(2);
const turbo = join(root, "node_modules", ".bin", "turbo");
const testCode = step("test", turbo, [
  "run",
  "test",
  "--continue",
  "--concurrency=2",
  // Everything was built just above. Without --only, turbo would build again here: the
  // pass-through reporter arguments change every task's hash, so the builds miss the cache,
  // and a workspace rebuilding (its dist cleaned) under another workspace's running tests
  // (the testkit starts atlas-server from its dist) fails them.
  "--only",
  ...extra,
  "--",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${RESULTS}`,
]);

// 5. Totals over every workspace.
let passed = 0;
let failed = 0;
const rows = [];
for (const dir of dirs) {
  const name = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
  const file = join(dir, RESULTS);
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, "utf8"));
    const p = report.numPassedTests ?? 0;
    // A file that failed to load counts as a failure even when no test in it ran.
    const f = (report.numFailedTests ?? 0) + (report.numFailedTestSuites && !report.numFailedTests ? report.numFailedTestSuites : 0);
    const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    passed += p;
    failed += f;
    rows.push([name, p, f, s]);
  } else if (hasTests(dir) && extra.length === 0) {
    // It has tests but wrote no report: it crashed, or turbo never ran it.
    failed += 1;
    rows.push([name, 0, "no report", 0]);
  }
}
process.stdout.write(`\n${"workspace".padEnd(36)}${"passed".padStart(8)}${"failed".padStart(11)}${"skipped".padStart(9)}\n`);
for (const [name, p, f, s] of rows) {
  process.stdout.write(`${name.padEnd(36)}${String(p).padStart(8)}${String(f).padStart(11)}${String(s).padStart(9)}\n`);
}
process.stdout.write(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
if (testCode !== 0 && failed === 0) failed = 1; // turbo failed without a failing test: count it
printTotals(passed, failed);
process.exit(failed > 0 ? 1 : 0);
