// Runs the scenarios in order on shared local clusters, prints the table, writes the results.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@atlas-ha/testkit";
import { Clusters } from "./lib/cluster.mjs";
import { closeHttp } from "./lib/http.mjs";
import { printTable, writeResults } from "./lib/report.mjs";
import { failoverClean, failoverCrash, switchover } from "./scenarios/failover.mjs";
import { zkBlip } from "./scenarios/zk-blip.mjs";
import { httpLoad } from "./scenarios/http.mjs";
import { hooks } from "./scenarios/hooks.mjs";
import { memory } from "./scenarios/memory.mjs";
import { restWrites } from "./scenarios/rest.mjs";
import { lineage } from "./scenarios/lineage.mjs";
import { search } from "./scenarios/search.mjs";
import { election } from "./scenarios/election.mjs";

/** In run order: the idle figures first, the failovers (which restart instances) last. */
export const SCENARIOS = [
  memory,
  httpLoad,
  restWrites,
  hooks,
  lineage,
  search,
  election,
  failoverClean,
  switchover,
  failoverCrash,
  zkBlip,
];

export async function runSuite({ quick, profile, nodeOptions, packages, list, only, out }) {
  if (list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(16)} ${s.title}\n`);
    return 0;
  }
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario(s): ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}\n`,
    );
    return 2;
  }
  const chosen = only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
  const startedAt = Date.now();
  const log = (line) => process.stdout.write(`${line}\n`);
  if (profile) {
    // Inherited by every atlas-server the testkit starts from now on; the bench's own
    // workers get a clean environment (lib/processes.mjs).
    const dir = join(repoRoot(), "bench", "profiles");
    mkdirSync(dir, { recursive: true });
    // Node refuses --cpu-prof in NODE_OPTIONS; lib/cpu-profile.cjs does the same from inside.
    process.env.BENCH_PROFILE_DIR = dir;
    process.env.NODE_OPTIONS =
      `${process.env.NODE_OPTIONS ?? ""} --require ${join(repoRoot(), "bench", "lib", "cpu-profile.cjs")}`.trim();
    log(`profiling atlas-server instances into ${dir}`);
  }
  if (nodeOptions) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} ${nodeOptions}`.trim();
    log(`atlas-server instances run with NODE_OPTIONS=${process.env.NODE_OPTIONS}`);
  }
  const clusters = new Clusters({ log });
  const figures = [];
  const errors = [];
  const stopSignals = onSignals(() => clusters.closeAll());
  try {
    for (const scenario of chosen) {
      log(`\n▶ ${scenario.title}${quick ? " (quick)" : ""}`);
      const t0 = performance.now();
      try {
        // A part that cannot run (no PostgreSQL on this machine) is reported, the rest still runs.
        const partFailed = (part, error) => {
          errors.push({
            scenario: `${scenario.name} (${part})`,
            error: error.stack ?? String(error),
          });
          log(`✖ ${scenario.name} (${part}) failed: ${error.message ?? error}`);
        };
        const got = await scenario.run({ quick, clusters, log, partFailed });
        figures.push(...got);
        printTable(got);
        log(`  (${Math.round((performance.now() - t0) / 1000)} s)`);
      } catch (error) {
        errors.push({ scenario: scenario.name, error: error.stack ?? String(error) });
        log(`✖ ${scenario.name} failed: ${error.stack ?? error}`);
      }
    }
  } finally {
    log("\nstopping the clusters …");
    await clusters.closeAll();
    closeHttp();
    stopSignals();
  }
  log(
    `\natlas-ha bench${quick ? " (quick)" : ""}: ${figures.length} figures in ${Math.round((Date.now() - startedAt) / 1000)} s\n`,
  );
  printTable(figures);
  writeResults(out, {
    figures,
    errors,
    startedAt,
    settings: {
      quick,
      profile,
      nodeOptions: nodeOptions ?? null,
      scenarios: chosen.map((s) => s.name),
    },
  });
  log(`\nwritten ${out}`);
  for (const e of errors) log(`✖ ${e.scenario}: ${e.error.split("\n")[0]}`);

  let code = errors.length > 0 ? 1 : 0;
  if (packages) {
    // Each workspace's own micro-bench (election-core hand-over, hook-consumer throughput,
    // redirect middleware, status-client), as `turbo run bench` ran them before this suite.
    const turbo = join(repoRoot(), "node_modules", ".bin", "turbo");
    const args = [
      "run",
      "bench",
      "--concurrency=1",
      "--filter=!@atlas-ha/bench",
      ...(quick ? ["--", "--quick"] : []),
    ];
    log(`\n▶ per-package benches: turbo ${args.join(" ")}`);
    const r = spawnSync(turbo, args, {
      cwd: repoRoot(),
      stdio: "inherit",
      env: {
        ...process.env,
        ...(quick ? { BENCH_ROUNDS: "1", BENCH_SECONDS: "2", BENCH_MESSAGES: "10000" } : {}),
      },
    });
    if (r.status !== 0) code = 1;
  }
  return code;
}

/** Ctrl-C / SIGTERM: take the clusters down (the testkit's guards would kill them anyway). */
function onSignals(cleanup) {
  const handler = (signal) => {
    process.stderr.write(`\n${signal}: stopping the clusters …\n`);
    cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
