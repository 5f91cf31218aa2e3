/**
 * Planned switchover (docs/operations.md "Planned switchover"): `POST admin/ha/switchover`
 * (ROLE_ADMIN, on the active; a passive redirects it) and the preferred instance
 * (`atlas.server.ha.preferred.id`), which hands over by itself. The hand-over is ha-state's
 * `stepDown`: refuse writes, leave the election (with a hand-over intent naming the target),
 * passivate meanwhile, rejoin as passive after `atlas.server.ha.switchover.window.ms`.
 *
 * Refused, with nothing changed, when HA is off, this instance is not ACTIVE or already
 * handing over, the target is not an instance in the election, or the target (or, without
 * one, every other participant) does not answer PASSIVE on its status endpoint within 1 s.
 */
import { ATLAS_ERRORS, type AtlasErrorCodeEntry } from "@atlas-ha/shared";
import { Counter } from "prom-client";
import type { Logger } from "pino";
import type { HaState } from "@atlas-ha/ha-state";
import type { ServerConfig } from "../config/index.js";
import { readJson } from "../http/body.js";
import { AtlasHttpError, errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { Metrics } from "../metrics.js";
import { ADMIN } from "./admin.js";
import type { ApiContext } from "./context.js";

export const SWITCHOVER_PATH = `${ADMIN}/ha/switchover`;

/** How long a participant's status endpoint may take to say PASSIVE. */
const HEALTH_TIMEOUT_MS = 1000;

export interface SwitchoverResult {
  /** `completed`: the target published its address within the window; `timed_out`: not seen. */
  outcome: "completed" | "timed_out";
  from: string;
  to: string;
  /** The target asked for, or null when the next ready participant was chosen. */
  requested: string | null;
  /** Who asked: the user, or `preferred` for the automatic hand-over. */
  by: string;
  /** Request received → the target's address published (what passives redirect to). */
  tookMs: number;
  windowMs: number;
}

export interface Switchover {
  run(request: { to?: string | null; by: string }): Promise<SwitchoverResult>;
  /** Starts watching for the preferred instance (no-op unless configured). */
  start(): void;
  stop(): void;
}

const refuse = (entry: AtlasErrorCodeEntry, message: string) =>
  new AtlasHttpError(entry.status, entry.code, message);

/** `host:port` of an `http(s)://host:port` origin. */
const hostPort = (address: string | null) => address?.replace(/^https?:\/\//, "") ?? null;

export function createSwitchover(deps: {
  config: ServerConfig;
  ha: HaState;
  logger: Logger;
  metrics: Metrics;
}): Switchover {
  const { config, ha, logger } = deps;
  const { windowMs, preferredId, preferredDelayMs } = config.switchover;
  const scheme = config.http.tls ? "https" : "http";
  const outcomes = new Counter({
    name: "atlas_ha_switchovers_total",
    help: "Planned switchovers asked of this instance, by outcome (completed, timed_out, refused, failed)",
    labelNames: ["outcome"],
    registers: [deps.metrics.registry],
  });
  let busy = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let preferredSince: number | null = null;

  async function statusOf(id: string): Promise<string | null> {
    const address = config.addresses[id];
    if (!address) return null;
    try {
      const res = await fetch(`${scheme}://${address}/api/atlas/admin/status`, {
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      const body = (await res.json()) as { Status?: unknown };
      return typeof body.Status === "string" ? body.Status : null;
    } catch {
      return null;
    }
  }

  /** The instance to hand over to, checked; throws the refusal otherwise. */
  async function choose(to: string | null): Promise<string> {
    if (!ha.election)
      throw refuse(ATLAS_ERRORS.SWITCHOVER_STANDALONE, "HA is off: there is no other instance");
    if (busy || ha.snapshot().state !== "ACTIVE")
      throw refuse(
        ATLAS_ERRORS.SWITCHOVER_IN_TRANSITION,
        busy
          ? "a switchover is already under way"
          : `this instance is ${ha.snapshot().state}, not ACTIVE`,
      );
    if (to === config.serverId)
      throw errors.invalid(`"${to}" is this instance, which is already active`);
    const others = (await ha.election.getParticipants()).filter((p) => !p.isSelf);
    if (to !== null) {
      if (!config.ids.includes(to) || !others.some((p) => p.id === to))
        throw refuse(
          ATLAS_ERRORS.SWITCHOVER_TARGET_UNKNOWN,
          `"${to}" is not ${config.ids.includes(to) ? "in the election now" : `one of ${config.ids.join(",")}`}`,
        );
      const status = await statusOf(to);
      if (status !== "PASSIVE")
        throw refuse(
          ATLAS_ERRORS.SWITCHOVER_TARGET_UNHEALTHY,
          `"${to}" answers ${status ?? "nothing"} on its status endpoint, not PASSIVE`,
        );
      return to;
    }
    // The next participant in line that is ready; the intent skips those ahead of it.
    for (const p of others) if ((await statusOf(p.id)) === "PASSIVE") return p.id;
    throw refuse(
      ATLAS_ERRORS.SWITCHOVER_NO_CANDIDATE,
      others.length === 0
        ? "no other instance is in the election"
        : `no other instance answers PASSIVE (${others.map((p) => p.id).join(", ")})`,
    );
  }

  /** Resolves true once `active_server_info` names `to`, false after `ms`. */
  function published(to: string, ms: number): Promise<boolean> {
    const wanted = config.addresses[to];
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(deadline);
        off();
        resolve(ok);
      };
      const off = ha.on("activeAddress", ({ payload: { address } }) => {
        if (hostPort(address) === wanted) done(true);
      });
      const deadline = setTimeout(() => done(false), ms);
      if (hostPort(ha.snapshot().activeAddress) === wanted && !ha.isActive()) done(true);
    });
  }

  async function run({ to = null, by }: { to?: string | null; by: string }) {
    const started = performance.now();
    logger.info({ event: "switchover_requested", to, by });
    let target: string;
    try {
      target = await choose(to);
    } catch (error) {
      outcomes.inc({ outcome: "refused" });
      logger.warn({
        event: "switchover_refused",
        to,
        by,
        reason: (error as Error).message,
        errorCode: (error as { errorCode?: string }).errorCode,
      });
      throw error;
    }
    busy = true;
    try {
      logger.info({ event: "switchover_started", from: config.serverId, to: target, by, windowMs });
      const seen = published(target, windowMs);
      try {
        await ha.stepDown({ forMs: windowMs, target });
      } catch (error) {
        if ((error as { code?: string }).code !== "HA_STEP_DOWN_REFUSED") throw error;
        outcomes.inc({ outcome: "refused" });
        logger.warn({ event: "switchover_refused", to, by, reason: (error as Error).message });
        throw refuse(ATLAS_ERRORS.SWITCHOVER_IN_TRANSITION, (error as Error).message);
      }
      const ok = await seen;
      const result: SwitchoverResult = {
        outcome: ok ? "completed" : "timed_out",
        from: config.serverId,
        to: target,
        requested: to,
        by,
        tookMs: Math.round(performance.now() - started),
        windowMs,
      };
      outcomes.inc({ outcome: result.outcome });
      logger[ok ? "info" : "warn"]({
        event: ok ? "switchover_completed" : "switchover_timed_out",
        ...result,
      });
      return result;
    } catch (error) {
      if (!(error instanceof AtlasHttpError)) {
        outcomes.inc({ outcome: "failed" });
        logger.error({ event: "switchover_failed", to, by, error: (error as Error).message });
      }
      throw error;
    } finally {
      busy = false;
    }
  }

  /** The preferred instance: healthy and passive for the whole delay → hand over to it. */
  async function checkPreferred(): Promise<void> {
    if (busy || preferredId === null || !ha.isActive() || !ha.election) {
      preferredSince = null;
      return;
    }
    const inLine = (await ha.election.getParticipants().catch(() => [])).some(
      (p) => p.id === preferredId && !p.isSelf,
    );
    if (!inLine || (await statusOf(preferredId)) !== "PASSIVE" || !ha.isActive()) {
      preferredSince = null;
      return;
    }
    const now = performance.now();
    preferredSince ??= now;
    if (now - preferredSince < preferredDelayMs) return;
    preferredSince = null;
    await run({ to: preferredId, by: "preferred" }).catch(() => undefined); // logged by run()
  }

  return {
    run,
    start() {
      if (timer || preferredId === null || preferredId === config.serverId || !ha.election) return;
      let checking = false;
      timer = setInterval(
        () => {
          if (checking) return;
          checking = true;
          void checkPreferred().finally(() => (checking = false));
        },
        Math.min(1000, Math.max(100, preferredDelayMs / 4)),
      );
      timer.unref();
      logger.info({ event: "switchover_preferred_watching", preferredId, preferredDelayMs });
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export function switchoverRoutes(router: Router, api: ApiContext): void {
  router.on("POST", SWITCHOVER_PATH, async (ctx) => {
    const body = await readJson(ctx, api.config.limits.maxBodyBytes);
    let to: unknown = ctx.query.to ?? null;
    if (body !== undefined && body !== null) {
      if (typeof body !== "object" || Array.isArray(body))
        throw errors.invalid('the body is optional; when sent, {"to": "<server id>"}');
      to = (body as { to?: unknown }).to ?? to;
    }
    if (to !== null && (typeof to !== "string" || to === ""))
      throw errors.invalid('"to" must be a server id');
    const user = typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
    ctx.body = await api.switchover.run({ to, by: user });
  });
}
