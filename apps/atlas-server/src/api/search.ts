/** `GET|POST /api/atlas/v2/search/basic` (docs/contracts/http.md, search): Atlas's basic search. */
import { readJsonObject } from "../http/body.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import { basicSearchFromBody, basicSearchFromQuery } from "./search-params.js";

export function searchRoutes(router: Router, api: ApiContext): void {
  router.on("GET", "/api/atlas/v2/search/basic", async (ctx) => {
    ctx.body = await api.store.searchBasic(basicSearchFromQuery(ctx.query));
  });
  router.on("POST", "/api/atlas/v2/search/basic", async (ctx) => {
    const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "SearchParameters");
    ctx.body = await api.store.searchBasic(basicSearchFromBody(body));
  });
}
