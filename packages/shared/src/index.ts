// @atlas-ha/shared: what every atlas-ha package needs once; bundled into each at build time.
export { ATLAS_ERRORS, type AtlasErrorCodeEntry, type AtlasErrorName } from "./atlas-errors.js";
export { backoffDelay, type BackoffOptions } from "./backoff.js";
export { systemClock, type Clock } from "./clock.js";
export {
  Emitter,
  flatEvent,
  type EmitterOptions,
  type FlatEvent,
  type InstrumentationEvent,
} from "./events.js";
export { silentLogger, type Logger } from "./logger.js";
export { ManualClock, settle } from "./manual-clock.js";
export {
  parseProperties,
  readProperties,
  type PropertyEntry,
  type SyntaxErrorFactory,
} from "./properties.js";
