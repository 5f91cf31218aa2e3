// Behaviour of docs/contracts/http.md through a real Koa app (app.callback()) and real HTTP via supertest.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { DEFAULT_EXEMPT_PATHS, ERROR_CODES, haRedirect } from "../src/index.js";
import type { RedirectEvent, ServiceState, StateSnapshot, UnavailableEvent } from "../src/index.js";
import { ACTIVE_ADDRESS, SELF_ADDRESS, appWith, passive } from "./helpers.js";

describe("an active instance", () => {
  it("serves every request itself, whatever the method", async () => {
    const { app, served, mw } = appWith({
      source: () => ({ state: "ACTIVE", activeAddress: SELF_ADDRESS }),
    });
    const server = app.callback();
    const get = await request(server).get("/api/atlas/v2/entity/guid/g1?x=1");
    expect(get.status).toBe(200);
    expect(get.headers.location).toBeUndefined();
    const post = await request(server).post("/api/atlas/v2/entity").send({ entity: {} });
    expect(post.status).toBe(200);
    expect(served).toEqual(["/api/atlas/v2/entity/guid/g1?x=1", "/api/atlas/v2/entity"]);
    expect(mw.counters).toEqual({ redirects: 0, unavailable: 0, rejected: 0 });
  });
});

describe("the middleware as a function", () => {
  it("always returns a promise: a failure downstream or in a state source rejects it rather than throwing", async () => {
    const failing = () => {
      throw new Error("downstream broke");
    };
    const ctx = { req: { url: "/api/atlas/v2/types/typedefs", method: "GET" } } as never;
    const active = haRedirect({
      selfAddress: SELF_ADDRESS,
      source: () => ({ state: "ACTIVE", activeAddress: SELF_ADDRESS }),
    });
    let outcome: Promise<void> | undefined;
    expect(() => {
      outcome = active(ctx, failing);
    }).not.toThrow();
    await expect(outcome).rejects.toThrow("downstream broke");
    // An exempt path goes straight on: what `next` resolves to is awaited through it.
    const order: string[] = [];
    const exempt = active(
      { req: { url: "/api/atlas/admin/status", method: "GET" } } as never,
      async () => {
        await Promise.resolve();
        order.push("next done");
      },
    );
    await exempt;
    expect(order).toEqual(["next done"]);
  });
});

describe("a passive instance with a known active", () => {
  for (const method of ["get", "head", "options"] as const) {
    it(`redirects a ${method.toUpperCase()} with 302 to the active address`, async () => {
      const { app, served } = appWith({ source: () => passive() });
      const res = await request(app.callback())[method](
        "/api/atlas/v2/search/basic?query=a%20b&typeName=hive_table",
      );
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(
        `${ACTIVE_ADDRESS}/api/atlas/v2/search/basic?query=a%20b&typeName=hive_table`,
      );
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(served).toEqual([]);
    });
  }

  it("answers a redirect with Koa's headers for an empty body, set on Node's response directly", async () => {
    const { app } = appWith({ source: () => passive() });
    const res = await request(app.callback()).get("/api/atlas/v2/entity?a=1");
    expect(res.status).toBe(302);
    expect(res.headers).toMatchObject({
      location: `${ACTIVE_ADDRESS}/api/atlas/v2/entity?a=1`,
      "cache-control": "no-store",
      "content-type": "text/plain; charset=utf-8",
      "content-length": "0",
    });
    expect(res.text).toBe("");
  });

  it("sets the redirect's headers through ctx.set on a context without Node's response", async () => {
    const set: Record<string, string> = {};
    const ctx = {
      req: { url: "/api/atlas/v2/entity?a=1", method: "GET" },
      status: 404,
      body: undefined as unknown,
      set: (field: string, value: string) => {
        set[field] = value;
      },
    };
    const mw = haRedirect({ selfAddress: SELF_ADDRESS, source: () => passive() });
    await mw(ctx, async () => undefined);
    expect(ctx.status).toBe(302);
    expect(set).toEqual({
      Location: `${ACTIVE_ADDRESS}/api/atlas/v2/entity?a=1`,
      "Cache-Control": "no-store",
    });
    expect(ctx.body).toBe("");
  });

  for (const method of ["post", "put", "patch", "delete"] as const) {
    it(`redirects a ${method.toUpperCase()} with 307 so method and body are kept`, async () => {
      const { app, served } = appWith({ source: () => passive() });
      const res = await request(app.callback())
        [method]("/api/atlas/v2/entity?a=%3D")
        .send({ entity: { typeName: "hive_db" } });
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/entity?a=%3D`);
      expect(res.text).toBe("");
      expect(served).toEqual([]);
    });
  }

  it("a passive redirects a POST with 307 and keeps the query bytes", async () => {
    const { app } = appWith({ source: () => passive() });
    const path =
      "/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=db.t%40c1&x=%3D%26%2B&y=a+b&y=a%20b&z=%C3%A9";
    const res = await request(app.callback()).post(path).send({});
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(ACTIVE_ADDRESS + path);
  });

  it("keeps an encoded slash in the path as %2F", async () => {
    const { app } = appWith({ source: () => passive() });
    const res = await request(app.callback()).get("/api/atlas/v2/entity/guid/a%2Fb");
    expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/entity/guid/a%2Fb`);
  });

  it("redirects to an https active address and to an IPv6 one", async () => {
    for (const address of ["https://atlas-2.example.com:21443", "http://[::1]:21000"]) {
      const { app } = appWith({ source: () => passive(address) });
      const res = await request(app.callback()).get("/api/atlas/v2/types/typedefs");
      expect(res.headers.location).toBe(`${address}/api/atlas/v2/types/typedefs`);
    }
  });

  it("drops one trailing slash of the published address instead of doubling it", async () => {
    const { app } = appWith({ source: () => passive(`${ACTIVE_ADDRESS}/`) });
    const res = await request(app.callback()).get("/api/atlas/v2/types/typedefs");
    expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/types/typedefs`);
  });

  it("ignores forged Host, X-Forwarded-Host, X-Forwarded-Proto and Forwarded headers", async () => {
    const { app } = appWith({ source: () => passive() });
    const res = await request(app.callback())
      .post("/api/atlas/v2/entity?a=1")
      .set("Host", "evil.example")
      .set("X-Forwarded-Host", "evil.example:443")
      .set("X-Forwarded-Proto", "https")
      .set("X-Forwarded-Port", "443")
      .set("X-Forwarded-Prefix", "/evil")
      .set("Forwarded", "host=evil.example;proto=https")
      .send({});
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/entity?a=1`);
  });

  it("ignores forged forwarding headers even when Koa trusts the proxy", async () => {
    const { app } = appWith({ source: () => passive() });
    app.proxy = true;
    const res = await request(app.callback())
      .get("/api/atlas/v2/entity/guid/x")
      .set("X-Forwarded-Host", "evil.example")
      .set("X-Forwarded-Proto", "https");
    expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/entity/guid/x`);
  });
});

describe("a passive instance that cannot redirect", () => {
  async function expect503(snapshot: StateSnapshot, errorCode: string) {
    const { app, served } = appWith({ source: () => snapshot });
    const res = await request(app.callback()).post("/api/atlas/v2/entity").send({});
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers.location).toBeUndefined();
    expect(Object.keys(res.body)).toEqual(["errorCode", "errorMessage"]);
    expect(res.body.errorCode).toBe(errorCode);
    expect(res.body.errorMessage).toMatch(/retry/);
    expect(served).toEqual([]);
  }

  it("answers 503 with Retry-After when the active address is unknown", async () => {
    await expect503(passive(null), "ATLAS-503-00-002");
    await expect503(passive(""), "ATLAS-503-00-002");
  });

  it("answers 503 when the active address points at this instance", async () => {
    await expect503(passive(SELF_ADDRESS), "ATLAS-503-00-003");
    // The same origin written differently is still this instance.
    await expect503(passive("HTTP://10.0.0.5:21000/"), "ATLAS-503-00-003");
  });

  it("answers 503 when the published address is not an http(s) origin, and never redirects to it", async () => {
    for (const bad of [
      "javascript:alert(1)",
      "//evil.example",
      "http://evil.example/path",
      "ftp://10.0.0.7:21",
      "10.0.0.7:21000",
      "http://u:p@10.0.0.7:21000",
    ]) {
      await expect503(passive(bad), "ATLAS-503-00-004");
    }
  });

  for (const state of ["BECOMING_ACTIVE", "BECOMING_PASSIVE"] as const) {
    it(`answers 503 while ${state}, even with a known active`, async () => {
      await expect503({ state, activeAddress: ACTIVE_ADDRESS }, "ATLAS-503-00-001");
    });
  }

  it("fails closed with 503 when the state source throws, rejects or reports an unknown state", async () => {
    const sources = [
      () => {
        throw new Error("zk gone");
      },
      () => Promise.reject(new Error("zk gone")),
      () => ({ state: "MIGRATING" as ServiceState, activeAddress: ACTIVE_ADDRESS }),
      () => null as unknown as StateSnapshot,
    ];
    for (const source of sources) {
      const { app, served } = appWith({ source });
      const res = await request(app.callback()).get("/api/atlas/v2/types/typedefs");
      expect(res.status).toBe(503);
      expect(res.body.errorCode).toBe(ERROR_CODES.state_unavailable);
      expect(served).toEqual([]);
    }
  });

  it("uses the configured Retry-After", async () => {
    const { app } = appWith({ source: () => passive(null), retryAfter: 5 });
    const res = await request(app.callback()).get("/api/atlas/v2/types/typedefs");
    expect(res.headers["retry-after"]).toBe("5");
  });

  it("sends no body on a HEAD answered with 503 but keeps the headers", async () => {
    const { app } = appWith({ source: () => ({ state: "BECOMING_ACTIVE", activeAddress: null }) });
    const res = await request(app.callback()).head("/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.text ?? "").toBe("");
  });
});

describe("exempt paths", () => {
  const transitional = () => ({
    state: "BECOMING_PASSIVE" as const,
    activeAddress: ACTIVE_ADDRESS,
  });

  // Written out, not taken from the module: a path dropped from (or added to) the default list
  // must fail here.
  const EXEMPT = [
    "/api/atlas/admin/status",
    "/api/atlas/admin/health",
    "/api/atlas/admin/liveness",
    "/api/atlas/admin/readiness",
    "/api/atlas/admin/version",
    "/api/atlas/admin/metrics/prometheus",
  ];

  it("are the status, health, liveness, readiness, version and metrics paths by default", () => {
    expect([...DEFAULT_EXEMPT_PATHS]).toEqual(EXEMPT);
  });

  it("are served locally in every non-active state, with or without one trailing slash", async () => {
    for (const snapshot of [passive(), passive(null), transitional()]) {
      const { app, served } = appWith({ source: () => snapshot });
      for (const path of EXEMPT) {
        const res = await request(app.callback()).get(path);
        expect(res.status, path).toBe(200);
        const slashed = await request(app.callback()).get(`${path}/?x=1`);
        expect(slashed.status, `${path}/`).toBe(200);
      }
      expect(served).toHaveLength(EXEMPT.length * 2);
    }
  });

  it("do not even consult a broken state source", async () => {
    const { app } = appWith({
      source: () => {
        throw new Error("not yet");
      },
    });
    const res = await request(app.callback()).get("/api/atlas/admin/status");
    expect(res.status).toBe(200);
  });

  it("match exactly: no prefix, suffix, substring, double slash, case or encoding variant", async () => {
    const { app, served } = appWith({ source: () => passive() });
    for (const path of [
      "/api/atlas/admin/statusX",
      "/api/atlas/admin/status/x",
      "/x/api/atlas/admin/status",
      "/api/atlas/admin/status//",
      "/api/atlas/admin//status",
      "/API/atlas/admin/status",
      "/api/atlas/admin/%73tatus",
      "/api/atlas/admin/metrics",
      "/api/atlas/admin",
    ]) {
      const res = await request(app.callback()).get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.location).toBe(ACTIVE_ADDRESS + path);
    }
    expect(served).toEqual([]);
  });

  it("can be replaced, and the defaults are then redirected", async () => {
    const { app } = appWith({ source: () => passive(), exemptPaths: ["/healthz/"] });
    expect((await request(app.callback()).get("/healthz")).status).toBe(200);
    expect((await request(app.callback()).get("/api/atlas/admin/status")).status).toBe(302);
  });
});

describe("a state source whose state changes between requests", () => {
  it("follows each change: 503 while becoming passive, redirect once an active is known, served once active", async () => {
    let current: StateSnapshot = { state: "ACTIVE", activeAddress: SELF_ADDRESS, epoch: 1 };
    const source = { snapshot: () => current, extra: "ignored" };
    const { app, served } = appWith({ source });
    const server = app.callback();
    const ask = () => request(server).put("/api/atlas/v2/types/typedefs?v=1").send({});

    expect((await ask()).status).toBe(200);

    current = { state: "BECOMING_PASSIVE", activeAddress: SELF_ADDRESS, epoch: 1 };
    expect((await ask()).body.errorCode).toBe("ATLAS-503-00-001");

    current = { state: "PASSIVE", activeAddress: SELF_ADDRESS, epoch: 1 };
    expect((await ask()).body.errorCode).toBe("ATLAS-503-00-003");

    current = { state: "PASSIVE", activeAddress: null, epoch: null };
    expect((await ask()).body.errorCode).toBe("ATLAS-503-00-002");

    current = { state: "PASSIVE", activeAddress: ACTIVE_ADDRESS, epoch: 2 };
    const redirected = await ask();
    expect(redirected.status).toBe(307);
    expect(redirected.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/types/typedefs?v=1`);

    current = { state: "PASSIVE", activeAddress: "https://10.0.0.9:21443", epoch: 3 };
    expect((await ask()).headers.location).toBe(
      "https://10.0.0.9:21443/api/atlas/v2/types/typedefs?v=1",
    );

    current = { state: "BECOMING_ACTIVE", activeAddress: null, epoch: 4 };
    expect((await ask()).status).toBe(503);

    current = { state: "ACTIVE", activeAddress: SELF_ADDRESS, epoch: 4 };
    expect((await ask()).status).toBe(200);
    expect(served).toHaveLength(2);
  });

  it("accepts an asynchronous source", async () => {
    const { app } = appWith({ source: async () => passive() });
    const res = await request(app.callback()).get("/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(302);
  });
});

describe("counting for metrics", () => {
  it("counts redirects and 503s and reports each through its hook", async () => {
    let current: StateSnapshot = passive();
    const redirects: RedirectEvent[] = [];
    const unavailable: UnavailableEvent[] = [];
    const { app, mw } = appWith({
      source: () => current,
      onRedirect: (e) => redirects.push(e),
      onUnavailable: (e) => unavailable.push(e),
    });
    const server = app.callback();
    await request(server).get("/a");
    await request(server).delete("/b");
    await request(server).get("/api/atlas/admin/status");
    current = { state: "BECOMING_ACTIVE", activeAddress: null };
    await request(server).get("/c");

    expect(mw.counters).toEqual({ redirects: 2, unavailable: 1, rejected: 0 });
    expect(redirects).toEqual([
      { method: "GET", status: 302, location: `${ACTIVE_ADDRESS}/a` },
      { method: "DELETE", status: 307, location: `${ACTIVE_ADDRESS}/b` },
    ]);
    expect(unavailable).toEqual([
      { method: "GET", status: 503, reason: "transitional", state: "BECOMING_ACTIVE" },
    ]);
  });

  it("still redirects when a hook throws, and logs the failure as an event", async () => {
    const warnings: object[] = [];
    const logger = { debug() {}, info() {}, warn: (obj: object) => warnings.push(obj), error() {} };
    const { app, mw } = appWith({
      source: () => passive(),
      logger,
      onRedirect: () => {
        throw new Error("metrics registry closed");
      },
    });
    const res = await request(app.callback()).get("/a");
    expect(res.status).toBe(302);
    expect(mw.counters.redirects).toBe(1);
    expect(warnings).toEqual([
      expect.objectContaining({ event: "ha_redirect_hook_failed", hook: "onRedirect" }),
    ]);
  });

  it("logs events, not prose: a failing source and an invalid address", async () => {
    const events: Array<{ level: string; obj: object }> = [];
    const log = (level: string) => (obj: object) => events.push({ level, obj });
    const logger = {
      debug: log("debug"),
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
    };
    let fail = true;
    const { app } = appWith({
      logger,
      source: () => {
        if (fail) throw new Error("boom");
        return passive("not a url");
      },
    });
    await request(app.callback()).get("/a");
    fail = false;
    await request(app.callback()).get("/a");
    await request(app.callback()).get("/a");
    const notable = events.filter((e) => e.level !== "debug");
    expect(notable).toEqual([
      { level: "error", obj: expect.objectContaining({ event: "ha_state_source_failed" }) },
      // Warned once per distinct bad value, not once per request.
      { level: "warn", obj: { event: "ha_active_address_invalid", activeAddress: "not a url" } },
    ]);
    expect(
      events.filter((e) => e.level === "debug").map((e) => (e.obj as { event: string }).event),
    ).toEqual(["ha_unavailable", "ha_unavailable", "ha_unavailable"]);
  });
});
