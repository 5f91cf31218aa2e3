/**
 * Atlas's basic search (`SearchParameters` → `AtlasSearchResult`) as one SQL statement and
 * its count, on either backend: entity types (with subtypes), the free-text `query` on
 * `name`/`qualifiedName`, classifications (with sub-classifications, wildcards, `_CLASSIFIED`,
 * `_NOT_CLASSIFIED`), entity and classification attribute filters (search-filter.ts), sorting,
 * paging, and the headers with the attributes asked for. Everything that cannot be run as
 * asked is a StoreInvalidSearchError (400), never a silently wider or narrower answer.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { toHeader, type EntityRecord } from "./entities.js";
import { ENTITY_COLUMNS } from "./schema.js";
import { readCriteria } from "./search-criteria.js";
import {
  compileCriterion,
  invalidSearch,
  type CompileContext,
  type Target,
} from "./search-filter.js";
import { Aliases, Params, searchFlavor } from "./search-sql.js";
import {
  classificationTarget,
  classificationTypes,
  entityTarget,
  withSubClassifications,
} from "./search-targets.js";
import { toRecord, type SqlRunner } from "./sql.js";
import type { SearchBasicParams, SearchBasicResult, SearchEntityHeader } from "./types.js";
import { ALL_ENTITY_TYPES, type TypeRegistry } from "./typesystem.js";

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 10_000;

const ALL_CLASSIFICATION_TYPES = "_ALL_CLASSIFICATION_TYPES";
const CLASSIFIED = "_CLASSIFIED";
const NOT_CLASSIFIED = "_NOT_CLASSIFIED";
const WILDCARD = "*";

/** Atlas's QueryParams: a limit outside 1–10 000 is the default 100; a negative offset is 0. */
export function normalizedPage(limit?: number | null, offset?: number | null) {
  const l = Math.trunc(limit ?? 0);
  return {
    limit: l > 0 && l <= MAX_SEARCH_LIMIT ? l : DEFAULT_SEARCH_LIMIT,
    offset: Math.max(Math.trunc(offset ?? 0), 0),
  };
}

/** Comma-separated names, trimmed, empty ones dropped, each once. */
export function nameList(value: string | null | undefined): string[] {
  return [
    ...new Set(
      (value ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
}

/** The entity types a search covers; null for any. */
export function searchedTypes(
  types: TypeRegistry,
  typeName: string | null | undefined,
  includeSubTypes: boolean,
): { named: string[]; all: string[] } | null {
  const names = nameList(typeName);
  if (names.length === 0 || names.includes(ALL_ENTITY_TYPES)) return null;
  for (const n of names)
    if (!types.isEntityType(n))
      invalidSearch(`${n}: Unknown/invalid typename`, ATLAS_ERRORS.UNKNOWN_TYPENAME.code);
  const all = new Set<string>();
  for (const n of names) for (const t of includeSubTypes ? types.withSubtypes(n) : [n]) all.add(t);
  return { named: names, all: [...all] };
}

/** The classification condition of the search, or null when it names none. */
function classificationCondition(
  ctx: CompileContext,
  types: TypeRegistry,
  params: SearchBasicParams,
): string | null {
  const names = nameList(params.classification);
  const tagFilter = readCriteria(params.tagFilters, "tagFilters");
  if (names.length === 0) {
    if (tagFilter) invalidSearch("TagFilters specified without tag name");
    return null;
  }
  const f = ctx.flavor;
  const alias = ctx.aliases.next("c");
  const rows = f.list("e.classifications", undefined, alias).from;
  // Received (propagated) classifications count as Atlas's index counts them
  // (__propagatedClassificationNames); their attributes are the source's, so tagFilters
  // test an entity's own classifications only.
  const received = (names?: string) =>
    `e.guid IN (SELECT p.entity_guid FROM atlas_propagations p${names ? ` WHERE p.classification_name IN (${names})` : ""})`;
  const any = `(EXISTS (SELECT 1 FROM ${rows}) OR ${received()})`;
  const builtins = [CLASSIFIED, NOT_CLASSIFIED, ALL_CLASSIFICATION_TYPES, WILDCARD];
  if (names.includes(NOT_CLASSIFIED)) {
    if (names.length > 1 || tagFilter)
      invalidSearch(
        `${NOT_CLASSIFIED} cannot be combined with other classifications or tagFilters`,
      );
    return `NOT ${any}`;
  }
  if (names.some((n) => builtins.includes(n))) {
    if (tagFilter) invalidSearch(`tagFilters need named classifications, not ${names.join(",")}`);
    return any;
  }
  const all = classificationTypes(types);
  const matched = new Set<string>();
  for (const n of names) {
    if (n.includes(WILDCARD)) {
      if (tagFilter) invalidSearch("TagFilters specified with wildcard tag name");
      const pattern = new RegExp(
        `^${n
          .split(WILDCARD)
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
      );
      for (const t of all) if (pattern.test(t)) matched.add(t);
      continue;
    }
    if (types.get(n)?.category !== "CLASSIFICATION")
      invalidSearch(
        `${n}: Unknown/invalid classification`,
        ATLAS_ERRORS.UNKNOWN_CLASSIFICATION.code,
      );
    const expanded =
      params.includeSubClassifications === false ? [n] : withSubClassifications(types, n);
    for (const t of expanded) matched.add(t);
  }
  if (matched.size === 0) return "1 = 0";
  const typeName = f.constText(`${alias}.value`, "typeName");
  const list = f.jsonList(ctx.params.add(JSON.stringify([...matched])), "text");
  const filter = tagFilter
    ? ` AND ${compileCriterion(ctx, classificationTarget(f, types, names, alias), tagFilter)}`
    : "";
  const own = `EXISTS (SELECT 1 FROM ${rows} WHERE ${typeName} IN (${list})${filter})`;
  return tagFilter ? own : `(${own} OR ${received(list)})`;
}

/** `ORDER BY` of the search: the sort attribute (nulls last), then creation order. */
function orderBy(ctx: CompileContext, target: Target, params: SearchBasicParams): string {
  const tail = "e.create_seq, e.create_ord";
  if (!params.sortBy) return tail;
  const resolved = target.resolve(params.sortBy, ctx.aliases, ctx.params);
  if (resolved.shape !== "scalar")
    invalidSearch(`sortBy ${params.sortBy}: a list attribute cannot be sorted on`);
  const v = resolved.value;
  const kind = resolved.type.kind;
  const expr =
    kind === "number" || kind === "date" ? v.number : kind === "boolean" ? v.bool : v.text;
  const direction = params.sortOrder === "DESCENDING" ? "DESC" : "ASC";
  // Missing values last; a NOT NULL column has none, and its index can give the order.
  return v.nullable
    ? `(${expr} IS NULL), ${expr} ${direction}, ${tail}`
    : `${expr} ${direction}, ${tail}`;
}

/** The attributes asked for must be attributes of the (first named) type, as in Atlas. */
function checkRequestedAttributes(
  types: TypeRegistry,
  searched: { named: string[] } | null,
  attributes: string[],
): void {
  if (!searched) return;
  const info = types.entityType(searched.named[0]!);
  for (const a of attributes) {
    if (a.startsWith("__")) continue;
    if (!info.attributes.has(a) && !info.relationshipAttributes.has(a))
      invalidSearch(
        `Attribute ${a} not found for type ${info.name}`,
        ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
      );
  }
}

export function searchHeader(
  record: EntityRecord,
  options: { attributes?: string[]; excludeHeaderAttributes?: boolean; classifications?: boolean },
): SearchEntityHeader {
  const base = toHeader(record);
  const requested = options.attributes ?? [];
  const attributes: Record<string, JsonValue> =
    options.excludeHeaderAttributes && requested.length > 0 ? {} : base.attributes;
  for (const a of requested) {
    const value = record.attributes[a] ?? record.relationshipAttributes[a];
    if (value !== undefined) attributes[a] = value;
  }
  return {
    ...base,
    attributes,
    labels: record.labels,
    meaningNames: [],
    meanings: [],
    ...(options.classifications ? { classifications: record.classifications } : {}),
  };
}

/** A search made ready to run: its WHERE and ORDER BY (parameters in `ctx.params`), its page. */
export interface SearchPlan {
  ctx: CompileContext;
  /** Resolves attributes of the searched types (for selects and aggregates). */
  target: Target;
  condition: string;
  order: string;
  limit: number;
  offset: number;
  requested: string[];
  searchParameters: Record<string, JsonValue>;
}

/** Checks a basic search and compiles it (no database needed). */
export function planSearch(
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  params: SearchBasicParams,
  now: number,
  /** Only these entities (relationship search). */
  restrict?: { guids: string[] },
): SearchPlan {
  const flavor = searchFlavor(kind);
  const ctx: CompileContext = { flavor, params: new Params(), aliases: new Aliases(), now };
  const includeSubTypes = params.includeSubTypes ?? true;
  const searched = searchedTypes(types, params.typeName, includeSubTypes);
  const entityFilter = readCriteria(params.entityFilters, "entityFilters");
  if (entityFilter && !searched && nameList(params.typeName).length === 0)
    invalidSearch("EntityFilters specified without Type name");
  const target = entityTarget(flavor, types, searched?.named ?? null);
  const requested = [...new Set(params.attributes ?? [])];
  checkRequestedAttributes(types, searched, requested);

  const where: string[] = [];
  const typeCondition = searched
    ? `IN (${flavor.jsonList(ctx.params.add(JSON.stringify(searched.all)), "text")})`
    : null;
  if (restrict)
    where.push(
      `e.guid IN (${flavor.jsonList(ctx.params.add(JSON.stringify(restrict.guids)), "text")})`,
    );
  if (params.excludeDeletedEntities) where.push(`e.status = 'ACTIVE'`);
  const pattern = queryPattern(params.query);
  if (pattern !== null) {
    const p = flavor.param(ctx.params.add(pattern), "text");
    where.push(
      `(lower(e.name) LIKE ${p} ESCAPE '\\' OR lower(e.qualified_name) LIKE ${p} ESCAPE '\\')`,
    );
  }
  const classification = classificationCondition(ctx, types, params);
  if (classification) where.push(classification);
  if (params.termName) {
    // Atlas's termName: the entities an ACTIVE term of that qualifiedName is assigned to
    // (AtlasGlossarySemanticAssignment: the term is end 1, the entity end 2).
    const term = flavor.param(ctx.params.add(params.termName), "text");
    where.push(`e.guid IN (SELECT r.end2_guid FROM atlas_relationships r
      JOIN atlas_entities t ON t.guid = r.end1_guid
      WHERE r.type_name = 'AtlasGlossarySemanticAssignment' AND r.status = 'ACTIVE'
        AND t.type_name = 'AtlasGlossaryTerm' AND t.status = 'ACTIVE' AND t.qualified_name = ${term})`);
  }
  if (entityFilter) where.push(compileCriterion(ctx, target, entityFilter));
  // A name/qualifiedName (exact, a list, a prefix) is far more selective than a type: keep
  // SQLite (which has no statistics) from choosing the type index over the name's.
  if (typeCondition)
    where.unshift(
      ctx.nameIndexed ? `(e.type_name || '') ${typeCondition}` : `e.type_name ${typeCondition}`,
    );
  const order = orderBy(
    ctx,
    entityTarget(flavor, types, searched?.named ?? null, { anyTypeNames: true }),
    params,
  );
  const { limit, offset } = normalizedPage(params.limit, params.offset);
  return {
    ctx,
    target,
    condition: where.length > 0 ? where.join(" AND ") : "1 = 1",
    order,
    limit,
    offset,
    requested,
    searchParameters: echo(params, limit, offset, includeSubTypes),
  };
}

/** The entity columns of a search's SELECT, on the alias `e`. */
export const SEARCH_COLUMNS = ENTITY_COLUMNS.replace(/(^|,\s*)(\w+)/g, "$1e.$2");

/** Runs a planned search: one page of records and the exact count. */
export async function runPlan(
  db: SqlRunner,
  plan: SearchPlan,
): Promise<{ records: EntityRecord[]; total: number }> {
  const values = plan.ctx.params.values;
  const rows = await db.all(
    `SELECT ${SEARCH_COLUMNS} FROM atlas_entities e WHERE ${plan.condition}
      ORDER BY ${plan.order} LIMIT ${plan.limit} OFFSET ${plan.offset}`,
    values,
  );
  const [count] = await db.all(
    `SELECT count(*) AS total FROM atlas_entities e WHERE ${plan.condition}`,
    values,
  );
  return { records: rows.map(toRecord), total: Number(count?.total ?? 0) };
}

/** Runs a basic search in one read transaction's runner. */
export async function searchBasic(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  params: SearchBasicParams,
  now: number,
): Promise<SearchBasicResult> {
  const plan = planSearch(kind, types, params, now);
  const { records, total } = await runPlan(db, plan);
  const headerOptions = {
    attributes: plan.requested,
    excludeHeaderAttributes: params.excludeHeaderAttributes === true,
    classifications: params.includeClassificationAttributes === true,
  };
  return {
    queryType: "BASIC",
    searchParameters: plan.searchParameters,
    entities: records.map((record) => searchHeader(record, headerOptions)),
    approximateCount: total,
  };
}

/** `*` is a wildcard; everything else matches literally, case-insensitively, as a substring. */
export function queryPattern(query: string | null | undefined): string | null {
  const text = (query ?? "").trim().toLowerCase();
  if (text === "" || /^\*+$/.test(text)) return null;
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%")}%`;
}

/** The search parameters as the answer repeats them: what was given, defaults filled in. */
function echo(
  params: SearchBasicParams,
  limit: number,
  offset: number,
  includeSubTypes: boolean,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null) out[k] = v as JsonValue;
  return {
    ...out,
    limit,
    offset,
    excludeDeletedEntities: params.excludeDeletedEntities ?? false,
    includeSubTypes,
    includeSubClassifications: params.includeSubClassifications ?? true,
    includeClassificationAttributes: params.includeClassificationAttributes ?? false,
  };
}
