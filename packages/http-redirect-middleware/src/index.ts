export { haRedirect, ERROR_CODES } from "./middleware.js";
export { DEFAULT_EXEMPT_PATHS } from "./options.js";
export type { HaRedirectOptions, ProxyOptions } from "./options.js";
export { HaRedirectOptionsError } from "./errors.js";
export type {
  Logger,
  ProxiedEvent,
  ProxyOutcome,
  RedirectContext,
  RedirectCounters,
  RedirectEvent,
  RedirectMiddleware,
  RejectedEvent,
  ServiceState,
  StateSnapshot,
  StateSource,
  UnavailableEvent,
  UnavailableReason,
} from "./types.js";
