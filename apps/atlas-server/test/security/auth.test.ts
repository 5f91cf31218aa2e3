/**
 * HTTP Basic authentication end to end (docs/contracts/http.md) on one real atlas-server process (HA off,
 * SQLite, users file written with the server's own `hash-password`): what needs a login and
 * what does not, how the users file stores passwords, and failed logins counted by reason in
 * `atlas_auth_failures_total`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  atlasCall as call,
  hashPassword,
  hiveDb,
  startAtlasInstance,
  type AtlasInstance,
} from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../support/server-bin.js";

const PASSWORD = `pw-${randomBytes(6).toString("hex")}`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const ADMIN = basic("admin", PASSWORD);

/** `atlas_auth_failures_total` by reason, read with valid credentials. */
async function failures(instance: AtlasInstance): Promise<Record<string, number>> {
  const text = (
    await call(instance, "GET", "/api/atlas/admin/metrics/prometheus", undefined, {
      authorization: ADMIN,
    })
  ).text;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^atlas_auth_failures_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

describe("HTTP Basic authentication on a real server (1 atlas-server process, HA off, SQLite)", () => {
  let dir: string;
  let usersFile: string;
  let instance: AtlasInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "atlas-auth-"));
    usersFile = join(dir, "users-credentials.properties");
    writeFileSync(
      usersFile,
      `admin=ADMIN::${await hashPassword(PASSWORD, atlasServerBin())}\nreader=DATA_STEWARD::${await hashPassword(`other-${PASSWORD}`, atlasServerBin())}\n`,
      { mode: 0o600 },
    );
    instance = await startAtlasInstance({
      name: "atlas-auth",
      serverBin: atlasServerBin(),
      dir: join(dir, "instance"),
      properties: {
        "atlas.server.ha.enabled": false,
        "atlas.store.sqlite.path": join(dir, "atlas.db"),
        "atlas.authentication.method.file.filename": usersFile,
        "atlas.notification.consumer.disabled": true,
        "atlas.server.bind.address": "127.0.0.1",
      },
    });
    await instance.waitForState("ACTIVE");
  }, 120_000);
  afterAll(async () => {
    await instance?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("status, health, liveness and readiness need no login; version, metrics and the whole v2 API do", async () => {
    for (const path of [
      "/api/atlas/admin/status",
      "/api/atlas/admin/health",
      "/api/atlas/admin/liveness",
      "/api/atlas/admin/readiness",
    ]) {
      const answer = await call(instance, "GET", path, undefined, { authorization: "" });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
    const guarded: [string, string, unknown?][] = [
      ["GET", "/api/atlas/admin/version"],
      ["GET", "/api/atlas/admin/metrics/prometheus"],
      ["GET", "/api/atlas/v2/types/typedefs"],
      ["POST", "/api/atlas/v2/types/typedefs", { entityDefs: [] }],
      ["POST", "/api/atlas/v2/entity", { entity: hiveDb("auth") }],
      ["POST", "/api/atlas/v2/entity/bulk", { entities: [hiveDb("auth-bulk")] }],
      ["GET", "/api/atlas/v2/entity/guid/00000000-0000-0000-0000-000000000000"],
      ["DELETE", "/api/atlas/v2/entity/guid/00000000-0000-0000-0000-000000000000"],
      ["GET", "/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=x"],
      ["GET", "/api/atlas/v2/search/basic?typeName=hive_db"],
      ["POST", "/api/atlas/v2/search/basic", { typeName: "hive_db" }],
      ["GET", "/api/atlas/v2/no/such/route"],
    ];
    for (const [method, path, body] of guarded) {
      const anonymous = await call(instance, method, path, body, { authorization: "" });
      expect({
        method,
        path,
        status: anonymous.status,
        code: (anonymous.json as { errorCode?: string }).errorCode,
      }).toEqual({ method, path, status: 401, code: "ATLAS-401-00-001" });
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm="atlas"/);
      const wrong = await call(instance, method, path, body, {
        authorization: basic("admin", `${PASSWORD}x`),
      });
      expect({ method, path, status: wrong.status }).toEqual({ method, path, status: 401 });
    }
    expect(
      (await call(instance, "GET", "/api/atlas/admin/version", undefined, { authorization: ADMIN }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(instance, "GET", "/api/atlas/admin/metrics/prometheus", undefined, {
          authorization: ADMIN,
        })
      ).text,
    ).toContain("atlas_auth_failures_total");
    expect(
      (
        await call(
          instance,
          "POST",
          "/api/atlas/v2/entity",
          { entity: hiveDb("auth-ok") },
          { authorization: ADMIN },
        )
      ).status,
    ).toBe(200);
  });

  it("the users file holds salted scrypt hashes, never a password, and the same password hashes differently each time", async () => {
    const lines = readFileSync(usersFile, "utf8").trim().split("\n");
    for (const line of lines)
      expect(line).toMatch(
        /^\w+=[A-Z_]+::scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/,
      );
    expect(readFileSync(usersFile, "utf8")).not.toContain(PASSWORD);
    const [again, andAgain] = await Promise.all([
      hashPassword(PASSWORD, atlasServerBin()),
      hashPassword(PASSWORD, atlasServerBin()),
    ]);
    expect(again).not.toBe(andAgain);
  });

  it("every failed login is counted by reason in atlas_auth_failures_total; successful ones are not", async () => {
    const before = await failures(instance);
    const attempt = (authorization: string) =>
      call(instance, "GET", "/api/atlas/v2/types/typedefs", undefined, { authorization });
    const tries: [string, number, string][] = [
      ["missing", 3, ""],
      ["malformed", 2, "Basic !!!not-base64"],
      ["malformed", 1, `Basic ${Buffer.from("no-colon-at-all").toString("base64")}`],
      ["malformed", 1, "Bearer abc.def.ghi"],
      ["bad_password", 4, basic("admin", "wrong")],
      ["bad_password", 1, basic("reader", PASSWORD)],
      ["unknown_user", 2, basic("mallory", PASSWORD)],
    ];
    for (const [, times, authorization] of tries)
      for (let i = 0; i < times; i++) expect((await attempt(authorization)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await attempt(ADMIN)).status).toBe(200);
    expect((await attempt(basic("reader", `other-${PASSWORD}`))).status).toBe(200);
    const after = await failures(instance);
    const delta = Object.fromEntries(
      ["missing", "malformed", "bad_password", "unknown_user"].map((r) => [
        r,
        (after[r] ?? 0) - (before[r] ?? 0),
      ]),
    );
    expect(delta).toEqual({ missing: 3, malformed: 4, bad_password: 5, unknown_user: 2 });
  });
});
