import { performance } from "node:perf_hooks";
import {
  defaultFetch,
  resolveProbeOptions,
  type ProbeOptions,
  type ResolvedProbeOptions,
} from "./options.js";
import { isAtlasState, isTransitional, type ProbeState } from "./states.js";
import { normalizeBaseUrl, statusUrl } from "./url.js";

/** Why an instance is UNREACHABLE or INVALID. */
export type ProbeProblem =
  | "TIMEOUT"
  | "DEADLINE"
  | "CONNECTION_REFUSED"
  | "DNS"
  | "NETWORK"
  | "REDIRECT"
  | "HTTP_STATUS"
  | "NOT_JSON"
  | "UNEXPECTED_BODY";

/** What one instance answered (or did not). */
export interface InstanceStatus {
  /** The base URL, normalized (scheme added when missing, no trailing slash). */
  url: string;
  state: ProbeState;
  /** Duration of the last attempt, in ms (0.1 ms resolution). */
  responseTimeMs: number;
  /** When the last attempt ended (ISO 8601). */
  checkedAt: string;
  /** Attempts made: 1 plus the retries used. */
  attempts: number;
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number;
  /** Set when the state is UNREACHABLE or INVALID. */
  problem?: ProbeProblem;
  /** What was seen, for a human: the error, the unexpected status or body. */
  detail?: string;
}

/** Status bodies are ~20 bytes; anything much larger is not a status and is cut. */
const BODY_LIMIT = 16 * 1024;
const SNIPPET_CHARS = 160;

/** The reason we abort a fetch with, so the rejection can be told apart from network errors. */
class ProbeAbort {
  constructor(readonly kind: "TIMEOUT" | "DEADLINE") {}
}

/**
 * Asks one instance for its state: `GET <url>/api/atlas/admin/status`. Never rejects for
 * what the instance does (refuses, hangs, answers garbage): that is the result. Rejects
 * only on bad input (StatusInputError) or when `options.signal` is aborted.
 */
export async function getStatus(url: string, options: ProbeOptions = {}): Promise<InstanceStatus> {
  const opts = resolveProbeOptions(options);
  const base = normalizeBaseUrl(url);
  const deadline = startDeadline(opts);
  try {
    return await probeInstance(base, opts, deadline);
  } finally {
    deadline.dispose();
  }
}

/** One shared deadline for a call (every instance of a findActive races the same one). */
export interface Deadline {
  signal: AbortSignal;
  /** Resolves when the deadline is reached; never rejects. */
  reached: Promise<void>;
  /** Rejects with the caller's abort reason; never resolves. */
  cancelled: Promise<never>;
  dispose(): void;
}

export function startDeadline(opts: ResolvedProbeOptions): Deadline {
  const controller = new AbortController();
  let markReached!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  let cancel!: (reason: unknown) => void;
  const cancelled = new Promise<never>((_, reject) => (cancel = reject));
  // Nobody may be listening when the caller aborts after we have returned.
  cancelled.catch(() => {});

  const timer = setTimeout(() => {
    controller.abort(new ProbeAbort("DEADLINE"));
    markReached();
  }, opts.deadlineMs);
  const onCallerAbort = (): void => {
    controller.abort(opts.signal?.reason);
    cancel(opts.signal?.reason);
  };
  if (opts.signal?.aborted) onCallerAbort();
  else opts.signal?.addEventListener("abort", onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    reached,
    cancelled,
    dispose() {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

/**
 * Attempts, retries an UNREACHABLE answer, and races the whole against the deadline so the
 * call returns at the deadline even if a fetch were to ignore its abort signal.
 */
export function probeInstance(
  base: string,
  opts: ResolvedProbeOptions,
  deadline: Deadline,
): Promise<InstanceStatus> {
  const progress = {
    attempts: 0,
    attemptStartedAt: performance.now(),
    sleeping: false,
    last: undefined as InstanceStatus | undefined,
  };

  const work = (async (): Promise<InstanceStatus> => {
    if (opts.fetch === defaultFetch) await warmUpFetch();
    for (;;) {
      progress.attempts += 1;
      progress.attemptStartedAt = performance.now();
      const result = await attempt(base, opts, deadline.signal, progress.attempts);
      progress.last = result;
      const retry =
        result.state === "UNREACHABLE" &&
        result.problem !== "DEADLINE" &&
        progress.attempts <= opts.retries;
      if (!retry) return result;
      opts.logger.debug(
        {
          event: "probe_retry",
          url: base,
          attempt: progress.attempts,
          problem: result.problem,
          inMs: opts.retryIntervalMs,
        },
        "instance unreachable, retrying",
      );
      progress.sleeping = true;
      await sleep(opts.retryIntervalMs, deadline.signal);
      progress.sleeping = false;
      if (deadline.signal.aborted) return result;
    }
  })();

  const atDeadline = deadline.reached.then((): InstanceStatus => {
    // Asleep between attempts: the last real answer says more than "deadline".
    if (progress.sleeping && progress.last) return progress.last;
    return deadlineResult(base, opts, progress.attempts, progress.attemptStartedAt);
  });

  return Promise.race([work, atDeadline, deadline.cancelled]);
}

async function attempt(
  base: string,
  opts: ResolvedProbeOptions,
  deadline: AbortSignal,
  attemptNo: number,
): Promise<InstanceStatus> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeAbort("TIMEOUT")), opts.timeoutMs);
  const onDeadline = (): void => controller.abort(deadline.reason);
  if (deadline.aborted) onDeadline();
  else deadline.addEventListener("abort", onDeadline, { once: true });

  const started = performance.now();
  const done = (
    fields: Omit<InstanceStatus, "url" | "responseTimeMs" | "checkedAt" | "attempts">,
  ): InstanceStatus => ({
    url: base,
    ...fields,
    responseTimeMs: elapsedSince(started),
    checkedAt: new Date(opts.now()).toISOString(),
    attempts: attemptNo,
  });

  try {
    const response = await opts.fetch(statusUrl(base), {
      method: "GET",
      // A passive must answer its own status; following a redirect would report the
      // active's state under the passive's URL.
      redirect: "manual",
      headers: { accept: "application/json", "user-agent": "atlas-ha-status-client" },
      signal: controller.signal,
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => {});
      const location = response.headers.get("location");
      return done({
        state: "INVALID",
        httpStatus: response.status,
        problem: "REDIRECT",
        detail: `HTTP ${response.status} redirect to ${location ?? "(no Location header)"}, not followed: the status endpoint must answer locally`,
      });
    }
    const body = await readBody(response);
    return done(classify(response.status, body));
  } catch (error) {
    return done(unreachable(error, opts));
  } finally {
    clearTimeout(timer);
    deadline.removeEventListener("abort", onDeadline);
  }
}

type Classified = Pick<InstanceStatus, "state" | "httpStatus" | "problem" | "detail">;

/**
 * docs/contracts/http.md: 200 with exactly `{"Status":"<STATE>"}`. A 503 whose body names a transitional
 * state is that state (a proxy or an older server may answer so while the role moves).
 */
export function classify(httpStatus: number, body: string): Classified {
  const invalid = (problem: ProbeProblem, what: string): Classified => ({
    state: "INVALID",
    httpStatus,
    problem,
    detail: `HTTP ${httpStatus} ${what}`,
  });
  if (httpStatus !== 200 && httpStatus !== 503)
    return invalid("HTTP_STATUS", `(expected 200), body ${snippet(body)}`);

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return invalid(
      httpStatus === 200 ? "NOT_JSON" : "HTTP_STATUS",
      `with a body that is not JSON: ${snippet(body)}`,
    );
  }
  const state = statusField(parsed);
  if (httpStatus === 503) {
    if (state !== undefined && isTransitional(state)) return { state, httpStatus };
    return invalid(
      "HTTP_STATUS",
      `(expected 200, or 503 with a transitional state), body ${snippet(body)}`,
    );
  }
  if (state === undefined)
    return invalid("UNEXPECTED_BODY", `with an unexpected body: ${snippet(body)}`);
  return { state, httpStatus };
}

/** The state of a body that is exactly `{"Status":"<one of the four states>"}`, else undefined. */
function statusField(parsed: unknown): ProbeState | undefined {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== "Status") return undefined;
  const value = (parsed as { Status: unknown }).Status;
  return isAtlasState(value) ? value : undefined;
}

function unreachable(error: unknown, opts: ResolvedProbeOptions): Classified {
  if (error instanceof ProbeAbort) {
    return error.kind === "TIMEOUT"
      ? {
          state: "UNREACHABLE",
          problem: "TIMEOUT",
          detail: `no answer within ${opts.timeoutMs} ms (timeout)`,
        }
      : {
          state: "UNREACHABLE",
          problem: "DEADLINE",
          detail: `no answer before the overall deadline of ${opts.deadlineMs} ms`,
        };
  }
  const code = errorCode(error);
  if (code === "ECONNREFUSED")
    return {
      state: "UNREACHABLE",
      problem: "CONNECTION_REFUSED",
      detail: "connection refused (ECONNREFUSED)",
    };
  if (code !== undefined && DNS_CODES.has(code)) {
    return { state: "UNREACHABLE", problem: "DNS", detail: `host name does not resolve (${code})` };
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
    return { state: "UNREACHABLE", problem: "TIMEOUT", detail: `connect timed out (${code})` };
  }
  return {
    state: "UNREACHABLE",
    problem: "NETWORK",
    detail: code === undefined ? describe(error) : `${describe(error)} (${code})`,
  };
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);

/** fetch wraps the socket error: `TypeError("fetch failed", { cause })`, sometimes an AggregateError (one per address). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const code = errorCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return errorCode((error as { cause?: unknown }).cause, depth + 1);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error && cause.message !== "") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function deadlineResult(
  base: string,
  opts: ResolvedProbeOptions,
  attempts: number,
  startedAt: number,
): InstanceStatus {
  return {
    url: base,
    state: "UNREACHABLE",
    responseTimeMs: elapsedSince(startedAt),
    checkedAt: new Date(opts.now()).toISOString(),
    attempts,
    problem: "DEADLINE",
    detail: `no answer before the overall deadline of ${opts.deadlineMs} ms`,
  };
}

let warmedUp: Promise<void> | undefined;

/**
 * Node loads its fetch implementation on the first call, which takes a noticeable time;
 * without this the first check of a process would charge it to the first instance's
 * response time and timeout. A `data:` URL loads it without touching the network
 * (docs/decisions.md).
 */
function warmUpFetch(): Promise<void> {
  warmedUp ??= globalThis.fetch("data:,").then(
    (response) => response.arrayBuffer().then(() => undefined),
    () => undefined,
  );
  return warmedUp;
}

async function readBody(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > BODY_LIMIT) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString("utf8");
}

function snippet(body: string): string {
  if (body === "") return "(empty)";
  const cut = body.length > SNIPPET_CHARS ? `${body.slice(0, SNIPPET_CHARS)}…` : body;
  return JSON.stringify(cut);
}

function elapsedSince(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
