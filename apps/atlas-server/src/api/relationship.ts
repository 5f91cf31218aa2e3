/**
 * Atlas v2 relationship REST (docs/contracts/http.md): `POST`/`PUT v2/relationship`,
 * `GET`/`DELETE v2/relationship/guid/{guid}` (`extendedInfo` adds the ends' headers).
 */
import { readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import { booleanParam, guidParam } from "./normalize.js";

const V2 = "/api/atlas/v2";

export function relationshipRoutes(router: Router, api: ApiContext): void {
  const limit = api.config.limits.maxBodyBytes;
  const user = (state: Record<string, unknown>) =>
    typeof state.user === "string" ? state.user : "anonymous";

  router.on("POST", `${V2}/relationship`, async (ctx) => {
    const body = await readJsonObject(ctx, limit, "AtlasRelationship");
    const created = await api.write((epoch) =>
      api.store.createRelationship(epoch, body, user(ctx.state)),
    );
    ctx.body = created.relationship;
  });

  router.on("PUT", `${V2}/relationship`, async (ctx) => {
    const body = await readJsonObject(ctx, limit, "AtlasRelationship");
    const updated = await api.write((epoch) =>
      api.store.updateRelationship(epoch, body, user(ctx.state)),
    );
    ctx.body = updated.relationship;
  });

  router.on("GET", `${V2}/relationship/guid/:guid`, async (ctx, { guid }) => {
    const extendedInfo = booleanParam(ctx.query.extendedInfo, "extendedInfo", false);
    const found = await api.store.getRelationship(guidParam(guid!), { extendedInfo });
    if (!found) throw errors.relationshipNotFound(guid!);
    ctx.body = found;
  });

  router.on("DELETE", `${V2}/relationship/guid/:guid`, async (ctx, { guid }) => {
    guidParam(guid!);
    await api.write((epoch) => api.store.deleteRelationship(epoch, guid!, user(ctx.state)));
    ctx.status = 204;
  });
}
