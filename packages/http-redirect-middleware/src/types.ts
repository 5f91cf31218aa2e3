/** The service states of docs/contracts/states.md, as ha-state reports them. */
export type ServiceState = "ACTIVE" | "PASSIVE" | "BECOMING_ACTIVE" | "BECOMING_PASSIVE";

/**
 * What the middleware needs to know about the group, once per request. ha-state's
 * `snapshot()` returns a superset of this; extra fields are ignored.
 */
export interface StateSnapshot {
  readonly state: ServiceState;
  /** `http://host:port` or `https://host:port` of the active, from ZooKeeper; `null` when unknown. */
  readonly activeAddress: string | null;
  readonly epoch?: number | null;
}

/**
 * Where the state comes from: a function, or an object with a `snapshot()` method (the shape
 * of ha-state). It is called on every non-exempt request, so it should answer from memory
 * (ha-state watches and caches ZooKeeper; it does not read it per request).
 */
export type StateSource =
  | (() => StateSnapshot | Promise<StateSnapshot>)
  | { snapshot(): StateSnapshot | Promise<StateSnapshot> };

/** pino-compatible; each method is called as `(obj, msg?)`. */
export type { Logger } from "@atlas-ha/shared";

/** Why a request was not served here. Each has its own `errorCode` in the response body. */
export type UnavailableReason =
  | "transitional"
  | "active_unknown"
  | "active_is_self"
  | "active_address_invalid"
  | "state_unavailable"
  /** Proxy mode: the request was forwarded by a passive of the group already (its `Via`). */
  | "proxy_loop";

export interface RedirectEvent {
  readonly method: string;
  readonly status: 302 | 307;
  readonly location: string;
}

export interface UnavailableEvent {
  readonly method: string;
  readonly status: 503;
  readonly reason: UnavailableReason;
  /** The state reported by the source, or `null` when the source failed. */
  readonly state: string | null;
}

export interface RejectedEvent {
  readonly method: string;
  readonly status: 400;
  readonly reason: "unredirectable_target";
}

/**
 * How a forwarded request ended (proxy mode):
 * - `answered`: the active's answer, whatever its status, went back to the client whole;
 * - `upstream_failed`: the active could not be reached or broke off before answering (502);
 * - `upstream_timeout`: no connection or no answer in time (504);
 * - `too_large`: the body is over `proxy.maxBodyBytes` (413);
 * - `response_failed`: the active's answer had started and then broke off or stalled: the
 *   client's connection was cut;
 * - `client_aborted`: the client went away before the answer was complete.
 */
export type ProxyOutcome =
  | "answered"
  | "upstream_failed"
  | "upstream_timeout"
  | "too_large"
  | "response_failed"
  | "client_aborted";

export interface ProxiedEvent {
  readonly method: string;
  readonly outcome: ProxyOutcome;
  /** The status the client got: the active's, or ours (413, 502, 504); 0 when none was sent. */
  readonly status: number;
  /** The active's origin the request went to. */
  readonly target: string;
  /** From the start of forwarding to the end of the answer. */
  readonly ms: number;
}

/** Running totals since the middleware was created, for a metrics exporter to read. */
export interface RedirectCounters {
  /** 302 and 307 answers. */
  readonly redirects: number;
  /** 503 answers. */
  readonly unavailable: number;
  /** 400 answers (a request target that cannot be redirected, e.g. `OPTIONS *`). */
  readonly rejected: number;
}

/**
 * The part of a Koa context the middleware touches. Structural, so the package has no runtime
 * dependency on Koa and works with Koa 2 and 3 alike.
 */
export interface RedirectContext {
  readonly req: { readonly url?: string | undefined; readonly method?: string | undefined };
  status: number;
  body: unknown;
  set(field: string, value: string): void;
  /**
   * Proxy mode only: Koa's raw Node response (the request is `req`, Node's `IncomingMessage`),
   * and the switch that tells Koa the middleware writes the answer itself.
   */
  readonly res?: unknown;
  respond?: boolean;
}

export type RedirectMiddleware = ((
  ctx: RedirectContext,
  next: () => Promise<unknown>,
) => Promise<void>) & {
  readonly counters: RedirectCounters;
};
