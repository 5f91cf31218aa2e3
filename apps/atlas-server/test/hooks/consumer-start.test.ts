/**
 * The active's hook consumer starts a moment after ACTIVE (src/hooks/consumer-start.ts), so
 * that the first REST writes after a failover do not run beside kafkajs's connect and group
 * join; a term that ends within that moment never starts it.
 */
import type { ActiveStateHandler } from "@atlas-ha/ha-state";
import { describe, expect, it } from "vitest";
import { HOOK_CONSUMER_START_DELAY_MS, startingAfter } from "../../src/hooks/consumer-start.js";

function recorder() {
  const calls: { what: string; epoch?: number; at: number }[] = [];
  const handler: Omit<ActiveStateHandler, "order"> = {
    name: "hook-consumer",
    instanceIsActive: ({ epoch }: { epoch: number }) =>
      void calls.push({ what: "start", epoch, at: performance.now() }),
    instanceIsPassive: () => void calls.push({ what: "stop", at: performance.now() }),
  };
  return { handler, calls };
}

describe("the hook consumer's start after ACTIVE", () => {
  it("starts the consumer only once the delay has passed", async () => {
    const { handler, calls } = recorder();
    const delayed = startingAfter(handler, { handlerTimeoutMs: 1_000, delayMs: 50 });
    const begun = performance.now();
    const activating = delayed.instanceIsActive({ epoch: 7, signal: new AbortController().signal });
    await Promise.resolve();
    expect(calls, "not at once").toEqual([]);
    await activating;
    expect(calls).toEqual([{ what: "start", epoch: 7, at: expect.any(Number) }]);
    // Timers fire on whole milliseconds: never more than 1 ms early.
    expect(calls[0]!.at - begun).toBeGreaterThanOrEqual(49);
  });

  it("never starts the consumer when the term ends during the delay", async () => {
    const { handler, calls } = recorder();
    const delayed = startingAfter(handler, { handlerTimeoutMs: 1_000, delayMs: 10_000 });
    const term = new AbortController();
    const activating = delayed.instanceIsActive({ epoch: 7, signal: term.signal });
    term.abort(new Error("leadership ended"));
    await expect(activating).resolves.toBeUndefined();
    await delayed.instanceIsPassive({ epoch: 7, reason: "activation_aborted" });
    expect(calls.map((c) => c.what)).toEqual(["stop"]);
  });

  it("keeps the handler's name and passivation, waits 100 ms by default, and adds the wait to its timeout", () => {
    const { handler } = recorder();
    // An operator's handler timeout shorter than the wait would otherwise fail every activation.
    const delayed = startingAfter(handler, { handlerTimeoutMs: 50 });
    expect(delayed.name).toBe("hook-consumer");
    expect(delayed.instanceIsPassive).toBe(handler.instanceIsPassive);
    expect(HOOK_CONSUMER_START_DELAY_MS).toBe(100);
    expect(delayed.timeoutMs).toBe(150);
    expect(
      startingAfter({ ...handler, timeoutMs: 5_000 }, { handlerTimeoutMs: 50 }).timeoutMs,
    ).toBe(5_100);
  });
});
