/**
 * The answer of `GET /api/atlas/admin/status` (docs/contracts/http.md): exactly
 * `{"Status":"<STATE>"}`, which load balancers match as text. Probed continuously, so each
 * state's body is made once, and the headers go straight onto Node's response: Koa's setters
 * would look up the MIME type and validate each header again on every probe.
 */
import type { ServerResponse } from "node:http";
import type { Context } from "koa";

const BODIES = new Map<string, { text: string; length: string }>();

function bodyOf(state: string): { text: string; length: string } {
  let body = BODIES.get(state);
  if (body === undefined) {
    const text = JSON.stringify({ Status: state });
    body = { text, length: String(Buffer.byteLength(text)) };
    BODIES.set(state, body);
  }
  return body;
}

export function answerStatus(ctx: Context, state: string): void {
  const body = bodyOf(state).text;
  const res = ctx.res;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  // Koa keeps a Content-Type already set, adds Content-Length and sends a string in one write.
  ctx.body = body;
}

/**
 * The same answer written on Node's response without a Koa context (http/app.ts answers the
 * plain probe before Koa): the headers Koa would send, in the same order, and no body to HEAD.
 */
export function writeStatus(res: ServerResponse, method: string, state: string): void {
  const body = bodyOf(state);
  res.statusCode = 200;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", body.length);
  if (method === "HEAD") res.end();
  else res.end(body.text);
}
