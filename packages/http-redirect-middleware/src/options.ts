import { silentLogger, type Logger } from "@atlas-ha/shared";
import { originOf } from "./address.js";
import { HaRedirectOptionsError } from "./errors.js";
import { trimOneTrailingSlash } from "./target.js";
import type {
  RedirectEvent,
  RejectedEvent,
  StateSnapshot,
  StateSource,
  UnavailableEvent,
} from "./types.js";

export interface HaRedirectOptions {
  /** Current state and active address: a function, or an object with `snapshot()` (ha-state). */
  source: StateSource;
  /**
   * This instance's own address(es), e.g. `"http://10.0.0.5:21000"`, so an active address
   * that points here answers 503 instead of redirecting a client to ourselves. List every
   * name under which the instance may be published (IP and host name) if they differ.
   */
  selfAddress?: string | readonly string[];
  /**
   * Paths answered locally whatever the state, matched exactly after removing one trailing
   * slash. Replaces the default list (docs/contracts/http.md status, health, liveness, readiness, version,
   * metrics), so include those if you extend it.
   */
  exemptPaths?: readonly string[];
  /** `Retry-After` seconds on 503 answers. Default 1. */
  retryAfter?: number;
  logger?: Logger;
  onRedirect?: (event: RedirectEvent) => void;
  onUnavailable?: (event: UnavailableEvent) => void;
  onRejected?: (event: RejectedEvent) => void;
}

/** docs/contracts/http.md: answered locally by every instance, never redirected. */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = Object.freeze([
  "/api/atlas/admin/status",
  "/api/atlas/admin/health",
  "/api/atlas/admin/liveness",
  "/api/atlas/admin/readiness",
  "/api/atlas/admin/version",
  "/api/atlas/admin/metrics/prometheus",
]);

export interface ResolvedOptions {
  readonly snapshot: () => StateSnapshot | Promise<StateSnapshot>;
  readonly selfOrigins: ReadonlySet<string>;
  readonly exempt: ReadonlySet<string>;
  readonly retryAfter: string;
  readonly logger: Logger;
  readonly onRedirect: ((event: RedirectEvent) => void) | undefined;
  readonly onUnavailable: ((event: UnavailableEvent) => void) | undefined;
  readonly onRejected: ((event: RejectedEvent) => void) | undefined;
}

const KNOWN = new Set([
  "source",
  "selfAddress",
  "exemptPaths",
  "retryAfter",
  "logger",
  "onRedirect",
  "onUnavailable",
  "onRejected",
]);

export function resolveOptions(options: HaRedirectOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new HaRedirectOptionsError("options", "must be an object with at least `source`");
  }
  // A misspelt option (`retryAfterSeconds`) would otherwise be ignored in silence.
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key))
      throw new HaRedirectOptionsError(key, `is not an option (known: ${[...KNOWN].join(", ")})`);
  }

  return {
    snapshot: resolveSource(options.source),
    selfOrigins: resolveSelf(options.selfAddress),
    exempt: resolveExempt(options.exemptPaths),
    retryAfter: resolveRetryAfter(options.retryAfter),
    logger: resolveLogger(options.logger),
    onRedirect: resolveHook("onRedirect", options.onRedirect),
    onUnavailable: resolveHook("onUnavailable", options.onUnavailable),
    onRejected: resolveHook("onRejected", options.onRejected),
  };
}

function resolveSource(source: StateSource | undefined): ResolvedOptions["snapshot"] {
  if (typeof source === "function") return source;
  if (typeof source === "object" && source !== null && typeof source.snapshot === "function") {
    return () => source.snapshot();
  }
  throw new HaRedirectOptionsError(
    "source",
    "must be a function or an object with a snapshot() method",
  );
}

function resolveSelf(self: string | readonly string[] | undefined): ReadonlySet<string> {
  if (self === undefined) return new Set();
  const list = typeof self === "string" ? [self] : self;
  if (!Array.isArray(list))
    throw new HaRedirectOptionsError("selfAddress", "must be a string or an array of strings");
  const origins = new Set<string>();
  list.forEach((address: unknown, i) => {
    const name = typeof self === "string" ? "selfAddress" : `selfAddress[${i}]`;
    const origin = typeof address === "string" ? originOf(address) : null;
    if (origin === null) {
      throw new HaRedirectOptionsError(
        name,
        `must be "http://host:port" or "https://host:port", got ${JSON.stringify(address)}`,
      );
    }
    origins.add(origin);
  });
  return origins;
}

function resolveExempt(paths: readonly string[] | undefined): ReadonlySet<string> {
  const list = paths ?? DEFAULT_EXEMPT_PATHS;
  if (!Array.isArray(list))
    throw new HaRedirectOptionsError("exemptPaths", "must be an array of paths");
  const exempt = new Set<string>();
  list.forEach((path: unknown, i) => {
    if (typeof path !== "string" || !path.startsWith("/") || /[?#]|[^\x21-\x7e]/.test(path)) {
      throw new HaRedirectOptionsError(
        `exemptPaths[${i}]`,
        `must be a path starting with "/" without query or spaces, got ${JSON.stringify(path)}`,
      );
    }
    exempt.add(trimOneTrailingSlash(path));
  });
  return exempt;
}

function resolveRetryAfter(seconds: number | undefined): string {
  if (seconds === undefined) return "1";
  if (typeof seconds !== "number" || !Number.isSafeInteger(seconds) || seconds < 0) {
    throw new HaRedirectOptionsError(
      "retryAfter",
      `must be a whole number of seconds >= 0, got ${JSON.stringify(seconds)}`,
    );
  }
  return String(seconds);
}

function resolveLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return silentLogger;
  const ok =
    typeof logger === "object" &&
    logger !== null &&
    (["debug", "info", "warn", "error"] as const).every(
      (level) => typeof logger[level] === "function",
    );
  if (!ok)
    throw new HaRedirectOptionsError(
      "logger",
      "must have debug, info, warn and error methods (pino-compatible)",
    );
  return logger;
}

function resolveHook<T>(
  name: string,
  hook: ((event: T) => void) | undefined,
): ((event: T) => void) | undefined {
  if (hook !== undefined && typeof hook !== "function")
    throw new HaRedirectOptionsError(name, "must be a function");
  return hook;
}
