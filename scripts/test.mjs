#!/usr/bin/env node
// `npm test`: everything a fresh clone needs, then every workspace's tests, then totals.
//
//   0. Java, Maven, PostgreSQL's server, Python with venv (scripts/prerequisites.mjs): installed
//      with apt-get as root on Debian/Ubuntu, else exit 2 with the command to run;
//   1. install dependencies when missing or older than package-lock.json (npm ci);
//   2. build every workspace (turbo, cached);
//   3. fetch the ZooKeeper and Kafka jars once (Maven, cached in .atlas-ha/jars);
//   4. run each workspace's vitest suite through turbo (extra arguments go to turbo,
//      e.g. `npm test -- --filter=@atlas-ha/election-core`), in two steps:
//      a. everything except the files that start whole clusters, two workspaces at a time;
//      b. then those files (each workspace's vitest.config.ts lists them; it reads
//         ATLAS_HA_TEST_PHASE), one workspace and one file at a time, so that a cluster
//         never shares the two cores with other suites;
//   5. print a table per workspace and, as the very last line, `N passed, N failed, N skipped`.
//
// A test counts as failed when it failed, when it was skipped because its suite failed (a
// failing beforeAll), or when it skipped and is not on the allow-list (scripts/allowed-skips.mjs);
// `skipped` counts only the allowed skips. A test file that fails to load, a workspace with test
// files that reports no test, and a missing or unreadable report each count as a failure; so does
// each error vitest caught outside any test (an unhandled rejection), and a vitest that exited
// with an error its report does not explain (turbo's run summary names the workspace). Those
// rules are scripts/test-report.mjs, tested in tools/test-runner.
//
// Plain Node, no dependency: it must run before `npm ci` has.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allowedSkips } from "./allowed-skips.mjs";
import { suiteErrorsFile } from "./suite-errors-reporter.mjs";
import { failedTasks, summaries, tallyWorkspace } from "./test-report.mjs";
import { ensurePrerequisites, MISSING_EXIT_CODE } from "./prerequisites.mjs";
import { build, fetchJars, install, root, step } from "./setup.mjs";

const PHASE_ENV = "ATLAS_HA_TEST_PHASE";
const PHASES = [
  { name: "parallel", results: ".vitest-results.json", label: "" },
  { name: "serial", results: ".vitest-results-serial.json", label: " (serial)" },
].map((phase) => ({ ...phase, errors: suiteErrorsFile(phase.name) }));
const TOTALS = join(root, ".atlas-ha", "test-totals.txt");
// Where turbo writes a run's summary (--summarize): read to name a workspace whose vitest failed.
const TURBO_RUNS = join(root, ".turbo", "runs");
const started = Date.now();

function fail(message, code = 1) {
  process.stderr.write(`\n✖ ${message}\n`);
  printTotals(0, 1, 0);
  process.exit(code);
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

/** A workspace whose vitest config names whole-cluster files (`testConfig({ serial: [...] })`). */
function hasSerialStep(dir) {
  const config = join(dir, "vitest.config.ts");
  return existsSync(config) && /\bserial:\s*\[\s*"/.test(readFileSync(config, "utf8"));
}

function printTotals(passed, failed, skipped) {
  const line = `${passed} passed, ${failed} failed, ${skipped} skipped`;
  mkdirSync(join(root, ".atlas-ha"), { recursive: true });
  writeFileSync(TOTALS, `${line}\n`);
  process.stdout.write(`${line}\n`);
}

// Start from nothing: a totals file or report left by an earlier run must not be read as this one's.
rmSync(TOTALS, { force: true });
const dirs = workspaces();
for (const dir of dirs)
  for (const phase of PHASES)
    for (const file of [phase.results, phase.errors]) rmSync(join(dir, file), { force: true });

// 0. What the machine must have (shared with npm start, npm run cluster, npm run bench and CI).
const missingProblem = ensurePrerequisites("test", process.argv.slice(2));
if (missingProblem) fail(missingProblem, MISSING_EXIT_CODE);

// 1–3. Dependencies, build, jars (shared with npm start and npm run cluster).
for (const run of [install, build, fetchJars]) {
  const problem = run();
  if (problem) fail(problem);
}

// Lint (publint/attw per package, ESLint with the dependency direction, Prettier, knip): run
// with every test run, so CI enforces it; a failure counts once in the totals, and the tests
// still run. `npm test -- --filter=…` (a part of the tree) skips it.
const lintCode = process.argv.length > 2 ? 0 : step("lint", "npm", ["run", "lint", "--silent"]);

// 4. Tests.
const extra = process.argv.slice(2);
const turbo = join(root, "node_modules", ".bin", "turbo");
const reporters = (phase) => [
  "--reporter=default",
  `--reporter=${join(root, "scripts", "suite-errors-reporter.mjs")}`,
  "--reporter=json",
  `--outputFile.json=${phase.results}`,
];
const names = new Map(
  dirs.map((dir) => [dir, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name]),
);
// `--filter=NAME` / `--filter NAME` given to npm test: the serial step runs only those workspaces.
const filters = extra.flatMap((arg, i) =>
  arg.startsWith("--filter=")
    ? [arg.slice("--filter=".length)]
    : arg === "--filter" && extra[i + 1]
      ? [extra[i + 1]]
      : [],
);
const serialDirs = dirs.filter(
  (dir) => hasSerialStep(dir) && (filters.length === 0 || filters.includes(names.get(dir))),
);

// a. Everything but the whole-cluster files.
const codes = [];
// Per step, the workspaces whose vitest exited with another code than 0 (package name → code).
const exits = new Map();
let before = summaries(TURBO_RUNS);
codes.push(
  step(
    "test",
    turbo,
    [
      "run",
      "test",
      "--continue",
      "--concurrency=2",
      "--summarize",
      // Everything was built just above. Without --only, turbo would build again here: the
      // pass-through reporter arguments change every task's hash, so the builds miss the cache,
      // and a workspace rebuilding (its dist cleaned) under another workspace's running tests
      // (the local cluster and atlas-server's own tests start atlas-server from its dist) fails them.
      "--only",
      ...extra,
      "--",
      ...reporters(PHASES[0]),
    ],
    { env: { ...process.env, [PHASE_ENV]: "parallel" } },
  ),
);
exits.set("parallel", failedTasks(TURBO_RUNS, before));
// b. The whole-cluster files, alone.
if (serialDirs.length > 0) {
  before = summaries(TURBO_RUNS);
  codes.push(
    step(
      "test, whole clusters, one at a time",
      turbo,
      [
        "run",
        "test",
        "--continue",
        "--concurrency=1",
        "--summarize",
        "--only",
        ...serialDirs.map((dir) => `--filter=${names.get(dir)}`),
        "--",
        ...reporters(PHASES[1]),
      ],
      { env: { ...process.env, [PHASE_ENV]: "serial" } },
    ),
  );
  exits.set("serial", failedTasks(TURBO_RUNS, before));
}

// 5. Totals over every workspace and both steps.
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const problems = [];
const allowed = [];
for (const dir of dirs) {
  const name = names.get(dir);
  const tested = hasTests(dir);
  const tally = tallyWorkspace(
    {
      name,
      hasTests: tested,
      phases: PHASES.filter((phase) => phase.name !== "serial" || hasSerialStep(dir)).map(
        (phase) => ({
          label: phase.label,
          file: join(dir, phase.results),
          errorsFile: join(dir, phase.errors),
          expected:
            phase.name === "serial" ? serialDirs.includes(dir) : extra.length === 0 && tested,
          exit: exits.get(phase.name)?.get(name),
        }),
      ),
    },
    { root, allowedSkips },
  );
  passed += tally.passed;
  failed += tally.failed;
  skipped += tally.skipped;
  rows.push(...tally.rows);
  problems.push(...tally.problems);
  allowed.push(...tally.allowed);
}
process.stdout.write(
  `\n${"workspace".padEnd(45)}${"passed".padStart(8)}${"failed".padStart(11)}${"skipped".padStart(9)}\n`,
);
for (const [name, p, f, s] of rows) {
  process.stdout.write(
    `${name.padEnd(45)}${String(p).padStart(8)}${String(f).padStart(11)}${String(s).padStart(9)}\n`,
  );
}
for (const entry of new Set(allowed)) {
  const count = allowed.filter((a) => a === entry).length;
  process.stdout.write(
    `\n${count} skipped, as allowed: ${entry.file} > ${entry.titles.join(" > ")}\n  (${entry.reason})\n`,
  );
}
if (lintCode !== 0) {
  failed += 1;
  problems.push("npm run lint failed (see its output above)");
}
if (problems.length > 0)
  process.stdout.write(`\nnot passed:\n${problems.map((p) => `  ✖ ${p}\n`).join("")}`);
process.stdout.write(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
if (codes.some((code) => code !== 0) && failed === 0) failed = 1; // turbo failed without a failing test: count it
printTotals(passed, failed, skipped);
process.exit(failed > 0 ? 1 : 0);
