/**
 * The Koa app: request id and logging → error boundary → Basic credentials (a wrong pair is
 * a 401 here) → http-redirect-middleware → login required → authorization (the simple
 * authorizer's roles) → routes → store. The redirect sits between checking credentials and
 * requiring them, where Apache Atlas's `ActiveServerFilter` sits in its filter chain: a
 * passive redirects a request without credentials, and refuses wrong ones
 * (docs/contracts/http.md).
 */
import { randomUUID } from "node:crypto";
import { haRedirect, type ProxiedEvent } from "@atlas-ha/http-redirect-middleware";
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
import { haPageRoutes } from "../api/ha-page.js";
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
import { answerStatus } from "./status.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const STATUS_PATH = `${ADMIN}/status`;
const DONE: Promise<void> = Promise.resolve();

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

export function createHttpApp(api: ApiContext, users: Map<string, User> | null): Koa {
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
    onRedirect: (e) => api.metrics.redirects.inc({ status: String(e.status) }),
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
  const finish = (ctx: Koa.Context, started: number): void => {
    const ms = performance.now() - started;
    const path = ctx.path;
    const status = ctx.status;
    api.metrics.requests.observe(routeClass(path), status, ms / 1000);
    // Probes and a passive's redirects (302/307, counted in atlas_http_redirects_total) are
    // routine at any rate a load balancer or client sends them: an info line each would make
    // logging a large share of a passive's work (docs/decisions.md).
    const quiet =
      (path.startsWith("/api/atlas/admin/") && status < 400) || status === 302 || status === 307;
    if (!quiet || debugLogged) {
      api.logger[quiet ? "debug" : "info"]({
        event: "http_request",
        requestId: ctx.state.requestId,
        method: ctx.method,
        path,
        status,
        ms: Math.round(ms * 10) / 10,
        user: ctx.state.user,
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
  // Not async: a status probe and a passive's redirect are answered in this layer, without a
  // promise or a Koa layer of their own (docs/decisions.md).
  app.use((ctx, next) => {
    // Node's own header object and setHeader rather than Koa's delegating accessors: this
    // runs on every request, a status probe and a passive's 302 included.
    const req = ctx.req;
    const incoming = req.headers["x-request-id"];
    const requestId =
      typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.res.setHeader("X-Request-Id", requestId);
    const started = performance.now();
    // The status probe as load balancers send it, answered before the layers below: it needs
    // no login, is never redirected and reads only the state (api/admin.ts answers the other
    // spellings with the same function).
    if (req.url === STATUS_PATH && (req.method === "GET" || req.method === "HEAD")) {
      answerStatus(ctx, api.ha.snapshot().state);
      finish(ctx, started);
      return DONE;
    }
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
  return app;
}
