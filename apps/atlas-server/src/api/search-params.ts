/**
 * Atlas's `SearchParameters` as the clients send them — query parameters of GET
 * /v2/search/basic, the JSON body of POST — read into the store's SearchBasicParams, with
 * Atlas's request checks (DiscoveryREST.validateBasicSearchParameters). A field the server
 * cannot honour is a 400, never dropped.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { AtlasHttpError, errors } from "../http/errors.js";
import { isEmptyFilter } from "../store/search-criteria.js";
import type { FilterCriteria, SearchBasicParams } from "../store/types.js";
import { booleanParam, integerParam, stringParam } from "./normalize.js";

/** Atlas's atlas.search.max.fulltext.query.length (and the DSL's) default. */
export const MAX_QUERY_LENGTH = 4096;

const E = ATLAS_ERRORS;
export const searchErrors = {
  badRequest: (message: string) => new AtlasHttpError(400, E.TYPEDEF_BAD_REQUEST.code, message),
  noSearchParameter: () =>
    new AtlasHttpError(
      400,
      E.INVALID_SEARCH_PARAMS.code,
      "No search parameter was found. One of the following MUST be specified in the request; typeName, classification, termName or queryText",
    ),
  queryTooLong: (setting: string) =>
    new AtlasHttpError(
      400,
      E.INVALID_QUERY_LENGTH.code,
      `Invalid query length, update ${setting} to change the limit`,
    ),
};

export function checkQueryLength(query: string | undefined | null, setting: string): void {
  if (query && query.length > MAX_QUERY_LENGTH) throw searchErrors.queryTooLong(setting);
}

export function sortOrderParam(value: unknown): "ASCENDING" | "DESCENDING" | undefined {
  const text = stringParam(value);
  if (text === undefined) return undefined;
  if (text === "ASCENDING" || text === "DESCENDING") return text;
  throw errors.invalid(`sortOrder: expected ASCENDING or DESCENDING, got ${JSON.stringify(text)}`);
}

/** The checks Atlas makes on every basic search, then the ones for what the server lacks. */
export function checkBasicSearch(params: SearchBasicParams): void {
  if ((params.limit ?? 0) < 0 || (params.offset ?? 0) < 0)
    throw searchErrors.badRequest("Limit/offset should be non-negative");
  if (!params.typeName && !isEmptyFilter(params.entityFilters))
    throw searchErrors.badRequest("EntityFilters specified without Type name");
  if (!params.classification && !isEmptyFilter(params.tagFilters))
    throw searchErrors.badRequest("TagFilters specified without tag name");
  if (!params.typeName && !params.classification && !params.query && !params.termName)
    throw searchErrors.noSearchParameter();
  checkQueryLength(params.query, "atlas.search.max.fulltext.query.length");
  checkQueryLength(params.termName, "atlas.rest.query.param.max.length");
}

function signedInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return integerParam(value, name, 0, -2_147_483_648, 2_147_483_647);
}

/** GET /v2/search/basic: the query parameters Atlas's searchUsingBasic reads. */
export function basicSearchFromQuery(query: Record<string, unknown>): SearchBasicParams {
  if (stringParam(query.marker) !== undefined)
    throw searchErrors.badRequest("marker paging is not supported; page with limit and offset");
  const params: SearchBasicParams = {
    typeName: stringParam(query.typeName) ?? null,
    classification: stringParam(query.classification) ?? null,
    query: stringParam(query.query) ?? null,
    sortBy: stringParam(query.sortBy) ?? null,
    sortOrder: sortOrderParam(query.sortOrder) ?? null,
    excludeDeletedEntities: booleanParam(
      query.excludeDeletedEntities,
      "excludeDeletedEntities",
      false,
    ),
    limit: signedInteger(query.limit, "limit") ?? null,
    offset: signedInteger(query.offset, "offset") ?? null,
  };
  const termName = stringParam(query.termName);
  if (termName) params.termName = termName;
  checkBasicSearch(params);
  return params;
}

function bodyString(body: Record<string, unknown>, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw errors.invalid(`${name}: expected a string`);
  return v === "" ? null : v;
}

function bodyBoolean(body: Record<string, unknown>, name: string): boolean | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "boolean") throw errors.invalid(`${name}: expected true or false`);
  return v;
}

function bodyInteger(body: Record<string, unknown>, name: string): number | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw errors.invalid(`${name}: expected an integer`);
  return v;
}

function bodyFilter(body: Record<string, unknown>, name: string): FilterCriteria | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v))
    throw errors.invalid(`${name}: expected a filter object`);
  return v;
}

/** POST /v2/search/basic (the clients' facetedSearch / search_with_parameters): a SearchParameters body. */
export function basicSearchFromBody(body: Record<string, unknown>): SearchBasicParams {
  if (bodyString(body, "marker") !== null)
    throw searchErrors.badRequest("marker paging is not supported; page with limit and offset");
  if (
    bodyString(body, "relationshipName") !== null ||
    !isEmptyFilter(bodyFilter(body, "relationshipFilters"))
  )
    throw searchErrors.badRequest(
      "relationshipName and relationshipFilters are not supported by this server's basic search",
    );
  const attributes = body.attributes;
  if (
    attributes !== undefined &&
    attributes !== null &&
    (!Array.isArray(attributes) || attributes.some((a) => typeof a !== "string"))
  )
    throw errors.invalid("attributes: expected a list of attribute names");
  const params: SearchBasicParams = {
    typeName: bodyString(body, "typeName"),
    classification: bodyString(body, "classification"),
    query: bodyString(body, "query"),
    entityFilters: bodyFilter(body, "entityFilters"),
    tagFilters: bodyFilter(body, "tagFilters"),
    attributes: (attributes as string[] | null | undefined) ?? null,
    excludeHeaderAttributes: bodyBoolean(body, "excludeHeaderAttributes"),
    sortBy: bodyString(body, "sortBy"),
    sortOrder: sortOrderParam(body.sortOrder) ?? null,
    limit: bodyInteger(body, "limit"),
    offset: bodyInteger(body, "offset"),
    excludeDeletedEntities: bodyBoolean(body, "excludeDeletedEntities"),
    includeSubTypes: bodyBoolean(body, "includeSubTypes"),
    includeSubClassifications: bodyBoolean(body, "includeSubClassifications"),
    includeClassificationAttributes: bodyBoolean(body, "includeClassificationAttributes"),
  };
  const termName = bodyString(body, "termName");
  if (termName) params.termName = termName;
  checkBasicSearch(params);
  return params;
}
