/**
 * The live HA page (docs/operations.md#the-ha-page): `GET /ha` serves the page, `GET
 * /api/atlas/admin/ha` the group's view it polls. Every instance answers both itself, in every
 * state, without a login (like status and health: they show no secret), so the page keeps
 * working when its instance turns passive. The view is gathered here, server-side, by
 * status-client's `inspectGroup` over the members of `atlas.server.ids` (their status, so the
 * verdict is `atlas-status`'s, and their health): the browser talks to one origin only and no
 * instance needs CORS (docs/decisions.md).
 */
import { createHash } from "node:crypto";
import { inspectGroup, type GroupView } from "@atlas-ha/status-client";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import { HA_PAGE_HTML, HA_PAGE_SCRIPT, HA_PAGE_STYLE } from "./ha-page.html.js";

export const HA_PAGE_PATH = "/ha";
export const HA_VIEW_PATH = "/api/atlas/admin/ha";

/** How often the page asks; the server tells it in `pollMs`. */
const POLL_MS = 500;
/** Per member, per request: a member that has not answered by then is UNREACHABLE. */
const PEER_TIMEOUT_MS = 800;
/**
 * A view younger than this is reused, and concurrent requests share one gathering: however
 * many pages are open (or whoever floods the endpoint), the members are asked at most ~10
 * times a second by each instance.
 */
const REUSE_MS = 100;

const sha256 = (text: string): string =>
  `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Only the page's own inline style and script run; it may fetch from its own origin only. */
const CSP = [
  "default-src 'none'",
  `script-src ${sha256(HA_PAGE_SCRIPT)}`,
  `style-src ${sha256(HA_PAGE_STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** `http(s)://host:port` of each id of `atlas.server.ids`, in order; this instance alone when none are listed. */
export function groupMembers(api: ApiContext): { id: string; url: string }[] {
  const scheme = api.config.http.tls === null ? "http" : "https";
  const listed = api.config.ids.flatMap((id) => {
    const address = api.config.addresses[id];
    return address === undefined ? [] : [{ id, url: `${scheme}://${address}` }];
  });
  return listed.length > 0 ? listed : [{ id: api.config.serverId, url: api.config.selfAddress }];
}

export function haPageRoutes(router: Router, api: ApiContext): void {
  const members = groupMembers(api);
  const idOf = new Map(members.map((m) => [new URL(m.url).href.replace(/\/+$/, ""), m.id]));
  /** The gathering in flight, or the last one with when it completed. */
  let cached: { doneAt: number | null; view: Promise<GroupView> } | null = null;

  const gather = (): Promise<GroupView> => {
    if (cached !== null && (cached.doneAt === null || performance.now() - cached.doneAt < REUSE_MS))
      return cached.view;
    const entry = {
      doneAt: null as number | null,
      view: inspectGroup(
        members.map((m) => m.url),
        { timeoutMs: PEER_TIMEOUT_MS, retries: 0, deadlineMs: PEER_TIMEOUT_MS + 200 },
      ),
    };
    cached = entry;
    void entry.view.then(
      () => {
        entry.doneAt = performance.now();
      },
      () => {
        if (cached === entry) cached = null;
      },
    );
    return entry.view;
  };

  router.on("GET", HA_PAGE_PATH, (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.set("Content-Security-Policy", CSP);
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.set("Referrer-Policy", "no-referrer");
    ctx.type = "text/html; charset=utf-8";
    ctx.body = HA_PAGE_HTML;
  });

  router.on("GET", HA_VIEW_PATH, async (ctx) => {
    const view = await gather();
    const s = api.ha.snapshot();
    ctx.set("Cache-Control", "no-store");
    ctx.body = {
      servedBy: { serverId: s.serverId, url: s.selfAddress, state: s.state },
      pollMs: POLL_MS,
      group: view.group,
      members: view.members.map((m) => ({ id: idOf.get(m.url) ?? null, ...m })),
      failovers: view.failovers,
    };
  });
}
