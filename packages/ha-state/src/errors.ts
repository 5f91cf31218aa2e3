/** Errors of ha-state. Check `name` and `code`, never `instanceof` (ESM and CJS builds coexist). */

export class HaStateOptionsError extends Error {
  override readonly name = "HaStateOptionsError" as const;
  readonly code = "HA_BAD_OPTION" as const;
  readonly option: string;
  constructor(option: string, message: string) {
    super(`invalid ha-state option "${option}": ${message}`);
    this.option = option;
  }
}

/** An activation or passivation handler threw. */
export class HandlerFailedError extends Error {
  override readonly name = "HandlerFailedError" as const;
  readonly code = "HA_HANDLER_FAILED" as const;
  readonly handler: string;
  readonly phase: "activate" | "passivate";
  constructor(handler: string, phase: "activate" | "passivate", cause: unknown) {
    super(
      `handler "${handler}" failed to ${phase}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.handler = handler;
    this.phase = phase;
  }
}

/** A handler did not finish within its timeout. */
export class HandlerTimeoutError extends Error {
  override readonly name = "HandlerTimeoutError" as const;
  readonly code = "HA_HANDLER_TIMEOUT" as const;
  readonly handler: string;
  readonly phase: "activate" | "passivate";
  readonly timeoutMs: number;
  constructor(handler: string, phase: "activate" | "passivate", timeoutMs: number) {
    super(`handler "${handler}" did not ${phase} within ${timeoutMs} ms`);
    this.handler = handler;
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** Leadership ended (or could not be confirmed) while activating; nothing is wrong with the handlers. */
export class ActivationAbortedError extends Error {
  override readonly name = "ActivationAbortedError" as const;
  readonly code = "HA_ACTIVATION_ABORTED" as const;
  constructor(reason: string) {
    super(`activation aborted: ${reason}`);
  }
}

/** Why stepDown() refused: the instance is not the one that can hand over now. */
export type StepDownRefusal = "standalone" | "not_active" | "stopping" | "in_progress";

/** stepDown() was refused; `reason` says why, nothing was changed. */
export class StepDownRefusedError extends Error {
  override readonly name = "StepDownRefusedError" as const;
  readonly code = "HA_STEP_DOWN_REFUSED" as const;
  readonly reason: StepDownRefusal;
  constructor(reason: StepDownRefusal, message: string) {
    super(message);
    this.reason = reason;
  }
}
