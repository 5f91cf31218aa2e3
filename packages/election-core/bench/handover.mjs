#!/usr/bin/env node
// Hand-over time of election-core on a real ZooKeeper: from the moment the leader's process
// is told to close (clean) or is SIGKILLed (crash) until the next participant, in another
// process, emits "leader". Participants are separate Node processes, as in production.
//
//   npm run bench -w @atlas-ha/election-core [-- --rounds 10 --timeouts 4000,20000 --quick]
//
// Prints a table (min / median / p99 / max, and for crashes the time beyond the session
// timeout) and writes bench/results.json.
import { spawn } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startZooKeeper } from "@atlas-ha/testkit";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    timeouts: { type: "string", default: "4000,20000" },
    quick: { type: "boolean", default: false },
  },
});
const rounds = values.quick ? 3 : Number(values.rounds);
const timeouts = (values.quick ? "4000" : values.timeouts).split(",").map(Number);
const script = fileURLToPath(new URL("./participant.mjs", import.meta.url));

function participant(connect, id, sessionTimeoutMs) {
  const child = spawn(process.execPath, [script, connect, id, String(sessionTimeoutMs)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    const line = JSON.parse(text);
    lines.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const next = (type) =>
    new Promise((resolve) => {
      const check = () => {
        const found = lines.find((l) => l.type === type);
        if (found) resolve(found);
        else waiters.push(check);
      };
      check();
    });
  return { child, next };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const summary = (xs) => ({
  n: xs.length,
  min: Math.min(...xs),
  median: quantile(xs, 0.5),
  p99: quantile(xs, 0.99),
  max: Math.max(...xs),
});

// A small tick makes ZooKeeper's expiry precise (it checks once per tick).
const zk = await startZooKeeper({ nodes: 1, tickTime: 200 });
const results = [];
try {
  for (const sessionTimeoutMs of timeouts) {
    for (const mode of ["clean", "crash"]) {
      const samples = [];
      const n =
        mode === "crash" && sessionTimeoutMs >= 20_000 && !values.quick
          ? Math.min(rounds, 3)
          : rounds;
      for (let i = 0; i < n; i++) {
        const a = participant(zk.connectString, `a${i}`, sessionTimeoutMs);
        await a.next("leader");
        const b = participant(zk.connectString, `b${i}`, sessionTimeoutMs);
        await b.next("started");
        let t0;
        if (mode === "clean") {
          t0 = Date.now();
          a.child.stdin.write("close\n");
        } else {
          t0 = Date.now();
          a.child.kill("SIGKILL");
        }
        const leader = await b.next("leader");
        samples.push(leader.at - t0);
        b.child.stdin.write("close\n");
        await new Promise((r) => b.child.once("exit", r));
        if (a.child.exitCode === null && a.child.signalCode === null)
          await new Promise((r) => a.child.once("exit", r));
      }
      const s = summary(samples);
      results.push({
        mode,
        sessionTimeoutMs,
        ...s,
        overTimeoutMedian: mode === "crash" ? s.median - sessionTimeoutMs : null,
        samples,
      });
    }
  }
} finally {
  await zk.shutdown();
}

const pad = (v, w) => String(v).padStart(w);
console.log(`\nelection-core hand-over (ZooKeeper standalone, tickTime 200 ms), ms`);
console.log(
  `${"case".padEnd(8)}${pad("session", 9)}${pad("n", 4)}${pad("min", 8)}${pad("median", 8)}${pad("p99", 8)}${pad("max", 8)}${pad("median-timeout", 16)}`,
);
for (const r of results) {
  console.log(
    `${r.mode.padEnd(8)}${pad(r.sessionTimeoutMs, 9)}${pad(r.n, 4)}${pad(r.min, 8)}${pad(r.median, 8)}${pad(r.p99, 8)}${pad(r.max, 8)}${pad(r.overTimeoutMedian ?? "-", 16)}`,
  );
}
const out = fileURLToPath(new URL("./results.json", import.meta.url));
mkdirSync(fileURLToPath(new URL(".", import.meta.url)), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ benchmark: "election-core hand-over", at: new Date().toISOString(), results }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
