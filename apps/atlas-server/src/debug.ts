/**
 * Fault-injection hooks for the chaos run (issue 7), and nothing else. They exist only when
 * the process was started with `ATLAS_HA_DEBUG=1`: without it no route is registered, so
 * the paths answer 404 like any unknown path. Read once, at start: setting the variable in a
 * running process changes nothing.
 *
 *   POST /api/atlas/admin/debug/stall?ms=6000   (ROLE_ADMIN, src/auth/policy.ts)
 *
 * blocks the event loop for `ms` milliseconds with a synchronous busy-wait — the whole
 * process, as a long GC pause or a runaway computation would: no timer fires, no socket is
 * read, no ZooKeeper heartbeat leaves. The answer comes once the stall is over.
 */
import type { ApiContext } from "./api/context.js";
import { ADMIN } from "./api/admin.js";
import { errors } from "./http/errors.js";
import type { Router } from "./http/router.js";

export const DEBUG_ENV = "ATLAS_HA_DEBUG";
/** Longer stalls are refused: a typo should not freeze an instance for an hour. */
export const MAX_STALL_MS = 120_000;

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DEBUG_ENV] === "1";
}

/** Registers the debug routes when `ATLAS_HA_DEBUG=1`; otherwise does nothing at all. */
export function debugRoutes(
  router: Router,
  api: ApiContext,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (!debugEnabled(env)) return;
  api.logger.warn({
    event: "debug_endpoints_enabled",
    env: DEBUG_ENV,
    paths: [`${ADMIN}/debug/stall`],
  });

  // ROLE_ADMIN only, as every admin action: the authorization table (src/auth/policy.ts).
  router.on("POST", `${ADMIN}/debug/stall`, (ctx) => {
    const raw = typeof ctx.query.ms === "string" ? ctx.query.ms : "";
    const ms = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(ms >= 1 && ms <= MAX_STALL_MS))
      throw errors.invalid(
        `ms must be a whole number of milliseconds from 1 to ${MAX_STALL_MS}, got "${raw}"`,
      );
    api.logger.warn({ event: "debug_stall_started", ms, requestId: ctx.state.requestId });
    const started = performance.now();
    // Deliberately synchronous: the point is that nothing else in the process runs meanwhile.
    while (performance.now() - started < ms) {
      // spin
    }
    const stalledMs = Math.round(performance.now() - started);
    api.logger.warn({ event: "debug_stall_ended", stalledMs, requestId: ctx.state.requestId });
    ctx.set("Cache-Control", "no-store");
    ctx.body = { stalledMs };
  });
}
