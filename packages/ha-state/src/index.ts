export { createHaState } from "./ha.js";
export type { HaStateOptions, HaZooKeeperOptions } from "./options.js";
export type {
  ActivationContext,
  ActiveStateHandler,
  HaEvent,
  HaEvents,
  HaSnapshot,
  HaState,
  PassivationContext,
  ServiceState,
  StepDownOptions,
  Transition,
} from "./types.js";
export type { Logger } from "@atlas-ha/shared";
export { ACTIVE_SERVER_INFO } from "./active-address.js";
export {
  ActivationAbortedError,
  HandlerFailedError,
  HandlerTimeoutError,
  HaStateOptionsError,
  StepDownRefusedError,
  type StepDownRefusal,
} from "./errors.js";
