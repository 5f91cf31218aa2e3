import { join } from "node:path";
import { stateDir as defaultHome } from "@atlas-ha/testkit";
import { ClusterOptionsError } from "../errors.js";
import { down, produce, signalMembers, status } from "./commands.js";
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  type ClusterCliOptions,
  type Context,
} from "./context.js";
import { up } from "./up.js";

export type { ClusterCliOptions } from "./context.js";

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

/**
 * The `npm run cluster` command line (docs/contracts/local-cluster.md). Returns the exit code: 0 done, 1 failed,
 * 2 bad arguments; `status` returns atlas-status's code.
 */
export async function runClusterCli(
  argv: string[],
  options: ClusterCliOptions = {},
): Promise<number> {
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
        throw new ClusterOptionsError(
          "command",
          `unknown command ${JSON.stringify(command)} (up, status, kill, stop, pause, resume, start, produce, down)`,
        );
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
