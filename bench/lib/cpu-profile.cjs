// Preloaded into the atlas-server instances by `--profile` (NODE_OPTIONS="--require …",
// since Node refuses --cpu-prof in NODE_OPTIONS): the same V8 sampling profile, started
// with the process and written as <dir>/atlas-<pid>.cpuprofile when it exits (open it in
// Chrome DevTools, or `node bench/lib/profile-top.mjs FILE`).
"use strict";
const { Session } = require("node:inspector");
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

const dir = process.env.BENCH_PROFILE_DIR;
const isServer =
  process.argv.some((a) => a.endsWith("main.js")) && !process.argv.includes("hash-password");
if (dir && isServer) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  process.on("exit", () => {
    // An in-thread session answers synchronously, so this works inside the exit handler.
    session.post("Profiler.stop", (error, result) => {
      if (!error)
        writeFileSync(join(dir, `atlas-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
