// findActive against groups of real HTTP servers on 127.0.0.1 (node:http, port 0).
import { afterEach, describe, expect, it } from "vitest";
import { findActive } from "../src/index.js";
import { refusedPort, serverPool } from "./helpers/servers.js";

const pool = serverPool();
afterEach(() => pool.closeAll());

const states = (...names: string[]) =>
  Promise.all(names.map((state) => pool.start({ kind: "state", state })));

describe("findActive", () => {
  it("one ACTIVE and two PASSIVE is OK and names the active", async () => {
    const [a, b, c] = await states("PASSIVE", "ACTIVE", "PASSIVE");
    const group = await findActive([a!.url, b!.url, c!.url]);
    expect(group).toMatchObject({ verdict: "OK", exitCode: 0, problem: "NONE" });
    expect(group.active?.url).toBe(b!.url);
    expect(group.instances.map((i) => i.url)).toEqual([a!.url, b!.url, c!.url]);
    expect(group.summary).toBe(`exactly one ACTIVE: ${b!.url}; 2 PASSIVE`);
  });

  it("no ACTIVE instance is CRITICAL", async () => {
    const [a, b] = await states("PASSIVE", "PASSIVE");
    const group = await findActive([a!.url, b!.url]);
    expect(group).toMatchObject({
      verdict: "CRITICAL",
      exitCode: 2,
      problem: "NO_ACTIVE",
      active: undefined,
    });
    expect(group.summary).toBe("no ACTIVE instance; 2 PASSIVE");
  });

  it("two ACTIVE instances are split brain: CRITICAL, both named", async () => {
    const [a, b, c] = await states("ACTIVE", "PASSIVE", "ACTIVE");
    const group = await findActive([a!.url, b!.url, c!.url]);
    expect(group).toMatchObject({
      verdict: "CRITICAL",
      exitCode: 2,
      problem: "SPLIT_BRAIN",
      active: undefined,
    });
    expect(group.actives.map((i) => i.url)).toEqual([a!.url, c!.url]);
    expect(group.summary).toContain(`split brain: 2 instances ACTIVE (${a!.url}, ${c!.url})`);
  });

  it("one ACTIVE with an instance refusing connections is WARNING and names the unreachable one", async () => {
    const [a] = await states("ACTIVE");
    const down = `http://127.0.0.1:${await refusedPort()}`;
    const group = await findActive([a!.url, down]);
    expect(group).toMatchObject({ verdict: "WARNING", exitCode: 1, problem: "DEGRADED" });
    expect(group.active?.url).toBe(a!.url);
    expect(group.summary).toContain(`1 UNREACHABLE (${down})`);
  });

  it("one ACTIVE with a transitional instance is WARNING", async () => {
    const [a, b] = await states("ACTIVE", "BECOMING_PASSIVE");
    const group = await findActive([a!.url, b!.url]);
    expect(group).toMatchObject({ verdict: "WARNING", exitCode: 1 });
    expect(group.summary).toContain(`1 BECOMING_PASSIVE (${b!.url})`);
  });

  it("one ACTIVE with an instance answering garbage is WARNING, the garbage shown on that instance", async () => {
    const [a] = await states("ACTIVE");
    const junk = await pool.start({ kind: "raw", httpStatus: 200, body: "garbage\u0000\n" });
    const group = await findActive([a!.url, junk.url]);
    expect(group).toMatchObject({ verdict: "WARNING", exitCode: 1 });
    expect(group.instances[1]).toMatchObject({ state: "INVALID", problem: "NOT_JSON" });
    expect(group.instances[1]!.detail).toContain(JSON.stringify("garbage\u0000\n"));
  });

  it("a hanging instance does not hold the call: it returns with that one UNREACHABLE by timeout", async () => {
    const [a, b] = await states("ACTIVE", "PASSIVE");
    const hanging = await pool.start({ kind: "hang" });
    const group = await findActive([a!.url, hanging.url, b!.url], { timeoutMs: 300 });
    expect(group.instances.map((i) => i.state)).toEqual(["ACTIVE", "UNREACHABLE", "PASSIVE"]);
    expect(group.instances[1]).toMatchObject({
      problem: "TIMEOUT",
      detail: "no answer within 300 ms (timeout)",
    });
    expect(group.verdict).toBe("WARNING");
  });

  it("the overall deadline holds even when it is shorter than the per-request timeout", async () => {
    const [a] = await states("ACTIVE");
    const hanging = await pool.start({ kind: "hang" });
    const group = await findActive([a!.url, hanging.url], { timeoutMs: 60_000, deadlineMs: 300 });
    expect(group.instances[0]!.state).toBe("ACTIVE");
    expect(group.instances[1]).toMatchObject({
      state: "UNREACHABLE",
      problem: "DEADLINE",
      detail: "no answer before the overall deadline of 300 ms",
    });
  });

  it("probes every instance in parallel: three instances that each answer only once all three were asked", async () => {
    const held = await Promise.all([
      pool.start({ kind: "held", state: "ACTIVE" }),
      pool.start({ kind: "held", state: "PASSIVE" }),
      pool.start({ kind: "held", state: "PASSIVE" }),
    ]);
    const asked = (): boolean => held.every((h) => h.requests.length > 0);
    const releaseWhenAllAsked = setInterval(() => asked() && held.forEach((h) => h.release()), 5);
    try {
      // Probed one after another, the first would time out waiting for the others.
      const group = await findActive(
        held.map((h) => h.url),
        { timeoutMs: 5000, deadlineMs: 5000 },
      );
      expect(group.instances.map((i) => i.state)).toEqual(["ACTIVE", "PASSIVE", "PASSIVE"]);
    } finally {
      clearInterval(releaseWhenAllAsked);
    }
  });

  it("the same instance given twice is probed once, so it cannot look like split brain", async () => {
    const [a] = await states("ACTIVE");
    const group = await findActive([a!.url, `${a!.url}/`]);
    expect(group.instances).toHaveLength(1);
    expect(group.verdict).toBe("OK");
    expect(a!.requests).toHaveLength(1);
  });

  it("an empty list of URLs is a typed error", async () => {
    await expect(findActive([])).rejects.toMatchObject({
      name: "StatusInputError",
      code: "STATUS_NO_URLS",
    });
  });
});
