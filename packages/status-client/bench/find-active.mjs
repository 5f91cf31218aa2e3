#!/usr/bin/env node
// `npm run bench -w @atlas-ha/status-client`: how long one check of a group takes over
// loopback (findActive, all instances in parallel, keep-alive connections), and how closely a
// check with a hanging instance returns at its per-request timeout. Uses the built dist/.
// Servers run in a child process so that their work does not share the client's event loop.
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { findActive } from "../dist/index.js";

if (process.argv[2] === "--serve") {
  // Child: N status servers, the first ACTIVE, the rest PASSIVE; `hang` adds one that never answers.
  const { createServer } = await import("node:http");
  const [count, hang] = [Number(process.argv[3]), process.argv[4] === "hang"];
  const urls = [];
  for (let i = 0; i < count + (hang ? 1 : 0); i++) {
    const body = JSON.stringify({ Status: i === 0 ? "ACTIVE" : "PASSIVE" });
    const hanging = hang && i === count;
    const server = createServer((req, res) => {
      if (!hanging) res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    urls.push(`http://127.0.0.1:${server.address().port}`);
  }
  process.send(urls);
} else {
  const results = {};
  for (const [name, count, hang, rounds, timeoutMs] of [
    ["3 instances", 3, false, 2000, 2000],
    ["10 instances", 10, false, 1000, 2000],
    ["2 instances + 1 hanging, timeout 200 ms", 2, true, 10, 200],
  ]) {
    const child = fork(fileURLToPath(import.meta.url), [
      "--serve",
      String(count),
      hang ? "hang" : "",
    ]);
    const urls = await new Promise((r) => child.once("message", r));
    for (let i = 0; i < 20 && !hang; i++) await findActive(urls, { timeoutMs }); // warm up connections and JIT
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const group = await findActive(urls, { timeoutMs });
      times.push(performance.now() - started);
      if (group.active === undefined) throw new Error(`bench: no active found (${group.summary})`);
    }
    child.kill();
    times.sort((a, b) => a - b);
    const at = (q) =>
      Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2));
    results[name] = { rounds, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: at(1) };
    console.log(
      `${name.padEnd(42)} rounds=${rounds}  p50=${at(0.5)} ms  p95=${at(0.95)} ms  p99=${at(0.99)} ms  max=${at(1)} ms`,
    );
  }
  writeFileSync(
    new URL("./results.json", import.meta.url),
    `${JSON.stringify({ node: process.version, results }, null, 2)}\n`,
  );
}
