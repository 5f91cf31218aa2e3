/**
 * `GET /api/atlas/v2/entity/{guid}/audit` (Atlas's EntityREST.getAuditEvents, docs/contracts/http.md
 * "Entity audit"): the entity's EntityAuditEventV2 list. Without `offset`/`sortBy`: newest
 * first from `startKey`, `count` of them; with either: sorted by `sortBy` (user, action,
 * timestamp), ascending unless `sortOrder=desc`, from `offset`. A purged entity's events stay.
 */
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import {
  AUDIT_SORT_COLUMNS,
  auditAction,
  isEventKey,
  type AuditListOptions,
} from "../store/index.js";
import type { ApiContext } from "./context.js";
import { guidParam, integerParam, stringParam } from "./normalize.js";

/** Atlas reads `count` as a Java short. */
const MAX_COUNT = 32_767;

export function auditOptions(query: Record<string, unknown>): AuditListOptions {
  const options: AuditListOptions = {
    count: integerParam(query.count, "count", 100, 1, MAX_COUNT),
  };
  const action = stringParam(query.auditAction);
  if (action !== undefined) {
    const known = auditAction(action);
    if (!known) throw errors.invalid(`auditAction: no audit action ${JSON.stringify(action)}`);
    options.auditAction = known;
  }
  const startKey = stringParam(query.startKey);
  if (startKey !== undefined) {
    if (!isEventKey(startKey))
      throw errors.invalid(`startKey: expected an eventKey of this entity's events`);
    options.startKey = startKey;
  }
  const offset = integerParam(query.offset, "offset", -1, -1, Number.MAX_SAFE_INTEGER);
  if (offset >= 0) options.offset = offset;
  const sortBy = stringParam(query.sortBy)?.toLowerCase();
  if (sortBy !== undefined) {
    if (!(AUDIT_SORT_COLUMNS as readonly string[]).includes(sortBy))
      throw errors.invalid(`sortBy: expected one of ${AUDIT_SORT_COLUMNS.join(", ")}`);
    options.sortBy = sortBy as AuditListOptions["sortBy"];
  }
  const sortOrder = stringParam(query.sortOrder)?.toLowerCase();
  if (sortOrder !== undefined) {
    if (sortOrder !== "asc" && sortOrder !== "desc")
      throw errors.invalid(`sortOrder: expected asc or desc`);
    options.sortOrder = sortOrder;
  }
  return options;
}

export function auditRoutes(router: Router, api: ApiContext): void {
  router.on("GET", "/api/atlas/v2/entity/:guid/audit", async (ctx, { guid }) => {
    guidParam(guid!);
    const events = await api.store.entityAuditEvents(guid!, auditOptions(ctx.query));
    if (events === null) throw errors.guidNotFound(guid!);
    ctx.body = events;
  });
}
