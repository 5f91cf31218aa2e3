/**
 * When the active's hook consumer starts: {@link HOOK_CONSUMER_START_DELAY_MS} after the
 * instance went ACTIVE, not at once. kafkajs's connect, metadata and group join run on the
 * event loop for tens of ms; started at once they ran beside the first REST writes after a
 * failover, which took 10–28 ms (median 17) against ~3 ms for the next ones (bench
 * failover-clean, the instances' logs). Hook messages wait in Kafka meanwhile: nothing is
 * lost, the consumer's lag grows by the delay once per activation. A term that ends during
 * the delay never starts the consumer (its passivation's stop() finds nothing to stop).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ActiveStateHandler } from "@atlas-ha/ha-state";

export const HOOK_CONSUMER_START_DELAY_MS = 100;

/**
 * `handler` (the hook consumer's activation handler), activated `delayMs` after ACTIVE. Its
 * timeout is the instance's `handlerTimeoutMs` plus the delay: an operator's short handler
 * timeout must not expire in the wait and fail every activation.
 */
export function startingAfter<H extends Omit<ActiveStateHandler, "order">>(
  handler: H,
  options: { handlerTimeoutMs: number; delayMs?: number },
): H & { timeoutMs: number } {
  const delayMs = options.delayMs ?? HOOK_CONSUMER_START_DELAY_MS;
  return {
    ...handler,
    timeoutMs: (handler.timeoutMs ?? options.handlerTimeoutMs) + delayMs,
    async instanceIsActive(context) {
      try {
        await sleep(delayMs, undefined, { signal: context.signal });
      } catch {
        return; // the term ended first
      }
      await handler.instanceIsActive(context);
    },
  };
}
