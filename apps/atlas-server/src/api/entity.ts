/** Atlas v2 entity REST subset (docs/contracts/http.md): create, bulk, get by guid / unique attribute (minExtInfo, ignoreRelationships), delete. */
import { readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import {
  booleanParam,
  ensureEntityType,
  entitiesWithExtInfo,
  entityWithExtInfo,
  guidParam,
  qualifiedNameParam,
  retrieveOptions,
} from "./normalize.js";

const V2 = "/api/atlas/v2";

/** As Atlas's EntityREST: REST makes no shells; classifications and business attributes of an existing entity change only when asked. */
function writeOptions(query: Record<string, unknown>) {
  return {
    createShells: false,
    replaceClassifications: booleanParam(
      query.replaceClassifications,
      "replaceClassifications",
      false,
    ),
    replaceBusinessAttributes: booleanParam(
      query.replaceBusinessAttributes,
      "replaceBusinessAttributes",
      false,
    ),
  };
}

export function entityRoutes(router: Router, api: ApiContext): void {
  const limit = api.config.limits.maxBodyBytes;
  const user = (state: Record<string, unknown>) =>
    typeof state.user === "string" ? state.user : "anonymous";

  router.on("POST", `${V2}/entity`, async (ctx) => {
    const body = entityWithExtInfo(await readJsonObject(ctx, limit, "AtlasEntityWithExtInfo"));
    const options = writeOptions(ctx.query);
    ctx.body = await api.write((epoch) =>
      api.store.createOrUpdate(epoch, body as never, user(ctx.state), options),
    );
  });

  router.on("POST", `${V2}/entity/bulk`, async (ctx) => {
    const body = entitiesWithExtInfo(await readJsonObject(ctx, limit, "AtlasEntitiesWithExtInfo"));
    const options = writeOptions(ctx.query);
    ctx.body = await api.write((epoch) =>
      api.store.createOrUpdate(epoch, body as never, user(ctx.state), options),
    );
  });

  router.on("GET", `${V2}/entity/guid/:guid`, async (ctx, { guid }) => {
    const found = await api.store.getByGuid(guidParam(guid!), retrieveOptions(ctx.query));
    if (!found) throw errors.guidNotFound(guid!);
    ctx.body = found;
  });

  router.on("DELETE", `${V2}/entity/guid/:guid`, async (ctx, { guid }) => {
    guidParam(guid!);
    ctx.body = await api.write((epoch) => api.store.deleteByGuid(epoch, guid!, user(ctx.state)));
  });

  router.on("GET", `${V2}/entity/uniqueAttribute/type/:typeName`, async (ctx, { typeName }) => {
    const qualifiedName = qualifiedNameParam(ctx.query);
    await ensureEntityType(api.store, typeName!);
    const found = await api.store.getByUniqueAttribute(
      typeName!,
      qualifiedName,
      retrieveOptions(ctx.query),
    );
    if (!found) throw errors.uniqueNotFound(typeName!, qualifiedName);
    ctx.body = found;
  });
}
