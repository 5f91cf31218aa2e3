// The local clusters the scenarios share (starting ZooKeeper and Kafka costs seconds, so one
// per backend per run), and what the scenarios do to their instances: restart with changed
// properties, wait until a write succeeds, read RSS.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { startLocalCluster } from "@atlas-ha/local-cluster";
import { waitFor } from "@atlas-ha/testkit";
import { firstSuccessfulWrite } from "./http.mjs";

export const SESSION_TIMEOUT_MS = 4000;

/** Lazily started clusters, one per backend; `closeAll()` takes every one down. */
export class Clusters {
  #clusters = new Map();
  #log;

  constructor({ log }) {
    this.#log = log;
  }

  /** The shared cluster of `backend` ("sqlite" | "postgres"), started on first use. */
  get(backend = "sqlite") {
    let started = this.#clusters.get(backend);
    if (!started) {
      const t0 = performance.now();
      this.#log(
        `starting a local cluster (${backend}: 2 atlas-server instances, 1 ZooKeeper, Kafka${backend === "postgres" ? ", PostgreSQL" : ""}) …`,
      );
      started = startLocalCluster({
        instances: 2,
        zk: 1,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        backend,
      }).then(async (cluster) => {
        await settled(cluster);
        this.#log(`cluster up in ${Math.round(performance.now() - t0)} ms (${cluster.stateDir})`);
        return cluster;
      });
      this.#clusters.set(backend, started);
    }
    return started;
  }

  async closeAll() {
    const all = [...this.#clusters.values()];
    this.#clusters.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (c) => c.down(),
          () => undefined,
        ),
      ),
    );
  }
}

/** How many times the instance's log says its write path was warmed (src/warm-up.ts). */
function warmUps(instance) {
  try {
    return (
      readFileSync(instance.process.logFile, "utf8").split('"event":"write_path_warmed"').length - 1
    );
  } catch {
    return 0;
  }
}

/**
 * Starts `name` and waits until it has warmed its write path, as a passive that has run for a
 * while has: a failover right after a restart would time a cold process, which says nothing
 * about the hand-over.
 */
export async function startWarm(cluster, name, timeoutMs = 30_000) {
  const instance = cluster.instances.find((i) => i.name === name);
  const before = warmUps(instance);
  await cluster.start(name);
  await waitFor(() => warmUps(instance) > before, {
    timeoutMs,
    intervalMs: 20,
    what: `${name} logging write_path_warmed (${instance.process.logFile})`,
  });
}

/** Waits for exactly one ACTIVE that accepts a write; returns it. */
export async function settled(cluster, { not, timeoutMs = 90_000 } = {}) {
  const active = await cluster.waitForActive({ timeoutMs, ...(not ? { not } : {}) });
  await firstSuccessfulWrite([active.url], { timeoutMs, intervalMs: 20 });
  return active;
}

/** The passive instances (those running and not `active`). */
export function others(cluster, active) {
  return cluster.instances.filter((i) => i.name !== active.name && i.process.running);
}

/**
 * Restarts `names` (default: every instance) with `properties` appended to their
 * atlas-application.properties (a repeated key keeps its last value), the passives first
 * so the role moves at most once. Returns the function that restores the original files and
 * restarts again. Each instance gets `perInstance(name)` merged in when given.
 */
export async function reconfigure(cluster, properties, { perInstance } = {}) {
  const saved = new Map();
  const lines = (props) =>
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}\n`)
      .join("");
  for (const instance of cluster.instances) {
    saved.set(instance.name, readFileSync(instance.configFile, "utf8"));
    appendFileSync(
      instance.configFile,
      `# bench\n${lines({ ...properties, ...(perInstance?.(instance.name) ?? {}) })}`,
    );
  }
  await restartAll(cluster);
  return async () => {
    for (const instance of cluster.instances)
      writeFileSync(instance.configFile, saved.get(instance.name));
    await restartAll(cluster);
  };
}

/** Clean restart of every instance, passives first, then waits until the cluster is settled. */
export async function restartAll(cluster) {
  const statuses = await cluster.statuses();
  const order = [...statuses].sort((a, b) => (a.state === "ACTIVE") - (b.state === "ACTIVE"));
  for (const s of order) {
    await cluster.stop(s.name);
    await cluster.start(s.name);
  }
  return settled(cluster);
}

/**
 * Resident set size of `pid` in MB, undefined when it is gone: `VmRSS` (all of it), or
 * `RssAnon` (private memory: without the Node binary and libraries mapped from files, which
 * every Node process on the host shares).
 */
export function rssMb(pid, field = "VmRSS") {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) `pid` has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Waits until `probe` is truthy (poll, deadline), re-exported for scenarios. */
export { waitFor };

/**
 * The backends a scenario runs on: `process.env[variable]` (e.g. BENCH_REST_BACKENDS=postgres)
 * when set, else SQLite alone in quick mode and both in a full run.
 */
export function benchBackends(variable, quick) {
  const named = process.env[variable];
  if (named) return named.split(",");
  return quick ? ["sqlite"] : ["sqlite", "postgres"];
}
