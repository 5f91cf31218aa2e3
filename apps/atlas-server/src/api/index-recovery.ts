/**
 * Atlas's IndexRecoveryREST (`v2/indexrecovery`): Atlas keeps its search index (Solr) apart
 * from its graph and replays changes into it after an index outage. This server's search
 * indexes are part of its store and written in the same transaction as the data, so there
 * is never anything to recover: GET answers Atlas's map with no recovery ever run ("Not
 * applicable", as Atlas answers before its first one), and starting one is a 400 saying why.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { AtlasHttpError } from "../http/errors.js";
import type { Router } from "../http/router.js";

const PATH = "/api/atlas/v2/indexrecovery";

export function indexRecoveryRoutes(router: Router): void {
  router.on("GET", PATH, (ctx) => {
    ctx.body = {
      startTime: "Not applicable",
      prevTime: "Not applicable",
      customTime: "Not applicable",
    };
  });
  router.on("POST", `${PATH}/start`, () => {
    throw new AtlasHttpError(
      ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.status,
      ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code,
      "Index recovery does not apply to this server: its search indexes are written in the same store transaction as the data, so there is no separate index to recover",
    );
  });
}
