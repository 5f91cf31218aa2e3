/**
 * Atlas's users file and roles as Atlas has them: the hashes its `UserDao` checks (BCrypt,
 * SHA-256 salted with the user name, bare SHA-256) beside our scrypt; its shipped
 * `users-credentials.properties` and `atlas-simple-authz-policy.json` (fixtures/atlas/, copied
 * unchanged from Apache Atlas's distro/src/conf/).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { hashKind, hashPassword, hashProblem, verifyPassword } from "../../src/auth/passwords.js";
import { allows, requirement, rolesOf, type Privilege } from "../../src/auth/policy.js";
import { loadUsers, parseUsers } from "../../src/auth/users.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "atlas");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("password hashes Atlas writes", () => {
  it("scrypt: a random salt each time, and only the right password", async () => {
    const a = await hashPassword("s3cret");
    const b = await hashPassword("s3cret");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("s3cret", a)).toBe(true);
    expect(await verifyPassword("s3cret!", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("SHA-256 salted with the user name as UserDao.encodePassword makes it: sha256(password{user})", async () => {
    // Atlas's own test (UserDaoTest): checkEncrypted("admin", "a4a88c08…", "admin").
    const shipped = "a4a88c0872bf652bb9ed803ece5fd6e82354838a9bf59ab4babb1dab322154e1";
    expect(sha256("admin{admin}")).toBe(shipped);
    expect(hashKind(shipped)).toBe("sha256");
    expect(await verifyPassword("admin", shipped, { user: "admin" })).toBe(true);
    // The salt is the name logging in: the same line under another name does not match.
    expect(await verifyPassword("admin", shipped, { user: "root" })).toBe(false);
    expect(await verifyPassword("admin", shipped)).toBe(false);
    expect(await verifyPassword("Admin", shipped, { user: "admin" })).toBe(false);
    // A password without text (Java whitespace only) is merged as empty, as Spring does.
    expect(await verifyPassword(" \t", sha256("{bob}"), { user: "bob" })).toBe(true);
    // The no-break space is not Java whitespace: it is text.
    expect(await verifyPassword("\u00A0", sha256("{bob}"), { user: "bob" })).toBe(false);
  });

  it("bare SHA-256 (Atlas's v1 check), for any user name", async () => {
    const legacy = sha256("admin");
    expect(await verifyPassword("admin", legacy, { user: "anyone" })).toBe(true);
    expect(await verifyPassword("admin", legacy)).toBe(true);
    expect(await verifyPassword("Admin", legacy, { user: "anyone" })).toBe(false);
  });

  it("honours Atlas's switches: v1-validation off refuses bare SHA-256, v2-validation off the salted one", async () => {
    const salted = sha256("pw{bob}");
    const plain = sha256("pw");
    const check = (hash: string, plainSha256: boolean, saltedSha256: boolean) =>
      verifyPassword("pw", hash, { user: "bob", plainSha256, saltedSha256 });
    expect(await check(salted, false, true)).toBe(true);
    expect(await check(salted, true, false)).toBe(false);
    expect(await check(plain, true, false)).toBe(true);
    expect(await check(plain, false, true)).toBe(false);
    // BCrypt and scrypt are checked whatever the switches say.
    expect(
      await verifyPassword("pw", bcrypt.hashSync("pw", 4), {
        user: "bob",
        plainSha256: false,
        saltedSha256: false,
      }),
    ).toBe(true);
  });

  it("BCrypt $2a$, $2b$ and $2y$ (UserDao.encrypt), checked against jBCrypt's published vectors", async () => {
    // Two of jBCrypt's test vectors (Spring Security's BCrypt is jBCrypt).
    const abc = "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i";
    const alphabet = "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC";
    expect(hashKind(abc)).toBe("bcrypt");
    expect(await verifyPassword("abc", abc, { user: "u" })).toBe(true);
    expect(await verifyPassword("abd", abc, { user: "u" })).toBe(false);
    expect(await verifyPassword("abcdefghijklmnopqrstuvwxyz", alphabet, { user: "u" })).toBe(true);
    const made = bcrypt.hashSync("admin", 4);
    for (const variant of ["$2a$", "$2b$", "$2y$"]) {
      const hash = variant + made.slice(4);
      expect({ variant, ok: await verifyPassword("admin", hash, { user: "admin" }) }).toEqual({
        variant,
        ok: true,
      });
    }
    expect(await verifyPassword("", made, { user: "admin" })).toBe(false);
  });

  it("refuses hashes it cannot use, saying why", () => {
    const bcrypt10 = "$2a$10$abcdefghijklmnopqrstuuQaLxbHNyOkst.5hok/MxsNYsoRyHiAq";
    expect(hashProblem(bcrypt10)).toBeNull();
    const cases: [string, RegExp][] = [
      ["plaintext", /none of: scrypt/],
      ["", /none of/],
      ["a".repeat(63), /63 hex digits; a SHA-256 hash has 64/],
      [bcrypt10.replace("$10$", "$31$"), /BCrypt cost \(31\) is not from 04 to 14/],
      [bcrypt10.replace("$10$", "$03$"), /BCrypt cost \(03\)/],
      [bcrypt10.replace("$2a$", "$2x$"), /not a BCrypt hash of the form/],
      [bcrypt10.slice(0, -1), /not a BCrypt hash of the form/],
      ["scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", /N \(1000\) is not a power of two/],
      ["scrypt$1048576$32$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", /needs more than 256 MiB/],
      ["scrypt$16384$8$99$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", /p \(99\)/],
      ["scrypt$16384$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==", /salt is shorter than 8 bytes/],
      ["scrypt$16384$8$1$AAAAAAAAAAA=$AAAA", /not 16 to 64 bytes/],
      ["scrypt$16384$8$1$not base64!$AAAA", /form scrypt\$N\$r\$p/],
    ];
    for (const [hash, why] of cases) {
      expect({ hash, problem: hashProblem(hash) }).toEqual({
        hash,
        problem: expect.stringMatching(why),
      });
    }
  });
});

describe("Atlas's users-credentials.properties as shipped", () => {
  it("loads unchanged: admin logs in with admin/admin and rangertagsync with its name as password", async () => {
    const users = loadUsers(join(FIXTURES, "users-credentials.properties"));
    expect([...users.keys()]).toEqual(["admin", "rangertagsync"]);
    const admin = users.get("admin")!;
    expect(admin).toMatchObject({ role: "ADMIN", roles: ["ROLE_ADMIN"], kind: "sha256" });
    expect(await verifyPassword("admin", admin.hash, { user: "admin" })).toBe(true);
    expect(await verifyPassword("wrong", admin.hash, { user: "admin" })).toBe(false);
    const tagsync = users.get("rangertagsync")!;
    expect(tagsync).toMatchObject({ role: "RANGER_TAG_SYNC", roles: ["DATA_SCIENTIST"] });
    expect(await verifyPassword("rangertagsync", tagsync.hash, { user: "rangertagsync" })).toBe(
      true,
    );
  });

  it("reads the file as java.util.Properties does: ':' or blanks as separator, escapes, continuations, the last of a repeated user", () => {
    const h = sha256("x");
    const users = parseUsers(
      [
        "# comment",
        "! comment",
        `colon:ADMIN::${h}`,
        `  spaced   =   DATA_STEWARD::${h}   `,
        `blank DATA_SCIENTIST::${h}`,
        `esc\\=aped=DATA_STEWARD::${h}`,
        `cont=DATA_\\`,
        `    STEWARD::${h}`,
        `twice=ADMIN::${h}`,
        `twice=DATA_SCIENTIST::${h}`,
      ].join("\r\n"),
      "users",
    );
    expect(Object.fromEntries([...users].map(([name, u]) => [name, u.role]))).toEqual({
      colon: "ADMIN",
      spaced: "DATA_STEWARD",
      blank: "DATA_SCIENTIST",
      "esc=aped": "DATA_STEWARD",
      cont: "DATA_STEWARD",
      twice: "DATA_SCIENTIST",
    });
  });

  it("names the file, the line and the user of an entry it cannot use", () => {
    const h = sha256("x");
    const cases: [string, RegExp][] = [
      ["admin=ADMIN\n", /^u: line 1: the entry of "admin" has no "::" separators/],
      [`ok=ADMIN::${h}\nadmin=ADMIN::${h}::x\n`, /^u: line 2: the entry of "admin" has 2 "::"/],
      [`admin=::${h}\n`, /^u: line 1: the entry of "admin" has no group before "::"/],
      [
        "admin=ADMIN::clear-text\n",
        /^u: line 1: the hash of "admin" cannot be used: .*atlas-server hash-password/,
      ],
      ["\n\nadmin=ADMIN::\n", /^u: line 3: the hash of "admin" cannot be used/],
      [`=ADMIN::${h}\n`, /^u: line 1: an entry without a user name/],
      [`bad\\u12=ADMIN::${h}\n`, /^u: line 1: malformed \\uXXXX escape/],
    ];
    for (const [text, message] of cases)
      expect(() => parseUsers(text, "u")).toThrow(
        expect.objectContaining({
          name: "UsersFileError",
          code: "USERS_FILE_INVALID",
          message: expect.stringMatching(message),
        }),
      );
  });
});

describe("roles as Atlas's simple authorizer applies its default policy", () => {
  const policy = JSON.parse(
    readFileSync(join(FIXTURES, "atlas-simple-authz-policy.json"), "utf8"),
  ) as {
    roles: Record<
      string,
      {
        entityPermissions?: { privileges: string[] }[];
        relationshipPermissions?: { privileges: string[] }[];
        typePermissions?: unknown[];
        adminPermissions?: unknown[];
      }
    >;
    userRoles: Record<string, string[]>;
    groupRoles: Record<string, string[]>;
  };

  it("gives a user the roles of the policy's userRoles and groupRoles, and the groups named after a role that role", () => {
    for (const [user, roles] of Object.entries(policy.userRoles))
      expect({ user, roles: rolesOf(user, "nogroup") }).toEqual({ user, roles });
    for (const [group, roles] of Object.entries(policy.groupRoles))
      expect({ group, roles: rolesOf("nobody", group) }).toEqual({ group, roles });
    expect(rolesOf("alice", "ADMIN")).toEqual(["ROLE_ADMIN"]);
    expect(rolesOf("alice", "DATA_SCIENTIST")).toEqual(["DATA_SCIENTIST"]);
    expect(rolesOf("alice", "admin")).toEqual([]); // names match exactly, as in Atlas
    expect(rolesOf("alice", "__proto__")).toEqual([]);
  });

  it("grants each role exactly the entity and relationship privileges the policy lists, and types and admin actions to ROLE_ADMIN alone", () => {
    const ours: Privilege[] = [
      "entity-read",
      "entity-create",
      "entity-update",
      "entity-delete",
      "entity-add-classification",
      "entity-update-classification",
      "entity-remove-classification",
      "entity-add-label",
      "entity-remove-label",
      "entity-update-business-metadata",
      "add-relationship",
      "update-relationship",
      "remove-relationship",
      "type-create",
      "type-update",
      "type-delete",
      "admin",
    ];
    for (const [role, permissions] of Object.entries(policy.roles)) {
      const listed = new Set(
        [
          ...(permissions.entityPermissions ?? []),
          ...(permissions.relationshipPermissions ?? []),
        ].flatMap((p) => p.privileges),
      );
      const all = listed.has(".*");
      for (const privilege of ours) {
        const expected =
          privilege === "admin" || privilege.startsWith("type-")
            ? role === "ROLE_ADMIN" &&
              permissions.adminPermissions !== undefined &&
              permissions.typePermissions !== undefined
            : all || listed.has(privilege);
        expect({ role, privilege, allowed: allows([role as "ROLE_ADMIN"], privilege) }).toEqual({
          role,
          privilege,
          allowed: expected,
        });
      }
    }
  });

  it("maps each route family to the privilege Atlas checks there", () => {
    const needs = (method: string, path: string) => requirement(method, `/api/atlas/${path}`);
    expect(needs("GET", "admin/version").privilege).toBeNull();
    expect(needs("GET", "admin/metrics/prometheus").privilege).toBeNull();
    expect(needs("POST", "admin/debug/stall").privilege).toBe("admin");
    expect(needs("GET", "v2/types/typedefs").privilege).toBeNull();
    expect(needs("POST", "v2/types/typedefs").privilege).toBe("type-create");
    expect(needs("PUT", "v2/types/typedefs").privilege).toBe("type-update");
    expect(needs("DELETE", "v2/types/typedefs").privilege).toBe("type-delete");
    expect(needs("GET", "v2/entity/guid/g1")).toEqual({
      privilege: "entity-read",
      action: "read entity: guid=g1",
    });
    expect(needs("HEAD", "v2/entity/uniqueAttribute/type/hive_db").action).toBe(
      "read entity: typeName=hive_db",
    );
    expect(needs("POST", "v2/entity").privilege).toBe("entity-create");
    expect(needs("POST", "v2/entity/bulk").privilege).toBe("entity-create");
    expect(needs("PUT", "v2/entity/guid/g1").privilege).toBe("entity-update");
    expect(needs("DELETE", "v2/entity/guid/g%201")).toEqual({
      privilege: "entity-delete",
      action: "delete entity: guid=g 1",
    });
    expect(needs("DELETE", "v2/entity/bulk").privilege).toBe("entity-delete");
    expect(needs("POST", "v2/entity/businessmetadata/import").privilege).toBe(
      "entity-update-business-metadata",
    );
    expect(needs("GET", "v2/entity/businessmetadata/import/template").privilege).toBe(
      "entity-read",
    );
    expect(needs("POST", "v2/entity/bulk/setClassifications").privilege).toBe(
      "entity-update-classification",
    );
    expect(needs("POST", "v2/notification/topic/ATLAS_HOOK").privilege).toBe("admin");
    expect(needs("POST", "v2/entity/guid/g1/classifications").privilege).toBe(
      "entity-add-classification",
    );
    expect(needs("DELETE", "v2/entity/guid/g1/classification/PII").privilege).toBe(
      "entity-remove-classification",
    );
    // A guid that merely ends like a sub-resource is still the entity: deleting it is entity-delete.
    expect(needs("DELETE", "v2/entity/guid/classification").privilege).toBe("entity-delete");
    expect(needs("DELETE", "v2/entity/guid/x%2Fclassification").privilege).toBe("entity-delete");
    expect(needs("POST", "v2/entity/guid/g1/labels").privilege).toBe("entity-add-label");
    expect(needs("GET", "v2/search/basic").privilege).toBe("entity-read");
    expect(needs("POST", "v2/search/basic").privilege).toBe("entity-read");
    expect(needs("POST", "v2/relationship").privilege).toBe("add-relationship");
    // Anything without a line of its own: reading needs entity-read, anything else ROLE_ADMIN.
    expect(needs("GET", "v2/lineage/g1").privilege).toBe("entity-read");
    expect(needs("POST", "v2/saved-searches").privilege).toBe("admin");
    expect(needs("PATCH", "v2/entity").privilege).toBe("admin");
  });
});
