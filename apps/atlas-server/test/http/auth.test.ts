import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords.js";
import { parseUsers } from "../../src/auth/users.js";
import { basicAuth } from "../../src/http/auth.js";
import { authorize } from "../../src/http/authorize.js";
import { errorBoundary } from "../support/error-boundary.js";

describe("HTTP Basic authentication", () => {
  /**
   * The server's layers in its order, with a stand-in for the redirect middleware between
   * checking credentials and requiring them: `/passive/…` paths are "redirected" (302).
   */
  async function app() {
    const users = parseUsers(
      [
        `admin=ADMIN::${await hashPassword("admin")}`,
        `steward=DATA_STEWARD::${await hashPassword("steward")}`,
        `scientist=DATA_SCIENTIST::${await hashPassword("scientist")}`,
        `nobody=GUESTS::${await hashPassword("nobody")}`,
      ].join("\n"),
      "users",
    );
    const failures: string[] = [];
    const koa = new Koa();
    koa.use(errorBoundary(() => undefined));
    const auth = basicAuth({
      users,
      exempt: ["/api/atlas/admin/status"],
      onFailure: (r) => failures.push(r),
    });
    koa.use(auth.credentials);
    koa.use((ctx, next) => {
      if (!ctx.path.startsWith("/passive/")) return next();
      ctx.status = 302;
      ctx.set("Location", `http://active${ctx.path}`);
      ctx.body = { user: ctx.state.user };
      return undefined;
    });
    koa.use(auth.required);
    koa.use(authorize(["/api/atlas/admin/status"]));
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
      ["mallory", "admin"],
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

  it("checks credentials before the redirect and requires them after it, as Atlas's filter chain does", async () => {
    const { koa, failures } = await app();
    const get = (path: string, authorization?: string) => {
      const r = request(koa.callback()).get(path);
      return authorization === undefined ? r : r.set("Authorization", authorization);
    };
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    // A passive redirects a request without credentials, or with another scheme's: the
    // active asks for them.
    for (const authorization of [undefined, "", "Bearer abc.def", "Negotiate YII="]) {
      const res = await get("/passive/x", authorization);
      expect({ authorization, status: res.status }).toEqual({ authorization, status: 302 });
    }
    // Wrong or malformed Basic credentials are refused on the passive itself.
    for (const authorization of [
      basic("admin", "wrong"),
      basic("mallory", "admin"),
      "Basic",
      "Basic !!!",
      "Basic YWRtaW4=", // "admin", no colon
      "Basic YWRtaW46YWRtaW4", // padding may be left out, as Java's decoder allows…
      "Basic YWRtaW46YWRtaW4=x", // …but nothing may follow it
    ]) {
      const res = await get("/passive/x", authorization);
      const expected = authorization === "Basic YWRtaW46YWRtaW4" ? 302 : 401;
      expect({ authorization, status: res.status }).toEqual({ authorization, status: expected });
    }
    // Right ones: redirected, the user known.
    const right = await get("/passive/x", basic("admin", "admin"));
    expect(right.status).toBe(302);
    expect(right.body).toEqual({ user: "admin" });
    expect(failures).toEqual([
      "bad_password",
      "unknown_user",
      "malformed",
      "malformed",
      "malformed",
      "malformed",
    ]);
    // On the active the request without credentials is refused after all.
    failures.length = 0;
    expect((await get("/x")).status).toBe(401);
    expect((await get("/x", "Bearer abc")).status).toBe(401);
    expect(failures).toEqual(["missing", "malformed"]);
  });

  it("refuses what a role may not do with Atlas's 403 ATLAS-403-00-001 and its message", async () => {
    const { koa } = await app();
    const as = (user: string) => ({ user, pass: user === "admin" ? "admin" : user });
    const call = (user: string, method: "get" | "post" | "delete", path: string) => {
      const { pass } = as(user);
      return request(koa.callback())[method](`/api/atlas/${path}`).auth(user, pass);
    };
    const table: [string, "get" | "post" | "delete", string, Record<string, number>][] = [
      [
        "entity read",
        "get",
        "v2/entity/guid/g1",
        { admin: 200, steward: 200, scientist: 200, nobody: 403 },
      ],
      [
        "search",
        "post",
        "v2/search/basic",
        { admin: 200, steward: 200, scientist: 200, nobody: 403 },
      ],
      [
        "entity write",
        "post",
        "v2/entity",
        { admin: 200, steward: 200, scientist: 403, nobody: 403 },
      ],
      [
        "bulk write",
        "post",
        "v2/entity/bulk",
        { admin: 200, steward: 200, scientist: 403, nobody: 403 },
      ],
      [
        "entity delete",
        "delete",
        "v2/entity/guid/g1",
        { admin: 200, steward: 403, scientist: 403, nobody: 403 },
      ],
      [
        "typedef read",
        "get",
        "v2/types/typedefs",
        { admin: 200, steward: 200, scientist: 200, nobody: 200 },
      ],
      [
        "typedef create",
        "post",
        "v2/types/typedefs",
        { admin: 200, steward: 403, scientist: 403, nobody: 403 },
      ],
      [
        "version",
        "get",
        "admin/version",
        { admin: 200, steward: 200, scientist: 200, nobody: 200 },
      ],
      [
        "admin action",
        "post",
        "admin/debug/stall",
        { admin: 200, steward: 403, scientist: 403, nobody: 403 },
      ],
    ];
    for (const [what, method, path, byUser] of table)
      for (const [user, status] of Object.entries(byUser)) {
        const res = await call(user, method, path);
        expect({ what, user, status: res.status }).toEqual({ what, user, status });
      }
    const refused = await call("scientist", "post", "v2/entity");
    expect(refused.body).toEqual({
      errorCode: "ATLAS-403-00-001",
      errorMessage: "scientist is not authorized to perform create entity",
    });
    expect(refused.headers["cache-control"]).toBe("no-store");
    expect((await call("steward", "delete", "v2/entity/guid/g1")).body.errorMessage).toBe(
      "steward is not authorized to perform delete entity: guid=g1",
    );
  });

  it("answers hostile Authorization headers with 401 and an Atlas error, never a 500", async () => {
    const { koa, failures } = await app();
    const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString("base64");
    const hostile = [
      `Basic ${b64(`admin:${"x".repeat(12_000)}`)}`,
      `Basic ${b64(Buffer.from([0xff, 0xfe, 0x3a, 0x00, 0xc3]))}`,
      `Basic ${b64(":admin")}`,
      `Basic ${b64("admin:")}`,
      `Basic ${b64("admin\u0000:admin")}`,
      `Basic ${b64("admin:admin")}==`,
      `Basic ${b64("admin:admin")} extra`,
      "Basic ====",
      "Basic\t",
    ];
    for (const authorization of hostile) {
      const res = await request(koa.callback()).get("/x").set("Authorization", authorization);
      expect({
        authorization: authorization.slice(0, 40),
        status: res.status,
        code: res.body.errorCode,
      }).toEqual({
        authorization: authorization.slice(0, 40),
        status: 401,
        code: "ATLAS-401-00-001",
      });
    }
    expect(failures).toHaveLength(hostile.length);
    // The scheme is case-insensitive and blanks around the header are ignored, as in Spring.
    const loose = await request(koa.callback())
      .get("/x")
      .set("Authorization", `  bAsIc ${b64("admin:admin")}  `);
    expect(loose.status).toBe(200);
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
    const auth = basicAuth({ users, exempt: [], onFailure: (r) => failures.push(r) });
    koa.use(auth.credentials);
    koa.use(auth.required);
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
