import { settle } from "@atlas-ha/election-core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { recorder, setup, until } from "./fake.js";

let cleanup: (() => Promise<unknown>) | null = null;
// A stop() that hangs is a failure: reported in seconds, not after the long integration hook timeout.
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
}, 10_000);

/** A fencing error as a store raises it: it names the epoch that was refused. */
const fenced = (epoch?: number) =>
  Object.assign(new Error("refused: a newer epoch wrote"), {
    name: "StoreFencedError",
    code: "STORE_FENCED",
    ...(epoch !== undefined ? { epoch } : {}),
  });

async function activePair() {
  const w = setup();
  cleanup = w.stopAll;
  const log: string[] = [];
  const ra = recorder("a", log);
  const a = w.add("a", { handlers: [ra.handler("one", 1), ra.handler("two", 2)] });
  const b = w.add("b", { handlers: [recorder("b", log).handler("one", 1)] });
  await a.ha.start();
  await until(() => a.ha.snapshot().state === "ACTIVE", "a ACTIVE");
  await b.ha.start();
  log.length = 0;
  return { ...w, a, b, log, ra };
}

describe("relinquish()", () => {
  it("with a fencing error of the current term: passivates (descending), gives up the term, the next instance leads, and it rejoins after the back-off", async () => {
    const { a, b, log, ra, line, clock, activeInfo } = await activePair();
    const epoch = a.ha.snapshot().epoch!;
    const error = fenced(epoch);
    await a.ha.relinquish(error);
    expect(a.ha.snapshot().state).toBe("PASSIVE");
    // Passivated before the term was given up: b activates only after a's handlers stopped.
    expect(log.filter((l) => l.startsWith("a:"))).toEqual(["a:two:passivate", "a:one:passivate"]);
    expect(ra.contexts.at(-1)).toMatchObject({ epoch });
    expect(a.errors[0]).toBe(error); // told to the application as is
    expect(a.errors.some((e) => e.code === "ELECTION_LEADERSHIP_FAILED")).toBe(true);
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
    expect(log.indexOf("b:one:activate")).toBeGreaterThan(log.indexOf("a:one:passivate"));
    expect(b.ha.snapshot().epoch).toBeGreaterThan(epoch);
    expect(activeInfo()).toEqual({
      address: "http://b.example:21000",
      owner: b.ha.election!.zk.sessionId,
    });
    expect(line()).toEqual(["b"]);
    await clock.advance(750); // the back-off (3/4 of retryBaseMs with random() = 0.5)
    await until(() => line().length === 2, "a to rejoin");
    expect(line()).toEqual(["b", "a"]);
    expect(a.ha.snapshot().state).toBe("PASSIVE");
  });

  it("with an error that names no epoch: gives up the current term all the same", async () => {
    const { a, b } = await activePair();
    await a.ha.relinquish(new Error("cannot serve"));
    expect(a.ha.snapshot().state).toBe("PASSIVE");
    await until(() => b.ha.snapshot().state === "ACTIVE", "b ACTIVE");
  });

  it("with a fencing error of another epoch (a late write of an earlier term): ignored, the current term goes on", async () => {
    const { a, b, log, line, activeInfo } = await activePair();
    const epoch = a.ha.snapshot().epoch!;
    const transitions = a.transitions.length;
    await a.ha.relinquish(fenced(epoch - 1));
    await settle();
    expect(a.ha.snapshot()).toMatchObject({ state: "ACTIVE", epoch });
    expect(a.transitions).toHaveLength(transitions);
    expect(log).toEqual([]);
    expect(a.errors).toEqual([]);
    expect(line()).toEqual(["a", "b"]);
    expect(b.ha.snapshot().state).toBe("PASSIVE");
    expect(activeInfo()?.address).toBe("http://a.example:21000");
    // …while one of this very term still counts.
    await a.ha.relinquish(fenced(epoch));
    expect(a.ha.snapshot().state).toBe("PASSIVE");
  });
});
