#!/usr/bin/env node
/**
 * `npm run chaos -- --faults N --seed S`: the fault-injection run, its table on stdout, the
 * JSON report in `.atlas-ha/chaos/report-<seed>.json`. Exit 0 when every check passed and
 * every fault recovered, 1 when a promise (1)–(3) was broken, 3 when the run could not
 * finish (the group did not recover from a fault), 2 for bad arguments.
 */
import { parseArgs } from "node:util";
import { FAULT_DESCRIPTIONS, FAULT_KINDS, type FaultKind } from "./plan.js";
import { lineLogger } from "./log.js";
import { formatReport } from "./report.js";
import { runChaos } from "./run.js";
import {
  MIN_HOOK_MESSAGES_PER_FAULT,
  MIN_REST_WRITES_PER_FAULT,
  MIN_STALE_WRITES_PER_FAULT,
} from "./verdict.js";

const HELP = `atlas-ha chaos — fault injection against a local atlas-ha group

Usage: npm run chaos -- [options]

  --faults N             faults to inject, at least 1 (default 10)
  --seed S               seed of the fault plan: the same seed, the same faults (default: random, printed)
  --session-timeout MS   the instances' ZooKeeper session timeout (default 4000)
  --backend B            sqlite (default) or postgres
  --kinds K,K…           only these fault kinds (default: all)
  --rate N               hook messages per second (default 20)
  --writers N            REST clients writing side by side (default 2)
  --write-interval MS    pause after each acknowledged REST write of a client (default 50)
  --report FILE          JSON report (default .atlas-ha/chaos/report-<seed>.json)
  --keep-logs            keep the cluster's data and logs (kept anyway when a check fails)
  --json                 print the JSON report instead of the table
  --verbose              event log (JSON lines) on stderr
  -h, --help

Fault kinds:
${FAULT_KINDS.map((k) => `  ${k.padEnd(18)} ${FAULT_DESCRIPTIONS[k]}`).join("\n")}

Exit: 0 every check passed, 1 a check failed (a promise broken, or a minimum not reached:
every planned fault injected, ${MIN_HOOK_MESSAGES_PER_FAULT} hook messages applied, ${MIN_REST_WRITES_PER_FAULT} REST writes acknowledged and
${MIN_STALE_WRITES_PER_FAULT} stale-epoch write refused per fault), 3 the run could not finish, 2 bad arguments.
`;

function fail(message: string): number {
  process.stderr.write(`chaos: ${message}\n\n${HELP}`);
  return 2;
}

function int(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} expects a whole number, got "${text}"`);
  return Number(text);
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        faults: { type: "string" },
        seed: { type: "string" },
        "session-timeout": { type: "string" },
        backend: { type: "string" },
        kinds: { type: "string" },
        rate: { type: "string" },
        writers: { type: "string" },
        "write-interval": { type: "string" },
        report: { type: "string" },
        "keep-logs": { type: "boolean" },
        json: { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let options: Parameters<typeof runChaos>[0];
  try {
    const kinds = values.kinds
      ?.split(",")
      .map((k) => k.trim())
      .filter(Boolean) as FaultKind[] | undefined;
    const rate = values.rate === undefined ? undefined : Number(values.rate);
    if (rate !== undefined && !Number.isFinite(rate))
      throw new Error(`--rate expects a number, got "${values.rate}"`);
    const backend = values.backend as "sqlite" | "postgres" | undefined;
    if (values.faults !== undefined && int("faults", values.faults) === 0) {
      throw new Error(
        "--faults 0: a run without faults injects nothing, so its checks would prove nothing; give at least 1",
      );
    }
    options = {
      ...(values.faults !== undefined ? { faults: int("faults", values.faults)! } : {}),
      seed: values.seed ?? String(Date.now() % 1_000_000),
      ...(values["session-timeout"] !== undefined
        ? { sessionTimeoutMs: int("session-timeout", values["session-timeout"])! }
        : {}),
      ...(backend !== undefined ? { backend } : {}),
      ...(kinds ? { kinds } : {}),
      ...(rate !== undefined ? { hookRatePerSec: rate } : {}),
      ...(values.writers !== undefined ? { writers: int("writers", values.writers)! } : {}),
      ...(values["write-interval"] !== undefined
        ? { writeIntervalMs: int("write-interval", values["write-interval"])! }
        : {}),
      ...(values.report !== undefined ? { reportFile: values.report } : {}),
      keepLogs: values["keep-logs"] === true,
      logger: lineLogger((line) => process.stderr.write(line), values.verbose ? "info" : "error"),
      progress: (line) => process.stderr.write(`[chaos] ${line}\n`),
    };
  } catch (error) {
    return fail((error as Error).message);
  }
  let report;
  try {
    report = await runChaos(options);
  } catch (error) {
    const e = error as { name?: string; message: string };
    if (e.name === "ChaosOptionsError") return fail(e.message);
    process.stderr.write(`chaos: the run failed: ${e.message}\n`);
    return 3;
  }
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (!report.passed) return 1;
  return report.completed ? 0 : 3;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`chaos: ${error.stack ?? error.message}\n`);
    process.exit(3);
  },
);
