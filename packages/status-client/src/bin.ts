#!/usr/bin/env node
// The `atlas-status` executable (built to dist/cli.js): process wiring only; the work is in cli.ts.
import { main } from "./cli.js";

const controller = new AbortController();
// First Ctrl-C ends a --watch cleanly (exit code of the last verdict); a second one kills.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => controller.abort());
}

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
  columns: () => process.stdout.columns,
});
// Keep-alive sockets would hold the process open; exit once stdout has been flushed.
process.stdout.write("", () => process.exit(code));
