#!/usr/bin/env node
// What a fresh clone needs before tests or the local cluster run, shared by `npm test`
// (scripts/test.mjs), `npm start` (scripts/start.mjs), `npm run cluster` (scripts/cluster.mjs)
// and `npm run bench` (bench/run.mjs):
//
//   0. the system prerequisites of the command (Java, Maven, PostgreSQL …: scripts/prerequisites.mjs),
//      installed with apt-get as root on Debian/Ubuntu, else exit 2 with the command to run;
//   1. install dependencies when missing or older than package-lock.json (npm ci);
//   2. build every workspace (turbo, cached);
//   3. fetch the ZooKeeper and Kafka jars once (Maven, cached in .atlas-ha/jars).
//
// Plain Node, no dependency: it must run before `npm ci` has. `node scripts/setup.mjs` runs it alone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dependenciesOutdated, ensurePrerequisites, MISSING_EXIT_CODE } from "./prerequisites.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Prints `▶ title: command args`, runs it in the repo root with the terminal, returns its exit code. */
export function step(title, command, args, options = {}) {
  process.stdout.write(`\n▶ ${title}: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  return result.status ?? 1;
}

/** Step 1: npm ci (npm install without a lock) when node_modules is missing or older than the lock. */
export function install() {
  if (dependenciesOutdated()) {
    const code = existsSync(join(root, "package-lock.json"))
      ? step("install", "npm", ["ci"])
      : step("install", "npm", ["install"]);
    if (code !== 0) return "npm could not install the dependencies";
  }
  return undefined;
}

/** Step 2: turbo build of every workspace (cached). */
export function build() {
  const turbo = join(root, "node_modules", ".bin", "turbo");
  if (step("build", turbo, ["run", "build", "--output-logs=errors-only"]) !== 0)
    return "the build failed";
  return undefined;
}

/** Step 3: the ZooKeeper and Kafka jars (Maven Central, once). */
export function fetchJars() {
  if (
    step("jars", process.execPath, [join(root, "packages/testkit/dist/cli.js"), "fetch-jars"]) !== 0
  ) {
    return "the ZooKeeper and Kafka jars could not be fetched (see above)";
  }
  return undefined;
}

/**
 * Step 0: what `command` (start, cluster, test, bench, setup) needs from the system with these
 * arguments; installs it where it may, else prints the command to run and exits 2.
 */
export function prerequisites(command, args = []) {
  const problem = ensurePrerequisites(command, args);
  if (problem) {
    process.stderr.write(`\n✖ ${problem}\n`);
    process.exit(MISSING_EXIT_CODE);
  }
}

/**
 * All the steps in order for `command` and its arguments (default: what the jars need); exits 2
 * when a system prerequisite is missing, else returns the first failure's message, or undefined
 * when all went well.
 */
export function setup(command = "setup", args = []) {
  prerequisites(command, args);
  return install() ?? build() ?? fetchJars();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problem = setup();
  if (problem) {
    process.stderr.write(`\n✖ ${problem}\n`);
    process.exit(1);
  }
}
