#!/usr/bin/env node
// `npm run cluster -- <command>`: the local cluster of docs/contracts/local-cluster.md (`npm run cluster -- --help`).
// The launcher itself is runClusterCli of the private workspace tools/local-cluster
// (@atlas-ha/local-cluster); this file gets a fresh clone to the point where it can run: `up`
// installs, builds and fetches jars first (scripts/setup.mjs; ATLAS_HA_SKIP_SETUP=1 skips
// that), the other commands only need the launcher built.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, setup } from "./setup.mjs";

function setupOrExit() {
  const problem = setup("cluster", process.argv.slice(2));
  if (problem) {
    process.stderr.write(`\n✖ ${problem}\n`);
    process.exit(1);
  }
}

const skipSetup = process.env.ATLAS_HA_SKIP_SETUP === "1";
const launcher = join(root, "tools", "local-cluster", "dist", "index.js");
let setUp = false;
if (!existsSync(launcher) && !skipSetup) {
  setupOrExit();
  setUp = true;
}
const { runClusterCli } = await import(pathToFileURL(launcher).href);
const code = await runClusterCli(process.argv.slice(2), {
  program: "npm run cluster --",
  prepare: setUp || skipSetup ? undefined : setupOrExit,
});
process.exit(code);
