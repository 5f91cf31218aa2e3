/**
 * The `atlas-server` command, run by the launcher (main.ts): configuration, start, and
 * signals. SIGTERM / SIGINT stop the hook consumer (committing what was applied), leave the
 * election at once so another instance takes over without waiting for the session timeout,
 * drain in-flight requests, and exit 0 within a bounded time. A second signal exits at once.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { hashPassword } from "./auth/passwords.js";
import { formatRebase, rebaseEpoch } from "./cli/epoch-rebase.js";
import { switchoverCommand } from "./cli/switchover.js";
import { isConfigError, loadConfig } from "./config/index.js";
import { createAtlasServer } from "./server.js";
import { versionInfo } from "./version.js";
import {
  capYoungGeneration,
  limitOldGenerationGrowth,
  oldGenerationGrowthPercent,
} from "./young-generation.js";

const HELP = `atlas-server — an Apache-Atlas-compatible metadata server with active/passive HA

Usage:
  atlas-server [--config DIR|FILE]     start an instance
  atlas-server hash-password           read a password on stdin, print its hash for the users file
  atlas-server epoch rebase [--config DIR|FILE] [--json]
                                       after the ZooKeeper ensemble was replaced: let the store
                                       accept its epochs (every instance stopped first)
  atlas-server switchover --url URL [--to ID] [--user NAME] [--json]
                                       ask the active (URL: any instance) to hand over to ID, or
                                       to the next ready instance; password from ATLAS_PASSWORD
                                       or stdin
  atlas-server --version | --help

Configuration: atlas-application.properties in --config (a directory or the file itself),
else in $ATLAS_CONF. Any key can be overridden by an environment variable named like the key
in upper case with dots as underscores (ATLAS_SERVER_HTTP_PORT=21001).

Users file (atlas.authentication.method.file.filename): one "user=ROLE::hash" per line, the
hash from "atlas-server hash-password". Status, health, liveness and readiness need no login.

Signals: SIGTERM/SIGINT shut down cleanly (hand-over in milliseconds); a second one exits at once.
`;

async function readStdin(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) return line;
  return "";
}

async function epochCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { config: { type: "string", short: "c" }, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`atlas-server epoch: ${(error as Error).message}\n`);
    return 2;
  }
  if (parsed.positionals[0] !== "rebase" || parsed.positionals.length !== 1) {
    process.stderr.write(
      `atlas-server epoch: the only command is "epoch rebase [--config DIR|FILE] [--json]"\n`,
    );
    return 2;
  }
  try {
    const config = await loadConfig(
      parsed.values.config !== undefined ? { config: parsed.values.config } : {},
    );
    const result = await rebaseEpoch(config, `operator:${process.env.USER ?? "unknown"}`);
    process.stdout.write(
      parsed.values.json ? `${JSON.stringify(result)}\n` : `${formatRebase(result)}\n`,
    );
    return result.outcome === "refused" ? 1 : 0;
  } catch (error) {
    process.stderr.write(`atlas-server epoch rebase: ${(error as Error).message}\n`);
    return isConfigError(error) ? 2 : 1;
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "hash-password") {
    if (process.stdin.isTTY) process.stderr.write("password: ");
    const password = await readStdin();
    if (!password) {
      process.stderr.write("atlas-server: no password on stdin\n");
      return 2;
    }
    process.stdout.write(`${await hashPassword(password)}\n`);
    return 0;
  }
  if (argv[0] === "epoch") return epochCommand(argv.slice(1));
  if (argv[0] === "switchover") {
    return switchoverCommand(argv.slice(1), async () => {
      if (process.stdin.isTTY) process.stderr.write("password: ");
      return readStdin();
    });
  }
  let values: { config?: string; help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`atlas-server: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    const v = versionInfo();
    process.stdout.write(`${v.name} ${v.version} (${v.revision})\n`);
    return 0;
  }

  let config;
  let growthPercent;
  try {
    config = await loadConfig(values.config !== undefined ? { config: values.config } : {});
    growthPercent = oldGenerationGrowthPercent();
  } catch (error) {
    const e = error as { name?: string; message: string };
    process.stderr.write(
      `atlas-server: ${isConfigError(e) ? "" : "start-up failed: "}${e.message}\n`,
    );
    return 2;
  }

  // What V8 needs for the instance's memory figure, set by the launcher so that nobody has to
  // pass Node flags (young-generation.ts).
  capYoungGeneration();
  limitOldGenerationGrowth(growthPercent);
  let server: ReturnType<typeof createAtlasServer> | undefined;
  try {
    let onFatal: (error: Error) => void = () => undefined;
    server = createAtlasServer(config, { onFatal: (error) => onFatal(error) });
    onFatal = (error) => {
      process.stderr.write(`atlas-server: cannot serve: ${error.message}\n`);
      // Leave the election and stop cleanly, then exit 1 (a supervisor sees the failure).
      const exit = () => {
        server?.logger.flush?.();
        process.exit(1);
      };
      const hardStop = setTimeout(exit, config.limits.shutdownTimeoutMs + 5000);
      hardStop.unref();
      server!.stop().then(exit, exit);
    };
    await server.start();
  } catch (error) {
    // A users file we cannot use is bad configuration too (exit 2), found once it is read.
    const bad = isConfigError(error);
    process.stderr.write(
      `atlas-server: ${bad ? "" : "start-up failed: "}${(error as Error).message}\n`,
    );
    return bad ? 2 : 1;
  }

  return new Promise<number>((resolveExit) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        server.logger.warn({ event: "second_signal", signal });
        server.logger.flush?.();
        process.exit(1);
      }
      signalled = true;
      server.logger.info({ event: "signal", signal });
      const hardStop = setTimeout(() => {
        server.logger.error({ event: "shutdown_timeout" });
        server.logger.flush?.();
        process.exit(1);
      }, config.limits.shutdownTimeoutMs + 5000);
      hardStop.unref();
      server.stop().then(
        () => resolveExit(0),
        (error: Error) => {
          server.logger.error({ event: "shutdown_failed", error: error.message });
          resolveExit(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    // Give pino's async destination a moment to flush, then leave.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 50);
  },
  (error: Error) => {
    process.stderr.write(`atlas-server: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
