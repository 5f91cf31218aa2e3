/**
 * Saved searches (Atlas's DiscoveryREST `v2/search/saved…`, docs/contracts/http.md "Saved
 * searches"): per user, the owner is the login. A `user` parameter naming someone else, or
 * a saved search of another owner, is Atlas's 400 "invalid data". Executing runs a BASIC
 * search through the basic search and an ADVANCED one through the DSL (`runSavedSearch`);
 * BASIC_RELATIONSHIP searches are a 400.
 */
import { readJsonObject } from "../http/body.js";
import { AtlasHttpError, errors } from "../http/errors.js";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { Router } from "../http/router.js";
import {
  SAVED_SEARCH_TYPES,
  type AtlasUserSavedSearch,
  type SavedSearchInput,
  type SavedSearchType,
  type SearchBasicResult,
} from "../store/index.js";
import type { DslSearchResult } from "../store/dsl/run.js";
import type { ApiContext } from "./context.js";
import { basicSearchFromBody, checkQueryLength } from "./search-params.js";
import { guidParam, integerParam, stringParam } from "./normalize.js";

const SAVED = "/api/atlas/v2/search/saved";
/** Atlas's atlas.rest.query.param.max.length default (Servlets.validateQueryParamLength). */
const MAX_TEXT = 4096;

const loginOf = (state: Record<string, unknown>) =>
  typeof state.user === "string" ? state.user : "anonymous";

const invalidData = () =>
  new AtlasHttpError(400, ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code, "invalid data");

/** Atlas's `user` parameter: absent means the login; another user is refused. */
function ownerParam(query: Record<string, unknown>, login: string): string {
  const user = stringParam(query.user);
  if (user !== undefined && user !== login) throw invalidData();
  return login;
}

function text(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw errors.invalid(`${field}: required`);
    return undefined;
  }
  if (typeof value !== "string") throw errors.invalid(`${field}: expected a string`);
  if (required && value.trim() === "") throw errors.invalid(`${field}: must not be empty`);
  if (value.length > MAX_TEXT) throw errors.invalid(`${field}: longer than ${MAX_TEXT} characters`);
  return value;
}

/** An AtlasUserSavedSearch body, checked; the owner defaults to the login and must be it. */
export function savedSearchInput(body: Record<string, unknown>, login: string): SavedSearchInput {
  const owner = text(body.ownerName, "ownerName", false) || login;
  if (owner !== login) throw invalidData();
  const type = body.searchType ?? "BASIC";
  if (typeof type !== "string" || !(SAVED_SEARCH_TYPES as readonly string[]).includes(type))
    throw errors.invalid(`searchType: expected one of ${SAVED_SEARCH_TYPES.join(", ")}`);
  const params = body.searchParameters ?? null;
  if (params !== null && (typeof params !== "object" || Array.isArray(params)))
    throw errors.invalid("searchParameters: expected an object (SearchParameters)");
  const sp = params as Record<string, unknown> | null;
  text(sp?.typeName, "searchParameters.typeName", false);
  text(sp?.classification, "searchParameters.classification", false);
  text(sp?.sortBy, "searchParameters.sortBy", false);
  const guid = text(body.guid, "guid", false);
  return {
    ...(guid !== undefined ? { guid } : {}),
    ownerName: owner,
    name: text(body.name, "name", true)!,
    searchType: type as SavedSearchType,
    searchParameters: sp,
    uiParameters: text(body.uiParameters, "uiParameters", false) ?? null,
  };
}

/**
 * Runs a saved search as the search it saved: BASIC through the basic search (every
 * SearchParameters field it serves; anything it cannot honour is its 400), ADVANCED through
 * the DSL with the saved query, type, classification, limit and offset.
 */
export async function runSavedSearch(
  api: ApiContext,
  search: AtlasUserSavedSearch,
): Promise<SearchBasicResult | DslSearchResult> {
  const sp: Record<string, unknown> = { ...(search.searchParameters ?? {}) };
  // The Java client sends an unset limit as 0 (an int): Atlas's default then.
  if (sp.limit === 0) delete sp.limit;
  if (search.searchType === "BASIC") return api.store.searchBasic(basicSearchFromBody(sp));
  if (search.searchType === "ADVANCED") {
    const query = stringParam(sp.query);
    checkQueryLength(query, "atlas.graph.dsl-max-query-str-length");
    return api.store.searchDsl({
      query: query ?? null,
      typeName: stringParam(sp.typeName) ?? null,
      classification: stringParam(sp.classification) ?? null,
      limit: integerParam(sp.limit, "limit", 0, -2_147_483_648, 2_147_483_647),
      offset: integerParam(sp.offset, "offset", 0, -2_147_483_648, 2_147_483_647),
    });
  }
  throw errors.invalid(
    `saved search "${search.name}": running a ${search.searchType} search is not served (BASIC and ADVANCED searches are)`,
  );
}

export function savedSearchRoutes(router: Router, api: ApiContext): void {
  const limit = api.config.limits.maxBodyBytes;

  router.on("GET", SAVED, async (ctx) => {
    ctx.body = await api.store.savedSearches(ownerParam(ctx.query, loginOf(ctx.state)));
  });
  router.on("POST", SAVED, async (ctx) => {
    const input = savedSearchInput(
      await readJsonObject(ctx, limit, "AtlasUserSavedSearch"),
      loginOf(ctx.state),
    );
    // Atlas assigns the guid: one sent with a new search is not kept.
    delete input.guid;
    ctx.body = await api.write((epoch) => api.store.addSavedSearch(epoch, input));
  });
  router.on("PUT", SAVED, async (ctx) => {
    const input = savedSearchInput(
      await readJsonObject(ctx, limit, "AtlasUserSavedSearch"),
      loginOf(ctx.state),
    );
    ctx.body = await api.write((epoch) => api.store.updateSavedSearch(epoch, input));
  });
  router.on("GET", `${SAVED}/execute/guid/:guid`, async (ctx, { guid }) => {
    const search = await api.store.savedSearchByGuid(loginOf(ctx.state), guidParam(guid!));
    ctx.body = await runSavedSearch(api, search);
  });
  router.on("GET", `${SAVED}/execute/:name`, async (ctx, { name }) => {
    const owner = ownerParam(ctx.query, loginOf(ctx.state));
    ctx.body = await runSavedSearch(api, await api.store.savedSearchByName(owner, name!));
  });
  router.on("GET", `${SAVED}/:name`, async (ctx, { name }) => {
    const owner = ownerParam(ctx.query, loginOf(ctx.state));
    ctx.body = await api.store.savedSearchByName(owner, name!);
  });
  router.on("DELETE", `${SAVED}/:guid`, async (ctx, { guid }) => {
    const login = loginOf(ctx.state);
    await api.write((epoch) => api.store.deleteSavedSearch(epoch, login, guidParam(guid!)));
    ctx.status = 204;
  });
}
