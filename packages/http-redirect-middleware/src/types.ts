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
  | "state_unavailable";

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
}

export type RedirectMiddleware = ((
  ctx: RedirectContext,
  next: () => Promise<unknown>,
) => Promise<void>) & {
  readonly counters: RedirectCounters;
};
