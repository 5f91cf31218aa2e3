import { silentLogger, type Logger } from "@atlas-ha/shared";
import { originOf } from "./address.js";
import { HaRedirectOptionsError } from "./errors.js";
import { trimOneTrailingSlash } from "./target.js";
import type {
  ProxiedEvent,
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
  /**
   * What a PASSIVE instance does with a request it does not serve: `"redirect"` (default,
   * Apache Atlas's behaviour) answers 302/307 to the active; `"proxy"` forwards the request
   * to the active and streams its answer back, for clients that cannot follow a redirect with
   * their credentials.
   */
  passive?: "redirect" | "proxy";
  /** Settings of `passive: "proxy"`; refused with `"redirect"`. */
  proxy?: ProxyOptions;
  logger?: Logger;
  onRedirect?: (event: RedirectEvent) => void;
  onUnavailable?: (event: UnavailableEvent) => void;
  onRejected?: (event: RejectedEvent) => void;
  /** Called once per request a passive forwarded (or tried to), when its answer is over. */
  onProxied?: (event: ProxiedEvent) => void;
}

/** `passive: "proxy"` settings; every one has a default. */
export interface ProxyOptions {
  /**
   * This instance's name in the `Via` header it adds (`Via: 1.1 <via>`), an HTTP token such
   * as the server id. Default `"atlas-ha"`.
   */
  via?: string;
  /**
   * The `via` names of the group's other instances. A request whose `Via` already names one of
   * them, or this instance, was forwarded by a passive of the group (two passives that each
   * think the other active, during a transition): it gets 503 rather than a second hop.
   */
  groupVia?: readonly string[];
  /** Largest request body forwarded; larger ones get 413. Default 1048576 (1 MiB). */
  maxBodyBytes?: number;
  /** Time allowed to open the connection to the active; then 504. Default 5000 ms. */
  connectTimeoutMs?: number;
  /**
   * How long the active may stay silent: before its answer starts (then 504), and between
   * bytes of its answer (then the connection to the client is cut). Default 60000 ms.
   */
  responseTimeoutMs?: number;
  /**
   * CA certificates (PEM) that sign the active's certificate when its address is https,
   * instead of Node's default list. The active's certificate is always verified.
   */
  ca?: string | readonly string[];
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

export interface ResolvedProxyOptions {
  readonly via: string;
  /** Lower-cased `via` names of this instance and the group's others. */
  readonly groupVia: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly ca: readonly string[] | undefined;
}

export interface ResolvedOptions {
  readonly snapshot: () => StateSnapshot | Promise<StateSnapshot>;
  /** Proxy settings when `passive` is `"proxy"`, else null (redirect). */
  readonly proxy: ResolvedProxyOptions | null;
  readonly selfOrigins: ReadonlySet<string>;
  readonly exempt: ReadonlySet<string>;
  readonly retryAfter: string;
  readonly logger: Logger;
  readonly onRedirect: ((event: RedirectEvent) => void) | undefined;
  readonly onUnavailable: ((event: UnavailableEvent) => void) | undefined;
  readonly onRejected: ((event: RejectedEvent) => void) | undefined;
  readonly onProxied: ((event: ProxiedEvent) => void) | undefined;
}

const KNOWN = new Set([
  "source",
  "selfAddress",
  "exemptPaths",
  "retryAfter",
  "passive",
  "proxy",
  "logger",
  "onRedirect",
  "onUnavailable",
  "onRejected",
  "onProxied",
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
    proxy: resolveProxy(options.passive, options.proxy),
    selfOrigins: resolveSelf(options.selfAddress),
    exempt: resolveExempt(options.exemptPaths),
    retryAfter: resolveRetryAfter(options.retryAfter),
    logger: resolveLogger(options.logger),
    onRedirect: resolveHook("onRedirect", options.onRedirect),
    onUnavailable: resolveHook("onUnavailable", options.onUnavailable),
    onRejected: resolveHook("onRejected", options.onRejected),
    onProxied: resolveHook("onProxied", options.onProxied),
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

const PROXY_KNOWN = new Set([
  "via",
  "groupVia",
  "maxBodyBytes",
  "connectTimeoutMs",
  "responseTimeoutMs",
  "ca",
]);
// RFC 9110 §5.6.2: a Via pseudonym is a token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_TIMER_MS = 2_147_483_647;

function resolveProxy(
  passive: "redirect" | "proxy" | undefined,
  proxy: ProxyOptions | undefined,
): ResolvedProxyOptions | null {
  if (passive !== undefined && passive !== "redirect" && passive !== "proxy") {
    throw new HaRedirectOptionsError(
      "passive",
      `must be "redirect" or "proxy", got ${JSON.stringify(passive)}`,
    );
  }
  if (passive !== "proxy") {
    if (proxy !== undefined)
      throw new HaRedirectOptionsError("proxy", 'is only read with passive: "proxy"');
    return null;
  }
  const p: ProxyOptions = proxy === undefined ? {} : proxy;
  if (typeof p !== "object" || p === null)
    throw new HaRedirectOptionsError("proxy", "must be an object");
  for (const key of Object.keys(p)) {
    if (!PROXY_KNOWN.has(key))
      throw new HaRedirectOptionsError(
        `proxy.${key}`,
        `is not an option (known: ${[...PROXY_KNOWN].join(", ")})`,
      );
  }
  const token = (name: string, value: unknown): string => {
    if (typeof value !== "string" || !TOKEN.test(value))
      throw new HaRedirectOptionsError(
        name,
        `must be an HTTP token (letters, digits, !#$%&'*+-.^_\`|~), got ${JSON.stringify(value)}`,
      );
    return value;
  };
  const via = p.via === undefined ? "atlas-ha" : token("proxy.via", p.via);
  const others = p.groupVia ?? [];
  if (!Array.isArray(others))
    throw new HaRedirectOptionsError("proxy.groupVia", "must be an array of tokens");
  const groupVia = new Set([via.toLowerCase()]);
  others.forEach((name: unknown, i) =>
    groupVia.add(token(`proxy.groupVia[${i}]`, name).toLowerCase()),
  );
  const whole = (name: string, value: unknown, fallback: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max)
      throw new HaRedirectOptionsError(
        name,
        `must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`,
      );
    return value;
  };
  let ca: readonly string[] | undefined;
  if (p.ca !== undefined) {
    const list: unknown = typeof p.ca === "string" ? [p.ca] : p.ca;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((c) => typeof c === "string" && c.includes("-----BEGIN CERTIFICATE-----"))
    )
      throw new HaRedirectOptionsError("proxy.ca", "must be PEM certificate text or a list of it");
    ca = list as string[];
  }
  return {
    via,
    groupVia,
    maxBodyBytes: whole("proxy.maxBodyBytes", p.maxBodyBytes, 1_048_576, Number.MAX_SAFE_INTEGER),
    connectTimeoutMs: whole("proxy.connectTimeoutMs", p.connectTimeoutMs, 5_000, MAX_TIMER_MS),
    responseTimeoutMs: whole("proxy.responseTimeoutMs", p.responseTimeoutMs, 60_000, MAX_TIMER_MS),
    ca,
  };
}
