/** `GET|POST /api/atlas/v2/types/typedefs` (docs/contracts/http.md); creating an existing type → 409. */
import { readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";

const KINDS = [
  "enumDefs",
  "structDefs",
  "classificationDefs",
  "entityDefs",
  "relationshipDefs",
  "businessMetadataDefs",
] as const;

export function typeRoutes(router: Router, api: ApiContext): void {
  router.on("GET", "/api/atlas/v2/types/typedefs", async (ctx) => {
    ctx.body = await api.store.getTypedefs();
  });
  router.on("POST", "/api/atlas/v2/types/typedefs", async (ctx) => {
    const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "AtlasTypesDef");
    const defs: Record<string, unknown[]> = {};
    for (const kind of KINDS) {
      const list = body[kind];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw errors.invalid(`${kind}: expected a list`);
      list.forEach((def, i) => {
        if (
          typeof def !== "object" ||
          def === null ||
          typeof (def as { name?: unknown }).name !== "string"
        ) {
          throw errors.invalid(`${kind}[${i}].name: required`);
        }
      });
      defs[kind] = list;
    }
    if (Object.keys(defs).length === 0) throw errors.invalid("no type definitions in the request");
    const user = typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
    ctx.body = await api.write((epoch) => api.store.createTypedefs(epoch, defs as never, user));
  });
}
