/**
 * The request handler answers the status probe and a passive's redirect before Koa makes a
 * context (http/app.ts, `early`). What a client, a scrape and the log see must be what the
 * Koa layers give for the same request: here both paths are taken on one handler (a request
 * whose credentials still need a check, or `/status/`, goes through Koa) and compared header
 * by header, in order, with the metrics counted exactly once per request.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiContext } from "../../src/api/context.js";
import { hashPassword } from "../../src/auth/passwords.js";
import { parseUsers } from "../../src/auth/users.js";
import { createHttpHandler } from "../../src/http/app.js";
import { createMetrics } from "../../src/metrics.js";

const ACTIVE = "http://127.0.0.1:21000";
const SELF = "http://127.0.0.1:21001";
const ADMIN = `Basic ${Buffer.from("admin:admin").toString("base64")}`;
const SEARCH = "/api/atlas/v2/search/basic?typeName=hive_table&query=sales%20db&limit=10";

interface Answer {
  status: number;
  /** Header names and values in the order sent, without Date. */
  headers: [string, string][];
  body: string;
}

/**
 * The handler over a stand-in of the rest of the server: the HA state, the config, metrics
 * and a logger that keeps its lines. Routes that the early answers never reach get stubs.
 */
async function server(state: { state: string; activeAddress: string | null }) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  const metrics = createMetrics("id1");
  const stub: unknown = new Proxy(() => stub, {
    get: (_target, key) => (key === "then" ? undefined : stub),
  });
  const config = {
    auth: { plainSha256: true, saltedSha256: true },
    selfAddress: SELF,
    passive: { mode: "redirect" },
    serverId: "id1",
    ids: ["id1"],
    addresses: {},
    http: { tls: null },
    limits: { maxBodyBytes: 1 << 20 },
  };
  const ha = {
    snapshot: () => ({ ...state, selfAddress: SELF, since: 0, epoch: 1 }),
    on: () => undefined,
  };
  const known: Record<string, unknown> = {
    config: new Proxy(config, {
      get: (t, k) => (k in t ? (t as Record<string | symbol, unknown>)[k] : stub),
    }),
    ha,
    metrics,
    logger,
    startedAt: Date.now(),
  };
  const api = new Proxy(known, { get: (t, k) => (k in t ? t[k as string] : stub) });
  const users = parseUsers(`admin=ADMIN::${await hashPassword("admin")}`, "users");
  const s = http.createServer(createHttpHandler(api as unknown as ApiContext, users));
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ask = (method: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          port: (s.address() as AddressInfo).port,
          host: "127.0.0.1",
          method,
          path,
          headers,
          agent,
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => {
            const headers: [string, string][] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2)
              if (res.rawHeaders[i] !== "Date")
                headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
            resolve({ status: res.statusCode!, headers, body });
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  const scrape = () => metrics.registry.metrics();
  const close = async () => {
    agent.destroy();
    s.closeAllConnections();
    s.close();
    await once(s, "close");
  };
  return { ask, scrape, lines, close, agent };
}

/** The answer with its request id checked and replaced by a placeholder. */
function anonymous(a: Answer): Answer {
  return {
    ...a,
    headers: a.headers.map(([k, v]) => {
      if (k !== "X-Request-Id") return [k, v];
      expect(v).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      return [k, "<id>"];
    }),
  };
}

function count(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe("early answers (status probe, passive redirect) against the Koa layers", () => {
  const open: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it("a passive's 302/307 is the Koa layers' answer, counted and logged once per request", async () => {
    const s = await server({ state: "PASSIVE", activeAddress: ACTIVE });
    open.push(s);
    // Credentials on a new connection need a check: Koa's path. The next request on that
    // connection, with the same header, is redirected early; so is one without credentials.
    const checked = await s.ask("GET", SEARCH, { authorization: ADMIN });
    const knownConnection = await s.ask("GET", SEARCH, { authorization: ADMIN });
    const without = await s.ask("GET", SEARCH);
    const expected: Answer = {
      status: 302,
      headers: [
        ["X-Request-Id", "<id>"],
        ["Location", `${ACTIVE}${SEARCH}`],
        ["Cache-Control", "no-store"],
        ["Content-Type", "text/plain; charset=utf-8"],
        ["Content-Length", "0"],
        ["Connection", "keep-alive"],
        ["Keep-Alive", "timeout=5"],
      ],
      body: "",
    };
    for (const a of [checked, knownConnection, without]) expect(anonymous(a)).toEqual(expected);
    // HEAD is a 302 too, POST a 307; each the same on both paths.
    const head = await s.ask("HEAD", SEARCH, { authorization: ADMIN });
    const post = await s.ask("POST", "/api/atlas/v2/entity", { "x-request-id": "lb-7f3a:42" });
    expect(anonymous(head)).toEqual(expected);
    expect(post.status).toBe(307);
    expect(post.headers[0]).toEqual(["X-Request-Id", "lb-7f3a:42"]);
    expect(post.headers[1]).toEqual(["Location", `${ACTIVE}/api/atlas/v2/entity`]);

    const text = await s.scrape();
    expect(count(text, 'atlas_http_redirects_total{status="302",server_id="id1"}')).toBe(4);
    expect(count(text, 'atlas_http_redirects_total{status="307",server_id="id1"}')).toBe(1);
    const histogram = (route: string, status: number) =>
      count(
        text,
        `atlas_http_request_duration_seconds_count{server_id="id1",route="${route}",status="${status}"}`,
      );
    expect(histogram("/api/atlas/v2/search", 302)).toBe(4);
    expect(histogram("/api/atlas/v2/entity", 307)).toBe(1);
    // One debug line per request, as from the Koa layer: the user once known.
    const logged = s.lines.filter((l) => l.event === "http_request");
    expect(logged.map((l) => [l.method, l.path, l.status, l.user])).toEqual([
      ["GET", "/api/atlas/v2/search/basic", 302, "admin"],
      ["GET", "/api/atlas/v2/search/basic", 302, "admin"],
      ["GET", "/api/atlas/v2/search/basic", 302, undefined],
      ["HEAD", "/api/atlas/v2/search/basic", 302, "admin"],
      ["POST", "/api/atlas/v2/entity", 307, undefined],
    ]);
    expect(logged.every((l) => l.level === 20 && typeof l.requestId === "string")).toBe(true);
    expect(logged[4]!.requestId).toBe("lb-7f3a:42");
  });

  it("wrong credentials, a path a passive answers itself and a fragment still take the Koa layers", async () => {
    const s = await server({ state: "PASSIVE", activeAddress: ACTIVE });
    open.push(s);
    expect((await s.ask("GET", SEARCH, { authorization: ADMIN })).status).toBe(302);
    // Another header on the admitted connection: checked, refused.
    const wrong = await s.ask("GET", SEARCH, {
      authorization: `Basic ${Buffer.from("admin:nope").toString("base64")}`,
    });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ errorCode: "ATLAS-401-00-001" });
    // The HA page's data is answered by a passive itself, without a login.
    expect((await s.ask("GET", "/api/atlas/admin/liveness")).status).toBe(200);
    const fragment = await s.ask("GET", "/api/atlas/v2/entity#x");
    expect(fragment.status).toBe(302);
    expect(fragment.headers[1]).toEqual(["Location", `${ACTIVE}/api/atlas/v2/entity#x`]);
  });

  it("a passive that cannot redirect answers the middleware's 503 as Koa would", async () => {
    // The active's address is this instance's own: redirecting would loop.
    const s = await server({ state: "PASSIVE", activeAddress: SELF });
    open.push(s);
    const early = await s.ask("GET", SEARCH);
    const checked = await s.ask("GET", SEARCH, { authorization: ADMIN });
    for (const a of [early, checked]) {
      expect(a.status).toBe(503);
      expect(JSON.parse(a.body)).toMatchObject({ errorCode: expect.stringMatching(/^ATLAS-503-/) });
      expect(a.headers.map(([k]) => k)).toEqual([
        "X-Request-Id",
        "Retry-After",
        "Cache-Control",
        "Content-Type",
        "Content-Length",
        "Connection",
        "Keep-Alive",
      ]);
    }
    expect(anonymous(early)).toEqual(anonymous(checked));
    const text = await s.scrape();
    expect(
      count(text, 'atlas_http_unavailable_total{reason="active_is_self",server_id="id1"}'),
    ).toBe(2);
  });

  it("the status probe is the router's answer for the same state, GET and HEAD", async () => {
    const s = await server({ state: "ACTIVE", activeAddress: SELF });
    open.push(s);
    for (const method of ["GET", "HEAD"]) {
      const early = await s.ask(method, "/api/atlas/admin/status");
      const routed = await s.ask(method, "/api/atlas/admin/status/"); // through Koa's router
      expect(anonymous(early)).toEqual(anonymous(routed));
      expect(early.status).toBe(200);
      expect(early.body).toBe(method === "GET" ? '{"Status":"ACTIVE"}' : "");
      expect(early.headers).toContainEqual(["Content-Length", "19"]);
    }
    const text = await s.scrape();
    expect(
      count(
        text,
        'atlas_http_request_duration_seconds_count{server_id="id1",route="/api/atlas/admin/status",status="200"}',
      ),
    ).toBe(4);
  });
});
