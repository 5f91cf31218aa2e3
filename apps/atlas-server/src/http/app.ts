/**
 * The Koa app: request id and logging → error boundary → Basic credentials (a wrong pair is
 * a 401 here) → http-redirect-middleware → login required → authorization (the simple
 * authorizer's roles) → routes → store. The redirect sits between checking credentials and
 * requiring them, where Apache Atlas's `ActiveServerFilter` sits in its filter chain: a
 * passive redirects a request without credentials, and refuses wrong ones
 * (docs/contracts/http.md).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import {
  haRedirect,
  type ProxiedEvent,
  type RedirectContext,
} from "@atlas-ha/http-redirect-middleware";
import Koa from "koa";
import { ADMIN, adminRoutes, answeredLocally, UNAUTHENTICATED_PATHS } from "../api/admin.js";
import { adminAuditRoutes } from "../api/admin-audits.js";
import { adminOpsRoutes } from "../api/admin-ops.js";
import { auditAgeoutRoutes } from "../api/audit-ageout.js";
import { auditRoutes } from "../api/audit.js";
import { savedSearchRoutes } from "../api/saved-search.js";
import type { ApiContext } from "../api/context.js";
import { entityRoutes } from "../api/entity.js";
import { entityBulkRoutes } from "../api/entity-bulk.js";
import { entityMoreRoutes } from "../api/entity-more.js";
import { glossaryRoutes } from "../api/glossary.js";
import { glossaryImportRoutes } from "../api/glossary-import.js";
import { HA_PAGE_PATH, haPageRoutes } from "../api/ha-page.js";
import { notificationRoutes } from "../api/notification.js";
import { indexRecoveryRoutes } from "../api/index-recovery.js";
import { lineageRoutes } from "../api/lineage.js";
import { relationshipRoutes } from "../api/relationship.js";
import { searchRoutes } from "../api/search.js";
import { switchoverRoutes } from "../api/switchover.js";
import { typeRoutes } from "../api/types.js";
import type { User } from "../auth/users.js";
import { debugRoutes } from "../debug.js";
import { basicAuth } from "./auth.js";
import { authorize } from "./authorize.js";
import { answerError, answerNoRoute } from "./errors.js";
import { Router } from "./router.js";
import { writeStatus } from "./status.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const STATUS_PATH = `${ADMIN}/status`;
const DONE: Promise<void> = Promise.resolve();
// What the early redirect leaves to Koa: anything but printable ASCII, and a fragment (Koa's
// `ctx.path` would then come from a full URL parse, not the text before `?`).
const UNUSUAL_TARGET = /[^\x21-\x22\x24-\x7e]/;

/** A server id as a Via pseudonym (an HTTP token): other characters become `_`. */
function viaName(serverId: string): string {
  return serverId.replace(/[^!#$%&'*+.^_`|~0-9A-Za-z-]/g, "_");
}

function routeClass(path: string): string {
  if (path.startsWith("/api/atlas/admin/")) return path.replace(/\/$/, "");
  if (path.startsWith("/api/atlas/v2/entity")) return "/api/atlas/v2/entity";
  if (path.startsWith("/api/atlas/v2/search")) return "/api/atlas/v2/search";
  if (path.startsWith("/api/atlas/v2/types")) return "/api/atlas/v2/types";
  return "other";
}

/**
 * The server's request listener: the status probe and a passive's redirect answered on Node's
 * request and response before Koa makes a context for them (`early` below), everything else
 * through the Koa app.
 */
export function createHttpHandler(
  api: ApiContext,
  users: Map<string, User> | null,
): RequestListener {
  const app = new Koa();
  app.proxy = false; // never trust X-Forwarded-* (docs/contracts/http.md: no open redirect)
  app.silent = true; // errors are logged by the boundary, as events

  const onUnexpected = (error: unknown, ctx: Koa.Context) =>
    api.logger.error({
      event: "http_unexpected_error",
      requestId: ctx.state.requestId,
      error: (error as Error)?.message,
      stack: (error as Error)?.stack,
    });

  const auth = basicAuth({
    users,
    exempt: UNAUTHENTICATED_PATHS,
    onFailure: (reason) => api.metrics.authFailures.inc({ reason }),
    plainSha256: api.config.auth.plainSha256,
    saltedSha256: api.config.auth.saltedSha256,
  });

  const redirect = haRedirect({
    source: api.ha,
    selfAddress: api.config.selfAddress,
    logger: api.logger,
    onRedirect: (e) => api.metrics.redirects.inc(e.status),
    onUnavailable: (e) => api.metrics.unavailable.inc({ reason: e.reason }),
    // atlas.server.ha.passive.mode=proxy: forward to the active rather than redirect, for
    // clients that drop credentials on a redirect (docs/contracts/http.md, "Proxy mode").
    ...(api.config.passive.mode === "proxy"
      ? {
          passive: "proxy" as const,
          proxy: {
            via: viaName(api.config.serverId),
            groupVia: api.config.ids.map(viaName),
            maxBodyBytes: api.config.limits.maxBodyBytes,
            connectTimeoutMs: api.config.passive.connectTimeoutMs,
            responseTimeoutMs: api.config.passive.responseTimeoutMs,
          },
          onProxied: (e: ProxiedEvent) => api.metrics.proxied.inc({ outcome: e.outcome }),
        }
      : {}),
  });
  // Request id, timing, the error boundary, the access log, the credentials and the redirect
  // in one layer: every Koa layer and async function adds promises to each request, a cost
  // that shows next to a bare Koa 302 (docs/decisions.md).
  // The level is fixed for the process: whether quiet requests are logged at debug is known now.
  const debugLogged = api.logger.isLevelEnabled("debug");
  const finish = (ctx: Koa.Context, started: number): void =>
    record(ctx.method, ctx.path, ctx.status, started, ctx.state.requestId, ctx.state.user);
  const record = (
    method: string,
    path: string,
    status: number,
    started: number,
    requestId: string,
    user: string | undefined,
  ): void => {
    const ms = performance.now() - started;
    api.metrics.requests.observe(routeClass(path), status, ms / 1000);
    // Probes and a passive's redirects (302/307, counted in atlas_http_redirects_total) are
    // routine at any rate a load balancer or client sends them: an info line each would make
    // logging a large share of a passive's work (docs/decisions.md).
    const quiet =
      (path.startsWith("/api/atlas/admin/") && status < 400) || status === 302 || status === 307;
    if (!quiet || debugLogged) {
      api.logger[quiet ? "debug" : "info"]({
        event: "http_request",
        requestId,
        method,
        path,
        status,
        ms: Math.round(ms * 10) / 10,
        user,
      });
    }
  };
  const settle = async (ctx: Koa.Context, pending: unknown, started: number): Promise<void> => {
    try {
      await pending;
      // A passive in proxy mode has streamed the active's answer itself (ctx.respond = false).
      if (ctx.respond !== false) answerNoRoute(ctx);
    } catch (error) {
      answerError(ctx, error, onUnexpected);
    } finally {
      finish(ctx, started);
    }
  };
  const failed = (ctx: Koa.Context) => (error: unknown) => answerError(ctx, error, onUnexpected);
  // Not async: a passive's redirect that needs a credential check is answered in this layer,
  // without a promise or a Koa layer of its own (docs/decisions.md). The plain status probe
  // never reaches Koa (`early` below); its other spellings are api/admin.ts's route.
  app.use((ctx, next) => {
    // Node's own header object and setHeader rather than Koa's delegating accessors: this
    // runs on every request.
    const req = ctx.req;
    const requestId = identify(req, ctx.res);
    ctx.state.requestId = requestId;
    const started = performance.now();
    // Credentials checked when sent, then the redirect, as Atlas's BasicAuthenticationFilter
    // and ActiveServerFilter: admin paths are answered by any instance, except the ones that
    // need the active's data or write (metrics, purge, audits, …), redirected.
    let passedOn = false;
    const onward = () => {
      passedOn = true;
      return next();
    };
    let pending: Promise<unknown>;
    try {
      pending = auth.credentials(ctx, () =>
        answeredLocally(ctx.path) ? onward() : redirect(ctx, onward),
      );
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Redirected before this call returned (a connection's known credentials, ha-state's
    // state from memory): the answer is complete and nothing downstream runs.
    if (!passedOn && (ctx.status === 302 || ctx.status === 307)) {
      finish(ctx, started);
      return pending.then(undefined, failed(ctx));
    }
    return settle(ctx, pending, started);
  });

  app.use(auth.required);
  app.use(authorize(UNAUTHENTICATED_PATHS));

  const router = new Router();
  adminRoutes(router, api);
  haPageRoutes(router, api); // GET /ha and its data: answered locally, no login (admin.ts)
  adminOpsRoutes(router, api);
  switchoverRoutes(router, api);
  adminAuditRoutes(router, api);
  auditAgeoutRoutes(router, api);
  auditRoutes(router, api);
  savedSearchRoutes(router, api);
  entityRoutes(router, api);
  entityMoreRoutes(router, api);
  entityBulkRoutes(router, api);
  notificationRoutes(router, api);
  searchRoutes(router, api);
  lineageRoutes(router, api);
  indexRecoveryRoutes(router);
  relationshipRoutes(router, api);
  glossaryImportRoutes(router, api); // before glossary/{guid}
  glossaryRoutes(router, api);
  typeRoutes(router, api);
  debugRoutes(router, api); // only with ATLAS_HA_DEBUG=1 (the chaos run)
  app.use(router.middleware());

  // The status probe and a passive's redirect, answered before Koa: a Koa context (its
  // request, response and context objects, the finish listeners, the middleware promise
  // chain) costs a 302 about as much as the rest of its work (docs/decisions.md). Only what
  // the layers above would answer at once is taken here, with the same headers, metrics and
  // logs; anything else — credentials that need a check, a path a passive answers itself,
  // proxy mode, a state other than PASSIVE — goes through Koa as before.
  const redirects = api.config.passive.mode !== "proxy";
  const early = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url;
    const method = req.method ?? "GET";
    if (url === STATUS_PATH) {
      if (method !== "GET" && method !== "HEAD") return false;
      const state = api.ha.snapshot().state;
      const requestId = identify(req, res);
      const started = performance.now();
      writeStatus(res, method, state);
      record(method, url, 200, started, requestId, undefined);
      return true;
    }
    if (!redirects || url === undefined || url.charCodeAt(0) !== 0x2f) return false;
    if (api.ha.snapshot().state !== "PASSIVE" || UNUSUAL_TARGET.test(url)) return false;
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    // Exempt paths are admin paths or the HA page, all answered locally.
    if (answeredLocally(path) || path.startsWith(ADMIN) || path.startsWith(HA_PAGE_PATH))
      return false;
    const user = auth.known(req);
    if (user === undefined) return false;
    const requestId = identify(req, res);
    const started = performance.now();
    const ctx: RedirectContext = {
      req,
      res,
      status: 404,
      body: undefined,
      set: (field, value) => res.setHeader(field, value),
    };
    let passedOn = false;
    const pending = redirect(ctx, () => {
      passedOn = true;
      return DONE;
    });
    const status = ctx.status;
    if (status === 302 || status === 307) {
      // The middleware has set Location, Cache-Control and Content-Type; Koa would add the
      // empty body's length.
      res.statusCode = status;
      res.setHeader("Content-Length", "0");
      res.end();
      record(method, path, status, started, requestId, user?.name);
      return true;
    }
    // Served here after all (an exempt path of the middleware's), or it failed: Koa does it
    // all again from the start, the error boundary included (nothing was counted or logged).
    if (passedOn || ctx.body === undefined) {
      pending.then(undefined, () => undefined);
      res.removeHeader("X-Request-Id");
      return false;
    }
    // A 503 (the active's address unusable) or 400 (unredirectable target), counted and
    // logged by the middleware: its JSON body as Koa would send it.
    const body = JSON.stringify(ctx.body);
    res.statusCode = status;
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Content-Length", String(Buffer.byteLength(body)));
    if (method === "HEAD") res.end();
    else res.end(body);
    record(method, path, status, started, requestId, user?.name);
    return true;
  };
  const koa = app.callback();
  return (req, res) => {
    let answered = false;
    try {
      answered = early(req, res);
    } catch (error) {
      // Before the answer went out, Koa takes the request from the start (and its error
      // boundary answers the same failure); after, there is only the log.
      answered = res.headersSent;
      if (answered)
        api.logger.error({
          event: "http_unexpected_error",
          error: (error as Error)?.message,
          stack: (error as Error)?.stack,
        });
    }
    if (!answered) void koa(req, res);
  };
}

/** The request's id (its valid X-Request-Id, or a new one), set on the response. */
function identify(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers["x-request-id"];
  const requestId =
    typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("X-Request-Id", requestId);
  return requestId;
}
