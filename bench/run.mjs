#!/usr/bin/env node
// The atlas-ha benchmark suite: `npm run bench [-- --quick] [-- SCENARIO…]` at the repo root.
// Plain Node with no dependency up to the setup step, so a fresh clone can run it: it
// installs, builds and fetches the jars first (scripts/setup.mjs), then runs the suite.
// See bench/README.md.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    packages: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
    out: { type: "string" },
    "node-options": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  process.stdout
    .write(`Usage: npm run bench -- [--quick] [--profile] [--packages] [--out FILE] [SCENARIO…]

  --quick      about a minute: fewer rounds, shorter loads, SQLite only
  --profile    run the atlas-server instances under --cpu-prof (profiles in bench/profiles/)
  --packages   afterwards, run every other workspace's own bench script (turbo)
  --list       list the scenarios and exit
  --out FILE   where the results go (default bench/results.json)
  --node-options "FLAGS"  extra Node flags for the atlas-server instances (NODE_OPTIONS),
               e.g. "--max-semi-space-size=4"
  SCENARIO…    run only these (default: all); see --list
`);
  process.exit(0);
}

if (process.env.ATLAS_HA_SKIP_SETUP !== "1" && !values.list) {
  const { setup } = await import(pathToFileURL(join(here, "..", "scripts", "setup.mjs")).href);
  const problem = setup("bench", process.argv.slice(2));
  if (problem) {
    process.stderr.write(`\n✖ ${problem}\n`);
    process.exit(1);
  }
}

const { runSuite } = await import("./suite.mjs");
process.exitCode = await runSuite({
  quick: values.quick,
  profile: values.profile,
  nodeOptions: values["node-options"],
  packages: values.packages,
  list: values.list,
  only: positionals,
  out: values.out ?? join(here, "results.json"),
});
