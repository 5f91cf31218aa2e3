#!/usr/bin/env node
// Throughput and latency of a passive Koa app whose haRedirect middleware answers 302, next
// to a bare Koa app that answers the same 302 by hand: the difference is the middleware's cost.
//
//   npm run bench -w @atlas-ha/http-redirect-middleware      (needs `npm run build` first)
//   BENCH_SECONDS=5 BENCH_CONNECTIONS=64 BENCH_ROUNDS=2 node bench/redirect.mjs
//
// Each server runs in its own child process so the load loop (this process) does not share
// its event loop; on a 2-core machine client and server each get about one core. Traffic goes
// to 127.0.0.1 only, and every loop stops at its deadline.
import { fork } from "node:child_process";
import { once } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ACTIVE = "http://10.0.0.7:21000"; // only written into Location, never contacted
const PATH =
  "/api/atlas/v2/search/basic?query=a%20b&typeName=hive_table&attr:qualifiedName=db.t%40c1";

if (process.argv[2] === "--serve") await serve(process.argv[3]);
else await main();

async function serve(kind) {
  const { default: Koa } = await import("koa");
  const app = new Koa();
  if (kind === "middleware") {
    const dist = join(here, "..", "dist", "index.js");
    const { haRedirect } = await import(dist);
    const mw = haRedirect({
      source: { snapshot: () => ({ state: "PASSIVE", activeAddress: ACTIVE, epoch: 7 }) },
      selfAddress: "http://10.0.0.5:21000",
    });
    app.use(mw);
    app.use((ctx) => {
      ctx.throw(500, "a passive must not serve");
    });
  } else {
    app.use((ctx) => {
      ctx.status = 302;
      ctx.set("Location", ACTIVE + ctx.req.url);
      ctx.set("Cache-Control", "no-store");
      ctx.body = "";
    });
  }
  const server = http.createServer({ keepAliveTimeout: 30_000 }, app.callback());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  process.send({ port: server.address().port });
  // The load loop may be the bottleneck on a small machine, so req/s alone can hide the
  // middleware's cost; the server's own CPU time per request does not.
  process.on("message", (m) => {
    if (m === "cpu") process.send({ cpu: process.cpuUsage() });
  });
  process.on("disconnect", () => process.exit(0));
}

async function load(port, seconds, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  let errors = 0;
  let wrongStatus = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise((resolve) => {
      const started = performance.now();
      const req = http.get({ host: "127.0.0.1", port, path: PATH, agent }, (res) => {
        if (res.statusCode !== 302 || res.headers.location !== ACTIVE + PATH) wrongStatus++;
        res.resume();
        res.on("end", () => {
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
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ??
    Number.NaN;
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50Ms: round(pct(50)),
    p99Ms: round(pct(99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    errors,
    wrongStatus,
  };
}

async function measure(kind, seconds, connections) {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", kind], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const [{ port }] = await once(child, "message");
    await load(port, Math.min(1, seconds), connections); // warm-up: JIT and keep-alive sockets
    const cpuBefore = await serverCpu(child);
    const result = await load(port, seconds, connections);
    const cpuAfter = await serverCpu(child);
    const cpuMicros = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
    return { app: kind, ...result, serverCpuUsPerReq: round(cpuMicros / result.requests) };
  } finally {
    child.disconnect();
    await once(child, "exit");
  }
}

async function serverCpu(child) {
  child.send("cpu");
  for (;;) {
    const [m] = await once(child, "message");
    if (m.cpu) return m.cpu;
  }
}

async function main() {
  if (!existsSync(join(here, "..", "dist", "index.js"))) {
    console.error("dist/index.js is missing: run `npm run build` in this package first");
    process.exit(1);
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const runs = [];
  // Alternate the two apps so drift in the machine's load does not favour one of them.
  for (let round = 1; round <= rounds; round++) {
    for (const kind of ["bare", "middleware"])
      runs.push({ round, ...(await measure(kind, seconds, connections)) });
  }

  const best = (kind) => runs.filter((r) => r.app === kind).sort((a, b) => b.rps - a.rps)[0];
  const bare = best("bare");
  const withMw = best("middleware");
  const summary = {
    bareRps: bare.rps,
    middlewareRps: withMw.rps,
    middlewareRpsRatio: round(withMw.rps / bare.rps),
    bareP99Ms: bare.p99Ms,
    middlewareP99Ms: withMw.p99Ms,
    // Median over rounds: CPU per request is steadier than req/s but still shares the machine.
    bareServerCpuUsPerReq: median(
      runs.filter((r) => r.app === "bare").map((r) => r.serverCpuUsPerReq),
    ),
    middlewareServerCpuUsPerReq: median(
      runs.filter((r) => r.app === "middleware").map((r) => r.serverCpuUsPerReq),
    ),
  };

  console.log(
    `\n302 from a passive Koa app: ${connections} keep-alive connections, ${seconds} s per run, ${rounds} round(s)\n`,
  );
  console.table(
    runs.map(
      ({
        round: r,
        app,
        rps,
        p50Ms,
        p99Ms,
        maxMs,
        serverCpuUsPerReq,
        requests,
        errors,
        wrongStatus,
      }) => ({
        round: r,
        app,
        "req/s": rps,
        "p50 ms": p50Ms,
        "p99 ms": p99Ms,
        "max ms": maxMs,
        "server CPU µs/req": serverCpuUsPerReq,
        requests,
        errors,
        "wrong answer": wrongStatus,
      }),
    ),
  );
  console.log(
    `best of rounds: bare ${bare.rps} req/s (p99 ${bare.p99Ms} ms), middleware ${withMw.rps} req/s (p99 ${withMw.p99Ms} ms), ratio ${summary.middlewareRpsRatio}; ` +
      `median server CPU per request: bare ${summary.bareServerCpuUsPerReq} µs, middleware ${summary.middlewareServerCpuUsPerReq} µs`,
  );

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    settings: { seconds, connections, rounds, path: PATH },
    runs,
    summary,
  };
  writeFileSync(join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  if (runs.some((r) => r.errors > 0 || r.wrongStatus > 0)) {
    console.error("some requests failed or got a wrong answer: see bench/results.json");
    process.exit(1);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function round(n) {
  return Math.round(n * 100) / 100;
}
