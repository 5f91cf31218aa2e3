// passive: "proxy" (docs/contracts/http.md, "Proxy mode"): a real Koa app with the middleware
// on a loopback server, in front of a real upstream HTTP server on a free port that stands for
// the active. Requests go over real sockets so the bytes on the wire are what is checked.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { freePort, waitFor } from "@atlas-ha/testkit";
import Koa from "koa";
import { afterEach, describe, expect, it } from "vitest";
import { ERROR_CODES, haRedirect } from "../src/index.js";
import type { HaRedirectOptions, ProxiedEvent, StateSnapshot } from "../src/index.js";
import { SELF_ADDRESS } from "./helpers.js";

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(server: http.Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The stand-in active: records what arrives, answers with `handler` (default: echo as JSON). */
async function upstream(
  handler?: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
) {
  const seen: Seen[] = [];
  const connections = { count: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const entry: Seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      rawHeaders: req.rawHeaders,
      headers: req.headers,
      body: Buffer.alloc(0),
    };
    seen.push(entry);
    if (handler) return handler(req, res, entry);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      entry.body = Buffer.concat(chunks);
      res.writeHead(201, { "Content-Type": "application/json", "X-Upstream": "yes" });
      res.end(JSON.stringify({ servedBy: "active", url: req.url, bytes: entry.body.length }));
    });
  });
  server.on("connection", () => connections.count++);
  const origin = await listen(server);
  return { origin, seen, connections, server };
}

/** The passive: haRedirect in proxy mode in front of a handler that says "served here". */
async function passiveProxy(
  activeAddress: string | null,
  options: Partial<HaRedirectOptions> = {},
  state: StateSnapshot["state"] = "PASSIVE",
) {
  const events: ProxiedEvent[] = [];
  const logs: Record<string, unknown>[] = [];
  const log = (entry: Record<string, unknown>) => logs.push(entry);
  const app = new Koa();
  app.silent = true; // a client that goes away mid-request is expected here
  app.use(async (ctx, next) => {
    ctx.set("X-Request-Id", "req-1");
    await next();
  });
  app.use(
    haRedirect({
      source: () => ({ state, activeAddress, epoch: 3 }),
      selfAddress: SELF_ADDRESS,
      passive: "proxy",
      logger: { debug: log, info: log, warn: log, error: log },
      onProxied: (e) => events.push(e),
      ...options,
    }),
  );
  app.use((ctx) => {
    ctx.body = { servedHere: true };
  });
  const server = http.createServer(app.callback());
  const origin = await listen(server);
  return { app, origin, port: Number(new URL(origin).port), events, logs };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function send(
  origin: string,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${origin}${path}`,
      { method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const BASIC = `Basic ${Buffer.from("admin:s3cret").toString("base64")}`;

describe("a passive in proxy mode with a known active", () => {
  for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) {
    it(`forwards a ${method} with its raw path and query bytes, body and credentials, and streams the answer back`, async () => {
      const active = await upstream();
      const passive = await passiveProxy(active.origin);
      const target = "/api/atlas/v2/entity/guid/g%2F1?a=%3D&b=+&c=%C3%A9&a=2&empty=&";
      const body = method === "GET" || method === "DELETE" ? undefined : '{"entity":{"a":"é"}}';
      const res = await send(passive.origin, target, {
        method,
        body,
        headers: {
          Authorization: BASIC,
          "Content-Type": "application/json",
          "X-Custom": "kept",
          Cookie: "a=1",
          Accept: "application/json",
        },
      });
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toEqual({
        servedBy: "active",
        url: target,
        bytes: body === undefined ? 0 : Buffer.byteLength(body),
      });
      expect(res.headers["x-upstream"]).toBe("yes");
      expect(active.seen).toHaveLength(1);
      const seen = active.seen[0]!;
      expect(seen.method).toBe(method);
      expect(seen.url).toBe(target);
      expect(seen.body.toString("utf8")).toBe(body ?? "");
      expect(seen.headers.authorization).toBe(BASIC);
      expect(seen.headers["x-custom"]).toBe("kept");
      expect(seen.headers.cookie).toBe("a=1");
      expect(seen.headers["content-type"]).toBe("application/json");
      // The active's own authority, the client's in X-Forwarded-Host.
      expect(seen.headers.host).toBe(new URL(active.origin).host);
      expect(seen.headers["x-forwarded-host"]).toBe(new URL(passive.origin).host);
      expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
      expect(seen.headers["x-forwarded-proto"]).toBe("http");
      expect(seen.headers.via).toBe("1.1 atlas-ha");
      expect(seen.headers["x-request-id"]).toBe("req-1");
      expect(passive.events).toEqual([
        expect.objectContaining({
          method,
          outcome: "answered",
          status: 201,
          target: active.origin,
        }),
      ]);
    });
  }

  it("appends itself to Via and X-Forwarded-* a client or gateway sent, and names itself in the answer's Via", async () => {
    const active = await upstream((_req, res) => {
      res.writeHead(200, { Via: "1.1 inner-gw" });
      res.end("ok");
    });
    const passive = await passiveProxy(active.origin, { proxy: { via: "atlas-2" } });
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs", {
      headers: {
        Via: "1.0 edge-gw",
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "atlas.example.com",
        "X-Request-Id": "client-7",
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.via).toBe("1.1 inner-gw, 1.1 atlas-2");
    const seen = active.seen[0]!.headers;
    expect(seen.via).toBe("1.0 edge-gw, 1.1 atlas-2");
    expect(seen["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("https, http");
    expect(seen["x-forwarded-host"]).toBe(`atlas.example.com, ${new URL(passive.origin).host}`);
    expect(seen["x-request-id"]).toBe("client-7");
  });

  it("drops hop-by-hop headers both ways, and the ones Connection names", async () => {
    const active = await upstream((_req, res) => {
      res.setHeader("Connection", "X-Upstream-Hop");
      res.setHeader("X-Upstream-Hop", "drop me");
      res.setHeader("Keep-Alive", "timeout=5");
      res.setHeader("Proxy-Authenticate", "Basic");
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.setHeader("X-Kept", "yes");
      res.end("ok");
    });
    const passive = await passiveProxy(active.origin);
    const res = await rawSend(
      passive.port,
      [
        "GET /api/atlas/v2/types/typedefs HTTP/1.1",
        `Host: ${new URL(passive.origin).host}`,
        "Connection: close, X-Client-Hop",
        "X-Client-Hop: drop me",
        "Keep-Alive: timeout=9",
        "TE: trailers",
        "Upgrade: websocket",
        "Proxy-Authorization: Basic eA==",
        "Proxy-Connection: keep-alive",
        "X-Kept: yes",
        "",
        "",
      ].join("\r\n"),
    );
    expect(res).toMatch(/^HTTP\/1\.1 200 /);
    const seen = active.seen[0]!.headers;
    for (const name of [
      "x-client-hop",
      "te",
      "upgrade",
      "proxy-authorization",
      "proxy-connection",
    ]) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(seen["keep-alive"]).toBeUndefined();
    expect(seen.connection).not.toContain("X-Client-Hop");
    expect(seen["x-kept"]).toBe("yes");
    expect(res).not.toMatch(/x-upstream-hop/i);
    expect(res).not.toMatch(/proxy-authenticate/i);
    expect(res).toMatch(/\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n/i);
    expect(res).toMatch(/\r\nX-Kept: yes\r\n/i);
  });

  it("streams a request body: the active sees the first bytes before the client has sent the rest", async () => {
    let firstBytes!: () => void;
    const arrived = new Promise<void>((resolve) => (firstBytes = resolve));
    const active = await upstream((req, res) => {
      let size = 0;
      req.on("data", (c: Buffer) => {
        if (size === 0) firstBytes();
        size += c.length;
      });
      req.on("end", () => res.end(JSON.stringify({ size })));
    });
    const passive = await passiveProxy(active.origin);
    const client = http.request(`${passive.origin}/api/atlas/v2/entity/bulk`, {
      method: "POST",
      agent: false,
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
    });
    const answered = new Promise<string>((resolve, reject) => {
      client.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve(text));
      });
      client.on("error", reject);
    });
    client.write(Buffer.alloc(64 * 1024, "a"));
    // Without streaming, the passive would wait for the whole body and this would never come.
    await arrived;
    expect(active.seen[0]!.headers["transfer-encoding"]).toBe("chunked");
    client.end(Buffer.alloc(64 * 1024, "b"));
    expect(JSON.parse(await answered)).toEqual({ size: 128 * 1024 });
  });

  it("streams the answer: the client reads the first part before the active has finished", async () => {
    let finishAnswer!: () => void;
    const active = await upstream((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.write("first part;");
      finishAnswer = () => res.end("second part");
    });
    const passive = await passiveProxy(active.origin);
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get(`${passive.origin}/api/atlas/v2/search/basic`, { agent: false }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
            if (body === "first part;") finishAnswer();
          });
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
    expect(text).toBe("first part;second part");
  });

  it("keeps the connection to the active alive across requests", async () => {
    const active = await upstream();
    const passive = await passiveProxy(active.origin);
    for (let i = 0; i < 3; i++) {
      expect((await send(passive.origin, `/api/atlas/v2/entity/guid/${i}`)).status).toBe(201);
    }
    expect(active.connections.count).toBe(1);
  });

  it("never sends a request anywhere but the active address: an absolute-form target keeps only its path", async () => {
    const active = await upstream();
    const passive = await passiveProxy(active.origin);
    const res = await rawSend(
      passive.port,
      "GET http://evil.example/api/atlas/v2/types/typedefs?x=%3D HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    expect(res).toMatch(/^HTTP\/1\.1 201 /);
    expect(active.seen.map((s) => [s.url, s.headers.host])).toEqual([
      ["/api/atlas/v2/types/typedefs?x=%3D", new URL(active.origin).host],
    ]);
  });

  it("still answers the exempt admin paths itself", async () => {
    const active = await upstream();
    const passive = await passiveProxy(active.origin);
    const res = await send(passive.origin, "/api/atlas/admin/status");
    expect(JSON.parse(res.body)).toEqual({ servedHere: true });
    expect(active.seen).toEqual([]);
  });

  it("relays an answer the active gives before the whole body is in, and closes that connection rather than leaving the request open", async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    const active = await upstream((req, res) => {
      req.socket.on("close", () => closed());
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end('{"errorCode":"ATLAS-401-00-001","errorMessage":"authentication required"}');
    });
    const passive = await passiveProxy(active.origin);
    const client = http.request(`${passive.origin}/api/atlas/v2/entity`, {
      method: "POST",
      agent: false,
      headers: { "Transfer-Encoding": "chunked", "Content-Type": "application/json" },
    });
    const status = new Promise<number>((resolve, reject) => {
      client.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      client.on("error", reject);
    });
    client.write('{"entity":');
    expect(await status).toBe(401);
    await upstreamClosed;
    client.destroy();
    expect(passive.events).toEqual([expect.objectContaining({ outcome: "answered", status: 401 })]);
  });

  it("relays the active's error answers unchanged (401 with its challenge)", async () => {
    const active = await upstream((_req, res) => {
      res.writeHead(401, {
        "WWW-Authenticate": 'Basic realm="atlas"',
        "Content-Type": "application/json",
      });
      res.end('{"errorCode":"ATLAS-401-00-001","errorMessage":"authentication required"}');
    });
    const passive = await passiveProxy(active.origin);
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Basic realm="atlas"');
    expect(JSON.parse(res.body).errorCode).toBe("ATLAS-401-00-001");
  });
});

describe("a passive in proxy mode in front of an https active", () => {
  /** A self-signed certificate for 127.0.0.1, made with openssl as the server's TLS test does. */
  function selfSigned(): { key: string; cert: string } {
    const dir = mkdtempSync(join(tmpdir(), "proxy-tls-"));
    try {
      execFileSync(
        "/usr/bin/openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
          "-days",
          "2",
        ],
        { stdio: "ignore" },
      );
      return {
        key: readFileSync(join(dir, "key.pem"), "utf8"),
        cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("forwards over TLS to a certificate it trusts, and refuses (502) one it does not", async () => {
    const { key, cert } = selfSigned();
    const seen: string[] = [];
    const server = https.createServer({ key, cert }, (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.host}`);
      res.end(JSON.stringify({ overTls: (req.socket as { encrypted?: boolean }).encrypted }));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const trusting = await passiveProxy(origin, { proxy: { ca: cert } });
    const res = await send(trusting.origin, "/api/atlas/v2/types/typedefs?x=1");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ overTls: true });
    expect(seen).toEqual([`GET /api/atlas/v2/types/typedefs?x=1 ${new URL(origin).host}`]);

    const untrusting = await passiveProxy(origin);
    const refused = await send(untrusting.origin, "/api/atlas/v2/types/typedefs");
    expect(refused.status).toBe(502);
    expect(untrusting.logs.find((l) => l.event === "ha_proxy_upstream_failed")).toMatchObject({
      error: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(seen).toHaveLength(1);
  });
});

describe("a passive in proxy mode that cannot forward", () => {
  it("answers 503 with Retry-After when no active is known", async () => {
    const passive = await passiveProxy(null);
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(JSON.parse(res.body).errorCode).toBe(ERROR_CODES.active_unknown);
    expect(passive.events).toEqual([]);
  });

  it("answers 503 rather than forwarding to itself when it is still published as the active", async () => {
    const passive = await passiveProxy(SELF_ADDRESS);
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).errorCode).toBe(ERROR_CODES.active_is_self);
  });

  it("answers 503 to a request another passive of the group forwarded already, whatever the case or port in its Via", async () => {
    const active = await upstream();
    const passive = await passiveProxy(active.origin, {
      proxy: { via: "atlas-1", groupVia: ["atlas-2", "atlas-3"] },
    });
    for (const via of ["1.1 ATLAS-2", "1.0 gw, 1.1 atlas-3:21000", "1.1 atlas-1"]) {
      const res = await send(passive.origin, "/api/atlas/v2/types/typedefs", {
        headers: { Via: via },
      });
      expect({ via, status: res.status, code: JSON.parse(res.body).errorCode }).toEqual({
        via,
        status: 503,
        code: ERROR_CODES.proxy_loop,
      });
      expect(res.headers["retry-after"]).toBe("1");
    }
    expect(active.seen).toEqual([]);
    // A gateway of another name in front is no loop.
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs", {
      headers: { Via: "1.1 atlas-20, 1.1 knox" },
    });
    expect(res.status).toBe(201);
  });

  it("answers 502 in Atlas's error shape when the active refuses the connection, and logs it without credentials", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const passive = await passiveProxy(closed);
    const res = await send(passive.origin, "/api/atlas/v2/entity?x=secret-query", {
      method: "POST",
      headers: { Authorization: BASIC, "Content-Type": "application/json" },
      body: '{"entity":{}}',
    });
    expect(res.status).toBe(502);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      errorCode: "ATLAS-502-00-001",
      errorMessage: expect.stringContaining("could not get an answer from the active"),
    });
    expect(passive.events).toEqual([
      expect.objectContaining({ outcome: "upstream_failed", status: 502, target: closed }),
    ]);
    const failure = passive.logs.find((l) => l.event === "ha_proxy_upstream_failed");
    expect(failure).toMatchObject({
      method: "POST",
      path: "/api/atlas/v2/entity",
      target: closed,
      phase: "connect",
      error: "ECONNREFUSED",
    });
    const logged = JSON.stringify(passive.logs);
    expect(logged).not.toContain(BASIC.slice(6));
    expect(logged).not.toContain("secret-query");
    expect(logged).not.toContain('{"entity"');
  });

  it("answers 504 when the active takes longer than the response timeout", async () => {
    const active = await upstream(() => {
      // never answers
    });
    const passive = await passiveProxy(active.origin, { proxy: { responseTimeoutMs: 300 } });
    const res = await send(passive.origin, "/api/atlas/v2/search/basic?query=slow");
    expect(res.status).toBe(504);
    expect(res.headers["retry-after"]).toBe("1");
    expect(JSON.parse(res.body).errorCode).toBe("ATLAS-504-00-001");
    expect(passive.events).toEqual([
      expect.objectContaining({ outcome: "upstream_timeout", status: 504 }),
    ]);
    expect(passive.logs.find((l) => l.event === "ha_proxy_upstream_failed")).toMatchObject({
      phase: "request",
      error: "PROXY_RESPONSE_TIMEOUT",
    });
  });

  it("answers 504 when the connection to the active cannot be made within the connect timeout", async () => {
    // A listener that never accepts, with an accept queue of one, filled: the kernel drops
    // further SYNs, so a connection attempt hangs as to a host that does not answer.
    const listener = spawn(
      "python3",
      [
        "-c",
        "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0); print(s.getsockname()[1], flush=True); sys.stdin.read()",
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    closers.push(async () => {
      listener.kill();
      await once(listener, "close");
    });
    const [line] = (await once(listener.stdout, "data")) as [Buffer];
    const port = Number(line.toString().trim());
    const filler = net.connect(port, "127.0.0.1");
    closers.push(async () => void filler.destroy());
    await once(filler, "connect");

    const passive = await passiveProxy(`http://127.0.0.1:${port}`, {
      proxy: { connectTimeoutMs: 300, responseTimeoutMs: 60_000 },
    });
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body).errorCode).toBe("ATLAS-504-00-001");
    expect(passive.logs.find((l) => l.event === "ha_proxy_upstream_failed")).toMatchObject({
      phase: "connect",
      error: "PROXY_CONNECT_TIMEOUT",
      outcome: "upstream_timeout",
    });
  });

  it("answers 413 to a declared body over the limit without sending anything to the active", async () => {
    const active = await upstream();
    const passive = await passiveProxy(active.origin, { proxy: { maxBodyBytes: 1000 } });
    const res = await send(passive.origin, "/api/atlas/v2/entity", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: Buffer.alloc(1001, "x"),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errorCode).toBe("ATLAS-413-00-001");
    expect(active.seen).toEqual([]);
    expect(passive.events).toEqual([
      expect.objectContaining({ outcome: "too_large", status: 413 }),
    ]);
  });

  it("answers 413 to a chunked body that grows over the limit, and the active gets a broken request, never a short one", async () => {
    let aborted!: () => void;
    const broken = new Promise<void>((resolve) => (aborted = resolve));
    let completed = false;
    const active = await upstream((req) => {
      req.on("data", () => undefined);
      req.on("end", () => (completed = true));
      req.on("close", () => {
        if (!req.complete) aborted();
      });
    });
    const passive = await passiveProxy(active.origin, { proxy: { maxBodyBytes: 1000 } });
    const client = http.request(`${passive.origin}/api/atlas/v2/entity`, {
      method: "POST",
      agent: false,
      headers: { "Transfer-Encoding": "chunked", "Content-Type": "application/json" },
    });
    const answered = new Promise<Answer>((resolve, reject) => {
      client.on("response", (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: [], body }),
        );
      });
      client.on("error", reject);
    });
    client.write(Buffer.alloc(600, "a"));
    await waitFor(() => active.seen.length === 1 || undefined, {
      timeoutMs: 5000,
      intervalMs: 10,
      what: "the first chunk at the active",
    });
    client.end(Buffer.alloc(600, "b"));
    const res = await answered;
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errorCode).toBe("ATLAS-413-00-001");
    await broken;
    expect(completed).toBe(false);
  });

  it("cuts the client's connection when the active's answer breaks off midway, so a short body never looks complete", async () => {
    const active = await upstream((_req, res) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write("only part");
      setImmediate(() => res.destroy());
    });
    const passive = await passiveProxy(active.origin);
    const error = await send(passive.origin, "/api/atlas/v2/entity/guid/g").then(
      (answer) => answer,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    await waitFor(() => passive.events.length === 1 || undefined, {
      timeoutMs: 5000,
      intervalMs: 10,
      what: "the proxied event",
    });
    expect(passive.events[0]).toMatchObject({ outcome: "response_failed", status: 200 });
  });

  it("abandons the forwarded request when the client goes away mid-body", async () => {
    let aborted!: () => void;
    const broken = new Promise<void>((resolve) => (aborted = resolve));
    const active = await upstream((req) => {
      req.on("data", () => undefined);
      req.on("close", () => {
        if (!req.complete) aborted();
      });
    });
    const passive = await passiveProxy(active.origin);
    const socket = net.connect(passive.port, "127.0.0.1");
    await once(socket, "connect");
    socket.write(
      "POST /api/atlas/v2/entity HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n" +
        "a".repeat(100),
    );
    await waitFor(() => active.seen.length === 1 || undefined, {
      timeoutMs: 5000,
      intervalMs: 10,
      what: "the request at the active",
    });
    socket.destroy();
    await broken;
    await waitFor(() => passive.events.length === 1 || undefined, {
      timeoutMs: 5000,
      intervalMs: 10,
      what: "the proxied event",
    });
    expect(passive.events[0]).toMatchObject({ outcome: "client_aborted" });
  });

  it("answers 503 while in transition, as in redirect mode", async () => {
    const active = await upstream();
    const passive = await passiveProxy(active.origin, {}, "BECOMING_ACTIVE");
    const res = await send(passive.origin, "/api/atlas/v2/types/typedefs");
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).errorCode).toBe(ERROR_CODES.transitional);
    expect(active.seen).toEqual([]);
  });
});

/** Exact request bytes over a socket (with `Connection: close`); the whole answer as text. */
async function rawSend(port: number, head: string): Promise<string> {
  const socket = net.connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  // Written, not ended: a server that sees the client's FIN drops a request still in flight.
  socket.write(Buffer.from(head, "latin1"));
  await once(socket, "close");
  return Buffer.concat(chunks).toString("latin1");
}
