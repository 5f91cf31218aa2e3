import { afterEach, describe, expect, it } from "vitest";
import { recorder, setup, until } from "./fake.js";

let cleanup: (() => Promise<unknown>) | null = null;
// A stop() that hangs is a failure: reported in seconds, not after the long integration hook timeout.
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
}, 10_000);

function world() {
  const w = setup();
  cleanup = w.stopAll;
  return w;
}

describe("activation and passivation (fake ZooKeeper, manual clock)", () => {
  it("activates the handlers in ascending order, with the term's epoch, then publishes active_server_info from its own session", async () => {
    const { add, activeInfo, ensemble } = world();
    const r = recorder("a");
    const a = add("a", {
      handlers: [r.handler("third", 30), r.handler("first", 1), r.handler("second", 2)],
    });
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    expect(r.log).toEqual(["a:first:activate", "a:second:activate", "a:third:activate"]);
    expect(a.transitions).toEqual(["BECOMING_ACTIVE:elected", "ACTIVE:activated"]);
    const [me] = await a.ha.election!.getParticipants();
    const epoch = ensemble.nodes.get(me!.node)!.czxid;
    expect(a.ha.snapshot()).toMatchObject({
      state: "ACTIVE",
      epoch,
      leaderId: "a",
      activeAddress: "http://a.example:21000",
      zookeeper: "CONNECTED",
    });
    expect(r.contexts.map((c) => c.epoch)).toEqual([epoch, epoch, epoch]);
    expect(activeInfo()).toEqual({
      address: "http://a.example:21000",
      owner: a.ha.election!.zk.sessionId,
    });
    expect(a.ha.isActive()).toBe(true);
  });

  it("a handler added with addHandler() takes its place by order; after start() addHandler is refused", async () => {
    const { add } = world();
    const r = recorder("a");
    const a = add("a", { handlers: [r.handler("late", 5)] });
    a.ha.addHandler(r.handler("early", -1));
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    expect(r.log).toEqual(["a:early:activate", "a:late:activate"]);
    expect(() => a.ha.addHandler(r.handler("too-late", 9))).toThrow(
      expect.objectContaining({
        name: "HaStateOptionsError",
        code: "HA_BAD_OPTION",
        option: "handlers",
      }),
    );
  });

  it("passivates in descending order on stop(), removes its active_server_info, and the next instance becomes active", async () => {
    const { add, activeInfo, line } = world();
    const log: string[] = [];
    const ra = recorder("a", log);
    const rb = recorder("b", log);
    const a = add("a", {
      handlers: [ra.handler("one", 1), ra.handler("two", 2), ra.handler("three", 3)],
    });
    const b = add("b", { handlers: [rb.handler("one", 1)] });
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    await b.ha.start();
    expect(line()).toEqual(["a", "b"]);
    expect(b.ha.snapshot().state).toBe("PASSIVE");
    log.length = 0;
    await a.ha.stop();
    // The next instance may activate meanwhile: stop() leaves the election before passivating.
    expect(log.filter((l) => l.startsWith("a:"))).toEqual([
      "a:three:passivate",
      "a:two:passivate",
      "a:one:passivate",
    ]);
    expect(ra.contexts.filter((c) => c.call.endsWith("passivate")).map((c) => c.reason)).toEqual([
      "stopping",
      "stopping",
      "stopping",
    ]);
    expect(a.transitions.slice(-2)).toEqual(["BECOMING_PASSIVE:stopping", "PASSIVE:stopping"]);
    expect(line()).toEqual(["b"]); // its node went at once: no wait for a session timeout
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(activeInfo()).toEqual({
      address: "http://b.example:21000",
      owner: b.ha.election!.zk.sessionId,
    });
    expect(b.ha.snapshot().epoch).toBeGreaterThan(a.ha.snapshot().epoch!);
  });

  it("on stop(), its active_server_info goes just before its election node, without waiting for that delete's answer, so the next active only creates its own", async () => {
    const { add, activeInfo, ensemble, session } = world();
    const a = add("a");
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    const b = add("b");
    await b.ha.start();
    await until(() => b.ha.snapshot().activeAddress === "http://a.example:21000", "b knows a");
    const deleted: string[] = [];
    const deleteNode = ensemble.deleteNode.bind(ensemble);
    ensemble.deleteNode = (path) => {
      deleted.push(path);
      deleteNode(path);
    };
    // The answer to a's delete of its address never comes: leaving must not wait for it.
    const fa = session(a.ha);
    const remove = fa.remove.bind(fa);
    fa.remove = (path, version) =>
      path.endsWith("/active_server_info")
        ? remove(path, version).then(() => new Promise<void>(() => undefined))
        : remove(path, version);
    const removedByB: string[] = [];
    const fb = session(b.ha);
    const removeB = fb.remove.bind(fb);
    fb.remove = (path, version) => {
      removedByB.push(path);
      return removeB(path, version);
    };
    const stopping = a.ha.stop();
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    await stopping;
    const address = deleted.indexOf("/apache_atlas/active_server_info");
    const electionNode = deleted.findIndex((p) => p.includes("/leader_elector_path/"));
    expect(address).toBeGreaterThanOrEqual(0);
    expect(address).toBeLessThan(electionNode);
    expect(removedByB).toEqual([]); // nothing of a's to clear first: one write to publish
    expect(activeInfo()).toEqual({
      address: "http://b.example:21000",
      owner: b.ha.election!.zk.sessionId,
    });
  });

  it("a stop() after a fatal election error (ZooKeeper refused the leader) passivates and logs no failure to leave: the closed election has nothing left to leave", async () => {
    const { add, ensemble, session } = world();
    const lines: { level: string; event?: string }[] = [];
    const logger = Object.fromEntries(
      ["trace", "debug", "info", "warn", "error", "fatal"].map((level) => [
        level,
        (o: { event?: string }) => lines.push({ level, event: o.event }),
      ]),
    ) as unknown as NonNullable<Parameters<typeof add>[1]>["logger"];
    const a = add("a", { logger });
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    session(a.ha).refuse = (operation) => operation.startsWith("children ");
    const own = [...ensemble.nodes.keys()].find((p) => p.includes("/leader_elector_path/_c_"))!;
    ensemble.fire("data", own, { type: "changed", path: own });
    await until(
      () => a.errors.some((e) => e.code === "ELECTION_NOT_AUTHORIZED"),
      "the election's fatal error",
    );
    await until(() => a.ha.snapshot().state === "PASSIVE", "a PASSIVE");
    await a.ha.stop();
    const afterStop = lines.slice(lines.findIndex((l) => l.event === "ha_stopping"));
    expect(afterStop.filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
    expect(afterStop.map((l) => l.event)).toContain("ha_leave_skipped");
  });

  it("passivates in descending order the moment its connection is suspended, and resumes the same term when the session comes back", async () => {
    const { add, session } = world();
    const r = recorder("a");
    const a = add("a", { handlers: [r.handler("one", 1), r.handler("two", 2)] });
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    const epoch = a.ha.snapshot().epoch;
    r.log.length = 0;
    session(a.ha).disconnect();
    // Synchronously: no request is answered as ACTIVE after the connection dropped.
    expect(a.ha.isActive()).toBe(false);
    await until(() => a.ha.snapshot().state === "PASSIVE", "a PASSIVE");
    expect(r.log).toEqual(["a:two:passivate", "a:one:passivate"]);
    expect(r.contexts.at(-1)).toMatchObject({ reason: "suspended", epoch });
    session(a.ha).connectNow();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE again");
    expect(r.log.slice(2)).toEqual(["a:one:activate", "a:two:activate"]);
    expect(a.ha.snapshot().epoch).toBe(epoch); // a blip is no failover
  });

  it("reports BECOMING_PASSIVE from the first instant after a host suspend longer than the lease, before any timer fires", async () => {
    const { add, clock } = world();
    const a = add("a", { handlers: [recorder("a").handler("one", 1)] });
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    clock.suspend(10_000); // the wall clock jumps; no timer has run
    expect(a.ha.snapshot().state).toBe("BECOMING_PASSIVE");
    expect(a.ha.isActive()).toBe(false);
  });
});

describe("handler timeouts and failures", () => {
  it("a handler that does not finish within its timeout fails the activation: what was activated is passivated, its signal aborts", async () => {
    const { add, clock, line, activeInfo } = world();
    const r = recorder("a");
    let hungSignal: AbortSignal | null = null;
    const a = add("a", {
      handlerTimeoutMs: 30_000,
      handlers: [
        r.handler("store", 1),
        r.handler("hangs", 2, {
          timeoutMs: 5000,
          instanceIsActive: ({ signal }) => {
            hungSignal = signal;
            return new Promise(() => undefined);
          },
        }),
        r.handler("never", 3),
      ],
    });
    await a.ha.start();
    await until(() => r.log.length === 2, "the hanging handler to be called");
    await clock.advance(4999);
    expect(a.ha.snapshot().state).toBe("BECOMING_ACTIVE");
    expect(a.errors).toEqual([]);
    await clock.advance(1);
    await until(() => a.ha.snapshot().state === "PASSIVE", "a PASSIVE");
    expect(a.errors[0]).toMatchObject({
      name: "HandlerTimeoutError",
      code: "HA_HANDLER_TIMEOUT",
      handler: "hangs",
      phase: "activate",
      timeoutMs: 5000,
    });
    // The timed-out handler is passivated too (it may have started something), then the ones before it.
    expect(r.log).toEqual([
      "a:store:activate",
      "a:hangs:activate",
      "a:hangs:passivate",
      "a:store:passivate",
    ]);
    expect(r.contexts.at(-1)).toMatchObject({ reason: "activation_failed" });
    expect(hungSignal!.aborted).toBe(true);
    expect(activeInfo()).toBeNull();
    expect(a.transitions).toEqual([
      "BECOMING_ACTIVE:elected",
      "BECOMING_PASSIVE:activation_failed",
      "PASSIVE:activation_failed",
    ]);
    // The election gave up its place (rejoining after the back-off).
    expect(a.errors.some((e) => e.code === "ELECTION_LEADERSHIP_FAILED")).toBe(true);
    expect(line()).toEqual([]);
  });

  it("a failing handler passivates what was activated; the election gives up its place, another instance becomes active, and it rejoins after the back-off", async () => {
    const { add, clock, line, activeInfo } = world();
    const log: string[] = [];
    const ra = recorder("a", log);
    let failures = 1;
    const a = add("a", {
      handlers: [
        ra.handler("one", 1),
        ra.handler("two", 2, {
          instanceIsActive: () => {
            if (failures-- > 0)
              throw Object.assign(new Error("store refused"), { code: "STORE_DOWN" });
          },
        }),
        ra.handler("three", 3),
      ],
    });
    const b = add("b", { handlers: [recorder("b", log).handler("one", 1)] });
    await a.ha.start();
    await b.ha.start();
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(log).toEqual([
      "a:one:activate",
      "a:two:activate",
      "a:two:passivate",
      "a:one:passivate",
      "b:one:activate",
    ]);
    const failed = a.errors.find((e) => e.code === "HA_HANDLER_FAILED");
    expect(failed).toMatchObject({ name: "HandlerFailedError", handler: "two", phase: "activate" });
    expect((failed as unknown as { cause: { code: string } }).cause.code).toBe("STORE_DOWN");
    const gaveUp = a.errors.find((e) => e.code === "ELECTION_LEADERSHIP_FAILED") as unknown as {
      attempt: number;
      retryInMs: number;
    };
    // random() is 0.5: 3/4 of retryBaseMs (1000) for the first failure.
    expect(gaveUp).toMatchObject({ attempt: 1, retryInMs: 750 });
    expect(a.ha.snapshot().state).toBe("PASSIVE");
    expect(activeInfo()).toEqual({
      address: "http://b.example:21000",
      owner: b.ha.election!.zk.sessionId,
    });
    expect(line()).toEqual(["b"]);
    await clock.advance(749);
    expect(line()).toEqual(["b"]); // not before the back-off
    await clock.advance(1);
    await until(() => line().length === 2, "a to rejoin");
    expect(line()).toEqual(["b", "a"]);
    expect(a.ha.snapshot().state).toBe("PASSIVE");
    expect(b.ha.snapshot().state).toBe("ACTIVE");
  });

  it("alone, it takes the lead again after the back-off and activates with a newer epoch", async () => {
    const { add, clock } = world();
    const r = recorder("a");
    let failures = 1;
    const a = add("a", {
      handlers: [
        r.handler("flaky", 1, {
          instanceIsActive: () => {
            if (failures-- > 0) throw new Error("not yet");
          },
        }),
      ],
    });
    await a.ha.start();
    await until(
      () => a.errors.some((e) => e.code === "ELECTION_LEADERSHIP_FAILED"),
      "the election to give up",
    );
    const firstEpoch = r.contexts[0]!.epoch!;
    await clock.advance(750);
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE after the back-off");
    expect(a.ha.snapshot().epoch).toBeGreaterThan(firstEpoch);
    expect(r.log).toEqual(["a:flaky:activate", "a:flaky:passivate", "a:flaky:activate"]);
  });

  it("a passivation handler that fails or times out does not stop the others from passivating", async () => {
    const { add, clock } = world();
    const r = recorder("a");
    const a = add("a", {
      handlers: [
        r.handler("one", 1),
        r.handler("hangs", 2, {
          timeoutMs: 1000,
          instanceIsPassive: () => new Promise(() => undefined),
        }),
        r.handler("throws", 3, {
          instanceIsPassive: () => {
            throw new Error("cannot stop");
          },
        }),
      ],
    });
    await a.ha.start();
    await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
    r.log.length = 0;
    const stopped = a.ha.stop();
    await until(() => r.log.length === 2, "the hanging passivation to be called");
    await clock.advance(1000);
    await stopped;
    expect(r.log).toEqual(["a:throws:passivate", "a:hangs:passivate", "a:one:passivate"]);
    expect(a.errors.map((e) => [e.code, e.handler, e.phase])).toEqual([
      ["HA_HANDLER_FAILED", "throws", "passivate"],
      ["HA_HANDLER_TIMEOUT", "hangs", "passivate"],
    ]);
    expect(a.ha.snapshot().state).toBe("PASSIVE");
  });
});

describe("stop() during an activation", () => {
  it("abandons the activation at once: no ACTIVE, no active_server_info, its node goes, and the next instance leads", async () => {
    const { add, line, activeInfo } = world();
    const log: string[] = [];
    const ra = recorder("a", log);
    let signal: AbortSignal | null = null;
    const a = add("a", {
      handlers: [
        ra.handler("one", 1),
        // Ignores its signal and would take its whole (30 s) timeout: the manual clock never gets there.
        ra.handler("slow", 2, {
          instanceIsActive: (ctx) => {
            signal = ctx.signal;
            return new Promise(() => undefined);
          },
        }),
        ra.handler("never", 3),
      ],
    });
    const b = add("b", { handlers: [recorder("b", log).handler("one", 1)] });
    await a.ha.start();
    await b.ha.start();
    await until(() => log.length === 2, "the slow handler to be called");
    expect(a.ha.snapshot().state).toBe("BECOMING_ACTIVE");
    let stopped = false;
    void a.ha.stop().then(() => (stopped = true));
    await until(() => stopped, "stop() to resolve without the slow handler");
    expect(signal!.aborted).toBe(true);
    // a's own handlers, in order; b may already lead meanwhile, as stop() leaves the
    // election at once while the handlers stop (docs/contracts/states.md, "Leaving").
    expect(log.filter((entry) => entry.startsWith("a:"))).toEqual([
      "a:one:activate",
      "a:slow:activate",
      "a:slow:passivate",
      "a:one:passivate",
    ]);
    expect(a.transitions).not.toContain("ACTIVE:activated");
    expect(a.ha.snapshot().state).toBe("PASSIVE");
    expect(a.errors.filter((e) => e.code?.startsWith("HA_"))).toEqual([]); // abandoned, not failed
    expect(line()).toEqual(["b"]);
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(activeInfo()).toEqual({
      address: "http://b.example:21000",
      owner: b.ha.election!.zk.sessionId,
    });
  });
});
