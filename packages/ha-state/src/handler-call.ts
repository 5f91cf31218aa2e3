// One call of an activation handler's method: bounded by its timeout, abandoned when the
// activation is, and its failure turned into a typed error naming the handler.
import type { Clock } from "@atlas-ha/shared";
import { ActivationAbortedError, HandlerFailedError, HandlerTimeoutError } from "./errors.js";
import type { ActiveStateHandler } from "./types.js";

export async function callHandler(
  handler: ActiveStateHandler,
  phase: "activate" | "passivate",
  call: () => Promise<void> | void,
  options: { clock: Clock; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const { clock, signal } = options;
  const timeoutMs = handler.timeoutMs ?? options.timeoutMs;
  let timer: unknown;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(call),
      new Promise<never>((_, reject) => {
        timer = clock.setTimeout(
          () => reject(new HandlerTimeoutError(handler.name, phase, timeoutMs)),
          timeoutMs,
        );
      }),
      // An aborted activation does not wait for a handler that ignores its signal.
      new Promise<never>((_, reject) => {
        if (!signal) return;
        onAbort = () =>
          reject(
            new ActivationAbortedError(`activation abandoned during handler "${handler.name}"`),
          );
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } catch (error) {
    const e = error as Error;
    if (e.name === "HandlerTimeoutError" || e.name === "ActivationAbortedError") throw e;
    throw new HandlerFailedError(handler.name, phase, error);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
