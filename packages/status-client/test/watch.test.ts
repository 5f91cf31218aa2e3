// watch() and `atlas-status --watch`, against real HTTP servers on 127.0.0.1 whose state the test changes.
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { watch, type WatchEvent } from "../src/index.js";
import { captureIO, serverPool, waitFor } from "./helpers/servers.js";

const pool = serverPool();
afterEach(() => pool.closeAll());

const ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

describe("watch", () => {
  it("yields the initial states, then each transition of an instance and of the verdict", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const b = await pool.start({ kind: "state", state: "PASSIVE" });
    const controller = new AbortController();
    const events: WatchEvent[] = [];
    const consumer = (async () => {
      for await (const event of watch([a.url, b.url], {
        intervalMs: 20,
        signal: controller.signal,
      }))
        events.push(event);
    })();

    await waitFor(() => events.some((e) => e.kind === "verdict"), "the initial verdict");
    expect(
      events.map((e) =>
        e.kind === "instance" ? `${e.url} ${e.from}->${e.to}` : `verdict ${e.from}->${e.to}`,
      ),
    ).toEqual([`${a.url} null->ACTIVE`, `${b.url} null->PASSIVE`, "verdict null->OK"]);

    // A failover as the group would go through it: the active steps down, the passive takes over.
    a.set({ kind: "state", state: "BECOMING_PASSIVE", httpStatus: 503 });
    await waitFor(
      () => events.some((e) => e.kind === "verdict" && e.to === "CRITICAL"),
      "the no-active verdict",
    );
    b.set({ kind: "state", state: "ACTIVE" });
    a.set({ kind: "state", state: "PASSIVE" });
    await waitFor(
      () => events.some((e) => e.kind === "verdict" && e.to === "OK" && e.activeUrl === b.url),
      "b to be the active",
    );
    controller.abort();
    await consumer;

    const transitions = events
      .filter((e) => e.kind === "instance")
      .map((e) => `${e.url} ${e.from}->${e.to}`);
    expect(transitions).toContain(`${a.url} ACTIVE->BECOMING_PASSIVE`);
    expect(transitions).toContain(`${b.url} PASSIVE->ACTIVE`);
    expect(transitions).toContain(`${a.url} BECOMING_PASSIVE->PASSIVE`);
    for (const event of events) expect(event.at).toMatch(new RegExp(`^${ISO}$`));
  });

  it("stops by itself after maxRounds, and yields nothing when nothing changes", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const events: WatchEvent[] = [];
    for await (const event of watch([a.url], { intervalMs: 5, maxRounds: 3 })) events.push(event);
    expect(events).toHaveLength(2);
    expect(a.requests).toHaveLength(3);
  });

  it("takes the interval as a number, as in watch(urls, interval)", async () => {
    const a = await pool.start({ kind: "state", state: "PASSIVE" });
    const events: WatchEvent[] = [];
    for await (const event of watch([a.url], 10)) {
      events.push(event);
      break; // leaving the loop stops the polling
    }
    expect(events).toEqual([expect.objectContaining({ kind: "instance", to: "PASSIVE" })]);
    expect(a.requests).toHaveLength(1);
  });
});

describe("atlas-status --watch", () => {
  it("prints each transition with an ISO timestamp when a server changes state, until aborted", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const b = await pool.start({ kind: "state", state: "PASSIVE" });
    const controller = new AbortController();
    const capture = captureIO({ signal: controller.signal });
    const running = main(["--watch", "--interval", "20", a.url, b.url], capture.io);

    await waitFor(() => capture.stdout().includes("verdict"), "the initial verdict line");
    b.set({ kind: "state", state: "ACTIVE" });
    await waitFor(() => capture.stdout().includes("split brain"), "the split-brain line");
    controller.abort();

    expect(await running).toBe(2); // the last verdict seen: split brain
    const lines = capture.stdout().trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^${ISO} ${a.url} \\(start\\) -> ACTIVE \\(\\d+\\.\\d ms\\)$`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${ISO} ${b.url} \\(start\\) -> PASSIVE \\(\\d+\\.\\d ms\\)$`),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^${ISO} verdict \\(start\\) -> OK: exactly one ACTIVE: ${a.url}; 1 PASSIVE$`),
    );
    expect(lines[3]).toMatch(new RegExp(`^${ISO} ${b.url} PASSIVE -> ACTIVE \\(\\d+\\.\\d ms\\)$`));
    expect(lines[4]).toMatch(
      new RegExp(`^${ISO} verdict OK -> CRITICAL: split brain: 2 instances ACTIVE`),
    );
    expect(lines).toHaveLength(5);
  });

  it("--count bounds the polls; --json prints one object per line", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const hanging = await pool.start({ kind: "hang" });
    const capture = captureIO();
    const code = await main(
      [
        "--watch",
        "--json",
        "--count",
        "2",
        "--interval",
        "10",
        "--timeout",
        "300",
        a.url,
        hanging.url,
      ],
      capture.io,
    );
    expect(code).toBe(1);
    const objects = capture
      .stdout()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objects.map((o) => o.kind)).toEqual(["instance", "instance", "verdict"]);
    expect(objects[1]).toMatchObject({
      url: hanging.url,
      from: null,
      to: "UNREACHABLE",
      instance: { problem: "TIMEOUT" },
    });
    expect(objects[2]).toMatchObject({
      from: null,
      to: "WARNING",
      problem: "DEGRADED",
      active: a.url,
      exitCode: 1,
    });
    expect(a.requests).toHaveLength(2);
  });
});
