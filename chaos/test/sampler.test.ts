import { createServer, type Server } from "node:http";
import { waitFor } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countSplitBrain } from "../src/index.js";
import { StatusSampler } from "../src/sampler.js";

// Two real HTTP servers on loopback answering the status endpoint the way atlas-server does.
const state = { a: "ACTIVE", b: "PASSIVE" };
const servers: Server[] = [];
const urls: string[] = [];

beforeAll(async () => {
  for (const key of ["a", "b"] as const) {
    const server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ Status: state[key] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  }
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("the status sampler", () => {
  it("samples every instance each round, in time order, and records each change of state once", async () => {
    const sampler = new StatusSampler({
      instances: [
        { name: "a", url: urls[0]! },
        { name: "b", url: urls[1]! },
      ],
      intervalMs: 20,
      timeoutMs: 500,
    });
    sampler.start();
    await waitFor(() => sampler.between(0, Date.now()).length >= 3, {
      timeoutMs: 10_000,
      what: "three rounds",
    });
    state.b = "ACTIVE"; // two ACTIVE at once
    await waitFor(() => sampler.between(0, Date.now()).some((s) => s.states[1] === "ACTIVE"), {
      timeoutMs: 10_000,
      what: "b seen ACTIVE",
    });
    state.a = "PASSIVE";
    await waitFor(() => sampler.between(0, Date.now()).some((s) => s.states[0] === "PASSIVE"), {
      timeoutMs: 10_000,
      what: "a seen PASSIVE",
    });
    await sampler.stop();
    const times = sampler.samples.map((s) => s.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(sampler.transitions.map((t) => `${t.instance} ${t.from}→${t.to}`)).toEqual([
      "a null→ACTIVE",
      "b null→PASSIVE",
      "b PASSIVE→ACTIVE",
      "a ACTIVE→PASSIVE",
    ]);
    const figure = countSplitBrain(sampler.samples);
    expect(figure.moments).toBe(
      sampler.samples.filter((s) => s.states.every((x) => x === "ACTIVE")).length,
    );
    expect(figure.moments).toBeGreaterThan(0);
  });

  it("counts an instance that does not answer as UNREACHABLE", async () => {
    const sampler = new StatusSampler({
      instances: [
        { name: "gone", url: "http://127.0.0.1:9" },
        { name: "a", url: urls[0]! },
      ],
      intervalMs: 20,
      timeoutMs: 200,
    });
    sampler.start();
    await waitFor(() => sampler.between(0, Date.now()).length >= 3, {
      timeoutMs: 10_000,
      what: "three rounds",
    });
    await sampler.stop();
    expect(sampler.samples.every((s) => s.states[0] === "UNREACHABLE")).toBe(true);
  });
});
