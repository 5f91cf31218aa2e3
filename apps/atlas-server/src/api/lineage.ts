/**
 * Atlas v2 lineage (docs/contracts/http.md, docs/contracts/model.md): `GET v2/lineage/{guid}`
 * and `GET v2/lineage/uniqueAttribute/type/{typeName}?attr:qualifiedName=…`, with `direction`
 * (INPUT, OUTPUT, BOTH; default BOTH) and `depth` (default 3; 0: as deep as the graph goes,
 * up to the store's bound), answering Atlas's AtlasLineageInfo.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { AtlasHttpError, errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { LineageDirection, LineageOptions } from "../store/lineage.js";
import { MAX_LINEAGE_DEPTH } from "../store/lineage.js";
import type { ApiContext } from "./context.js";
import {
  booleanParam,
  ensureEntityType,
  guidParam,
  integerParam,
  qualifiedNameParam,
  stringParam,
} from "./normalize.js";

const V2 = "/api/atlas/v2";
const DIRECTIONS: readonly LineageDirection[] = ["INPUT", "OUTPUT", "BOTH"];

function lineageOptions(query: Record<string, unknown>): LineageOptions {
  const direction = stringParam(query.direction) ?? "BOTH";
  if (!DIRECTIONS.includes(direction as LineageDirection))
    throw errors.invalid(`direction: expected INPUT, OUTPUT or BOTH, got "${direction}"`);
  return {
    direction: direction as LineageDirection,
    depth: integerParam(query.depth, "depth", 3, 0, MAX_LINEAGE_DEPTH),
    // Not Atlas's: deleted entities are left out of lineage unless this is false.
    includeDeleted: !booleanParam(query.excludeDeletedEntities, "excludeDeletedEntities", true),
  };
}

export function lineageRoutes(router: Router, api: ApiContext): void {
  router.on("GET", `${V2}/lineage/:guid`, async (ctx, { guid }) => {
    const options = lineageOptions(ctx.query);
    const found = await api.store.lineage(guidParam(guid!), options);
    if (!found) throw errors.guidNotFound(guid!);
    ctx.body = found;
  });
  // Lineage on demand (per-node limits in the body) is off by default in Atlas
  // (atlas.lineage.on.demand.enabled=false) and not served here: Atlas's answer for that case.
  router.on("POST", `${V2}/lineage/:guid`, () => {
    throw new AtlasHttpError(
      ATLAS_ERRORS.LINEAGE_ON_DEMAND_NOT_ENABLED.status,
      ATLAS_ERRORS.LINEAGE_ON_DEMAND_NOT_ENABLED.code,
      "Lineage on demand config: atlas.lineage.on.demand.enabled is not enabled (this server answers GET v2/lineage/{guid} with direction and depth)",
    );
  });

  router.on("GET", `${V2}/lineage/uniqueAttribute/type/:typeName`, async (ctx, { typeName }) => {
    const qualifiedName = qualifiedNameParam(ctx.query);
    const options = lineageOptions(ctx.query);
    await ensureEntityType(api.store, typeName!);
    const found = await api.store.lineage({ typeName: typeName!, qualifiedName }, options);
    if (!found) throw errors.uniqueNotFound(typeName!, qualifiedName);
    ctx.body = found;
  });
}
