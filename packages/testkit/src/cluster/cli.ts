import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot, stateDir as defaultHome } from "../paths.js";
import { isProcessAlive } from "../process.js";
import type { AtlasState } from "./atlas.js";
import {
  LocalCluster,
  localClusterPorts,
  startLocalCluster,
  type ClusterLogger,
  type LocalClusterPorts,
} from "./cluster.js";
import { ClusterOptionsError, ClusterStateError } from "./errors.js";
import { readState, removeState, type StoreBackend } from "./state.js";

interface Writable {
  write(text: string): unknown;
}

export interface ClusterCliOptions {
  /** Folder of `cluster.json` and `cluster/` (data, logs, pids). Default `<repo>/.atlas-ha`. */
  home?: string;
  /** How the user calls the CLI, for help and hints. Default "npm run cluster --". */
  program?: string;
  stdout?: Writable;
  stderr?: Writable;
  /** Runs after `up` has checked its arguments, before it starts anything (install, build, jars). */
  prepare?: () => void | Promise<void>;
  /** Ports of `up`; default the fixed ones of SPEC §10 (21000…, 2181…, 9092, 15432). */
  ports?: (instances: number, zk: number) => LocalClusterPorts;
  /** Ends a foreground `up` as Ctrl-C does (for tests and embedding); default: signals only. */
  signal?: AbortSignal;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function usage(program: string): string {
  return `Usage: ${program} <command> [options]

The local atlas-ha cluster on 127.0.0.1: ZooKeeper (zk-1..3 on 2181-2183), Kafka (kafka on
9092, topic ATLAS_HOOK) and atlas-server instances (atlas-1, atlas-2, … on 21000, 21001, …).
State, data and logs live in .atlas-ha/cluster/; .atlas-ha/cluster.json describes a running cluster.

Commands
  up [options]          start a cluster (refused while one is up); runs in the foreground
                        and stops everything on Ctrl-C, unless --detach
      --instances N     atlas-server instances (default 2)
      --zk 1|3          ZooKeeper nodes (default 3)
      --session-timeout MS
                        ZooKeeper session timeout of the instances (default 4000); the
                        ensemble's tickTime follows (a tenth of it, at most 2000)
      --backend sqlite|postgres
                        shared store (default sqlite: one file; postgres: a local server on 15432)
      --detach          return once every instance answers its status endpoint
  status [--json]       processes (pid, running/paused/stopped) and the atlas-status table;
                        the exit code is atlas-status's (0 OK, 1 WARNING, 2 CRITICAL)
  kill NAME…            SIGKILL (a crash)
  stop NAME…            SIGTERM (a clean stop: an active instance hands over at once)
  pause NAME…           SIGSTOP (frozen: sockets open, silence)
  resume NAME…          SIGCONT
  start NAME…           start a stopped or killed process again, same configuration and data
  produce [--topic T] FILE…
                        publish hook messages: one Kafka value per file, or one per line of
                        a .jsonl file (default topic ATLAS_HOOK)
  down                  stop everything; nothing is left running or listening (logs stay)

NAME is atlas-N, zk-N, kafka or postgres.

Examples
  ${program} up --detach --instances 3 --zk 1
  ${program} kill atlas-1 && ${program} status
  ${program} produce examples/hook-messages/create-db.json
`;
}

function positiveInt(option: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new ClusterOptionsError(`--${option}`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

type OptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

function parse(args: string[], options: OptionsConfig, positionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const option = /'(-[-\w]+)/.exec(message)?.[1] ?? "arguments";
    throw new ClusterOptionsError(option, message.replace(/\. To specify a positional.*$/s, "").replace(/'(-[-\w]+)'/g, "$1"));
  }
}

function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/**
 * The `npm run cluster` command line (SPEC §10). Returns the exit code: 0 done, 1 failed,
 * 2 bad arguments; `status` returns atlas-status's code.
 */
export async function runClusterCli(argv: string[], options: ClusterCliOptions = {}): Promise<number> {
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  const program = options.program ?? "npm run cluster --";
  const home = options.home ?? defaultHome();
  const dataDir = join(home, "cluster");
  const clusterFile = join(home, "cluster.json");
  const [command, ...rest] = argv;
  const context: Context = { out, err, program, home, dataDir, clusterFile, options };
  try {
    switch (command) {
      case undefined:
        err.write(usage(program));
        return EXIT_USAGE;
      case "help":
      case "--help":
      case "-h":
        out.write(usage(program));
        return EXIT_OK;
      case "up":
        return await up(rest, context);
      case "status":
        return await status(rest, context);
      case "kill":
      case "stop":
      case "pause":
      case "resume":
      case "start":
        return await signalMembers(command, rest, context);
      case "produce":
        return await produce(rest, context);
      case "down":
        return await down(rest, context);
      default:
        throw new ClusterOptionsError("command", `unknown command ${JSON.stringify(command)} (up, status, kill, stop, pause, resume, start, produce, down)`);
    }
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.name === "ClusterOptionsError") {
      err.write(`cluster: ${e.message}\nRun ${program} --help for usage.\n`);
      return EXIT_USAGE;
    }
    err.write(`cluster: ${e.message}\n`);
    return EXIT_FAILED;
  }
}

interface Context {
  out: Writable;
  err: Writable;
  program: string;
  home: string;
  dataDir: string;
  clusterFile: string;
  options: ClusterCliOptions;
}

function attach(context: Context): LocalCluster {
  try {
    return LocalCluster.attach({ stateDir: context.dataDir });
  } catch (error) {
    if ((error as { code?: string }).code === "CLUSTER_NOT_UP") {
      throw new ClusterStateError("CLUSTER_NOT_UP", `no local cluster is up (start one with ${context.program} up)`);
    }
    throw error;
  }
}

function printingLogger(context: Context): ClusterLogger {
  const line = (name: string, what: string, ms?: number) =>
    context.out.write(`  ${name.padEnd(10)} ${what}${ms !== undefined ? `  (${formatMs(ms)})` : ""}\n`);
  return {
    debug() {},
    info(obj) {
      const e = obj as Record<string, unknown>;
      switch (e.event) {
        case "zookeeper_started":
          line("zookeeper", `${(e.nodes as string[]).join(" ")} on ${String(e.connect)} (tickTime ${String(e.tickTime)} ms)`, e.tookMs as number);
          break;
        case "kafka_started":
          line("kafka", `${String(e.bootstrap)}, topic ${String(e.topic)}`, e.tookMs as number);
          break;
        case "postgres_started":
          line("postgres", String(e.url), e.tookMs as number);
          break;
        case "instance_started":
          line(String(e.name), `${String(e.url)} (pid ${String(e.pid)})`, e.tookMs as number);
          break;
      }
    },
    warn(obj) {
      context.err.write(`  warning: ${JSON.stringify(obj)}\n`);
    },
    error(obj) {
      context.err.write(`  error: ${JSON.stringify(obj)}\n`);
    },
  };
}

async function up(args: string[], context: Context): Promise<number> {
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
  const sessionTimeoutMs = positiveInt("session-timeout", values["session-timeout"] as string | undefined, 1000, 300_000) ?? 4000;
  const backendText = (values.backend as string | undefined) ?? "sqlite";
  if (backendText !== "sqlite" && backendText !== "postgres") {
    throw new ClusterOptionsError("--backend", `must be sqlite or postgres, got ${JSON.stringify(backendText)}`);
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
    return await upAndRun({ instances, zk, sessionTimeoutMs, backend, detach }, aborter.signal, stopRequested, context);
  } finally {
    for (const [s, handler] of handlers) process.removeListener(s, handler);
    context.options.signal?.removeEventListener("abort", onAbort);
  }
}

async function upAndRun(
  o: { instances: number; zk: 1 | 3; sessionTimeoutMs: number; backend: StoreBackend; detach: boolean },
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
  out.write(`up in ${formatMs(Date.now() - started)}; data and logs in ${where}/, description in ${relative(process.cwd(), context.clusterFile) || context.clusterFile}\n\n`);
  // A clear role picture before the walk-through: exactly one ACTIVE, the others PASSIVE.
  await cluster.waitForActive({ timeoutMs: 30_000 }).catch(() => undefined);
  await runStatusClient(cluster.instances.map((i) => i.url), [], context, true);
  if (detach) {
    out.write(`\nStopped with: ${program} down   (status, kill, start, produce …: ${program} --help)\n`);
    return EXIT_OK;
  }
  out.write(walkthrough(cluster, program));
  return foreground(cluster, stopRequested, context);
}

function walkthrough(cluster: LocalCluster, program: string): string {
  const urls = cluster.instances.map((i) => i.url);
  const [first, second] = cluster.instances;
  const lines = [
    "",
    "Try it, in another terminal:",
    `  curl -s ${urls[0]}/api/atlas/admin/status          # {"Status":"ACTIVE"}`,
    `  curl -s ${(second ?? first)!.url}/api/atlas/admin/health`,
    `  node packages/status-client/dist/cli.js --watch ${urls.join(" ")}`,
    "",
    "Feed it a hook message and read the entity back (a passive redirects to the active):",
    `  ${program} produce examples/hook-messages/create-db.json`,
    `  curl -s -u admin:admin --location-trusted '${(second ?? first)!.url}/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=sales@demo'`,
    "",
    "Watch a failover:",
    `  ${program} kill ${first!.name}     # a crash: ${second ? second.name : "nobody"} takes over once ${first!.name}'s ZooKeeper session expires (~${formatMs(cluster.sessionTimeoutMs)})`,
    `  ${program} start ${first!.name}    # it comes back PASSIVE`,
    ...(second ? [`  ${program} stop ${second.name}     # a clean stop hands over in milliseconds`] : []),
    `  ${program} status`,
    "",
    "Ctrl-C stops everything.",
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The foreground of `up`: prints what changes (an instance's state, a process that exits or
 * comes back) until a signal, then takes everything down. Another terminal's `down` ends it too.
 */
async function foreground(initial: LocalCluster, stopRequested: Promise<string>, context: Context): Promise<number> {
  const { out } = context;
  let stopping = false;
  let last = new Map<string, string>();
  const snapshot = async (): Promise<Map<string, string> | undefined> => {
    if (!readState(context.dataDir)) return undefined;
    const cluster = LocalCluster.attach({ stateDir: context.dataDir });
    const now = new Map<string, string>();
    for (const m of cluster.members) {
      now.set(m.name, m.process.running ? (m.process.paused ? `paused (pid ${m.process.pid})` : `running (pid ${m.process.pid})`) : "not running");
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
          const what = key.endsWith(" state") ? `${before} → ${value}` : value === "not running" ? `process gone (was pid ${/pid (\d+)/.exec(before)?.[1] ?? "?"})` : `process ${value}`;
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
    for (const r of state ? [...state.instances, ...state.zookeeper, state.kafka, ...(state.postgres ? [state.postgres] : [])] : []) {
      if (r.process.pid !== null && isProcessAlive(r.process.pid, r.process.startTime ?? undefined)) {
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
    const cluster = readState(context.dataDir) ? LocalCluster.attach({ stateDir: context.dataDir }) : initial;
    await cluster.down();
    out.write(`Stopped; nothing is left running. Logs: ${relative(process.cwd(), context.dataDir) || context.dataDir}/\n`);
    return EXIT_OK;
  } finally {
    process.removeListener("SIGINT", force);
  }
}

/** Runs the built atlas-status CLI (status-client) against the instances. */
function runStatusClient(urls: string[], extra: string[], context: Context, print: boolean): Promise<{ code: number; stdout: string }> {
  const cli = join(repoRoot(), "packages", "status-client", "dist", "cli.js");
  if (!existsSync(cli)) {
    throw new Error(`the status-client is not built: ${cli} is missing (run npm run build at the repo root)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...extra, ...urls], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (print) context.out.write(chunk.toString());
    });
    child.stderr.on("data", (chunk: Buffer) => context.err.write(chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code: code ?? EXIT_FAILED, stdout }));
  });
}

function processRows(cluster: LocalCluster) {
  return cluster.members.map((m) => ({
    name: m.name,
    kind: m.kind,
    address: m.address,
    pid: m.process.pid ?? null,
    process: m.process.running ? (m.process.paused ? "paused" : "running") : "stopped",
  }));
}

async function status(args: string[], context: Context): Promise<number> {
  const { values } = parse(args, { json: { type: "boolean" } }, false);
  const cluster = attach(context);
  const rows = processRows(cluster);
  const urls = cluster.instances.map((i) => i.url);
  if (values.json) {
    const result = urls.length > 0 ? await runStatusClient(urls, ["--json"], context, false) : { code: EXIT_OK, stdout: "null" };
    let atlasStatus: unknown = result.stdout;
    try {
      atlasStatus = JSON.parse(result.stdout);
    } catch {
      // keep the text
    }
    context.out.write(`${JSON.stringify({ cluster: cluster.describe(), processes: rows, atlasStatus }, null, 2)}\n`);
    return result.code;
  }
  const width = Math.max(...rows.map((r) => r.name.length), 4) + 2;
  context.out.write(`${"NAME".padEnd(width)}${"PROCESS".padEnd(10)}${"PID".padEnd(9)}ADDRESS\n`);
  for (const r of rows) {
    context.out.write(`${r.name.padEnd(width)}${r.process.padEnd(10)}${String(r.pid ?? "-").padEnd(9)}${r.address}\n`);
  }
  context.out.write("\n");
  if (urls.length === 0) return EXIT_OK;
  return (await runStatusClient(urls, [], context, true)).code;
}

async function signalMembers(command: "kill" | "stop" | "pause" | "resume" | "start", args: string[], context: Context): Promise<number> {
  const { positionals } = parse(args, {}, true);
  if (positionals.length === 0) {
    throw new ClusterOptionsError("NAME", `${command} needs the name of a process (atlas-N, zk-N, kafka, postgres)`);
  }
  const cluster = attach(context);
  for (const name of positionals) cluster.member(name); // every name is checked before any signal
  let code = EXIT_OK;
  for (const name of positionals) {
    const member = cluster.member(name);
    const pid = member.process.pid;
    if (command !== "start" && pid === undefined) {
      context.err.write(`cluster: ${name} is not running (start it with ${context.program} start ${name})\n`);
      code = EXIT_FAILED;
      continue;
    }
    const t0 = Date.now();
    switch (command) {
      case "kill":
        await cluster.kill(name);
        context.out.write(`${name}: killed (SIGKILL, pid ${pid})\n`);
        break;
      case "stop":
        await cluster.stop(name);
        context.out.write(`${name}: stopped (SIGTERM, pid ${pid}, exited after ${formatMs(Date.now() - t0)})\n`);
        break;
      case "pause":
        await cluster.pause(name);
        context.out.write(`${name}: paused (SIGSTOP, pid ${pid}); ${context.program} resume ${name} continues it\n`);
        break;
      case "resume":
        await cluster.resume(name);
        context.out.write(`${name}: resumed (SIGCONT, pid ${pid})\n`);
        break;
      case "start": {
        if (member.process.running) {
          context.err.write(`cluster: ${name} is already running (pid ${member.process.pid})\n`);
          code = EXIT_FAILED;
          continue;
        }
        try {
          await cluster.start(name, member.kind === "zookeeper" ? 30_000 : 60_000);
        } catch (error) {
          const e = error as Error;
          if (e.name !== "TimeoutError") throw error;
          context.err.write(
            `cluster: ${name} runs (pid ${member.process.pid}) but does not serve yet: ${e.message}` +
              `${member.kind === "zookeeper" ? " (a ZooKeeper node serves once a quorum of the ensemble runs)" : ""}\n`,
          );
          code = EXIT_FAILED;
          continue;
        }
        let detail = "";
        if (member.kind === "atlas") {
          const state: AtlasState | undefined = await cluster.instance(name).status();
          detail = `, reports ${state ?? "nothing yet"}`;
        }
        context.out.write(`${name}: started (pid ${member.process.pid}, serving after ${formatMs(Date.now() - t0)}${detail})\n`);
        break;
      }
    }
  }
  return code;
}

async function produce(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parse(args, { topic: { type: "string" } }, true);
  if (positionals.length === 0) {
    throw new ClusterOptionsError("FILE", "produce needs at least one file (a message per file, or per line of a .jsonl file)");
  }
  // Read everything first: a missing file sends nothing rather than half the batch.
  const messages: { source: string; value: string }[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ClusterOptionsError("FILE", `cannot read ${file}: ${(error as Error).message}`);
    }
    if (file.endsWith(".jsonl")) {
      text.split("\n").forEach((line, i) => {
        if (line.trim()) messages.push({ source: `${file}:${i + 1}`, value: line.trim() });
      });
    } else if (text.trim()) {
      messages.push({ source: file, value: text.trim() });
    } else {
      throw new ClusterOptionsError("FILE", `${file} is empty`);
    }
  }
  for (const m of messages) {
    try {
      JSON.parse(m.value);
    } catch {
      // Sent anyway: a malformed message is a legitimate test of the failed-messages log.
      context.err.write(`cluster: note: ${m.source} is not valid JSON; sending it as it is\n`);
    }
  }
  const cluster = attach(context);
  const topic = (values.topic as string | undefined) ?? cluster.hookTopic;
  const results = await cluster.produce(messages.map((m) => m.value), { topic });
  const where = results.map((r) => `${r.partition}@${r.offset}`).join(", ");
  context.out.write(`sent ${messages.length} message${messages.length === 1 ? "" : "s"} to ${topic} (partition@first offset: ${where})\n`);
  return EXIT_OK;
}

async function down(args: string[], context: Context): Promise<number> {
  parse(args, {}, false);
  if (!readState(context.dataDir)) {
    context.out.write("no local cluster is up\n");
    return EXIT_OK;
  }
  const cluster = LocalCluster.attach({ stateDir: context.dataDir });
  const names = cluster.members.filter((m) => m.process.running).map((m) => m.name);
  const t0 = Date.now();
  await cluster.down();
  context.out.write(
    `stopped ${names.length > 0 ? names.join(", ") : "nothing (no process was running)"} in ${formatMs(Date.now() - t0)}; ` +
      `nothing is left running or listening. Logs: ${relative(process.cwd(), context.dataDir) || context.dataDir}/\n`,
  );
  return EXIT_OK;
}
