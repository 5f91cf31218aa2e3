#!/usr/bin/env node
// `npm run cluster -- <command>`: the local cluster of SPEC §10 (`npm run cluster -- --help`).
// The launcher itself is @atlas-ha/testkit's runClusterCli; this file gets a fresh clone to
// the point where it can run: `up` installs, builds and fetches jars first (scripts/setup.mjs;
// ATLAS_HA_SKIP_SETUP=1 skips that), the other commands only need the testkit built.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, setup } from "./setup.mjs";

function setupOrExit() {
  const problem = setup();
  if (problem) {
    process.stderr.write(`\n✖ ${problem}\n`);
    process.exit(1);
  }
}

const skipSetup = process.env.ATLAS_HA_SKIP_SETUP === "1";
const testkit = join(root, "packages", "testkit", "dist", "index.js");
let setUp = false;
if (!existsSync(testkit) && !skipSetup) {
  setupOrExit();
  setUp = true;
}
const { runClusterCli } = await import(pathToFileURL(testkit).href);
const code = await runClusterCli(process.argv.slice(2), {
  program: "npm run cluster --",
  prepare: setUp || skipSetup ? undefined : setupOrExit,
});
process.exit(code);
