import { createHash } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { hashKind, hashPassword, verifyPassword } from "../../src/auth/passwords.js";
import { parseUsers } from "../../src/auth/users.js";
import { basicAuth } from "../../src/http/auth.js";
import { errorBoundary } from "../support/error-boundary.js";

describe("password hashes", () => {
  it("hashes with scrypt and a random salt, and verifies only the right password", async () => {
    const a = await hashPassword("s3cret");
    const b = await hashPassword("s3cret");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("s3cret", a)).toBe(true);
    expect(await verifyPassword("s3cret!", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("accepts Atlas's legacy SHA-256 hex hashes for an existing users file", async () => {
    const legacy = createHash("sha256").update("admin").digest("hex");
    expect(hashKind(legacy)).toBe("sha256");
    expect(await verifyPassword("admin", legacy)).toBe(true);
    expect(await verifyPassword("Admin", legacy)).toBe(false);
    expect(hashKind("plaintext")).toBe("invalid");
  });
});

describe("users file", () => {
  it("reads user=ROLE::hash lines and skips comments", () => {
    const users = parseUsers(
      `# users\nadmin=ADMIN::${"a".repeat(64)}\n\n! other comment\nrover=DATA_STEWARD::${"b".repeat(64)}\n`,
      "users.properties",
    );
    expect([...users.keys()]).toEqual(["admin", "rover"]);
    expect(users.get("rover")?.role).toBe("DATA_STEWARD");
  });

  it("names the file and line of a malformed entry", () => {
    expect(() => parseUsers("admin=ADMIN\n", "users.properties")).toThrow(
      expect.objectContaining({
        code: "USERS_FILE_INVALID",
        message: expect.stringMatching(/users\.properties: line 1/),
      }),
    );
    expect(() => parseUsers("admin=ADMIN::clear-text\n", "u")).toThrow(/hash-password/);
  });
});

describe("HTTP Basic authentication", () => {
  async function app() {
    const users = parseUsers(`admin=ADMIN::${await hashPassword("admin")}\n`, "users");
    const failures: string[] = [];
    const koa = new Koa();
    koa.use(errorBoundary(() => undefined));
    koa.use(
      basicAuth({ users, exempt: ["/api/atlas/admin/status"], onFailure: (r) => failures.push(r) }),
    );
    koa.use((ctx) => {
      ctx.body = { user: ctx.state.user };
    });
    return { koa, failures };
  }

  it("lets the right credentials through and answers 401 with an Atlas error otherwise, counting failures", async () => {
    const { koa, failures } = await app();
    const ok = await request(koa.callback())
      .get("/api/atlas/v2/types/typedefs")
      .auth("admin", "admin");
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: "admin" });
    // Verified credentials are remembered: a second request works the same.
    expect((await request(koa.callback()).get("/x").auth("admin", "admin")).status).toBe(200);
    for (const [user, pass] of [
      ["admin", "wrong"],
      ["nobody", "admin"],
    ] as const) {
      const res = await request(koa.callback()).get("/x").auth(user, pass);
      expect(res.status).toBe(401);
      expect(res.body.errorCode).toBe("ATLAS-401-00-001");
      expect(res.headers["www-authenticate"]).toMatch(/^Basic/);
    }
    const none = await request(koa.callback()).get("/x");
    expect(none.status).toBe(401);
    const garbage = await request(koa.callback()).get("/x").set("Authorization", "Basic !!!");
    expect(garbage.status).toBe(401);
    expect(failures).toEqual(["bad_password", "unknown_user", "missing", "malformed"]);
  });

  it("exempts the status endpoint by exact path", async () => {
    const { koa } = await app();
    expect((await request(koa.callback()).get("/api/atlas/admin/status")).status).toBe(200);
    expect((await request(koa.callback()).get("/api/atlas/admin/status/")).status).toBe(200);
    expect((await request(koa.callback()).get("/api/atlas/admin/statusX")).status).toBe(401);
  });

  it("re-checks every request on a keep-alive connection: another user or a wrong password on it is not admitted", async () => {
    // A proxy pooling connections sends several users' requests on one socket; the
    // per-connection shortcut must only ever admit the exact credentials it saw there.
    const users = parseUsers(
      `admin=ADMIN::${await hashPassword("admin")}\nrover=DATA_STEWARD::${await hashPassword("rover")}\n`,
      "users",
    );
    const failures: string[] = [];
    const koa = new Koa();
    koa.use(errorBoundary(() => undefined));
    koa.use(basicAuth({ users, exempt: [], onFailure: (r) => failures.push(r) }));
    koa.use((ctx) => {
      ctx.body = { user: ctx.state.user, role: ctx.state.role, socket: ctx.req.socket.remotePort };
    });
    const server = http.createServer(koa.callback()).listen(0, "127.0.0.1");
    await once(server, "listening");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (user: string, pass: string) =>
      new Promise<{ status: number; body: { user?: string; role?: string; socket?: number } }>(
        (resolve, reject) => {
          const req = http.get(
            {
              host: "127.0.0.1",
              port: (server.address() as AddressInfo).port,
              path: "/x",
              agent,
              headers: {
                authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`,
              },
            },
            (res) => {
              let text = "";
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => (text += chunk));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
            },
          );
          req.on("error", reject);
        },
      );
    try {
      const first = await get("admin", "admin");
      expect(first).toMatchObject({ status: 200, body: { user: "admin", role: "ADMIN" } });
      expect(await get("admin", "admin")).toMatchObject({
        status: 200,
        body: { user: "admin", socket: first.body.socket },
      });
      // Same length as the admitted credentials, same connection: still refused.
      const wrong = await get("admin", "admix");
      expect(wrong.status).toBe(401);
      const other = await get("rover", "rover");
      expect(other).toMatchObject({
        status: 200,
        body: { user: "rover", role: "DATA_STEWARD", socket: first.body.socket },
      });
      expect((await get("admin", "admin")).body.user).toBe("admin");
      expect(failures).toEqual(["bad_password"]);
    } finally {
      agent.destroy();
      server.close();
    }
  });
});
