import { readAtlasConfig } from "../config.js";
import {
  formatJson,
  formatPrometheus,
  formatTable,
  formatTransition,
  formatTransitionJson,
} from "../format.js";
import { findActive } from "../group.js";
import { inspectGroup } from "../inspect.js";
import type { ProbeOptions } from "../options.js";
import { sleep } from "../probe.js";
import { renderTop, SCREEN } from "../top.js";
import { watch } from "../watch.js";

/** Monitoring-plugin exit codes (docs/contracts/status-client.md). */
export const EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface StatusCommandOptions {
  /** Instance base URLs; exclusive with `config`. */
  urls: string[];
  /** An atlas-application.properties file (or its directory) to read the instances from. */
  config?: string | undefined;
  timeoutMs: number;
  deadlineMs?: number | undefined;
  /** Default 0, or `atlas.client.ha.retries` when reading a config file. */
  retries?: number | undefined;
  /** Default 5000, or `atlas.client.ha.sleep.interval.ms` when reading a config file. */
  retryIntervalMs?: number | undefined;
  output: "table" | "json" | "prometheus";
  watch: boolean;
  /** A full-screen view refreshed every `intervalMs` (not with `watch` or another output). */
  top?: boolean | undefined;
  intervalMs: number;
  /** With `watch` or `top`: stop after this many rounds. */
  count?: number | undefined;
}

/** Where a command writes, and what the process gives it; tests pass their own. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborting ends `--watch` (the bin wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  /** Terminal width for `--top` (the bin passes `process.stdout.columns`). */
  columns?: () => number | undefined;
}

/**
 * `atlas-status`: one check (table, JSON or Prometheus text) or, with `watch`, a stream of
 * transitions. Resolves to the exit code; never rejects: failures print and give UNKNOWN.
 */
export async function runStatus(options: StatusCommandOptions, io: CommandIO): Promise<ExitCode> {
  try {
    let urls = options.urls;
    let retries = options.retries ?? 0;
    let retryIntervalMs = options.retryIntervalMs;
    if (options.config !== undefined) {
      const config = await readAtlasConfig(options.config);
      urls = config.urls;
      retries = options.retries ?? config.retries;
      retryIntervalMs = options.retryIntervalMs ?? config.retryIntervalMs;
    }
    const probe: ProbeOptions = {
      timeoutMs: options.timeoutMs,
      retries,
      ...(retryIntervalMs !== undefined && { retryIntervalMs }),
      ...(options.deadlineMs !== undefined && { deadlineMs: options.deadlineMs }),
      ...(io.fetch !== undefined && { fetch: io.fetch }),
      ...(io.now !== undefined && { now: io.now }),
    };

    if (options.watch) return await runWatch(urls, options, probe, io);
    if (options.top) return await runTop(urls, options, probe, io);

    const group = await findActive(
      urls,
      io.signal === undefined ? probe : { ...probe, signal: io.signal },
    );
    const render = { table: formatTable, json: formatJson, prometheus: formatPrometheus }[
      options.output
    ];
    io.stdout(render(group));
    return group.exitCode;
  } catch (error) {
    io.stderr(`atlas-status: ${describeFailure(error)}\n`);
    return EXIT.UNKNOWN;
  }
}

async function runWatch(
  urls: string[],
  options: StatusCommandOptions,
  probe: ProbeOptions,
  io: CommandIO,
): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.UNKNOWN;
  const events = watch(urls, {
    ...probe,
    intervalMs: options.intervalMs,
    ...(options.count !== undefined && { maxRounds: options.count }),
    ...(io.signal !== undefined && { signal: io.signal }),
  });
  for await (const event of events) {
    io.stdout(options.output === "json" ? formatTransitionJson(event) : formatTransition(event));
    if (event.kind === "verdict") exitCode = event.group.exitCode;
  }
  // The last verdict seen stands for the whole watch (UNKNOWN if stopped before any).
  return exitCode;
}

/**
 * `--top`: one frame per round on the alternate screen, until the signal aborts or `count`
 * rounds; the screen is restored on the way out. Exits with the last verdict.
 */
async function runTop(
  urls: string[],
  options: StatusCommandOptions,
  probe: ProbeOptions,
  io: CommandIO,
): Promise<ExitCode> {
  const signal = io.signal ?? new AbortController().signal;
  const now = io.now ?? Date.now;
  const rounds = options.count ?? Number.POSITIVE_INFINITY;
  let exitCode: ExitCode = EXIT.UNKNOWN;
  io.stdout(SCREEN.enter);
  try {
    for (let round = 0; round < rounds && !signal.aborted; round++) {
      const started = now();
      let view;
      try {
        view = await inspectGroup(urls, { ...probe, signal });
      } catch (error) {
        if (signal.aborted) break;
        throw error;
      }
      exitCode = view.group.exitCode;
      const columns = io.columns?.();
      io.stdout(
        SCREEN.frame +
          renderTop(view, {
            now: now(),
            intervalMs: options.intervalMs,
            ...(columns !== undefined && { columns }),
          }),
      );
      if (round + 1 < rounds)
        await sleep(Math.max(0, options.intervalMs - (now() - started)), signal);
    }
  } finally {
    io.stdout(SCREEN.leave);
  }
  return exitCode;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && code.startsWith("STATUS_")
      ? `${error.message} [${code}]`
      : error.message;
  }
  return String(error);
}
