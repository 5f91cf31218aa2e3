/**
 * The rest of Atlas's DiscoveryREST: quick search (GET|POST), suggestions, attribute search,
 * relationship search (related entities), full text — each as the official clients call it.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { readJsonObject } from "../http/body.js";
import { AtlasHttpError, errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import { isEmptyFilter } from "../store/search-criteria.js";
import type { SearchBasicParams } from "../store/types.js";
import type { ApiContext } from "./context.js";
import { booleanParam, guidParam, integerParam, stringParam } from "./normalize.js";
import {
  basicSearchFromBody,
  checkQueryLength,
  searchErrors,
  sortOrderParam,
} from "./search-params.js";

const FULLTEXT_LENGTH = "atlas.graph.fulltext-max-query-str-length";

function page(query: Record<string, unknown>) {
  const n = (name: string) => integerParam(query[name], name, 0, -2_147_483_648, 2_147_483_647);
  const limit = n("limit");
  const offset = n("offset");
  if (limit < 0 || offset < 0) throw searchErrors.badRequest("Limit/offset should be non-negative");
  return { limit, offset };
}

/** Every value of a repeated query parameter (`attributes=a&attributes=b`). */
function listParam(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String).filter((s) => s !== "");
}

/** POST /v2/search/quick: QuickSearchParameters, checked as DiscoveryREST does (unknown fields ignored, as Jackson does there). */
function quickFromBody(body: Record<string, unknown>): SearchBasicParams {
  const typeName = typeof body.typeName === "string" && body.typeName !== "" ? body.typeName : null;
  const query = typeof body.query === "string" && body.query !== "" ? body.query : null;
  if (typeof body.limit === "number" && body.limit < 0)
    throw searchErrors.badRequest("Limit/offset should be non-negative");
  if (typeof body.offset === "number" && body.offset < 0)
    throw searchErrors.badRequest("Limit/offset should be non-negative");
  if (!typeName && !isEmptyFilter(body.entityFilters as never))
    throw searchErrors.badRequest("EntityFilters specified without Type name");
  if (!typeName && !query) throw searchErrors.noSearchParameter();
  if (!typeName && typeof body.sortBy === "string" && body.sortBy !== "")
    throw searchErrors.badRequest("SortBy specified without Type name");
  return basicSearchFromBody(body);
}

export function moreSearchRoutes(router: Router, api: ApiContext): void {
  router.on("GET", "/api/atlas/v2/search/quick", async (ctx) => {
    const q = ctx.query;
    const query = stringParam(q.query) ?? null;
    const typeName = stringParam(q.typeName) ?? null;
    checkQueryLength(query, FULLTEXT_LENGTH);
    if (!query && !typeName) throw searchErrors.noSearchParameter();
    if (!typeName && stringParam(q.sortBy))
      throw searchErrors.badRequest("SortBy specified without Type name");
    ctx.body = await api.store.quickSearch({
      query,
      typeName,
      // As Atlas's GET: the type itself, not its subtypes.
      includeSubTypes: false,
      excludeDeletedEntities: booleanParam(
        q.excludeDeletedEntities,
        "excludeDeletedEntities",
        false,
      ),
      sortBy: stringParam(q.sortBy) ?? null,
      sortOrder: sortOrderParam(q.sortOrder) ?? null,
      ...page(q),
    });
  });
  router.on("POST", "/api/atlas/v2/search/quick", async (ctx) => {
    const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "QuickSearchParameters");
    ctx.body = await api.store.quickSearch(quickFromBody(body));
  });

  router.on("GET", "/api/atlas/v2/search/suggestions", async (ctx) => {
    ctx.body = await api.store.suggestions(
      stringParam(ctx.query.prefixString) ?? null,
      stringParam(ctx.query.fieldName) ?? null,
    );
  });

  router.on("GET", "/api/atlas/v2/search/attribute", async (ctx) => {
    const q = ctx.query;
    let attrName = stringParam(q.attrName);
    const prefix = stringParam(q.attrValuePrefix);
    const typeName = stringParam(q.typeName) ?? null;
    if (!attrName && !prefix)
      throw new AtlasHttpError(
        400,
        ATLAS_ERRORS.INVALID_ENTITY.code,
        `invalid parameters: attrName : ${attrName ?? null}, attrValue: ${prefix ?? null} for attribute search.`,
      );
    if (!attrName) {
      // As Atlas: the type's qualifiedName, else its name, else qualifiedName.
      const def = typeName ? await api.store.getTypedef(typeName) : null;
      const names = new Set(
        ((def as { attributeDefs?: { name: string }[] } | null)?.attributeDefs ?? []).map(
          (a) => a.name,
        ),
      );
      attrName = !names.has("qualifiedName") && names.has("name") ? "name" : "qualifiedName";
    }
    if (!typeName) throw searchErrors.badRequest("EntityFilters specified without Type name");
    ctx.body = await api.store.searchBasic({
      typeName,
      entityFilters: {
        attributeName: attrName,
        operator: "startsWith",
        attributeValue: prefix ?? "",
      },
      ...page(q),
    });
  });

  router.on("GET", "/api/atlas/v2/search/relationship", async (ctx) => {
    const q = ctx.query;
    const guid = stringParam(q.guid);
    const relation = stringParam(q.relation);
    if (!guid) throw errors.invalid("guid: required query parameter");
    if (!relation) throw errors.invalid("relation: required query parameter");
    ctx.body = await api.store.relatedEntities({
      guid: guidParam(guid),
      relation,
      getApproximateCount: booleanParam(q.getApproximateCount, "getApproximateCount", false),
      disableDefaultSorting: booleanParam(q.disableDefaultSorting, "disableDefaultSorting", false),
      params: {
        attributes: listParam(q.attributes),
        sortBy: stringParam(q.sortBy) ?? null,
        sortOrder: sortOrderParam(q.sortOrder) ?? null,
        excludeDeletedEntities: booleanParam(
          q.excludeDeletedEntities,
          "excludeDeletedEntities",
          false,
        ),
        includeClassificationAttributes: booleanParam(
          q.includeClassificationAttributes,
          "includeClassificationAttributes",
          false,
        ),
        ...page(q),
      },
    });
  });

  router.on("GET", "/api/atlas/v2/search/fulltext", async (ctx) => {
    const q = ctx.query;
    const query = stringParam(q.query);
    checkQueryLength(query, FULLTEXT_LENGTH);
    if (!query) throw searchErrors.badRequest("query: required for a full-text search");
    ctx.body = await api.store.fullTextSearch({
      query,
      excludeDeletedEntities: booleanParam(
        q.excludeDeletedEntities,
        "excludeDeletedEntities",
        false,
      ),
      ...page(q),
    });
  });
}
