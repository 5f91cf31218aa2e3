export { ATLAS_ERRORS, type AtlasErrorCodeEntry, type AtlasErrorName } from "./atlas-errors.js";
