#!/usr/bin/env node
// Proxy mode's cost: GETs sent straight to a stand-in active, next to the same GETs sent to a
// passive Koa app whose haRedirect middleware (passive: "proxy") forwards them there. The
// ratio of the two, measured in the same run, is what a client pays for the extra hop; the
// passive's CPU time per request is what the passive pays.
//
//   npm run bench:proxy -w @atlas-ha/http-redirect-middleware   (needs `npm run build` first)
//   BENCH_SECONDS=3 BENCH_CONNECTIONS=16 BENCH_ROUNDS=2 node bench/proxy.mjs
//
// The active and the passive run in child processes of their own; traffic stays on
// 127.0.0.1 and every loop stops at its deadline.
import { fork } from "node:child_process";
import { once } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const PATH = "/api/atlas/v2/entity/guid/5f1c1a2e-0000-4000-8000-000000000001?minExtInfo=true";
const BODY = JSON.stringify({
  entity: { typeName: "hive_table", attributes: { pad: "x".repeat(900) } },
});

if (process.argv[2] === "--serve") await serve(process.argv[3], process.argv[4]);
else await main();

async function serve(kind, activePort) {
  let server;
  if (kind === "active") {
    server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(BODY);
      });
    });
  } else {
    const { default: Koa } = await import("koa");
    const { haRedirect } = await import(join(here, "..", "dist", "index.js"));
    const app = new Koa();
    app.use(
      haRedirect({
        source: () => ({
          state: "PASSIVE",
          activeAddress: `http://127.0.0.1:${activePort}`,
          epoch: 7,
        }),
        selfAddress: "http://10.0.0.5:21000",
        passive: "proxy",
        proxy: { via: "bench-passive" },
      }),
    );
    server = http.createServer({ keepAliveTimeout: 30_000 }, app.callback());
  }
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  process.send({ port: server.address().port });
  process.on("message", (m) => {
    if (m === "cpu") process.send({ cpu: process.cpuUsage() });
  });
  process.on("disconnect", () => process.exit(0));
}

function start(args) {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", ...args], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return once(child, "message").then(([{ port }]) => ({ child, port }));
}

async function cpu(child) {
  child.send("cpu");
  for (;;) {
    const [m] = await once(child, "message");
    if (m.cpu) return m.cpu.user + m.cpu.system;
  }
}

async function load(port, seconds, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise((resolve) => {
      const started = performance.now();
      const req = http.get({ host: "127.0.0.1", port, path: PATH, agent }, (res) => {
        let size = 0;
        res.on("data", (c) => (size += c.length));
        res.on("end", () => {
          if (res.statusCode !== 200 || size !== BODY.length) errors++;
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
    });
  const worker = async () => {
    while (performance.now() < deadline) await one();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50Ms: round(pct(50)),
    p99Ms: round(pct(99)),
    errors,
  };
}

async function main() {
  if (!existsSync(join(here, "..", "dist", "index.js"))) {
    console.error("dist/index.js is missing: run `npm run build` in this package first");
    process.exit(1);
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const active = await start(["active"]);
  const passive = await start(["passive", String(active.port)]);
  const runs = [];
  try {
    for (const port of [active.port, passive.port]) await load(port, 1, connections); // warm-up
    // Alternate so drift in the machine's load favours neither.
    for (let n = 1; n <= rounds; n++) {
      for (const path of ["direct", "proxied"]) {
        const before = await cpu(passive.child);
        const r = await load(path === "direct" ? active.port : passive.port, seconds, connections);
        const passiveUs = (await cpu(passive.child)) - before;
        runs.push({ round: n, path, ...r, passiveCpuUsPerReq: round(passiveUs / r.requests) });
      }
    }
  } finally {
    for (const { child } of [passive, active]) {
      child.disconnect();
      await once(child, "exit");
    }
  }
  const best = (path) => runs.filter((r) => r.path === path).sort((a, b) => b.rps - a.rps)[0];
  const direct = best("direct");
  const proxied = best("proxied");
  const summary = {
    directRps: direct.rps,
    proxiedRps: proxied.rps,
    proxiedRpsRatio: round(proxied.rps / direct.rps),
    directP99Ms: direct.p99Ms,
    proxiedP99Ms: proxied.p99Ms,
    passiveCpuUsPerProxiedReq: proxied.passiveCpuUsPerReq,
  };
  console.log(
    `\nGET of a ${BODY.length}-byte answer: ${connections} keep-alive connections, ${seconds} s per run, ${rounds} round(s)\n`,
  );
  console.table(runs);
  console.log(
    `best of rounds: direct ${direct.rps} req/s (p99 ${direct.p99Ms} ms), through the passive ${proxied.rps} req/s (p99 ${proxied.p99Ms} ms), ratio ${summary.proxiedRpsRatio}; passive CPU ${summary.passiveCpuUsPerProxiedReq} µs per forwarded request`,
  );
  writeFileSync(
    join(here, "proxy-results.json"),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, settings: { seconds, connections, rounds, path: PATH }, runs, summary }, null, 2)}\n`,
  );
  if (runs.some((r) => r.errors > 0)) {
    console.error("some requests failed or got a wrong answer: see bench/proxy-results.json");
    process.exit(1);
  }
}

function round(n) {
  return Math.round(n * 100) / 100;
}
