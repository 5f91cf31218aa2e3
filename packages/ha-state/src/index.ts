export {
  createHaState,
  type HaEvents,
  type HaState,
  type HaStateOptions,
  type HaZooKeeperOptions,
  type Logger,
} from "./ha.js";
export type {
  ActivationContext,
  ActiveStateHandler,
  HaSnapshot,
  PassivationContext,
  ServiceState,
  Transition,
} from "./types.js";
export { ACTIVE_SERVER_INFO } from "./active-address.js";
export {
  ActivationAbortedError,
  HandlerFailedError,
  HandlerTimeoutError,
  HaStateOptionsError,
} from "./errors.js";
