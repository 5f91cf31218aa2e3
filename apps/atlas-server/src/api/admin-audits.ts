/**
 * Atlas's audit of admin operations (docs/contracts/http.md "Admin audits"): `POST admin/audits`
 * with Atlas's AuditSearchParameters (`auditFilters` a FilterCriteria over the entry's
 * attributes, `limit`, `offset`, `sortBy`, `sortOrder`) and `GET admin/audit/{guid}/details`.
 * ROLE_ADMIN, as Atlas's ADMIN_AUDITS privilege. A filter this server cannot evaluate is a 400.
 */
import { readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { AtlasAuditEntry } from "../store/index.js";
import { ADMIN } from "./admin.js";
import type { ApiContext } from "./context.js";
import { integerParam } from "./normalize.js";

type Entry = AtlasAuditEntry;
type Test = (entry: Entry) => boolean;

const ATTRIBUTES = new Set([
  "userName",
  "operation",
  "params",
  "startTime",
  "endTime",
  "clientId",
  "result",
  "resultCount",
]);
const NUMERIC = new Set(["startTime", "endTime", "resultCount"]);

/** Atlas's SearchParameters.Operator symbols and names this server evaluates. */
const OPERATORS: Record<string, (a: string | number | null, b: string) => boolean> = {};
const define = (names: string[], fn: (a: string | number | null, b: string) => boolean) => {
  for (const n of names) OPERATORS[n.toLowerCase()] = fn;
};
const cmp = (a: string | number | null, b: string): number | null => {
  if (a === null) return null;
  if (typeof a === "number") {
    const n = Number(b);
    return Number.isFinite(n) ? a - n : null;
  }
  return a < b ? -1 : a > b ? 1 : 0;
};
define(["=", "eq"], (a, b) => cmp(a, b) === 0);
define(["!=", "neq"], (a, b) => cmp(a, b) !== 0);
define(["<", "lt"], (a, b) => (cmp(a, b) ?? 0) < 0 && a !== null);
define([">", "gt"], (a, b) => (cmp(a, b) ?? 0) > 0 && a !== null);
define(["<=", "lte"], (a, b) => a !== null && (cmp(a, b) ?? 1) <= 0);
define([">=", "gte"], (a, b) => a !== null && (cmp(a, b) ?? -1) >= 0);
define(["startsWith", "STARTSWITH", "begins_with"], (a, b) => String(a ?? "").startsWith(b));
define(["endsWith", "ENDSWITH", "ends_with"], (a, b) => String(a ?? "").endsWith(b));
define(["contains"], (a, b) => String(a ?? "").includes(b));
define(["isNull", "IS_NULL"], (a) => a === null || a === "");
define(["notNull", "NOT_NULL"], (a) => a !== null && a !== "");

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
/** A string field, upper-cased; a value of another kind reads as "" (refused by the caller). */
const word = (v: unknown, fallback: string) =>
  (v === undefined || v === null ? fallback : typeof v === "string" ? v : "").toUpperCase();

/** A FilterCriteria as a predicate: a leaf compares one attribute, else AND/OR of `criterion`. */
export function auditFilter(criteria: unknown, where = "auditFilters", depth = 0): Test {
  if (criteria === undefined || criteria === null) return () => true;
  if (!isObject(criteria) || depth > 16)
    throw errors.invalid(`${where}: expected a FilterCriteria`);
  if (Array.isArray(criteria.criterion) && criteria.criterion.length > 0) {
    const condition = word(criteria.condition, "AND");
    if (condition !== "AND" && condition !== "OR")
      throw errors.invalid(`${where}.condition: expected AND or OR`);
    const parts = criteria.criterion.map((c, i) =>
      auditFilter(c, `${where}.criterion[${i}]`, depth + 1),
    );
    return condition === "AND" ? (e) => parts.every((p) => p(e)) : (e) => parts.some((p) => p(e));
  }
  const name = criteria.attributeName;
  if (typeof name !== "string" || !ATTRIBUTES.has(name))
    throw errors.invalid(
      `${where}.attributeName: expected one of ${[...ATTRIBUTES].join(", ")}, got ${JSON.stringify(name)}`,
    );
  const op = OPERATORS[word(criteria.operator, "").toLowerCase()];
  if (!op)
    throw errors.invalid(
      `${where}.operator ${JSON.stringify(criteria.operator)} is not served yet for admin audits`,
    );
  const value = criteria.attributeValue;
  if (
    value !== undefined &&
    value !== null &&
    typeof value !== "string" &&
    typeof value !== "number"
  )
    throw errors.invalid(`${where}.attributeValue: expected a string`);
  const text = value === undefined || value === null ? "" : String(value);
  if (NUMERIC.has(name) && text !== "" && !Number.isFinite(Number(text)))
    throw errors.invalid(`${where}.attributeValue: ${name} compares with a number (epoch ms)`);
  const key = name as keyof Entry;
  return (e) => op(e[key], text);
}

export function adminAuditRoutes(router: Router, api: ApiContext): void {
  router.on("POST", `${ADMIN}/audits`, async (ctx) => {
    const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "AuditSearchParameters");
    const test = auditFilter(body.auditFilters);
    // The Java client sends an unset limit as 0: Atlas's default then.
    const limit = integerParam(body.limit === 0 ? undefined : body.limit, "limit", 100, 1, 10_000);
    const offset = integerParam(body.offset, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    const sortBy = body.sortBy ?? "startTime";
    if (typeof sortBy !== "string" || !ATTRIBUTES.has(sortBy))
      throw errors.invalid(`sortBy: expected one of ${[...ATTRIBUTES].join(", ")}`);
    const order = word(body.sortOrder, "DESCENDING");
    if (order !== "ASCENDING" && order !== "DESCENDING")
      throw errors.invalid("sortOrder: expected ASCENDING or DESCENDING");
    const key = sortBy as keyof Entry;
    const sign = order === "ASCENDING" ? 1 : -1;
    const entries = (await api.store.adminAudits()).filter(test);
    entries.sort((a, b) => {
      const x = a[key] ?? "";
      const y = b[key] ?? "";
      const c = x < y ? -1 : x > y ? 1 : Number(a.guid) - Number(b.guid);
      return c * sign;
    });
    ctx.body = entries.slice(offset, offset + limit);
  });

  router.on("GET", `${ADMIN}/audit/:guid/details`, async (ctx, { guid }) => {
    const limit = integerParam(ctx.query.limit, "limit", 10, 0, 10_000);
    const offset = integerParam(ctx.query.offset, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    const headers = await api.store.adminAuditDetails(guid!, limit, offset);
    if (headers === null) throw errors.guidNotFound(guid!);
    ctx.body = headers;
  });
}
