import { ManualClock } from "@atlas-ha/election-core/testing";
import { describe, expect, it } from "vitest";
import { createHaState } from "../../src/index.js";
import { recorder, until } from "./fake.js";

describe("standalone mode (no zookeeper option)", () => {
  it("is ACTIVE at once with epoch 0, joins no election, and stamps transitions with the clock's wall time", async () => {
    const clock = new ManualClock();
    await clock.advance(1234);
    const r = recorder("solo");
    const ha = createHaState({
      serverId: "solo",
      selfAddress: "http://127.0.0.1:21000",
      clock,
      handlers: [r.handler("b", 2), r.handler("a", 1)],
    });
    const stamps: number[] = [];
    ha.on("transition", ({ at }) => stamps.push(at));
    expect(ha.haEnabled).toBe(false);
    expect(ha.election).toBeNull();
    await ha.start();
    expect(r.log).toEqual(["solo:a:activate", "solo:b:activate"]);
    expect(r.contexts.map((c) => c.epoch)).toEqual([0, 0]);
    expect(ha.snapshot()).toEqual({
      serverId: "solo",
      state: "ACTIVE",
      since: clock.wallTime(),
      epoch: 0,
      leaderId: "solo",
      activeAddress: "http://127.0.0.1:21000",
      selfAddress: "http://127.0.0.1:21000",
      zookeeper: "STANDALONE",
      haEnabled: false,
      transitions: 2,
    });
    expect(stamps).toEqual([clock.wallTime(), clock.wallTime()]);
    expect(ha.isActive()).toBe(true);
    await clock.advance(500);
    await ha.stop();
    expect(r.log.slice(2)).toEqual(["solo:b:passivate", "solo:a:passivate"]);
    expect(ha.snapshot()).toMatchObject({ state: "PASSIVE", since: clock.wallTime() });
    expect(stamps.slice(2)).toEqual([clock.wallTime(), clock.wallTime()]);
  });

  it("times out a standalone handler on the given clock, and stays PASSIVE", async () => {
    const clock = new ManualClock();
    const r = recorder("solo");
    const ha = createHaState({
      serverId: "solo",
      selfAddress: "http://127.0.0.1:21000",
      clock,
      handlerTimeoutMs: 2000,
      handlers: [r.handler("hangs", 1, { instanceIsActive: () => new Promise(() => undefined) })],
    });
    const errors: { code?: string }[] = [];
    ha.on("error", ({ error }) => errors.push(error as { code?: string }));
    let settled = false;
    const started = ha.start().then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.advance(1999);
    expect(settled).toBe(false);
    expect(ha.snapshot().state).toBe("BECOMING_ACTIVE");
    await clock.advance(1);
    await until(() => settled, "start() to settle after the timeout");
    await started;
    expect(errors.map((e) => e.code)).toEqual(["HA_HANDLER_TIMEOUT"]);
    expect(ha.snapshot().state).toBe("PASSIVE");
    expect(r.log).toEqual(["solo:hangs:activate", "solo:hangs:passivate"]);
  });

  it("validates its options: errors carry name, code and the option", () => {
    expect(() =>
      createHaState({ serverId: "x", selfAddress: "http://a:1", handlerTimeoutMs: 0 }),
    ).toThrow(
      expect.objectContaining({
        name: "HaStateOptionsError",
        code: "HA_BAD_OPTION",
        option: "handlerTimeoutMs",
      }),
    );
  });
});
