import { afterEach, describe, expect, it } from "vitest";
import { createHaState } from "../../src/index.js";
import { recorder, setup, until } from "./fake.js";

let cleanup: (() => Promise<unknown>) | null = null;
// A stop() that hangs is a failure: reported in seconds, not after the long integration hook timeout.
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
}, 10_000);

/** Resolves when `release` is called: a handler that takes as long as the test says. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

async function group(ids: string[], slowPassivation = false) {
  const w = setup();
  cleanup = w.stopAll;
  const log: string[] = [];
  const slow = gate();
  const instances = ids.map((id) =>
    w.add(id, {
      handlers: [
        recorder(id, log).handler("one", 1),
        recorder(id, log).handler("two", 2, {
          ...(slowPassivation && id === ids[0] ? { instanceIsPassive: () => slow.done } : {}),
        }),
      ],
    }),
  );
  await instances[0]!.ha.start();
  await until(() => instances[0]!.ha.snapshot().state === "ACTIVE", `${ids[0]} ACTIVE`);
  for (const i of instances.slice(1)) await i.ha.start();
  log.length = 0;
  return { ...w, instances, log, slow };
}

describe("stepDown()", () => {
  it("refuses writes at once, hands over to the next instance, passivates, and rejoins as passive after the window", async () => {
    const { instances, log, line, clock, activeInfo } = await group(["a", "b"]);
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const epoch = a.ha.snapshot().epoch!;
    const stepping = a.ha.stepDown({ forMs: 5000 });
    // Synchronously: no write may be accepted from here on.
    expect(a.ha.snapshot().state).toBe("BECOMING_PASSIVE");
    expect(a.ha.isActive()).toBe(false);
    await stepping;
    expect(log.filter((l) => l.startsWith("a:"))).toEqual(["a:two:passivate", "a:one:passivate"]);
    expect(a.transitions.slice(-2)).toEqual([
      "BECOMING_PASSIVE:stepped_down",
      "PASSIVE:stepped_down",
    ]);
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(b.ha.snapshot().epoch!).toBeGreaterThan(epoch);
    expect(activeInfo()?.address).toBe("http://b.example:21000");
    expect(line()).toEqual(["b"]);
    await clock.advance(5000);
    await until(() => line().length === 2, "a back in line");
    expect(line()).toEqual(["b", "a"]);
    expect(a.ha.snapshot().state).toBe("PASSIVE");
    expect(b.ha.snapshot().state).toBe("ACTIVE");
  });

  it("hands over to a target further back in line", async () => {
    const { instances } = await group(["a", "b", "c"]);
    const [a, b, c] = instances;
    await a!.ha.stepDown({ forMs: 5000, target: "c" });
    await until(() => c!.ha.snapshot().state === "ACTIVE", "c ACTIVE");
    expect(b!.transitions).not.toContain("ACTIVE:activated");
    expect(b!.ha.snapshot().state).toBe("PASSIVE");
  });

  it("the next instance becomes active while the old one is still passivating (leaving does not wait for the handlers)", async () => {
    const { instances, slow } = await group(["a", "b"], true);
    const [a, b] = instances;
    const stepping = a!.ha.stepDown({ forMs: 5000 });
    await until(() => b!.ha.snapshot().state === "ACTIVE", "b ACTIVE before a passivated");
    expect(a!.ha.snapshot().state).toBe("BECOMING_PASSIVE");
    slow.release();
    await stepping;
    expect(a!.ha.snapshot().state).toBe("PASSIVE");
  });

  it("is refused with HA_STEP_DOWN_REFUSED when not active, when standalone, and while a hand-over is under way", async () => {
    const { instances } = await group(["a", "b"]);
    const [a, b] = instances;
    await expect(b!.ha.stepDown({ forMs: 1000 })).rejects.toMatchObject({
      name: "StepDownRefusedError",
      code: "HA_STEP_DOWN_REFUSED",
      reason: "not_active",
    });
    const first = a!.ha.stepDown({ forMs: 1000 });
    await expect(a!.ha.stepDown({ forMs: 1000 })).rejects.toMatchObject({
      code: "HA_STEP_DOWN_REFUSED",
      reason: "in_progress",
    });
    await first;
    const standalone = createHaState({ serverId: "s", selfAddress: "http://s:21000" });
    await standalone.start();
    await expect(standalone.stepDown({ forMs: 1000 })).rejects.toMatchObject({
      code: "HA_STEP_DOWN_REFUSED",
      reason: "standalone",
    });
    await standalone.stop();
  });
});

describe("stop() leaves the election before its handlers finish", () => {
  it("refuses writes at once, and the next instance becomes active while the handlers still passivate", async () => {
    const { instances, slow, line } = await group(["a", "b"], true);
    const [a, b] = instances;
    let stopped = false;
    void a!.ha.stop().then(() => (stopped = true));
    expect(a!.ha.isActive()).toBe(false);
    await until(() => b!.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(line()).toEqual(["b"]);
    expect(stopped).toBe(false);
    slow.release();
    await until(() => stopped, "a stopped");
    expect(a!.ha.snapshot().state).toBe("PASSIVE");
  });
});

describe("afterActive handlers", () => {
  it("run after ACTIVE is reported and published, after the others; passivated first", async () => {
    const w = setup();
    cleanup = w.stopAll;
    const log: string[] = [];
    const r = recorder("a", log);
    let seen: string | null = null;
    let published: string | null | undefined;
    const a = w.add("a", {
      handlers: [
        {
          ...r.handler("late", 1, {
            instanceIsActive: () => {
              seen = a.ha.snapshot().state;
              published = w.activeInfo()?.address;
            },
          }),
          afterActive: true,
        },
        r.handler("store", 2),
      ],
    });
    await a.ha.start();
    await until(() => log.length === 2, "both activated");
    expect(log).toEqual(["a:store:activate", "a:late:activate"]);
    expect(seen).toBe("ACTIVE");
    expect(published).toBe("http://a.example:21000");
    log.length = 0;
    await a.ha.stop();
    expect(log).toEqual(["a:late:passivate", "a:store:passivate"]);
  });

  it("a failing one ends the term like a failed activation", async () => {
    const w = setup();
    cleanup = w.stopAll;
    const r = recorder("a");
    const a = w.add("a", {
      handlers: [
        r.handler("store", 1),
        {
          ...r.handler("late", 2, {
            instanceIsActive: () => {
              throw new Error("cannot start");
            },
          }),
          afterActive: true,
        },
      ],
    });
    const b = w.add("b", { handlers: [recorder("b").handler("store", 1)] });
    await a.ha.start();
    await b.ha.start();
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(a.transitions).toContain("PASSIVE:activation_failed");
    expect(a.errors.map((e) => e.code)).toContain("HA_HANDLER_FAILED");
  });
});
