import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { originOf } from "./address.js";
import { resolveOptions } from "./options.js";
import type { HaRedirectOptions } from "./options.js";
import { createProxy } from "./proxy.js";
import { parseTarget, trimOneTrailingSlash } from "./target.js";
import type {
  RedirectContext,
  RedirectMiddleware,
  StateSnapshot,
  UnavailableReason,
} from "./types.js";

/**
 * `errorCode` of each answer this middleware gives instead of serving (docs/contracts/http.md error shape),
 * from atlas-ha's one table of Atlas error codes (shared with atlas-server).
 */
export const ERROR_CODES: Readonly<{
  transitional: string;
  active_unknown: string;
  active_is_self: string;
  active_address_invalid: string;
  state_unavailable: string;
  unredirectable_target: string;
  proxy_loop: string;
  upstream_failed: string;
  upstream_timeout: string;
}> = Object.freeze({
  transitional: ATLAS_ERRORS.TRANSITIONAL.code,
  active_unknown: ATLAS_ERRORS.ACTIVE_UNKNOWN.code,
  active_is_self: ATLAS_ERRORS.ACTIVE_IS_SELF.code,
  active_address_invalid: ATLAS_ERRORS.ACTIVE_ADDRESS_INVALID.code,
  state_unavailable: ATLAS_ERRORS.STATE_UNAVAILABLE.code,
  unredirectable_target: ATLAS_ERRORS.UNREDIRECTABLE_TARGET.code,
  proxy_loop: ATLAS_ERRORS.PROXY_LOOP.code,
  upstream_failed: ATLAS_ERRORS.PROXY_UPSTREAM_FAILED.code,
  upstream_timeout: ATLAS_ERRORS.PROXY_UPSTREAM_TIMEOUT.code,
});

// Methods whose redirect may become a GET in old clients are not in this list, so they get
// 307 (method and body kept). Anything not listed, including methods we do not know
// (PROPFIND, TRACE, …), also gets 307: keeping the method is never the wrong guess.
const FOUND_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Koa middleware for a member of an active/passive group (docs/contracts/http.md): serve when ACTIVE,
 * redirect to the active when PASSIVE, answer 503 while in transition or when the active is
 * unknown, and always let the exempt admin paths through.
 *
 * Mount it after request logging/authentication and before the router. Options are checked
 * here, once; a bad one throws `HaRedirectOptionsError`.
 */
export function haRedirect(options: HaRedirectOptions): RedirectMiddleware {
  const o = resolveOptions(options);
  const counters = { redirects: 0, unavailable: 0, rejected: 0 };

  // The active address changes only on failover, so parse it once per distinct value.
  let cachedAddress: string | undefined;
  let cachedOrigin: string | null = null;
  const activeOrigin = (address: string): string | null => {
    if (address !== cachedAddress) {
      cachedAddress = address;
      cachedOrigin = originOf(address);
      if (cachedOrigin === null)
        o.logger.warn({ event: "ha_active_address_invalid", activeAddress: address });
    }
    return cachedOrigin;
  };

  const call = <T>(hook: ((event: T) => void) | undefined, name: string, event: T): void => {
    if (hook === undefined) return;
    try {
      hook(event);
    } catch (err) {
      // A metrics hook must not turn a redirect into a 500.
      o.logger.warn({ event: "ha_redirect_hook_failed", hook: name, err });
    }
  };

  const unavailable = (
    ctx: RedirectContext,
    method: string,
    reason: UnavailableReason,
    state: string | null,
  ): void => {
    counters.unavailable++;
    ctx.status = 503;
    ctx.set("Retry-After", o.retryAfter);
    ctx.set("Cache-Control", "no-store");
    ctx.body = { errorCode: ERROR_CODES[reason], errorMessage: MESSAGES[reason](state) };
    o.logger.debug({ event: "ha_unavailable", method, reason, state });
    call(o.onUnavailable, "onUnavailable", { method, status: 503, reason, state });
  };

  // passive: "proxy" forwards where "redirect" answers 302/307 (src/proxy.ts).
  const forward =
    o.proxy === null
      ? null
      : createProxy(o.proxy, {
          logger: o.logger,
          unavailable,
          onProxied: (event) => call(o.onProxied, "onProxied", event),
        });

  // Not async: serving (ACTIVE, exempt paths) hands straight on to `next` without a promise
  // of its own, which a status probe or an API call would otherwise pay for every time.
  const middleware = (ctx: RedirectContext, next: () => Promise<unknown>): Promise<void> => {
    try {
      return route(ctx, next);
    } catch (err) {
      // Still a promise, as an async middleware would give: callers may not expect a throw.
      return Promise.reject(err);
    }
  };

  const route = (ctx: RedirectContext, next: () => Promise<unknown>): Promise<void> => {
    const target = parseTarget(ctx.req.url);
    if (target.kind === "redirectable" && o.exempt.has(trimOneTrailingSlash(target.path))) {
      return next() as Promise<void>;
    }
    const method = ctx.req.method ?? "GET";
    // Fail closed: an instance that cannot tell whether it is active must not serve writes.
    const failed = (err: unknown): void => {
      o.logger.error({ event: "ha_state_source_failed", err });
      unavailable(ctx, method, "state_unavailable", null);
    };
    let result: StateSnapshot | Promise<StateSnapshot>;
    try {
      result = o.snapshot();
    } catch (err) {
      failed(err);
      return DONE;
    }
    // Sources are usually synchronous (ha-state answers from memory): no extra tick then.
    if (isPromiseLike(result))
      return Promise.resolve(result).then(
        (snapshot) => decide(ctx, next, target, method, snapshot),
        failed,
      );
    return decide(ctx, next, target, method, result);
  };

  const decide = (
    ctx: RedirectContext,
    next: () => Promise<unknown>,
    target: ReturnType<typeof parseTarget>,
    method: string,
    snapshot: StateSnapshot,
  ): Promise<void> => {
    const state: unknown =
      typeof snapshot === "object" && snapshot !== null ? snapshot.state : undefined;

    if (state === "ACTIVE") return next() as Promise<void>;
    if (state === "BECOMING_ACTIVE" || state === "BECOMING_PASSIVE") {
      unavailable(ctx, method, "transitional", state);
      return DONE;
    }
    if (state !== "PASSIVE") {
      o.logger.error({ event: "ha_state_unknown", state: String(state) });
      unavailable(ctx, method, "state_unavailable", null);
      return DONE;
    }

    if (target.kind === "unredirectable") {
      counters.rejected++;
      ctx.status = 400;
      ctx.set("Cache-Control", "no-store");
      ctx.body = {
        errorCode: ERROR_CODES.unredirectable_target,
        errorMessage:
          "This Atlas server is passive and the request target cannot be redirected; send an origin-form request (a path starting with /)",
      };
      o.logger.debug({ event: "ha_rejected", method, reason: "unredirectable_target" });
      call(o.onRejected, "onRejected", { method, status: 400, reason: "unredirectable_target" });
      return DONE;
    }

    const address = snapshot.activeAddress;
    if (typeof address !== "string" || address === "") {
      unavailable(ctx, method, "active_unknown", state);
      return DONE;
    }
    const origin = activeOrigin(address);
    if (origin === null) {
      unavailable(ctx, method, "active_address_invalid", state);
      return DONE;
    }
    // Leadership moved away but our own ephemeral node is still there (or another instance
    // published our address): redirecting would send the client in a loop.
    if (o.selfOrigins.has(origin)) {
      unavailable(ctx, method, "active_is_self", state);
      return DONE;
    }

    if (forward !== null) return forward(ctx, origin, target.pathAndQuery, method);

    // The target is ZooKeeper's origin plus the raw path and query; Host, X-Forwarded-* and
    // the authority of an absolute-form target are never read (docs/contracts/http.md: no open redirect).
    const location = origin + target.pathAndQuery;
    const status = FOUND_METHODS.has(method) ? 302 : 307;
    counters.redirects++;
    ctx.status = status;
    const res = ctx.res as NodeResponse | undefined;
    if (typeof res?.setHeader === "function") {
      // Koa's context (the usual case): the headers go onto Node's response, as Koa's own
      // setters would put them, without their per-call checks and the MIME lookup of the
      // empty body's type; what the client receives is the same.
      res.setHeader("Location", location);
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
    } else {
      ctx.set("Location", location);
      ctx.set("Cache-Control", "no-store");
    }
    ctx.body = "";
    o.logger.debug({ event: "ha_redirected", method, status, location });
    call(o.onRedirect, "onRedirect", { method, status, location });
    return DONE;
  };

  return Object.assign(middleware, { counters: counters });
}

const DONE: Promise<void> = Promise.resolve();

/** What a redirect uses of Node's `ServerResponse` (Koa's `ctx.res`). */
interface NodeResponse {
  setHeader?: (name: string, value: string) => unknown;
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

const MESSAGES: Record<UnavailableReason, (state: string | null) => string> = {
  transitional: (state) =>
    `This Atlas server is ${state === "BECOMING_ACTIVE" ? "becoming active" : "becoming passive"}; retry shortly`,
  active_unknown: () =>
    "This Atlas server is passive and the active server is not known yet; retry shortly",
  active_is_self: () =>
    "This Atlas server is passive but is still published as the active server; retry shortly",
  active_address_invalid: () =>
    "This Atlas server is passive and the published active server address is not a valid http(s) origin; retry shortly",
  state_unavailable: () => "This Atlas server cannot determine its HA state; retry shortly",
  proxy_loop: () =>
    "This Atlas server is passive and the request was forwarded by another passive server already; retry shortly",
};
