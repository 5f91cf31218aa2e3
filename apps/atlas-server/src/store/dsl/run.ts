/**
 * A parsed DSL query run through basic search's compiler (search.ts, search-filter.ts): the
 * source becomes the type (or classification), `where`/`isa`/`has` a FilterCriteria tree,
 * `orderby` the sort, `limit`/`offset` the page — one compiler for both. `select` answers
 * Atlas's `attributes: {name, values}`; count/max/min/sum (with `groupby`) are SQL aggregates
 * over the same WHERE. Deleted entities are left out, as in Atlas's DSL.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { EntityRecord } from "../entities.js";
import { StoreInvalidSearchError } from "../errors.js";
import { planSearch, runPlan, searchHeader, type SearchPlan } from "../search.js";
import { withSubClassifications } from "../search-targets.js";
import type { SqlRunner } from "../sql.js";
import type { FilterCriteria, SearchEntityHeader } from "../types.js";
import type { TypeRegistry } from "../typesystem.js";
import { dslError } from "./errors.js";
import { parseDsl, type DslExpr, type DslQuery, type DslSelectItem } from "./parser.js";

export interface DslSearchParams {
  query?: string | null;
  /** Prepended to the query as its source (Atlas's getDslQueryUsingTypeNameClassification). */
  typeName?: string | null;
  /** `isa` appended when the query is empty. */
  classification?: string | null;
  limit?: number | null;
  offset?: number | null;
}

export interface DslSearchResult {
  queryType: "DSL";
  queryText: string;
  entities?: SearchEntityHeader[];
  attributes?: { name: string[]; values: JsonValue[][] };
  approximateCount: number;
}

/** The query Atlas runs for these parameters. */
export function dslQueryText(params: DslSearchParams): string {
  let text = params.query ?? "";
  // As Atlas's escapeTypeName: a name that is not a plain identifier is quoted.
  if (params.typeName)
    text = `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(params.typeName) ? params.typeName : `\`${params.typeName.replace(/`/g, "")}\``} ${text}`;
  if (params.classification && !params.query) text += ` isa ${params.classification}`;
  return text.trim();
}

const OPERATORS: Record<string, string> = {
  "=": "=",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  like: "like",
};

function toCriteria(query: string, e: DslExpr, types: TypeRegistry): FilterCriteria {
  switch (e.kind) {
    case "and":
    case "or":
      return {
        condition: e.kind.toUpperCase(),
        criterion: e.parts.map((p) => toCriteria(query, p, types)),
      };
    case "isa":
      // With its sub-classifications, as basic search's classification.
      return {
        attributeName: "__classificationNames",
        operator: "in",
        attributeValue: withSubClassifications(types, e.classification)
          .map((n) => `"${n}"`)
          .join(","),
      };
    case "has":
      return { attributeName: e.attribute, operator: "notNull" };
    case "compare": {
      if (e.value.kind === "list") {
        if (e.op !== "=") dslError(query, `${e.op} does not take a list`);
        if (e.value.items.some((i) => /[",]/.test(i)))
          dslError(query, "list values may not hold commas or double quotes");
        return {
          attributeName: e.attribute,
          operator: "in",
          attributeValue: e.value.items.map((i) => `"${i}"`).join(","),
        };
      }
      return {
        attributeName: e.attribute,
        operator: OPERATORS[e.op]!,
        attributeValue: e.value.text,
      };
    }
  }
}

/** Atlas's DSL codes for what basic search reports with its own. */
function asDslError(error: unknown): unknown {
  const e = error as { code?: string; atlasErrorCode?: string; message?: string };
  const dslCodes = [
    ATLAS_ERRORS.INVALID_DSL_QUERY.code,
    ATLAS_ERRORS.INVALID_DSL_UNKNOWN_TYPE.code,
    ATLAS_ERRORS.INVALID_DSL_UNKNOWN_CLASSIFICATION.code,
    ATLAS_ERRORS.INVALID_DSL_UNKNOWN_ATTRIBUTE.code,
  ];
  if (e?.code !== "STORE_INVALID_SEARCH" || dslCodes.includes(e.atlasErrorCode ?? "")) return error;
  const map: Record<string, string> = {
    [ATLAS_ERRORS.UNKNOWN_TYPENAME.code]: ATLAS_ERRORS.INVALID_DSL_UNKNOWN_TYPE.code,
    [ATLAS_ERRORS.UNKNOWN_CLASSIFICATION.code]:
      ATLAS_ERRORS.INVALID_DSL_UNKNOWN_CLASSIFICATION.code,
    [ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code]: ATLAS_ERRORS.INVALID_DSL_UNKNOWN_ATTRIBUTE.code,
  };
  return new StoreInvalidSearchError(
    `DSL: ${e.message ?? "invalid query"}`,
    map[e.atlasErrorCode ?? ""] ?? ATLAS_ERRORS.INVALID_DSL_QUERY.code,
  );
}

function plan(
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  query: string,
  parsed: DslQuery,
  params: DslSearchParams,
  now: number,
): SearchPlan {
  const source = types.get(parsed.source);
  if (source?.category !== "ENTITY" && source?.category !== "CLASSIFICATION")
    throw new StoreInvalidSearchError(
      `DSL Semantic Error - ${parsed.source} type not found`,
      ATLAS_ERRORS.INVALID_DSL_UNKNOWN_TYPE.code,
    );
  for (const e of flatten(parsed.where))
    if (e.kind === "isa" && types.get(e.classification)?.category !== "CLASSIFICATION")
      throw new StoreInvalidSearchError(
        `DSL Semantic Error - ${e.classification} classification not found`,
        ATLAS_ERRORS.INVALID_DSL_UNKNOWN_CLASSIFICATION.code,
      );
  const criteria = parsed.where.map((e) => toCriteria(query, e, types));
  const entityFilters =
    criteria.length === 0
      ? null
      : criteria.length === 1
        ? criteria[0]!
        : { condition: "AND", criterion: criteria };
  const byClassification = source.category === "CLASSIFICATION";
  if (byClassification && entityFilters)
    dslError(
      query,
      `conditions on entities found by classification ${parsed.source} need a type as the source`,
    );
  return planSearch(
    kind,
    types,
    {
      ...(byClassification ? { classification: parsed.source } : { typeName: parsed.source }),
      entityFilters,
      excludeDeletedEntities: true,
      sortBy: parsed.orderBy?.attribute ?? null,
      sortOrder: parsed.orderBy?.descending ? "DESCENDING" : null,
      limit: parsed.limit ?? params.limit ?? null,
      offset: parsed.offset ?? params.offset ?? null,
    },
    now,
  );
}

function flatten(exprs: DslExpr[]): DslExpr[] {
  return exprs.flatMap((e) => (e.kind === "and" || e.kind === "or" ? flatten(e.parts) : [e]));
}

const SYSTEM_VALUES: Record<string, (r: EntityRecord) => JsonValue> = {
  __guid: (r) => r.guid,
  __typeName: (r) => r.typeName,
  __state: (r) => r.status,
  __createdBy: (r) => r.createdBy,
  __modifiedBy: (r) => r.updatedBy,
  __timestamp: (r) => r.createTime,
  __modificationTimestamp: (r) => r.updateTime,
};

function selectValue(record: EntityRecord, attribute: string): JsonValue {
  const system = SYSTEM_VALUES[attribute];
  if (system) return system(record);
  return record.attributes[attribute] ?? record.relationshipAttributes[attribute] ?? null;
}

/** SQL of one aggregate or group item over the plan's target. */
function aggregateSql(p: SearchPlan, item: DslSelectItem, query: string): string {
  if (item.kind === "count") return "count(*)";
  const resolved = p.target.resolve(item.attribute, p.ctx.aliases, p.ctx.params);
  if (resolved.shape !== "scalar")
    dslError(query, `${item.attribute}: a list attribute cannot be aggregated or grouped`);
  const kind = resolved.type.kind;
  const numeric = kind === "number" || kind === "date";
  const expr = numeric
    ? resolved.value.number
    : kind === "boolean"
      ? resolved.value.bool
      : resolved.value.text;
  if (item.kind === "attribute") return expr;
  if (item.kind === "sum" && !numeric)
    dslError(query, `sum(${item.attribute}): not a number attribute`);
  return `${item.kind}(${expr})`;
}

function jsonOf(value: unknown, item: DslSelectItem, numeric: boolean): JsonValue {
  if (value === null || value === undefined) return null;
  // pg answers count, sum and numeric values as strings.
  if (item.kind === "count" || (numeric && typeof value === "string")) return Number(value);
  return value as JsonValue;
}

async function aggregate(
  db: SqlRunner,
  p: SearchPlan,
  parsed: DslQuery,
  query: string,
): Promise<{ name: string[]; values: JsonValue[][] }> {
  const select = parsed.select ?? [];
  const groups = parsed.groupBy ?? [];
  if (groups.some((g) => g.kind !== "attribute")) dslError(query, "groupby takes attributes");
  const grouped = new Set(groups.map((g) => (g.kind === "attribute" ? g.attribute : "")));
  for (const item of select)
    if (item.kind === "attribute" && !grouped.has(item.attribute))
      dslError(query, `${item.attribute} is neither aggregated nor grouped by`);
  const groupSql = groups.map((g) => aggregateSql(p, g, query));
  // PostgreSQL matches a grouped column by its text: a selected group attribute reuses it.
  const byAttribute = new Map(
    groups.map((g, i) => [g.kind === "attribute" ? g.attribute : "", groupSql[i]!]),
  );
  const selectSql = select.map((item) =>
    item.kind === "attribute" ? byAttribute.get(item.attribute)! : aggregateSql(p, item, query),
  );
  const numeric = select.map((item) => {
    if (item.kind === "count") return true;
    const r = p.target.resolve(item.attribute, p.ctx.aliases, p.ctx.params);
    return r.shape === "scalar" && (r.type.kind === "number" || r.type.kind === "date");
  });
  const columns = selectSql.map((sql, i) => `${sql} AS a${i}`).join(", ");
  const tail =
    groupSql.length > 0
      ? ` GROUP BY ${groupSql.join(", ")} ORDER BY ${groupSql.map((g) => `(${g} IS NULL), ${g}`).join(", ")} LIMIT ${p.limit} OFFSET ${p.offset}`
      : "";
  const rows = await db.all(
    `SELECT ${columns} FROM atlas_entities e WHERE ${p.condition}${tail}`,
    p.ctx.params.values,
  );
  return {
    name: select.map((i) => i.label),
    values: rows.map((row) => select.map((item, i) => jsonOf(row[`a${i}`], item, numeric[i]!))),
  };
}

export async function searchDsl(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  params: DslSearchParams,
  now: number,
): Promise<DslSearchResult> {
  const query = dslQueryText(params);
  if (query === "") dslError(query, "the query is empty");
  try {
    const parsed = parseDsl(query);
    const p = plan(kind, types, query, parsed, params, now);
    const aggregates =
      parsed.groupBy !== undefined || (parsed.select ?? []).some((i) => i.kind !== "attribute");
    if (aggregates) {
      return {
        queryType: "DSL",
        queryText: query,
        attributes: await aggregate(db, p, parsed, query),
        approximateCount: -1,
      };
    }
    const { records } = await runPlan(db, p);
    if (parsed.select) {
      const select = parsed.select as Extract<DslSelectItem, { kind: "attribute" }>[];
      const info =
        types.get(parsed.source)?.category === "ENTITY"
          ? types.entityType(parsed.source)
          : undefined;
      for (const item of select)
        if (
          !SYSTEM_VALUES[item.attribute] &&
          info &&
          !info.attributes.has(item.attribute) &&
          !info.relationshipAttributes.has(item.attribute)
        )
          throw new StoreInvalidSearchError(
            `DSL Semantic Error - ${item.attribute} attribute not found for type ${parsed.source}`,
            ATLAS_ERRORS.INVALID_DSL_UNKNOWN_ATTRIBUTE.code,
          );
      return {
        queryType: "DSL",
        queryText: query,
        attributes: {
          name: select.map((i) => i.label),
          values: records.map((r) => select.map((i) => selectValue(r, i.attribute))),
        },
        approximateCount: -1,
      };
    }
    return {
      queryType: "DSL",
      queryText: query,
      entities: records.map((r) => searchHeader(r, {})),
      approximateCount: -1,
    };
  } catch (error) {
    throw asDslError(error);
  }
}
