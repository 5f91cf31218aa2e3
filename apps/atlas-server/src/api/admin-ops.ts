/**
 * Atlas's AdminResource beyond the probes (docs/contracts/http.md "Admin"): `GET admin/metrics`
 * (AtlasMetrics, counted by the store), `GET admin/session` (the login's profile as the UI
 * reads it) and `PUT admin/purge` (hard delete of DELETED entities; ROLE_ADMIN, a fenced write).
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { allows, type AtlasRole } from "../auth/policy.js";
import { readJson } from "../http/body.js";
import { AtlasHttpError, errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import { ADMIN } from "./admin.js";
import type { ApiContext } from "./context.js";
import { booleanParam, guidParam } from "./normalize.js";

/** Atlas's atlas.purge.api.max.request.size default. */
export const PURGE_MAX_GUIDS = 1000;

const TIMEZONES = Intl.supportedValuesOf("timeZone");

/** "1 day 2 hour 3 min 4 sec", as Atlas's AtlasMetricsUtil writes Server:upTime. */
function upTime(ms: number): string {
  const parts: string[] = [];
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor(ms / 3_600_000) % 24;
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  if (days > 0) parts.push(`${days} day`);
  if (hours > 0) parts.push(`${hours} hour`);
  if (minutes > 0) parts.push(`${minutes} min`);
  if (seconds > 0) parts.push(`${seconds} sec`);
  return parts.join(" ");
}

/** The purge body: a JSON list of guids (Atlas reads a Set, so repeats count once). */
function purgeGuids(body: unknown): string[] {
  if (!Array.isArray(body))
    throw errors.invalid("the request body must be a JSON list of entity guids");
  if (body.length === 0)
    throw new AtlasHttpError(
      400,
      ATLAS_ERRORS.INVALID_ENTITY.code,
      "invalid parameters: Guid(s) not specified",
    );
  const guids = new Set<string>();
  for (const guid of body) {
    if (typeof guid !== "string") throw errors.invalid("every guid must be a string");
    guids.add(guidParam(guid));
  }
  if (guids.size > PURGE_MAX_GUIDS)
    throw new AtlasHttpError(
      400,
      ATLAS_ERRORS.PURGE_REQUEST_TOO_LARGE.code,
      `purge request size ${guids.size} exceeds maximum limit ${PURGE_MAX_GUIDS}`,
    );
  return [...guids];
}

export function adminOpsRoutes(router: Router, api: ApiContext): void {
  router.on("GET", `${ADMIN}/metrics`, async (ctx) => {
    const withSubtypes = !booleanParam(
      ctx.query.excludeTypeAndSubTypeEntity,
      "excludeTypeAndSubTypeEntity",
      false,
    );
    const counts = await api.store.metrics();
    const s = api.ha.snapshot();
    const consumer = api.consumer?.metrics();
    const storeOk = await api.store.ping().catch(() => false);
    const now = Date.now();
    const entity: Record<string, unknown> = { ...counts.entity };
    if (!withSubtypes)
      for (const key of Object.keys(entity)) if (key.includes("-")) delete entity[key];
    const memory = process.memoryUsage();
    ctx.set("Cache-Control", "no-store");
    // AtlasMetrics: one map of groups; the Python client reads `data`.
    ctx.body = {
      data: {
        general: {
          collectionTime: now,
          stats: {
            "Server:startTimeStamp": api.startedAt,
            "Server:activeTimeStamp": s.state === "ACTIVE" ? s.since : null,
            "Server:upTime": upTime(now - api.startedAt),
            "Server:statusBackendStore": storeOk ? "connected" : "not-connected",
            // Search runs on the same database: there is no separate index store.
            "Server:statusIndexStore": storeOk ? "connected" : "not-connected",
            "Notification:total": consumer?.processed ?? 0,
            "Notification:totalFailed": consumer?.failed ?? 0,
          },
          ...counts.general,
        },
        entity,
        tag: counts.tag,
        system: {
          memory: {
            heapUsed: memory.heapUsed,
            heapTotal: memory.heapTotal,
            rss: memory.rss,
          },
          os: { "os.name": process.platform, "os.arch": process.arch },
          runtime: { name: "node", version: process.version },
        },
      },
    };
  });

  router.on("GET", `${ADMIN}/session`, (ctx) => {
    const roles = (ctx.state.roles ?? []) as readonly AtlasRole[];
    const group = typeof ctx.state.role === "string" ? [ctx.state.role] : [];
    ctx.set("Cache-Control", "no-store");
    // Atlas's keys; CSRF is off here (no browser session, Basic credentials on each request).
    ctx.body = {
      "atlas.rest-csrf.enabled": false,
      "atlas.rest-csrf.browser-useragents-regex": "^Mozilla.*,^Opera.*,^Chrome",
      "atlas.rest-csrf.methods-to-ignore": "GET,OPTIONS,HEAD,TRACE",
      "atlas.rest-csrf.custom-header": "X-XSRF-HEADER",
      "atlas.entity.update.allowed": allows(roles, "entity-update"),
      "atlas.entity.create.allowed": allows(roles, "entity-create"),
      "atlas.ui.editable.entity.types": "hdfs_path",
      "atlas.ui.default.version": "v2",
      userName: ctx.state.user ?? null,
      groups: group,
      timezones: TIMEZONES,
      "atlas.ui.date.timezone.format.enabled": true,
      "atlas.ui.date.format": "MM/DD/YYYY hh:mm:ss A",
      "atlas.debug.metrics.enabled": false,
      "atlas.tasks.enabled": false,
      "atlas.tasks.ui.tab.enabled": false,
      "atlas.lineage.on.demand.enabled": false,
      "atlas.lineage.on.demand.default.node.count": 3,
      "atlas.relationship.search.enabled": false,
    };
  });

  router.on("PUT", `${ADMIN}/purge`, async (ctx) => {
    const guids = purgeGuids(await readJson(ctx, api.config.limits.maxBodyBytes));
    const user = typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
    ctx.body = await api.write((epoch) => api.store.purgeByGuids(epoch, guids, user));
  });
}
