/**
 * The searches built on basic search's plan: quick search (a page plus Atlas's facet counts
 * by type, state and owner), full text (the free-text match over every type), suggestions
 * (name / qualifiedName values by prefix), and the entities related to one entity through a
 * relationship attribute (Atlas's searchRelatedEntities).
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { StoreNotFoundError } from "./errors.js";
import { invalidSearch } from "./search-filter.js";
import { Params, searchFlavor } from "./search-sql.js";
import { planSearch, runPlan, searchHeader, type SearchPlan } from "./search.js";
import type { SqlRunner, SqlTx } from "./sql.js";
import type { SearchBasicParams, SearchBasicResult, SearchEntityHeader } from "./types.js";
import type { TypeRegistry } from "./typesystem.js";

export interface AggregationEntry {
  name: string;
  count: number;
}

export interface QuickSearchResult {
  searchResults: SearchBasicResult;
  aggregationMetrics: Record<string, AggregationEntry[]>;
}

/** Facets of a quick search, as Atlas's getAggregationFields + Asset.owner. */
const FACETS: [string, (kind: "sqlite" | "postgres", params: Params) => string][] = [
  ["__typeName", () => "e.type_name"],
  ["__state", () => "e.status"],
  // Keyed as Atlas keys a modeled attribute's facet: its qualified name.
  [
    "Asset.owner",
    (kind, params) =>
      searchFlavor(kind).member(
        "e.attributes",
        searchFlavor(kind).param(params.add(searchFlavor(kind).keyValue("owner")), "text"),
      ).text,
  ],
];

async function facets(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  plan: SearchPlan,
): Promise<Record<string, AggregationEntry[]>> {
  const out: Record<string, AggregationEntry[]> = {};
  for (const [name, column] of FACETS) {
    const expr = column(kind, plan.ctx.params);
    const rows = await db.all(
      `SELECT ${expr} AS name, count(*) AS total FROM atlas_entities e
        WHERE ${plan.condition} AND ${expr} IS NOT NULL
        GROUP BY ${expr} ORDER BY count(*) DESC, ${expr} LIMIT 100`,
      plan.ctx.params.values,
    );
    out[name] = rows.map((r) => ({ name: String(r.name), count: Number(r.total) }));
  }
  return out;
}

/** Atlas's quick search: basic search's page, and facet counts over every match. */
export async function quickSearch(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  params: SearchBasicParams,
  now: number,
): Promise<QuickSearchResult> {
  const plan = planSearch(kind, types, params, now);
  const { records, total } = await runPlan(db, plan);
  return {
    searchResults: {
      queryType: "BASIC",
      searchParameters: plan.searchParameters,
      entities: records.map((r) => searchHeader(r, { attributes: plan.requested })),
      approximateCount: total,
    },
    aggregationMetrics: await facets(db, kind, plan),
  };
}

export interface FullTextResult {
  queryType: "FULL_TEXT";
  queryText: string;
  entities: SearchEntityHeader[];
  fullTextResult: { entity: SearchEntityHeader; score: number }[];
  approximateCount: number;
}

/**
 * Atlas's full-text search answers index (Lucene) syntax; this server matches the text as
 * basic search's `query` does, so syntax it would read differently is refused, not guessed.
 */
export function checkPlainText(query: string): void {
  if (/[:()"~^[\]{}\\]/.test(query) || /(^|\s)(AND|OR|NOT)(\s|$)/.test(query))
    invalidSearch(
      `the query ${JSON.stringify(query.slice(0, 80))} uses index query syntax (field:value, AND/OR/NOT, quotes, brackets), which this server does not run; send plain text, * as a wildcard`,
    );
}

export async function fullTextSearch(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  params: {
    query: string;
    excludeDeletedEntities: boolean;
    limit?: number | null;
    offset?: number | null;
  },
  now: number,
): Promise<FullTextResult> {
  checkPlainText(params.query);
  const plan = planSearch(kind, types, { ...params }, now);
  const { records, total } = await runPlan(db, plan);
  const entities = records.map((r) => searchHeader(r, {}));
  return {
    queryType: "FULL_TEXT",
    queryText: params.query,
    entities,
    fullTextResult: entities.map((entity) => ({ entity, score: 1 })),
    approximateCount: total,
  };
}

export interface SuggestionsResult {
  suggestions: string[];
  prefixString: string | null;
  fieldName: string | null;
}

/** How many suggestions one call answers. */
export const MAX_SUGGESTIONS = 5;

/** Values of `name` or `qualifiedName` (either when no fieldName) of ACTIVE entities that start with the prefix, case-insensitively. */
export async function suggestions(
  db: SqlRunner,
  kind: "sqlite" | "postgres",
  prefixString: string | null,
  fieldName: string | null,
): Promise<SuggestionsResult> {
  const columns =
    fieldName === null
      ? ["name", "qualified_name"]
      : fieldName === "name"
        ? ["name"]
        : fieldName === "qualifiedName"
          ? ["qualified_name"]
          : null;
  if (columns === null)
    invalidSearch(
      `fieldName ${JSON.stringify(fieldName)}: suggestions come from name or qualifiedName`,
    );
  const prefix = (prefixString ?? "").toLowerCase();
  if (prefix === "") return { suggestions: [], prefixString, fieldName };
  const flavor = searchFlavor(kind);
  const params = new Params();
  const pattern = flavor.param(
    params.add(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
    "text",
  );
  const union = columns
    .map(
      (c) =>
        `SELECT e.${c} AS value FROM atlas_entities e WHERE e.status = 'ACTIVE' AND lower(e.${c}) LIKE ${pattern} ESCAPE '\\'`,
    )
    .join(" UNION ");
  const rows = await db.all(
    `SELECT value FROM (${union}) s ORDER BY length(value), value LIMIT ${MAX_SUGGESTIONS}`,
    params.values,
  );
  return { suggestions: rows.map((r) => String(r.value)), prefixString, fieldName };
}

/**
 * The entities related to `guid` through `relation` — a relationship attribute of its type,
 * or the name of a relationship type with an end at its type — as a search result, sorted
 * by `sortBy` (default `name`, unless `disableDefaultSorting`).
 */
export async function relatedEntities(
  db: SqlRunner,
  tx: SqlTx,
  kind: "sqlite" | "postgres",
  types: TypeRegistry,
  request: {
    guid: string;
    relation: string;
    getApproximateCount: boolean;
    disableDefaultSorting: boolean;
    params: SearchBasicParams;
  },
  now: number,
): Promise<SearchBasicResult> {
  const record = await tx.entity(request.guid);
  if (!record) throw new StoreNotFoundError({ guid: request.guid });
  const info = types.entityType(record.typeName);
  let ends = info.relationshipAttributes.get(request.relation);
  if (!ends) {
    const byType = [...info.relationshipAttributes.values()]
      .flat()
      .filter((e) => e.relationshipType === request.relation);
    if (byType.length > 0) ends = byType;
  }
  if (!ends)
    invalidSearch(
      `Expected attribute ${request.relation} to be a relationship but found type ${record.typeName}`,
      ATLAS_ERRORS.INVALID_RELATIONSHIP_ATTRIBUTE.code,
    );
  const related = new Set<string>();
  for (const end of ends) {
    const rels = await tx.relationshipsOf([record.guid], end.end, {
      types: [end.relationshipType],
      activeOnly: request.params.excludeDeletedEntities === true,
    });
    for (const r of rels) related.add(end.end === 1 ? r.end2Guid : r.end1Guid);
  }
  const otherType = ends[0]!.otherType;
  const sortBy =
    request.params.sortBy ??
    (request.disableDefaultSorting
      ? null
      : types.entityType(otherType).attributes.has("name")
        ? "name"
        : null);
  const plan = planSearch(kind, types, { ...request.params, typeName: otherType, sortBy }, now, {
    guids: [...related],
  });
  const { records, total } = await runPlan(db, plan);
  return {
    queryType: "BASIC",
    searchParameters: plan.searchParameters,
    entities: records.map((r) =>
      searchHeader(r, {
        attributes: plan.requested,
        classifications: request.params.includeClassificationAttributes === true,
      }),
    ),
    approximateCount: request.getApproximateCount ? total : -1,
  };
}
