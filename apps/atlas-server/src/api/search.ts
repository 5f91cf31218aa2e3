/** `GET|POST /api/atlas/v2/search/basic` (docs/contracts/http.md): type, text on name/qualifiedName, paging. */
import { readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import { booleanParam, integerParam, stringParam } from "./normalize.js";

export function searchRoutes(router: Router, api: ApiContext): void {
  const run = async (params: Record<string, unknown>) => {
    const typeName = stringParam(params.typeName);
    if (
      typeName !== undefined &&
      typeName !== "_ALL_ENTITY_TYPES" &&
      (await api.store.getTypedef(typeName))?.category !== "ENTITY"
    ) {
      throw errors.unknownSearchType(typeName);
    }
    const query = stringParam(params.query);
    return api.store.searchBasic({
      ...(typeName !== undefined ? { typeName } : {}),
      ...(query !== undefined ? { query } : {}),
      limit: integerParam(params.limit, "limit", 100, 1, 10_000),
      offset: integerParam(params.offset, "offset", 0, 0, Number.MAX_SAFE_INTEGER),
      excludeDeletedEntities: booleanParam(
        params.excludeDeletedEntities,
        "excludeDeletedEntities",
        false,
      ),
      includeSubTypes: booleanParam(params.includeSubTypes, "includeSubTypes", true),
    });
  };
  router.on("GET", "/api/atlas/v2/search/basic", async (ctx) => {
    ctx.body = await run(ctx.query);
  });
  router.on("POST", "/api/atlas/v2/search/basic", async (ctx) => {
    ctx.body = await run(
      await readJsonObject(ctx, api.config.limits.maxBodyBytes, "SearchParameters"),
    );
  });
}
