// Request targets sent as exact bytes over a socket to a real loopback server running
// app.callback(): what HTTP clients would normalise (empty "?", absolute-form, `OPTIONS *`).
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../src/index.js";
import type { RejectedEvent } from "../src/index.js";
import { ACTIVE_ADDRESS, SELF_ADDRESS, appWith, passive, rawRequest } from "./helpers.js";

const get = (target: string, extra = "") =>
  `GET ${target} HTTP/1.1\r\nHost: 10.0.0.5:21000\r\n${extra}Connection: close\r\n\r\n`;

describe("the Location of a redirect is the active address plus the raw target, byte for byte", () => {
  const targets = [
    "/api/atlas/v2/search/basic?query=a%3Db",
    "/api/atlas/v2/search/basic?query=a%26b&x=%2B",
    "/api/atlas/v2/search/basic?query=a%20b",
    "/api/atlas/v2/search/basic?query=a+b",
    "/api/atlas/v2/search/basic?query=caf%C3%A9&q=%E2%9C%93",
    "/api/atlas/v2/search/basic?typeName=a&typeName=b&typeName=a",
    "/api/atlas/v2/search/basic?",
    "/api/atlas/v2/search/basic??x==&&",
    "/api/atlas/v2/entity/guid/a%2Fb%2f",
    "/api/atlas/v2/entity/guid/%7e%7E~",
    "/api/atlas/v2/./entity/../entity",
    "/api/atlas/v2/search/basic?q=%zz%",
    '/api/atlas/v2/search/basic?q=[]{}|^`\\"<>',
    "/",
    "//evil.example/x",
  ];
  for (const target of targets) {
    it(`keeps ${target}`, async () => {
      const { app, served } = appWith({ source: () => passive() });
      const res = await rawRequest(app, get(target));
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(ACTIVE_ADDRESS + target);
      expect(served).toEqual([]);
    });
  }

  it("keeps the bytes for a 307 too, and a path starting with // stays on the active's origin", async () => {
    const { app } = appWith({ source: () => passive() });
    const res = await rawRequest(
      app,
      `POST //evil.example/a?b=%2F HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}//evil.example/a?b=%2F`);
    expect(new URL(res.headers.location ?? "").origin).toBe(ACTIVE_ADDRESS);
  });
});

describe("an absolute-form request target", () => {
  it("is redirected to the active with its path and query only; its authority is dropped", async () => {
    const { app } = appWith({ source: () => passive() });
    const res = await rawRequest(
      app,
      get("http://evil.example:8080/api/atlas/v2/entity/guid/x?a=%3D"),
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/api/atlas/v2/entity/guid/x?a=%3D`);
  });

  it("with an empty path gets / (RFC 9112) and never the target's host", async () => {
    const { app } = appWith({ source: () => passive() });
    for (const [target, expected] of [
      ["https://evil.example", "/"],
      ["HTTP://evil.example?x=1", "/?x=1"],
      ["http://evil.example@10.0.0.7:21000/x", "/x"],
    ] as const) {
      const res = await rawRequest(app, get(target, "X-Forwarded-Host: evil.example\r\n"));
      expect(res.status, target).toBe(302);
      expect(res.headers.location, target).toBe(ACTIVE_ADDRESS + expected);
    }
  });

  it("of an exempt path is served locally", async () => {
    const { app, served } = appWith({ source: () => passive() });
    const res = await rawRequest(app, get("http://evil.example/api/atlas/admin/status"));
    expect(res.status).toBe(200);
    expect(served).toEqual(["http://evil.example/api/atlas/admin/status"]);
  });
});

describe("a request target that cannot be redirected", () => {
  it("gets 400 on a passive (OPTIONS *), counted and reported", async () => {
    const rejected: RejectedEvent[] = [];
    const { app, mw, served } = appWith({
      source: () => passive(),
      onRejected: (e) => rejected.push(e),
    });
    const res = await rawRequest(app, `OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(JSON.parse(res.body).errorCode).toBe(ERROR_CODES.unredirectable_target);
    expect(rejected).toEqual([{ method: "OPTIONS", status: 400, reason: "unredirectable_target" }]);
    expect(mw.counters).toEqual({ redirects: 0, unavailable: 0, rejected: 1 });
    expect(served).toEqual([]);
  });

  it("is served as usual by an active", async () => {
    const { app, served } = appWith({
      source: () => ({ state: "ACTIVE", activeAddress: SELF_ADDRESS }),
    });
    const res = await rawRequest(app, `OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(served).toEqual(["*"]);
  });

  it("still gets 503 while transitional", async () => {
    const { app } = appWith({ source: () => ({ state: "BECOMING_ACTIVE", activeAddress: null }) });
    const res = await rawRequest(app, `OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
  });
});

describe("methods outside the contract's two lists (302 or 307)", () => {
  for (const method of ["PROPFIND", "PURGE", "TRACE", "MKCOL"]) {
    it(`redirects ${method} with 307 so the method is kept`, async () => {
      const { app } = appWith({ source: () => passive() });
      const res = await rawRequest(
        app,
        `${method} /dav/x?y=%20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe(`${ACTIVE_ADDRESS}/dav/x?y=%20`);
    });
  }
});
