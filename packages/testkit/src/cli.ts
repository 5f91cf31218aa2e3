#!/usr/bin/env node
import { ensureJars, jarDir, type Component } from "./jars.js";

/**
 * `atlas-ha-testkit fetch-jars`: fetches the ZooKeeper and Kafka jars into the cache (once).
 * `npm test` runs it before the suites so that no test pays for the download.
 */
async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === "fetch-jars") {
    for (const component of ["zookeeper", "kafka"] as Component[]) {
      const started = Date.now();
      const dir = await ensureJars(component);
      process.stdout.write(`${component} jars: ${dir} (${Date.now() - started} ms)\n`);
    }
    return 0;
  }
  if (command === "jar-dir") {
    process.stdout.write(`${jarDir((argv[1] ?? "zookeeper") as Component)}\n`);
    return 0;
  }
  process.stderr.write("usage: atlas-ha-testkit fetch-jars | jar-dir <zookeeper|kafka>\n");
  return command === "--help" || command === "-h" ? 0 : 3;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`atlas-ha-testkit: ${error.message}\n`);
    process.exit(1);
  },
);
