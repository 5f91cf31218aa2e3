// getStatus against real HTTP servers on 127.0.0.1 (node:http, port 0).
import { afterEach, describe, expect, it } from "vitest";
import { getStatus } from "../src/index.js";
import { refusedPort, serverPool, waitFor } from "./helpers/servers.js";

const pool = serverPool();
afterEach(() => pool.closeAll());

describe("getStatus", () => {
  it.each(["ACTIVE", "PASSIVE", "BECOMING_ACTIVE", "BECOMING_PASSIVE"])(
    'an instance answering 200 {"Status":"%s"} is in that state',
    async (state) => {
      const instance = await pool.start({ kind: "state", state });
      const status = await getStatus(instance.url);
      expect(status).toMatchObject({ url: instance.url, state, httpStatus: 200, attempts: 1 });
      expect(status.problem).toBeUndefined();
      expect(status.responseTimeMs).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(status.checkedAt))).toBe(false);
    },
  );

  it("asks <base>/api/atlas/admin/status whether the base URL ends with a slash or not", async () => {
    const instance = await pool.start({ kind: "state", state: "PASSIVE" });
    const withSlash = await getStatus(`${instance.url}/`);
    const bare = await getStatus(`127.0.0.1:${instance.port}`);
    expect(withSlash).toMatchObject({ url: instance.url, state: "PASSIVE" });
    expect(bare).toMatchObject({ url: instance.url, state: "PASSIVE" });
    expect(instance.requests).toEqual(["/api/atlas/admin/status", "/api/atlas/admin/status"]);
  });

  it("keeps a path prefix of the base URL (an instance behind a proxy)", async () => {
    const instance = await pool.start({ kind: "state", state: "ACTIVE" });
    const status = await getStatus(`${instance.url}/atlas1/`);
    expect(status.url).toBe(`${instance.url}/atlas1`);
    expect(instance.requests).toEqual(["/atlas1/api/atlas/admin/status"]);
  });

  it("a 503 whose body names a transitional state counts as that state, not as an error", async () => {
    const instance = await pool.start({ kind: "state", state: "BECOMING_ACTIVE", httpStatus: 503 });
    const status = await getStatus(instance.url);
    expect(status).toMatchObject({ state: "BECOMING_ACTIVE", httpStatus: 503 });
    expect(status.problem).toBeUndefined();
  });

  it("a 503 with any other body is INVALID and shows the body", async () => {
    const instance = await pool.start({
      kind: "raw",
      httpStatus: 503,
      body: '{"errorCode":"ATLAS-503-00-001"}',
    });
    const status = await getStatus(instance.url);
    expect(status).toMatchObject({ state: "INVALID", httpStatus: 503, problem: "HTTP_STATUS" });
    expect(status.detail).toContain("ATLAS-503-00-001");
  });

  it("a 302 is not followed: INVALID with its Location, and the target is never asked", async () => {
    const target = await pool.start({ kind: "state", state: "ACTIVE" });
    const passive = await pool.start({
      kind: "redirect",
      location: `${target.url}/api/atlas/admin/status`,
    });
    const status = await getStatus(passive.url);
    expect(status).toMatchObject({ state: "INVALID", httpStatus: 302, problem: "REDIRECT" });
    expect(status.detail).toContain(`redirect to ${target.url}/api/atlas/admin/status`);
    expect(target.requests).toEqual([]);
  });

  it("a body that is not JSON is INVALID and the detail quotes what was seen", async () => {
    const instance = await pool.start({
      kind: "raw",
      httpStatus: 200,
      body: "<html>It works!</html>",
    });
    const status = await getStatus(instance.url);
    expect(status).toMatchObject({ state: "INVALID", httpStatus: 200, problem: "NOT_JSON" });
    expect(status.detail).toContain('"<html>It works!</html>"');
  });

  it.each([
    ['{"Status":"MIGRATING"}', "an unknown state word"],
    ['{"Status":"ACTIVE","since":1}', "another field"],
    ['["ACTIVE"]', "an array"],
    ['{"status":"ACTIVE"}', "a lower-case key"],
  ])("a JSON body %s (%s) is INVALID", async (body) => {
    const instance = await pool.start({
      kind: "raw",
      httpStatus: 200,
      body,
      contentType: "application/json",
    });
    const status = await getStatus(instance.url);
    expect(status).toMatchObject({ state: "INVALID", problem: "UNEXPECTED_BODY" });
    expect(status.detail).toContain(JSON.stringify(body));
  });

  it("an unexpected HTTP status is INVALID with the status in the detail", async () => {
    const instance = await pool.start({ kind: "raw", httpStatus: 401, body: "" });
    const status = await getStatus(instance.url);
    expect(status).toMatchObject({ state: "INVALID", httpStatus: 401, problem: "HTTP_STATUS" });
    expect(status.detail).toMatch(/^HTTP 401 .*\(empty\)/);
  });

  it("a port with nothing listening is UNREACHABLE: connection refused", async () => {
    const port = await refusedPort();
    const status = await getStatus(`http://127.0.0.1:${port}`);
    expect(status).toMatchObject({ state: "UNREACHABLE", problem: "CONNECTION_REFUSED" });
    expect(status.detail).toContain("ECONNREFUSED");
    expect(status.httpStatus).toBeUndefined();
  });

  it("an instance that accepts but never answers is UNREACHABLE after the per-request timeout", async () => {
    const instance = await pool.start({ kind: "hang" });
    const status = await getStatus(instance.url, { timeoutMs: 300 });
    expect(status).toMatchObject({ state: "UNREACHABLE", problem: "TIMEOUT" });
    expect(status.detail).toBe("no answer within 300 ms (timeout)");
    expect(instance.requests).toHaveLength(1);
  });

  it("the per-request timeout also covers a body that never finishes", async () => {
    const instance = await pool.start({ kind: "stall-body" });
    const status = await getStatus(instance.url, { timeoutMs: 300 });
    expect(status).toMatchObject({ state: "UNREACHABLE", problem: "TIMEOUT" });
  });

  it("a host name that does not resolve is UNREACHABLE", async () => {
    // RFC 6761: .invalid never resolves. Without a resolver the lookup may hang instead: timeout.
    const status = await getStatus("http://atlas-1.invalid:21000", { timeoutMs: 1500 });
    expect(status.state).toBe("UNREACHABLE");
    expect(["DNS", "TIMEOUT"]).toContain(status.problem);
  });

  it("retries an unreachable instance and reports what the later attempt saw", async () => {
    const port = await refusedPort();
    let started: Promise<unknown> | undefined;
    const logger = {
      debug: (obj: object) => {
        // Bring the instance up while the client sleeps between attempts.
        if ((obj as { event?: string }).event === "probe_retry" && started === undefined) {
          started = pool.start({ kind: "state", state: "ACTIVE" }, port);
        }
      },
      info: () => {},
      warn: () => {},
      error: () => {},
    };
    const status = await getStatus(`http://127.0.0.1:${port}`, {
      retries: 3,
      retryIntervalMs: 200,
      logger,
    });
    expect(started).toBeDefined();
    expect(status).toMatchObject({ state: "ACTIVE", attempts: 2 });
  });

  it("does not retry an instance that answered, even with garbage", async () => {
    const instance = await pool.start({ kind: "raw", httpStatus: 200, body: "nope" });
    const status = await getStatus(instance.url, { retries: 3, retryIntervalMs: 10 });
    expect(status).toMatchObject({ state: "INVALID", attempts: 1 });
    expect(instance.requests).toHaveLength(1);
  });

  it("the overall deadline cuts the retries short and keeps the last answer", async () => {
    const port = await refusedPort();
    const status = await getStatus(`http://127.0.0.1:${port}`, {
      retries: 10,
      retryIntervalMs: 60_000,
      deadlineMs: 300,
    });
    expect(status).toMatchObject({
      state: "UNREACHABLE",
      problem: "CONNECTION_REFUSED",
      attempts: 1,
    });
  });

  it("refuses a URL it cannot probe with a typed error", async () => {
    for (const bad of ["ftp://atlas-1:21", "http://atlas-1:21000/?x=1", "", "http://exa mple:1"]) {
      await expect(getStatus(bad)).rejects.toMatchObject({
        name: "StatusInputError",
        code: "STATUS_BAD_URL",
      });
    }
    await expect(getStatus("http://a:1", { timeoutMs: 0 })).rejects.toMatchObject({
      code: "STATUS_BAD_OPTION",
    });
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const instance = await pool.start({ kind: "hang" });
    const controller = new AbortController();
    const pending = getStatus(instance.url, { signal: controller.signal });
    await waitFor(() => instance.requests.length === 1, "the request to arrive");
    controller.abort(new Error("operator gave up"));
    await expect(pending).rejects.toThrow("operator gave up");
  });
});
