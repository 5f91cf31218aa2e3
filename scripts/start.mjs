#!/usr/bin/env node
// `npm start`: on a fresh clone, check Java and Maven (PostgreSQL too with `--backend postgres`),
// install, build and fetch the jars (scripts/setup.mjs), then
// bring the local cluster up in the foreground (3 ZooKeeper nodes, Kafka, 2 atlas-server
// instances sharing one SQLite store), print its status and a walk-through, and stop
// everything on Ctrl-C. Arguments go to `up`: `npm start -- --instances 3 --zk 1`. The launcher
// is the private workspace tools/local-cluster (@atlas-ha/local-cluster).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, setup } from "./setup.mjs";

if (process.env.ATLAS_HA_SKIP_SETUP !== "1") {
  const problem = setup("start", process.argv.slice(2));
  if (problem) {
    process.stderr.write(`\n✖ ${problem}\n`);
    process.exit(1);
  }
}
const { runClusterCli } = await import(
  pathToFileURL(join(root, "tools", "local-cluster", "dist", "index.js")).href
);
process.exit(
  await runClusterCli(["up", ...process.argv.slice(2)], { program: "npm run cluster --" }),
);
