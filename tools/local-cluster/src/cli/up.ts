import { rmSync } from "node:fs";
import { relative } from "node:path";
import { isProcessAlive } from "@atlas-ha/testkit";
import { LocalCluster } from "../cluster.js";
import { ClusterOptionsError, ClusterStateError } from "../errors.js";
import { localClusterPorts } from "../options.js";
import { startLocalCluster } from "../start.js";
import { readState, removeState, type StoreBackend } from "../state.js";
import { EXIT_FAILED, EXIT_OK, parse, positiveInt, type Context } from "./context.js";
import { clock, formatMs, printingLogger, walkthrough } from "./output.js";
import { runStatusClient } from "./status-client.js";

/** `up`: checks its arguments, refuses a second cluster, prepares, starts, then runs in the foreground unless `--detach`. */
export async function up(args: string[], context: Context): Promise<number> {
  const { values } = parse(
    args,
    {
      instances: { type: "string" },
      zk: { type: "string" },
      "session-timeout": { type: "string" },
      backend: { type: "string" },
      detach: { type: "boolean" },
    },
    false,
  );
  const instances = positiveInt("instances", values.instances as string | undefined, 1, 20) ?? 2;
  const zkText = values.zk as string | undefined;
  if (zkText !== undefined && zkText !== "1" && zkText !== "3") {
    throw new ClusterOptionsError("--zk", `must be 1 or 3, got ${JSON.stringify(zkText)}`);
  }
  const zk = zkText === "1" ? 1 : 3;
  const sessionTimeoutMs =
    positiveInt(
      "session-timeout",
      values["session-timeout"] as string | undefined,
      1000,
      300_000,
    ) ?? 4000;
  const backendText = (values.backend as string | undefined) ?? "sqlite";
  if (backendText !== "sqlite" && backendText !== "postgres") {
    throw new ClusterOptionsError(
      "--backend",
      `must be sqlite or postgres, got ${JSON.stringify(backendText)}`,
    );
  }
  const backend: StoreBackend = backendText;
  const detach = values.detach === true;
  const { out, program } = context;

  const previous = readState(context.dataDir);
  if (previous) {
    const cluster = LocalCluster.attach({ stateDir: context.dataDir });
    const running = cluster.members.filter((m) => m.process.running);
    if (running.length > 0) {
      throw new ClusterStateError(
        "CLUSTER_ALREADY_UP",
        `a local cluster is already up (${running.map((m) => `${m.name} pid ${m.process.pid}`).join(", ")}; ` +
          `see ${relative(process.cwd(), context.clusterFile) || context.clusterFile}). ` +
          `Use it, or stop it first with ${program} down`,
      );
    }
    out.write(`(the cluster started ${previous.createdAt} has no process left; starting afresh)\n`);
    removeState(previous);
  }
  await context.options.prepare?.();
  // A fresh cluster: data and logs of the previous one go (down keeps them for a post-mortem).
  rmSync(context.dataDir, { recursive: true, force: true });
  out.write(
    `\n▶ local cluster: ${zk} ZooKeeper node${zk > 1 ? "s" : ""}, Kafka, ${instances} atlas-server instance${instances > 1 ? "s" : ""} ` +
      `(${backend} store, session timeout ${sessionTimeoutMs} ms)\n`,
  );
  const aborter = new AbortController();
  let onStop: (reason: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    onStop = (reason) => {
      resolve(reason);
      aborter.abort();
    };
  });
  // Foreground: Ctrl-C, a kill or a closed terminal take the cluster down. Detached: Ctrl-C
  // while it starts ends the step in progress, then removes what was started.
  const signals = detach ? (["SIGINT"] as const) : (["SIGINT", "SIGTERM", "SIGHUP"] as const);
  const handlers = signals.map((s) => [s, () => onStop(s)] as const);
  for (const [s, handler] of handlers) process.once(s, handler);
  const onAbort = () => onStop("aborted");
  context.options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await upAndRun(
      { instances, zk, sessionTimeoutMs, backend, detach },
      aborter.signal,
      stopRequested,
      context,
    );
  } finally {
    for (const [s, handler] of handlers) process.removeListener(s, handler);
    context.options.signal?.removeEventListener("abort", onAbort);
  }
}

async function upAndRun(
  o: {
    instances: number;
    zk: 1 | 3;
    sessionTimeoutMs: number;
    backend: StoreBackend;
    detach: boolean;
  },
  abort: AbortSignal,
  stopRequested: Promise<string>,
  context: Context,
): Promise<number> {
  const { instances, zk, sessionTimeoutMs, backend, detach } = o;
  const { out, program } = context;
  const where = relative(process.cwd(), context.dataDir) || context.dataDir;
  const started = Date.now();
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({
      instances,
      zk,
      sessionTimeoutMs,
      backend,
      detached: true,
      stateDir: context.dataDir,
      clusterFile: context.clusterFile,
      ports: (context.options.ports ?? localClusterPorts)(instances, zk),
      logger: printingLogger(context),
      signal: abort,
    });
  } catch (error) {
    if (abort.aborted) {
      context.err.write("cluster: interrupted; what had started was stopped again\n");
      return EXIT_FAILED;
    }
    throw error;
  }
  out.write(
    `up in ${formatMs(Date.now() - started)}; data and logs in ${where}/, description in ${relative(process.cwd(), context.clusterFile) || context.clusterFile}\n\n`,
  );
  // A clear role picture before the walk-through: exactly one ACTIVE, the others PASSIVE.
  await cluster.waitForActive({ timeoutMs: 30_000 }).catch(() => undefined);
  await runStatusClient(
    cluster.instances.map((i) => i.url),
    [],
    context,
    true,
  );
  if (detach) {
    out.write(
      `\nStopped with: ${program} down   (status, kill, start, produce …: ${program} --help)\n`,
    );
    return EXIT_OK;
  }
  out.write(walkthrough(cluster, program));
  return foreground(cluster, stopRequested, context);
}

/**
 * The foreground of `up`: prints what changes (an instance's state, a process that exits or
 * comes back) until a signal, then takes everything down. Another terminal's `down` ends it too.
 */
async function foreground(
  initial: LocalCluster,
  stopRequested: Promise<string>,
  context: Context,
): Promise<number> {
  const { out } = context;
  let stopping = false;
  let last = new Map<string, string>();
  const snapshot = async (): Promise<Map<string, string> | undefined> => {
    if (!readState(context.dataDir)) return undefined;
    const cluster = LocalCluster.attach({ stateDir: context.dataDir });
    const now = new Map<string, string>();
    for (const m of cluster.members) {
      now.set(
        m.name,
        m.process.running
          ? m.process.paused
            ? `paused (pid ${m.process.pid})`
            : `running (pid ${m.process.pid})`
          : "not running",
      );
    }
    for (const s of await cluster.statuses(800)) now.set(`${s.name} state`, s.state ?? "no answer");
    return now;
  };
  last = (await snapshot()) ?? last;
  const watcher = (async () => {
    while (!stopping) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (stopping) break;
      const now = await snapshot().catch(() => last);
      if (now === undefined) return "down";
      for (const [key, value] of now) {
        const before = last.get(key);
        if (before !== undefined && before !== value && !stopping) {
          const what = key.endsWith(" state")
            ? `${before} → ${value}`
            : value === "not running"
              ? `process gone (was pid ${/pid (\d+)/.exec(before)?.[1] ?? "?"})`
              : `process ${value}`;
          out.write(`${clock()}  ${key.replace(/ state$/, "").padEnd(8)} ${what}\n`);
        }
      }
      last = now;
    }
    return "stopping";
  })();
  const reason = await Promise.race([stopRequested, watcher]);
  stopping = true;
  if (reason === "down") {
    out.write(`\nThe cluster was taken down (${context.program} down); leaving.\n`);
    return EXIT_OK;
  }
  out.write(`\nStopping the cluster (${reason})…\n`);
  // A second Ctrl-C: no more waiting for clean stops.
  const force = () => {
    const state = readState(context.dataDir);
    for (const r of state
      ? [
          ...state.instances,
          ...state.zookeeper,
          state.kafka,
          ...(state.postgres ? [state.postgres] : []),
        ]
      : []) {
      if (
        r.process.pid !== null &&
        isProcessAlive(r.process.pid, r.process.startTime ?? undefined)
      ) {
        try {
          process.kill(r.process.pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    context.err.write("killed everything (SIGKILL)\n");
  };
  process.once("SIGINT", force);
  try {
    // Re-read: another terminal may have restarted processes (new pids) meanwhile.
    const cluster = readState(context.dataDir)
      ? LocalCluster.attach({ stateDir: context.dataDir })
      : initial;
    await cluster.down();
    out.write(
      `Stopped; nothing is left running. Logs: ${relative(process.cwd(), context.dataDir) || context.dataDir}/\n`,
    );
    return EXIT_OK;
  } finally {
    process.removeListener("SIGINT", force);
  }
}
