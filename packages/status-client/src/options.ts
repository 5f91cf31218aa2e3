import { silentLogger, type Logger } from "@atlas-ha/shared";
import { StatusInputError } from "./errors.js";

export type { Logger };

export interface ProbeOptions {
  /** Per-request timeout, covering connect, headers and body. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts for an UNREACHABLE instance (Atlas's `atlas.client.ha.retries`). Default 0. */
  retries?: number;
  /** Pause between attempts (Atlas's `atlas.client.ha.sleep.interval.ms`). Default 5000. */
  retryIntervalMs?: number;
  /**
   * Overall deadline for the whole call, retries included. An instance still unanswered at
   * the deadline is reported UNREACHABLE (problem `DEADLINE`). Default: the natural bound
   * `(retries + 1) × timeoutMs + retries × retryIntervalMs`, plus 1000 ms, as a backstop.
   */
  deadlineMs?: number;
  /** Aborting it makes the call reject with the signal's reason. */
  signal?: AbortSignal;
  /** The fetch implementation. Default: Node's global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Wall clock for `checkedAt` timestamps, in epoch ms. Default `Date.now`. */
  now?: () => number;
  logger?: Logger;
}

export interface ResolvedProbeOptions {
  timeoutMs: number;
  retries: number;
  retryIntervalMs: number;
  deadlineMs: number;
  signal: AbortSignal | undefined;
  fetch: typeof globalThis.fetch;
  now: () => number;
  logger: Logger;
}

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_RETRY_INTERVAL_MS = 5000;
const DEADLINE_MARGIN_MS = 1000;

/** Node's global fetch, looked up at call time (so a test or an APM agent may replace it). */
export const defaultFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init);

export function resolveProbeOptions(options: ProbeOptions = {}): ResolvedProbeOptions {
  const timeoutMs = positive("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const retries = nonNegativeInteger("retries", options.retries ?? 0);
  const retryIntervalMs = nonNegative(
    "retryIntervalMs",
    options.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS,
  );
  const naturalBound = (retries + 1) * timeoutMs + retries * retryIntervalMs;
  const deadlineMs =
    options.deadlineMs === undefined
      ? naturalBound + DEADLINE_MARGIN_MS
      : positive("deadlineMs", options.deadlineMs);
  return {
    timeoutMs,
    retries,
    retryIntervalMs,
    deadlineMs,
    signal: options.signal,
    fetch: options.fetch ?? defaultFetch,
    now: options.now ?? Date.now,
    logger: options.logger ?? silentLogger,
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new StatusInputError(
      "STATUS_BAD_OPTION",
      `${name} must be a positive number of milliseconds, got ${value}.`,
    );
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new StatusInputError(
      "STATUS_BAD_OPTION",
      `${name} must be zero or more milliseconds, got ${value}.`,
    );
  }
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new StatusInputError(
      "STATUS_BAD_OPTION",
      `${name} must be a whole number ≥ 0, got ${value}.`,
    );
  }
  return value;
}
