import { relative } from "node:path";
import { statusClientBin } from "../bins.js";
import type { LocalCluster } from "../cluster.js";
import type { ClusterLogger } from "../options.js";
import type { Context } from "./context.js";

export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** Prints the start-up events of the launcher as a line per server. */
export function printingLogger(context: Context): ClusterLogger {
  const line = (name: string, what: string, ms?: number) =>
    context.out.write(
      `  ${name.padEnd(10)} ${what}${ms !== undefined ? `  (${formatMs(ms)})` : ""}\n`,
    );
  return {
    debug() {},
    info(obj) {
      const e = obj as Record<string, unknown>;
      switch (e.event) {
        case "zookeeper_started":
          line(
            "zookeeper",
            `${(e.nodes as string[]).join(" ")} on ${String(e.connect)} (tickTime ${String(e.tickTime)} ms)`,
            e.tookMs as number,
          );
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

/** What `up` prints once the cluster is up in the foreground. */
export function walkthrough(cluster: LocalCluster, program: string): string {
  const urls = cluster.instances.map((i) => i.url);
  const [first, second] = cluster.instances;
  const statusCli = relative(process.cwd(), statusClientBin()) || statusClientBin();
  const lines = [
    "",
    "Try it, in another terminal:",
    `  curl -s ${urls[0]}/api/atlas/admin/status          # {"Status":"ACTIVE"}`,
    `  curl -s ${(second ?? first)!.url}/api/atlas/admin/health`,
    `  node ${statusCli} --watch ${urls.join(" ")}`,
    `  node ${statusCli} --top ${urls.join(" ")}`,
    `  open ${urls[0]}/ha in a browser                 # the live HA page, on any instance`,
    "",
    "Feed it a hook message and read the entity back (a passive redirects to the active):",
    `  ${program} produce examples/hook-messages/create-db.json`,
    `  curl -s -u admin:admin --location-trusted '${(second ?? first)!.url}/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=sales@demo'`,
    "",
    "Watch a failover:",
    `  ${program} kill ${first!.name}     # a crash: ${second ? second.name : "nobody"} takes over once ${first!.name}'s ZooKeeper session expires (~${formatMs(cluster.sessionTimeoutMs)})`,
    `  ${program} start ${first!.name}    # it comes back PASSIVE`,
    ...(second
      ? [`  ${program} stop ${second.name}     # a clean stop hands over in milliseconds`]
      : []),
    `  ${program} status`,
    "",
    "Ctrl-C stops everything.",
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/** One row per process for `status` (and `status --json`). */
export function processRows(cluster: LocalCluster) {
  return cluster.members.map((m) => ({
    name: m.name,
    kind: m.kind,
    address: m.address,
    pid: m.process.pid ?? null,
    process: m.process.running ? (m.process.paused ? "paused" : "running") : "stopped",
  }));
}
