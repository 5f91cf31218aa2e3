/** Atlas's answer to a DSL query it cannot parse or run: 400 ATLAS-400-00-059 (INVALID_DSL_QUERY). */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { StoreInvalidSearchError } from "../errors.js";

export function dslError(query: string, reason: string): never {
  throw new StoreInvalidSearchError(
    `Invalid DSL query: ${query.length > 200 ? `${query.slice(0, 200)}…` : query} | Reason: ${reason}. Please refer to Atlas DSL grammar for more information`,
    ATLAS_ERRORS.INVALID_DSL_QUERY.code,
  );
}
