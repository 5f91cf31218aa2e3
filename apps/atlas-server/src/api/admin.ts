/**
 * docs/contracts/http.md status and health endpoints: answered locally by every instance, whatever its
 * state, never redirected. `/status` is exactly `{"Status":"<STATE>"}` (load balancers
 * match the text), so nothing else goes in it.
 */
import type { Router } from "../http/router.js";
import { answerStatus } from "../http/status.js";
import type { ApiContext } from "./context.js";
import { HA_PAGE_PATH, HA_VIEW_PATH } from "./ha-page.js";
import { recordHaHistory } from "./ha-history.js";

export const ADMIN = "/api/atlas/admin";
export const UNAUTHENTICATED_PATHS = [
  `${ADMIN}/status`,
  `${ADMIN}/health`,
  `${ADMIN}/liveness`,
  `${ADMIN}/readiness`,
  // The HA page and its data (api/ha-page.ts): what health shows, for the whole group.
  HA_PAGE_PATH,
  HA_VIEW_PATH,
] as const;

/**
 * The admin paths Atlas's ActiveServerFilter sends from a passive to the active (its
 * `adminUriNotFiltered` list, matched as it matches them: the path contains one). Every other
 * `/admin/` path is answered by the instance asked, whatever its state.
 */
const ADMIN_PATHS_OF_THE_ACTIVE = [
  "/admin/export",
  "/admin/import",
  "/admin/importfile",
  "/admin/audits",
  "/admin/purge",
  "/admin/expimp/audit",
  "/admin/metrics",
  "/admin/server",
  "/admin/audit/",
  "admin/tasks",
  "/admin/debug/metrics",
  "/admin/ha/switchover", // ours: only the active can hand over (api/switchover.ts)
  "/admin/audits/ageout",
];
/** This server's own per-instance metrics: each instance's, so never redirected (not Atlas's). */
const PROMETHEUS = `${ADMIN}/metrics/prometheus`;

/** Plain segments only: a path a proxy or Atlas's Jetty would normalize (`..`, `//`, `;`, `%`) is redirected. */
const PLAIN_ADMIN_PATH = /^\/api\/atlas\/admin(?:\/[A-Za-z0-9_.-]+)+\/?$/;

/** True when a passive answers `path` itself rather than redirecting it to the active. */
export function answeredLocally(path: string): boolean {
  if (path === HA_PAGE_PATH || path === `${HA_PAGE_PATH}/`) return true;
  if (!PLAIN_ADMIN_PATH.test(path) || path.includes("..")) return false;
  if (path === PROMETHEUS || path === `${PROMETHEUS}/`) return true;
  return !ADMIN_PATHS_OF_THE_ACTIVE.some((p) => path.includes(p));
}

export function adminRoutes(router: Router, api: ApiContext): void {
  // Before ha.start() (the app is made first), so the first election is recorded.
  const history = recordHaHistory(api.ha, api.ha.snapshot().selfAddress);
  // Probed continuously by load balancers and atlas-status: the request layer answers the
  // plain spelling itself (http/app.ts); this route answers the others (`/status/`, a query).
  router.on("GET", `${ADMIN}/status`, (ctx) => answerStatus(ctx, api.ha.snapshot().state));

  router.on("GET", `${ADMIN}/health`, (ctx) => {
    const s = api.ha.snapshot();
    const consumer = api.consumer?.metrics();
    ctx.set("Cache-Control", "no-store");
    ctx.body = {
      serverId: s.serverId,
      state: s.state,
      since: new Date(s.since).toISOString(),
      leaderId: s.leaderId,
      activeAddress: s.activeAddress,
      selfAddress: s.selfAddress,
      epoch: s.epoch,
      haEnabled: s.haEnabled,
      zookeeper: s.zookeeper,
      transitions: s.transitions,
      // Newest first: the last transitions (each with the time spent in `from`), and each
      // time this instance became ACTIVE with how long the group was without an active.
      recentTransitions: history.transitions(),
      failovers: history.failovers(),
      uptimeSeconds: Math.round((Date.now() - api.startedAt) / 1000),
      // Split sets waiting for parts are held in memory until complete or dropped after
      // atlas.notification.split.message.segments.wait.time.seconds: pendingSplits and
      // heldParts show what is held, droppedSplits what was given up.
      hookConsumer: consumer
        ? {
            state: consumer.state,
            received: consumer.received,
            processed: consumer.processed,
            failed: consumer.failed,
            retried: consumer.retried,
            droppedSplits: consumer.droppedSplits,
            duplicateParts: consumer.duplicateParts,
            pendingSplits: consumer.pendingSplits,
            heldParts: consumer.heldParts,
            totalLag: consumer.totalLag,
            lag: consumer.lag,
            // Set while Kafka cannot be reached or refuses the login / the TLS handshake.
            error: api.consumerError(),
          }
        : { state: "disabled" },
      store: api.config.store.backend,
      version: api.version.version,
    };
  });

  // 200 whatever the state: a passive is healthy, and Atlas's 500 on passives makes
  // orchestrators restart healthy instances (docs/contracts/http.md, docs/decisions.md).
  router.on("GET", `${ADMIN}/liveness`, (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { alive: true, state: api.ha.snapshot().state };
  });

  router.on("GET", `${ADMIN}/readiness`, async (ctx) => {
    const state = api.ha.snapshot().state;
    const storeOk = state === "ACTIVE" ? await api.store.ping().catch(() => false) : false;
    ctx.set("Cache-Control", "no-store");
    ctx.status = state === "ACTIVE" && storeOk ? 200 : 503;
    ctx.body = {
      ready: ctx.status === 200,
      state,
      store: storeOk ? "reachable" : state === "ACTIVE" ? "unreachable" : "not checked",
    };
  });

  router.on("GET", `${ADMIN}/version`, (ctx) => {
    ctx.body = {
      Version: api.version.version,
      Revision: api.version.revision,
      Name: api.version.name,
      Description: api.version.description,
    };
  });

  router.on("GET", `${ADMIN}/metrics/prometheus`, async (ctx) => {
    const consumer = api.consumer?.metrics();
    if (consumer) {
      api.metrics.hookProcessed.set(consumer.processed);
      api.metrics.hookFailed.set(consumer.failed);
      api.metrics.hookRetried.set(consumer.retried);
      api.metrics.hookLag.reset();
      for (const p of consumer.lag)
        api.metrics.hookLag.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
    }
    ctx.type = api.metrics.registry.contentType;
    ctx.body = await api.metrics.registry.metrics();
  });
}
