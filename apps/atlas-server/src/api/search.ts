/** `/api/atlas/v2/search/*` (docs/contracts/http.md, search): Atlas's DiscoveryREST. */
import { readJsonObject } from "../http/body.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import { integerParam, stringParam } from "./normalize.js";
import { moreSearchRoutes } from "./search-more.js";
import { basicSearchFromBody, basicSearchFromQuery, checkQueryLength } from "./search-params.js";

export function searchRoutes(router: Router, api: ApiContext): void {
  router.on("GET", "/api/atlas/v2/search/basic", async (ctx) => {
    ctx.body = await api.store.searchBasic(basicSearchFromQuery(ctx.query));
  });
  router.on("POST", "/api/atlas/v2/search/basic", async (ctx) => {
    const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "SearchParameters");
    ctx.body = await api.store.searchBasic(basicSearchFromBody(body));
  });
  router.on("GET", "/api/atlas/v2/search/dsl", async (ctx) => {
    const query = stringParam(ctx.query.query);
    checkQueryLength(query, "atlas.graph.dsl-max-query-str-length");
    ctx.body = await api.store.searchDsl({
      query: query ?? null,
      typeName: stringParam(ctx.query.typeName) ?? null,
      classification: stringParam(ctx.query.classification) ?? null,
      limit: integerParam(ctx.query.limit, "limit", 0, -2_147_483_648, 2_147_483_647),
      offset: integerParam(ctx.query.offset, "offset", 0, -2_147_483_648, 2_147_483_647),
    });
  });
  moreSearchRoutes(router, api);
}
