import { parseArgs } from "node:util";
import {
  EXIT,
  runStatus,
  type CommandIO,
  type ExitCode,
  type StatusCommandOptions,
} from "./commands/status.js";
import { DEFAULT_TIMEOUT_MS } from "./options.js";
import { DEFAULT_WATCH_INTERVAL_MS } from "./watch.js";

export const HELP = `Usage: atlas-status [options] URL...
       atlas-status [options] --config atlas-application.properties

Asks every instance of an Atlas active/passive group for its state
(GET <URL>/api/atlas/admin/status, all in parallel, redirects not followed),
prints one line per instance (url, state, response time) and a verdict.

Instances
  URL...                   base URL of each instance, e.g. http://atlas-1:21000
                           (trailing slash optional; host:port means http://host:port)
  -c, --config FILE        read the instances from an atlas-application.properties file
                           (or the directory holding one): atlas.server.address.<id>
                           (host:port) in atlas.server.ids order; https when
                           atlas.enableTLS=true; atlas.client.ha.retries and
                           atlas.client.ha.sleep.interval.ms become the defaults of
                           --retries and --retry-interval (4 and 5000 when absent)

Probing
  -t, --timeout MS         per-request timeout (default ${DEFAULT_TIMEOUT_MS})
      --deadline MS        overall deadline for the whole check, retries included;
                           an instance still silent then is UNREACHABLE
                           (default: the longest the timeouts and retries can take + 1000)
      --retries N          extra attempts for an UNREACHABLE instance (default 0)
      --retry-interval MS  pause between attempts (default 5000)

Output (default: a table)
      --json               one JSON document; with --watch, one JSON object per line
      --prometheus         Prometheus text: atlas_instance_state{url,state} 0/1,
                           atlas_instance_response_time_seconds{url},
                           atlas_active_instances, atlas_status_check_verdict

Watching
  -w, --watch              poll until interrupted (Ctrl-C) and print every transition,
                           each with an ISO 8601 timestamp, starting with the initial states
      --top                a full-screen view refreshed every interval until Ctrl-C:
                           each instance's state and for how long, epoch, ZooKeeper
                           session, hook consumer and lag per partition (from its
                           /api/atlas/admin/health, atlas-ha only), the verdict and
                           the last failovers with how long each took
  -i, --interval MS        time between polls (default ${DEFAULT_WATCH_INTERVAL_MS})
      --count N            stop after N polls

  -h, --help               show this text

States: ACTIVE, PASSIVE, BECOMING_ACTIVE, BECOMING_PASSIVE (also read from a 503 answer),
UNREACHABLE (refused, timed out, name not resolved), INVALID (a redirect, an unexpected
HTTP status or body; the detail column shows what was seen).

Exit codes (monitoring-plugin convention; with --watch, those of the last verdict)
  0 OK         exactly one ACTIVE, every other instance PASSIVE
  1 WARNING    exactly one ACTIVE, but some instance UNREACHABLE, INVALID or transitional
  2 CRITICAL   no ACTIVE instance, or more than one (split brain)
  3 UNKNOWN    bad arguments or an unreadable configuration file

Examples
  atlas-status http://atlas-1:21000 http://atlas-2:21000
  atlas-status --config /etc/atlas/conf --timeout 1000 --deadline 9000
  atlas-status --prometheus atlas-1:21000 atlas-2:21000 > /var/lib/node_exporter/atlas.prom
  atlas-status --watch --interval 500 http://127.0.0.1:21000 http://127.0.0.1:21001
  atlas-status --top --config /etc/atlas/conf --retries 0
`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  timeout: { type: "string", short: "t" },
  deadline: { type: "string" },
  retries: { type: "string" },
  "retry-interval": { type: "string" },
  json: { type: "boolean" },
  prometheus: { type: "boolean" },
  watch: { type: "boolean", short: "w" },
  top: { type: "boolean" },
  interval: { type: "string", short: "i" },
  count: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** What the command line asked for: a check to run, the help text, or a usage error. */
export type ParsedArgs =
  | { kind: "run"; options: StatusCommandOptions }
  | { kind: "help" }
  | { kind: "usage-error"; message: string };

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return { kind: "usage-error", message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };

  try {
    if (values.config !== undefined && positionals.length > 0) {
      throw new UsageError("give instance URLs or --config FILE, not both");
    }
    if (values.config === undefined && positionals.length === 0) {
      throw new UsageError(
        "no instance given: pass one URL per instance, or --config atlas-application.properties",
      );
    }
    if (values.json && values.prometheus)
      throw new UsageError("--json and --prometheus exclude each other");
    if (values.watch && values.prometheus) {
      throw new UsageError("--prometheus describes one check; it cannot be combined with --watch");
    }
    if (values.top && (values.watch || values.json || values.prometheus)) {
      throw new UsageError(
        "--top is a view of its own; it cannot be combined with --watch, --json or --prometheus",
      );
    }
    if (
      !values.watch &&
      !values.top &&
      (values.interval !== undefined || values.count !== undefined)
    ) {
      throw new UsageError("--interval and --count only apply with --watch or --top");
    }
    return {
      kind: "run",
      options: {
        urls: positionals,
        config: values.config,
        timeoutMs: number("--timeout", values.timeout, 1) ?? DEFAULT_TIMEOUT_MS,
        deadlineMs: number("--deadline", values.deadline, 1),
        retries: number("--retries", values.retries, 0),
        retryIntervalMs: number("--retry-interval", values["retry-interval"], 0),
        output: values.json ? "json" : values.prometheus ? "prometheus" : "table",
        watch: values.watch ?? false,
        top: values.top ?? false,
        intervalMs: number("--interval", values.interval, 1) ?? DEFAULT_WATCH_INTERVAL_MS,
        count: number("--count", values.count, 1),
      },
    };
  } catch (error) {
    if (error instanceof UsageError) return { kind: "usage-error", message: error.message };
    throw error;
  }
}

/** Parses argv (without `node` and the script) and runs the command; resolves to the exit code. */
export async function main(argv: readonly string[], io: CommandIO): Promise<ExitCode> {
  const args = parseCliArgs(argv);
  if (args.kind === "help") {
    io.stdout(HELP);
    return EXIT.OK;
  }
  if (args.kind === "usage-error") {
    io.stderr(`atlas-status: ${args.message}\nTry 'atlas-status --help'.\n`);
    return EXIT.UNKNOWN;
  }
  return runStatus(args.options, io);
}

class UsageError extends Error {
  override readonly name = "UsageError" as const;
}

function number(flag: string, raw: string | undefined, min: 0 | 1): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw new UsageError(
      `${flag} takes a whole number${min === 1 ? " ≥ 1" : " ≥ 0"}, got "${raw}"`,
    );
  }
  return Number(raw);
}
