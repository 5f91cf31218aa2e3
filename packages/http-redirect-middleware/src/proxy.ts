/**
 * Proxy mode (docs/contracts/http.md, "Proxy mode"): a passive forwards a request to the
 * active and streams the answer back, for clients that drop their credentials on a redirect
 * to another host. The target is only ever the origin the state source reports (ZooKeeper's
 * `active_server_info`) plus the raw path and query; nothing in the request chooses it.
 *
 * Both directions stream: the request body is written to the active as it arrives (counted
 * against `maxBodyBytes`), and the active's answer is piped to the client with Koa out of the
 * way (`ctx.respond = false`). Answers we give ourselves (413, 502, 504, the loop's 503) go
 * out through Koa as Atlas JSON errors, before any byte of the active's answer.
 */
import http from "node:http";
import https from "node:https";
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { ATLAS_ERRORS, type Logger } from "@atlas-ha/shared";
import type { ResolvedProxyOptions } from "./options.js";
import type { ProxiedEvent, ProxyOutcome, RedirectContext, UnavailableReason } from "./types.js";

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), besides `Proxy-*`. */
const HOP_BY_HOP: readonly string[] = [
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];
/**
 * Not copied from the client's request: the hop-by-hop ones; `Expect` (Node has sent the
 * 100 Continue already, the active must not wait for one); and the ones set below (Host is the
 * active's, the others get this hop appended).
 */
const REQUEST_DROPPED: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  "expect",
  "host",
  "via",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
]);
/** Not copied from the active's answer: the hop-by-hop ones, and Via (this hop appended). */
const ANSWER_DROPPED: ReadonlySet<string> = new Set([...HOP_BY_HOP, "via"]);

/** How long an oversized body is read and dropped before the 413, as the server's body reader does. */
const LINGER_MS = 1000;

/** The error a timer destroys the upstream request with, to tell a timeout from a refusal. */
class UpstreamTimeout extends Error {
  override readonly name = "UpstreamTimeout" as const;
  readonly code: "PROXY_CONNECT_TIMEOUT" | "PROXY_RESPONSE_TIMEOUT";
  constructor(code: "PROXY_CONNECT_TIMEOUT" | "PROXY_RESPONSE_TIMEOUT") {
    super(code === "PROXY_CONNECT_TIMEOUT" ? "connect timeout" : "response timeout");
    this.code = code;
  }
}

export interface ProxyHooks {
  readonly logger: Logger;
  readonly unavailable: (
    ctx: RedirectContext,
    method: string,
    reason: UnavailableReason,
    state: string | null,
  ) => void;
  readonly onProxied: (event: ProxiedEvent) => void;
}

export type Forward = (
  ctx: RedirectContext,
  origin: string,
  pathAndQuery: string,
  method: string,
) => Promise<void>;

export function createProxy(p: ResolvedProxyOptions, hooks: ProxyHooks): Forward {
  // Keep-alive to the active: a passive in front of many clients reuses a few connections
  // instead of opening one per request. Node closes an idle one a second before the active's
  // announced `Keep-Alive: timeout`, so a reused socket is rarely one the active just closed.
  const agents = {
    "http:": new http.Agent({ keepAlive: true, scheduling: "lifo" }),
    "https:": new https.Agent({
      keepAlive: true,
      scheduling: "lifo",
      ...(p.ca ? { ca: [...p.ca] } : {}),
    }),
  };

  return (ctx, origin, pathAndQuery, method) => {
    const req = ctx.req as IncomingMessage;
    const res = ctx.res as ServerResponse | undefined;
    if (typeof res?.writeHead !== "function" || typeof req.on !== "function") {
      throw new TypeError('haRedirect passive: "proxy" needs a Koa context (ctx.req, ctx.res)');
    }
    // A passive of the group forwarded this already: forwarding again could go round in a
    // circle (two passives that each see the other as active, during a transition).
    if (viaNames(req.headers.via).some((name) => p.groupVia.has(name))) {
      hooks.unavailable(ctx, method, "proxy_loop", "PASSIVE");
      return DONE;
    }

    const started = performance.now();
    const path = pathOnly(pathAndQuery);
    let finished = false;
    const finish = (outcome: ProxyOutcome, status: number): void => {
      if (finished) return;
      finished = true;
      hooks.onProxied({
        method,
        outcome,
        status,
        target: origin,
        ms: performance.now() - started,
      });
    };
    const answer = (status: 413 | 502 | 504, code: string, message: string): void => {
      ctx.status = status;
      ctx.set("Cache-Control", "no-store");
      ctx.body = { errorCode: code, errorMessage: message };
    };
    const tooLarge = (): void => {
      answer(413, ATLAS_ERRORS.TOO_LARGE.code, `request body larger than ${p.maxBodyBytes} bytes`);
      finish("too_large", 413);
    };

    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > p.maxBodyBytes) {
      return linger(req).then(tooLarge);
    }
    const chunked = declared === undefined && req.headers["transfer-encoding"] !== undefined;
    const headers = forwardHeaders(req, res, origin, p.via, chunked);
    const target = new URL(origin);
    const agent = agents[target.protocol as "http:" | "https:"];
    // Only a request without a body can be sent again: its bytes are not gone yet.
    const replayable = !chunked && (declared === undefined || declared === "0");

    return new Promise<void>((resolve) => {
      let upstream: ClientRequest;
      let connected = false;
      let responded = false;
      let bodyDone = false;
      // Set when we destroy the upstream request ourselves: its errors are no news then.
      let abandoned = false;

      const stopReadingBody = (): void => {
        req.off("data", onData);
        req.off("end", onEnd);
      };
      const abandon = (): void => {
        abandoned = true;
        stopReadingBody();
        upstream.destroy();
      };
      const logFailure = (outcome: ProxyOutcome, err: Error): void =>
        hooks.logger.warn({
          event: "ha_proxy_upstream_failed",
          method,
          path,
          target: origin,
          outcome,
          phase: responded ? "response" : connected ? "request" : "connect",
          error: (err as { code?: string }).code ?? err.message,
          ms: Math.round(performance.now() - started),
        });

      const failed = (err: Error): void => {
        if (finished) return;
        const timeout = err instanceof UpstreamTimeout;
        if (responded) {
          // Part of the active's answer is out: the client must see it broken, not complete.
          logFailure("response_failed", err);
          abandon();
          res.destroy();
          finish("response_failed", res.statusCode);
          resolve();
          return;
        }
        const outcome = timeout ? "upstream_timeout" : "upstream_failed";
        logFailure(outcome, err);
        abandon();
        // Node reads and drops whatever is left of the body once the answer is sent.
        if (timeout) {
          answer(
            504,
            ATLAS_ERRORS.PROXY_UPSTREAM_TIMEOUT.code,
            "This Atlas server is passive and the active server did not answer in time; retry shortly",
          );
        } else {
          answer(
            502,
            ATLAS_ERRORS.PROXY_UPSTREAM_FAILED.code,
            "This Atlas server is passive and could not get an answer from the active server; retry shortly",
          );
        }
        ctx.set("Retry-After", "1");
        finish(outcome, timeout ? 504 : 502);
        resolve();
      };

      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > p.maxBodyBytes) {
          // Destroyed, never ended: the active must not take the first part for the whole.
          abandon();
          if (responded) {
            res.destroy();
            finish("too_large", res.statusCode);
            resolve();
            return;
          }
          void linger(req).then(() => {
            tooLarge();
            resolve();
          });
          return;
        }
        if (!upstream.write(chunk)) {
          req.pause();
          upstream.once("drain", () => req.resume());
        }
      };
      const onEnd = (): void => {
        bodyDone = true;
        upstream.end();
      };
      // The client went away before the active's answer was out: the active gets a broken
      // request (never a short one that looks complete), and nobody waits for its answer.
      res.once("close", () => {
        if (finished || res.writableFinished) return;
        abandon();
        finish("client_aborted", responded ? res.statusCode : 0);
        resolve();
      });

      const send = (retry: boolean): void => {
        upstream = (target.protocol === "https:" ? https : http).request({
          protocol: target.protocol,
          hostname: target.hostname.replace(/^\[(.*)\]$/, "$1"),
          port: target.port === "" ? undefined : Number(target.port),
          method,
          path: pathAndQuery,
          headers,
          agent,
        });
        upstream.on("socket", (socket: Socket) => {
          if (!socket.connecting) {
            connected = true;
            return;
          }
          const timer = setTimeout(
            () => upstream.destroy(new UpstreamTimeout("PROXY_CONNECT_TIMEOUT")),
            p.connectTimeoutMs,
          );
          const done = (): void => {
            clearTimeout(timer);
            connected = !socket.destroyed;
          };
          socket.once(target.protocol === "https:" ? "secureConnect" : "connect", done);
          socket.once("close", done);
        });
        // Silence is counted only while we wait for the active: not while the client is
        // still sending its body, nor while the client is slow to read the answer.
        upstream.setTimeout(p.responseTimeoutMs);
        upstream.on("timeout", () => {
          if (!bodyDone || (responded && res.writableNeedDrain)) {
            upstream.setTimeout(p.responseTimeoutMs);
            return;
          }
          upstream.destroy(new UpstreamTimeout("PROXY_RESPONSE_TIMEOUT"));
        });
        const sent = upstream;
        upstream.on("error", (err: Error) => {
          if (abandoned || sent !== upstream) return;
          if (
            retry &&
            !responded &&
            upstream.reusedSocket &&
            (err as { code?: string }).code === "ECONNRESET"
          ) {
            // The active closed an idle kept-alive connection as we reused it; nothing
            // reached it, so a request without a body goes again on a new connection.
            send(false);
            if (bodyDone) upstream.end();
            return;
          }
          failed(err);
        });
        upstream.on("response", (upstreamRes: IncomingMessage) => {
          if (finished) {
            upstreamRes.destroy();
            return;
          }
          responded = true;
          ctx.respond = false;
          // One setHeader per name with every value: repeated headers (Set-Cookie) stay
          // separate lines, and the active's replace any this server set (X-Request-Id).
          for (const [name, values] of answerHeaders(upstreamRes, p.via)) {
            res.setHeader(name, values.length === 1 ? values[0]! : values);
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage);
          // pipe(), not pipeline(): pipeline makes an AbortController and an AbortError (with
          // its stack) per call, a cost that showed per forwarded request. Its two jobs are
          // done here: a broken answer is failed() (the client's connection cut), and a
          // client that goes away abandons the upstream request (the "close" handler above).
          upstreamRes.on("error", failed);
          res.once("finish", () => {
            finish("answered", res.statusCode);
            // The active answered before it had the whole body (a 401, say): the rest is
            // not sent, and the connection, with a request left open on it, is not reused.
            if (!bodyDone) abandon();
            resolve();
          });
          upstreamRes.pipe(res);
        });
      };

      send(replayable);
      if (replayable) {
        // No body: the request goes out whole at once (headers and end in one write).
        onEnd();
      } else {
        req.on("data", onData);
        req.on("end", onEnd);
        if (req.readableEnded) onEnd();
      }
    });
  };
}

const DONE: Promise<void> = Promise.resolve();

/** The request's headers for the active, in their order and spelling, as a flat list. */
function forwardHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  via: string,
  chunked: boolean,
): string[] {
  const listed = connectionListed(req.headers.connection);
  const out: string[] = [];
  const raw = req.rawHeaders;
  let hasRequestId = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (REQUEST_DROPPED.has(lower) || lower.startsWith("proxy-") || listed.has(lower)) continue;
    if (lower === "x-request-id") hasRequestId = true;
    out.push(name, raw[i + 1]!);
  }
  // The authority of the server the request goes to, as TLS names and virtual hosts expect;
  // the client's own Host goes on in X-Forwarded-Host.
  out.push("Host", new URL(origin).host);
  if (chunked) out.push("Transfer-Encoding", "chunked");
  out.push("Via", appendList(req.headers.via, `${req.httpVersion} ${via}`));
  out.push(
    "X-Forwarded-For",
    appendList(req.headers["x-forwarded-for"], req.socket.remoteAddress ?? "unknown"),
  );
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  out.push(
    "X-Forwarded-Proto",
    appendList(req.headers["x-forwarded-proto"], encrypted ? "https" : "http"),
  );
  if (req.headers.host !== undefined)
    out.push("X-Forwarded-Host", appendList(req.headers["x-forwarded-host"], req.headers.host));
  // One request id in both servers' logs: the one this server gave the request, if any.
  const requestId = res.getHeader("x-request-id");
  if (!hasRequestId && typeof requestId === "string") out.push("X-Request-Id", requestId);
  return out;
}

/**
 * The active's answer headers for the client, by name (first spelling kept) with every value:
 * hop-by-hop ones dropped, our Via appended.
 */
function answerHeaders(upstreamRes: IncomingMessage, via: string): Map<string, string[]> {
  const listed = connectionListed(upstreamRes.headers.connection);
  const byName = new Map<string, [string, string[]]>();
  const raw = upstreamRes.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (ANSWER_DROPPED.has(lower) || lower.startsWith("proxy-") || listed.has(lower)) continue;
    const entry = byName.get(lower);
    if (entry === undefined) byName.set(lower, [name, [raw[i + 1]!]]);
    else entry[1].push(raw[i + 1]!);
  }
  byName.set("via", [
    "Via",
    [appendList(upstreamRes.headers.via, `${upstreamRes.httpVersion} ${via}`)],
  ]);
  return new Map([...byName.values()]);
}

function connectionListed(value: string | undefined): ReadonlySet<string> {
  if (value === undefined) return EMPTY;
  return new Set(value.split(",").map((s) => s.trim().toLowerCase()));
}
const EMPTY: ReadonlySet<string> = new Set();

function appendList(existing: string | string[] | undefined, value: string): string {
  const before = Array.isArray(existing) ? existing.join(", ") : existing;
  return before === undefined || before.trim() === "" ? value : `${before}, ${value}`;
}

/**
 * The received-by names of a Via header, lower-cased, without port:
 * `1.1 atlas-1, HTTP/1.0 gw:8080 (comment)` → `["atlas-1", "gw"]`.
 */
export function viaNames(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(",") : value;
  const names: string[] = [];
  for (const entry of text.split(",")) {
    const receivedBy = entry.trim().split(/\s+/)[1];
    if (receivedBy !== undefined) names.push(receivedBy.replace(/:\d*$/, "").toLowerCase());
  }
  return names;
}

function pathOnly(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf("?");
  return q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
}

/**
 * Reads and drops the rest of a body for up to LINGER_MS before a 413 goes out: a server that
 * answers and closes while the client is still sending makes the kernel reset the connection,
 * and the client sees a broken pipe instead of the 413.
 */
function linger(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    const timer = setTimeout(done, LINGER_MS);
    function done(): void {
      clearTimeout(timer);
      req.off("end", done);
      req.off("close", done);
      resolve();
    }
    req.on("end", done);
    req.on("close", done);
    req.resume();
  });
}
