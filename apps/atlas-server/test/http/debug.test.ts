/**
 * The DEBUG-ONLY fault trigger of the chaos run (src/debug.ts), on real server processes
 * (dist/main.js, standalone, SQLite, no Kafka): it exists only when ATLAS_HA_DEBUG=1 was set
 * at start.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword, startAtlasInstance, type AtlasInstance } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../support/server-bin.js";

// The spawned servers inherit this process's environment: make "absent" really absent.
delete process.env.ATLAS_HA_DEBUG;

const home = mkdtempSync(join(tmpdir(), "atlas-debug-"));
let plain: AtlasInstance;
let debug: AtlasInstance;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

async function post(
  instance: AtlasInstance,
  path: string,
  authorization = basic("admin", "admin"),
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${instance.url}${path}`, {
    method: "POST",
    headers: authorization ? { authorization } : {},
    redirect: "manual",
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const users = join(home, "users-credentials.properties");
  writeFileSync(
    users,
    `admin=ADMIN::${await hashPassword("admin", atlasServerBin())}\nrover=DATA_STEWARD::${await hashPassword("rover", atlasServerBin())}\n`,
  );
  const properties = (name: string) => ({
    "atlas.server.ha.enabled": false,
    "atlas.store.backend": "sqlite",
    "atlas.store.sqlite.path": join(home, `${name}.db`),
    "atlas.notification.consumer.disabled": true,
    "atlas.authentication.method.file.filename": users,
  });
  [plain, debug] = await Promise.all([
    startAtlasInstance({
      name: "plain",
      serverBin: atlasServerBin(),
      dir: join(home, "plain"),
      properties: properties("plain"),
    }),
    startAtlasInstance({
      name: "debug",
      serverBin: atlasServerBin(),
      dir: join(home, "debug"),
      properties: properties("debug"),
      env: { ATLAS_HA_DEBUG: "1" },
    }),
  ]);
  await Promise.all([plain.waitForState("ACTIVE"), debug.waitForState("ACTIVE")]);
}, 120_000);

afterAll(async () => {
  await Promise.all([plain?.shutdown(), debug?.shutdown()]);
  rmSync(home, { recursive: true, force: true });
});

describe("the debug stall trigger", () => {
  it("does not exist without ATLAS_HA_DEBUG=1: an admin's POST gets the 404 of an unknown path", async () => {
    const answer = await post(plain, "/api/atlas/admin/debug/stall?ms=5000");
    expect(answer.status).toBe(404);
    expect(answer.json.errorCode).toBe("ATLAS-404-00-F01");
    expect((await post(plain, "/api/atlas/admin/debug/stall/?ms=1")).status).toBe(404);
  });

  it("with ATLAS_HA_DEBUG=1, blocks the whole process: a status request sent meanwhile is answered only after the stall", async () => {
    const probes: { sentAt: number; answeredAt: number }[] = [];
    let stallAnsweredAt = 0;
    const stallSentAt = performance.now();
    const stall = post(debug, "/api/atlas/admin/debug/stall?ms=1500").then((answer) => {
      stallAnsweredAt = performance.now();
      return answer;
    });
    // Back-to-back status probes until the stall answers. The one in flight when the event loop
    // froze can only be answered when the stall ends, so it waits nearly the whole 1.5 s; a stall
    // that slept without blocking would have every probe answered within milliseconds.
    while (stallAnsweredAt === 0) {
      const sentAt = performance.now();
      const response = await fetch(`${debug.url}/api/atlas/admin/status`);
      await response.text();
      probes.push({ sentAt, answeredAt: performance.now() });
    }
    const answer = await stall;
    expect(answer.status).toBe(200);
    expect(answer.json.stalledMs).toBeGreaterThanOrEqual(1500);
    const during = probes.filter((p) => p.sentAt >= stallSentAt && p.sentAt < stallAnsweredAt);
    expect(during.length).toBeGreaterThan(0);
    const longestWait = Math.max(...during.map((p) => p.answeredAt - p.sentAt));
    const waits = during.map((p) => Math.round(p.answeredAt - p.sentAt)).sort((a, b) => b - a);
    expect(
      longestWait,
      `${during.length} probes sent during the stall; longest waits (ms): ${waits.slice(0, 5).join(", ")}`,
    ).toBeGreaterThanOrEqual(1400);
    expect(await debug.status()).toBe("ACTIVE");
  });

  it("needs the ADMIN role and a sane duration", async () => {
    expect((await post(debug, "/api/atlas/admin/debug/stall?ms=10", "")).status).toBe(401);
    const steward = await post(
      debug,
      "/api/atlas/admin/debug/stall?ms=10",
      basic("rover", "rover"),
    );
    expect(steward.status).toBe(403);
    for (const ms of ["", "0", "-5", "1e3", "abc", "120001"]) {
      const answer = await post(debug, `/api/atlas/admin/debug/stall?ms=${ms}`);
      expect(answer.status, `ms=${ms}`).toBe(400);
      expect(answer.json.errorCode).toBe("ATLAS-400-00-002");
    }
  });
});
