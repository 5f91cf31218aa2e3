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
import type {
  AtlasAttributeDef,
  AtlasClassificationDef,
  AtlasEnumDef,
} from "../models/typedefs.js";
import { toHeader, type EntityRecord } from "./entities.js";
import { ENTITY_COLUMNS } from "./schema.js";
import { readCriteria } from "./search-criteria.js";
import {
  compileCriterion,
  invalidSearch,
  valueTypeOf,
  type CompileContext,
  type Resolved,
  type Target,
} from "./search-filter.js";
import { Aliases, columnScalar, Params, searchFlavor, type SearchFlavor } from "./search-sql.js";
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

function enumValues(types: TypeRegistry) {
  return (name: string): string[] | undefined => {
    const entry = types.get(name);
    return entry?.category === "ENUM"
      ? ((entry.def as AtlasEnumDef).elementDefs ?? []).map((e) => e.value)
      : undefined;
  };
}

/** A JSON path key of an attribute name; names with a quote or backslash cannot be addressed. */
function attributeKey(flavor: SearchFlavor, params: Params, name: string): string {
  if (/["\\]/.test(name)) invalidSearch(`attribute ${JSON.stringify(name)} cannot be searched`);
  return flavor.param(params.add(flavor.keyValue(name)), "text");
}

/** Resolves one attribute def over a JSON object of attribute values. */
function resolveDef(
  flavor: SearchFlavor,
  types: TypeRegistry,
  obj: string,
  def: AtlasAttributeDef,
  aliases: Aliases,
  params: Params,
  owner: string,
): Resolved {
  const typed = valueTypeOf(def, enumValues(types));
  if (!typed)
    invalidSearch(
      `attribute ${def.name} of ${owner} is a ${def.typeName}: only primitive, enum and array-of-primitive attributes can be filtered or sorted on`,
    );
  const key = attributeKey(flavor, params, def.name);
  if (typed.shape === "list")
    return { shape: "list", list: flavor.list(obj, key, aliases.next("l")), type: typed.type };
  return { shape: "scalar", value: flavor.member(obj, key), type: typed.type };
}

/** Atlas's system attributes of every entity (AtlasEntityType's root type) that the store keeps. */
function systemAttribute(flavor: SearchFlavor, name: string, aliases: Aliases): Resolved | null {
  const string = { kind: "string" } as const;
  const date = { kind: "date" } as const;
  switch (name) {
    case "__guid":
      return { shape: "scalar", value: columnScalar("e.guid"), type: string };
    case "__typeName":
      return { shape: "scalar", value: columnScalar("e.type_name"), type: string };
    case "__state":
      return {
        shape: "scalar",
        value: columnScalar("e.status"),
        type: { kind: "enum", values: ["ACTIVE", "DELETED"] },
      };
    case "__createdBy":
      return { shape: "scalar", value: columnScalar("e.created_by"), type: string };
    case "__modifiedBy":
      return { shape: "scalar", value: columnScalar("e.updated_by"), type: string };
    case "__timestamp":
      return { shape: "scalar", value: columnScalar("e.create_time"), type: date };
    case "__modificationTimestamp":
      return { shape: "scalar", value: columnScalar("e.update_time"), type: date };
    case "__isIncomplete":
      return {
        shape: "scalar",
        value: columnScalar("e.is_incomplete"),
        type: { kind: "number", integer: true },
      };
    case "__labels":
      return {
        shape: "list",
        list: flavor.list("e.labels", undefined, aliases.next("l")),
        type: string,
      };
    case "__classificationNames": {
      const alias = aliases.next("l");
      const rows = flavor.list("e.classifications", undefined, alias);
      const typeName = flavor.constText(`${alias}.value`, "typeName");
      return {
        shape: "list",
        list: { from: rows.from, element: columnScalar(typeName, { nullable: true }) },
        type: string,
      };
    }
    case "__customAttributes":
      return {
        shape: "entries",
        from: flavor.objectEntries("e.custom_attributes", "ca"),
        empty: "(CAST(e.custom_attributes AS TEXT) = '{}')",
      };
  }
  if (name.startsWith("__"))
    invalidSearch(
      `system attribute ${name} is not searchable here; these are: __guid, __typeName, __state, __createdBy, __modifiedBy, __timestamp, __modificationTimestamp, __isIncomplete, __labels, __classificationNames, __customAttributes`,
      ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
    );
  return null;
}

/** Entities of `typeNames` (null: any type): their attributes, the system attributes, name and qualifiedName as columns. */
function entityTarget(
  flavor: SearchFlavor,
  types: TypeRegistry,
  typeNames: string[] | null,
  options: { anyTypeNames?: boolean } = {},
): Target {
  return {
    resolve(attribute, aliases, params) {
      const system = systemAttribute(flavor, attribute, aliases);
      if (system) return system;
      const defs = (typeNames ?? []).map((t) => types.entityType(t).attributes.get(attribute));
      const missing = (typeNames ?? []).find((_t, i) => defs[i] === undefined);
      const anyName =
        options.anyTypeNames && (attribute === "name" || attribute === "qualifiedName");
      if ((typeNames === null || missing !== undefined) && !anyName)
        invalidSearch(
          `Attribute ${attribute} not found for type ${missing ?? ALL_ENTITY_TYPES}`,
          ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
        );
      // name and qualifiedName have their own indexed columns.
      const def = defs[0];
      if (
        (attribute === "name" || attribute === "qualifiedName") &&
        (!def || def.typeName === "string")
      )
        return {
          shape: "scalar",
          value: columnScalar(attribute === "name" ? "e.name" : "e.qualified_name", {
            nullable: true,
            lowerIndexed: true,
          }),
          type: { kind: "string" },
        };
      return resolveDef(flavor, types, "e.attributes", def!, aliases, params, typeNames![0]!);
    },
  };
}

/** Attributes of a classification type and its supertypes. */
function classificationAttributes(
  types: TypeRegistry,
  name: string,
): Map<string, AtlasAttributeDef> {
  const out = new Map<string, AtlasAttributeDef>();
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const def = types.get(n)?.def as AtlasClassificationDef | undefined;
    for (const sup of def?.superTypes ?? []) visit(sup);
    for (const a of def?.attributeDefs ?? []) out.set(a.name, a);
  };
  visit(name);
  return out;
}

/** A classification of one of `names`: its attributes (tagFilters) inside the row `alias`. */
function classificationTarget(
  flavor: SearchFlavor,
  types: TypeRegistry,
  names: string[],
  alias: string,
): Target {
  return {
    resolve(attribute, aliases, params) {
      const defs = names.map((n) => classificationAttributes(types, n).get(attribute));
      const missing = names.find((_n, i) => defs[i] === undefined);
      if (missing !== undefined)
        invalidSearch(
          `Attribute ${attribute} not found for type ${missing}`,
          ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
        );
      const obj = flavor.constObject(`${alias}.value`, "attributes");
      return resolveDef(flavor, types, obj, defs[0]!, aliases, params, missing ?? names[0]!);
    },
  };
}

function classificationTypes(types: TypeRegistry): string[] {
  return types
    .all()
    .filter((e) => e.category === "CLASSIFICATION")
    .map((e) => e.def.name);
}

/** The classification and its subtypes, transitively. */
export function withSubClassifications(types: TypeRegistry, name: string): string[] {
  const all = classificationTypes(types);
  const out = new Set([name]);
  for (let grew = true; grew;) {
    grew = false;
    for (const n of all) {
      if (out.has(n)) continue;
      const sups = (types.get(n)?.def as AtlasClassificationDef).superTypes ?? [];
      if (sups.some((s) => out.has(s))) {
        out.add(n);
        grew = true;
      }
    }
  }
  return [...out];
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
  const any = `EXISTS (SELECT 1 FROM ${rows})`;
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
  return `EXISTS (SELECT 1 FROM ${rows} WHERE ${typeName} IN (${list})${filter})`;
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
  if (entityFilter) where.push(compileCriterion(ctx, target, entityFilter));
  // A name/qualifiedName prefix is far more selective than a type: keep SQLite (which has no
  // statistics) from choosing the type index over the prefix's range.
  if (typeCondition)
    where.unshift(
      ctx.prefixIndexed && entityFilter?.kind === "test"
        ? `(e.type_name || '') ${typeCondition}`
        : `e.type_name ${typeCondition}`,
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
