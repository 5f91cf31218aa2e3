/**
 * The answer of `GET /api/atlas/admin/status` (docs/contracts/http.md): exactly
 * `{"Status":"<STATE>"}`, which load balancers match as text. Probed continuously, so each
 * state's body is made once, and the headers go straight onto Node's response: Koa's setters
 * would look up the MIME type and validate each header again on every probe.
 */
import type { Context } from "koa";

const BODIES = new Map<string, string>();

export function answerStatus(ctx: Context, state: string): void {
  let body = BODIES.get(state);
  if (body === undefined) {
    body = JSON.stringify({ Status: state });
    BODIES.set(state, body);
  }
  const res = ctx.res;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  // Koa keeps a Content-Type already set, adds Content-Length and sends a string in one write.
  ctx.body = body;
}
