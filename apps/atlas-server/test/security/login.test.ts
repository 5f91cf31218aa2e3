/**
 * Login as Atlas users have it (docs/contracts/http.md, "Login and roles"), on real servers:
 * one ZooKeeper node and two atlas-server processes on one SQLite file (hook consumer off).
 * The users file is Atlas's shipped `users-credentials.properties` unchanged
 * (../auth/fixtures/atlas/) plus one user per hash kind Atlas writes and per role of its
 * default simple-authorizer policy.
 *
 * - Each hash kind logs in: SHA-256 salted with the user name (Atlas's `admin` line, for
 *   admin/admin), bare SHA-256, BCrypt, and our scrypt.
 * - On a passive the redirect comes before authentication, as in Atlas's filter chain: no
 *   credentials (or another scheme's) → the redirect; wrong ones → 401.
 * - Roles: DATA_SCIENTIST reads but cannot write; DATA_STEWARD writes entities but may not
 *   delete them, define types or take admin actions; 403 `ATLAS-403-00-001` with Atlas's message.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { atlasCall as call, guidOf, hiveDb } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords.js";
import { startGroup, type Group } from "../support/group.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const ATLAS_FILE = readFileSync(
  join(import.meta.dirname, "..", "auth", "fixtures", "atlas", "users-credentials.properties"),
  "utf8",
);

/** user → [password, the line's group] */
const USERS: Record<string, [string, string]> = {
  admin: ["admin", "ADMIN"], // Atlas's shipped line: sha256("admin{admin}")
  rangertagsync: ["rangertagsync", "RANGER_TAG_SYNC"], // Atlas's shipped line, DATA_SCIENTIST
  steward: ["Stew4rd-pw", "DATA_STEWARD"], // BCrypt
  scientist: ["Sc1entist-pw", "DATA_SCIENTIST"], // bare SHA-256
  salted: ["S4lted-pw", "DATA_STEWARD"], // SHA-256 of password{user}
  guest: ["Gu3st-pw", "GUESTS"], // scrypt; a group without a role
};
const as = (user: string) => ({ authorization: basic(user, USERS[user]![0]) });

describe("login as Atlas users have it (1 ZooKeeper node, 2 atlas-server processes on SQLite)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let group: Group;

  beforeAll(async () => {
    group = await startGroup({
      zkConnect: zk().connectString,
      users: [
        ATLAS_FILE.trimEnd(),
        `steward=DATA_STEWARD::${bcrypt.hashSync(USERS.steward![0], 10)}`,
        `scientist=DATA_SCIENTIST::${sha256(USERS.scientist![0])}`,
        `salted=DATA_STEWARD::${sha256(`${USERS.salted![0]}{salted}`)}`,
        `guest=GUESTS::${await hashPassword(USERS.guest![0])}`,
        "",
      ].join("\n"),
    });
  }, 120_000);
  afterAll(async () => {
    await group?.stop();
  });

  it("takes Atlas's shipped users file unchanged and every hash kind Atlas writes: each user logs in with its password and no other", async () => {
    const { active } = await group.roles();
    for (const user of Object.keys(USERS)) {
      const right = await call(active, "GET", "/api/atlas/admin/version", undefined, as(user));
      const wrong = await call(active, "GET", "/api/atlas/admin/version", undefined, {
        authorization: basic(user, `${USERS[user]![0]}x`),
      });
      expect({ user, right: right.status, wrong: wrong.status }).toEqual({
        user,
        right: 200,
        wrong: 401,
      });
    }
  });

  it("on a passive, redirects a request without credentials, refuses wrong ones with 401 and redirects right ones; the active asks for them", async () => {
    const { active, passives } = await group.roles();
    const passive = passives[0]!;
    const path = "/api/atlas/v2/entity/guid/00000000-0000-0000-0000-000000000000?minExtInfo=true";
    const cases: [string, string, string, number][] = [
      ["no credentials", "GET", "", 302],
      ["no credentials", "POST", "", 307],
      ["another scheme", "GET", "Bearer abc.def.ghi", 302],
      ["the right ones", "GET", as("admin").authorization, 302],
      ["the right ones", "DELETE", as("steward").authorization, 307],
      ["a wrong password", "GET", basic("admin", "wrong"), 401],
      ["a wrong password", "POST", basic("steward", "wrong"), 401],
      ["an unknown user", "GET", basic("mallory", "admin"), 401],
      ["malformed Basic", "GET", "Basic !!!", 401],
    ];
    for (const [what, method, authorization, status] of cases) {
      const answer = await call(passive, method, path, method === "POST" ? {} : undefined, {
        authorization,
      });
      expect({
        what,
        method,
        status: answer.status,
        location: answer.headers.get("location"),
        code: (answer.json as { errorCode?: string } | undefined)?.errorCode,
      }).toEqual({
        what,
        method,
        status,
        location: status < 400 ? `${active.url}${path}` : null,
        code: status === 401 ? "ATLAS-401-00-001" : undefined,
      });
    }
    const anonymous = await call(active, "GET", path, undefined, { authorization: "" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm="atlas"/);
  });

  it("applies the default policy's roles: DATA_SCIENTIST reads only; DATA_STEWARD writes entities but does not delete them or define types; ADMIN does all; 403 ATLAS-403-00-001 with Atlas's message", async () => {
    const { active } = await group.roles();
    const created = await call(
      active,
      "POST",
      "/api/atlas/v2/entity",
      { entity: hiveDb("by-steward") },
      as("steward"),
    );
    expect(created.status).toBe(200);
    const guid = guidOf(created);
    const typedef = (name: string) => ({
      entityDefs: [{ name, superTypes: ["DataSet"], attributeDefs: [] }],
    });
    const table: [string, string, string, unknown, Record<string, number>][] = [
      [
        "read an entity",
        "GET",
        `/api/atlas/v2/entity/guid/${guid}`,
        undefined,
        { admin: 200, steward: 200, scientist: 200, rangertagsync: 200, guest: 403 },
      ],
      [
        "search",
        "POST",
        "/api/atlas/v2/search/basic",
        { typeName: "hive_db" },
        { admin: 200, steward: 200, scientist: 200, guest: 403 },
      ],
      [
        "read the types",
        "GET",
        "/api/atlas/v2/types/typedefs",
        undefined,
        { admin: 200, steward: 200, scientist: 200, guest: 200 },
      ],
      [
        "write an entity",
        "POST",
        "/api/atlas/v2/entity",
        { entity: hiveDb("by-x") },
        { salted: 200, scientist: 403, rangertagsync: 403, guest: 403 },
      ],
      [
        "define a type",
        "POST",
        "/api/atlas/v2/types/typedefs",
        typedef("login_steward_type"),
        { steward: 403, scientist: 403 },
      ],
      [
        "define a type",
        "POST",
        "/api/atlas/v2/types/typedefs",
        typedef("login_admin_type"),
        { admin: 200 },
      ],
      [
        "delete an entity",
        "DELETE",
        `/api/atlas/v2/entity/guid/${guid}`,
        undefined,
        { steward: 403, scientist: 403, salted: 403 },
      ],
      [
        "delete an entity",
        "DELETE",
        `/api/atlas/v2/entity/guid/${guid}`,
        undefined,
        { admin: 200 },
      ],
      [
        "an admin action",
        "POST",
        "/api/atlas/admin/debug/stall?ms=1",
        "",
        { steward: 403, scientist: 403, admin: 404 },
      ],
    ];
    for (const [what, method, path, body, byUser] of table)
      for (const [user, status] of Object.entries(byUser)) {
        const answer = await call(active, method, path, body, as(user));
        expect({
          what,
          user,
          status: answer.status,
          code: status === 403 ? (answer.json as { errorCode?: string }).errorCode : undefined,
        }).toEqual({
          what,
          user,
          status,
          code: status === 403 ? "ATLAS-403-00-001" : undefined,
        });
      }
    const refused = await call(
      active,
      "DELETE",
      `/api/atlas/v2/entity/guid/${guid}`,
      undefined,
      as("steward"),
    );
    expect(refused.json).toEqual({
      errorCode: "ATLAS-403-00-001",
      errorMessage: `steward is not authorized to perform delete entity: guid=${guid}`,
    });
    expect(
      (
        await call(
          active,
          "POST",
          "/api/atlas/v2/entity",
          { entity: hiveDb("no") },
          as("scientist"),
        )
      ).json,
    ).toEqual({
      errorCode: "ATLAS-403-00-001",
      errorMessage: "scientist is not authorized to perform create entity",
    });
  });

  it("warns at start of the users file's SHA-256 hashes and of users without a role", () => {
    for (const instance of group.instances) {
      const lines = readFileSync(instance.logFile, "utf8")
        .split("\n")
        .filter((l) => l.includes('"event":"users_file_'))
        .map(
          (l) =>
            JSON.parse(l) as { event: string; users?: string[]; user?: string; group?: string },
        );
      expect(lines.find((l) => l.event === "users_file_weak_hashes")?.users?.sort()).toEqual([
        "admin",
        "rangertagsync",
        "salted",
        "scientist",
      ]);
      expect(lines.filter((l) => l.event === "users_file_user_without_role")).toEqual([
        expect.objectContaining({ user: "guest", group: "GUESTS" }),
      ]);
    }
  });
});
