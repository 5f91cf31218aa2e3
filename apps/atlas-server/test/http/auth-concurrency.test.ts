import Koa from "koa";
import request from "supertest";
import { describe, expect, it, vi } from "vitest";
import * as passwords from "../../src/auth/passwords.js";
import { parseUsers } from "../../src/auth/users.js";
import { basicAuth } from "../../src/http/auth.js";
import { errorBoundary } from "../support/error-boundary.js";

// The real scrypt check, counted.
vi.mock("../../src/auth/passwords.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/auth/passwords.js")>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

describe("HTTP Basic authentication under concurrent requests", () => {
  it("checks the same credentials arriving on many connections at once only once, and still refuses and counts each wrong one", async () => {
    const users = parseUsers(`admin=ADMIN::${await passwords.hashPassword("admin")}\n`, "users");
    const failures: string[] = [];
    const koa = new Koa();
    koa.use(errorBoundary(() => undefined));
    const auth = basicAuth({ users, exempt: [], onFailure: (r) => failures.push(r) });
    koa.use(auth.credentials);
    koa.use(auth.required);
    koa.use((ctx) => {
      ctx.body = { user: ctx.state.user };
    });
    const server = koa.callback();
    const verify = vi.mocked(passwords.verifyPassword);
    verify.mockClear();

    const right = await Promise.all(
      Array.from({ length: 16 }, () => request(server).get("/x").auth("admin", "admin")),
    );
    expect(right.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(verify).toHaveBeenCalledTimes(1);

    const wrong = await Promise.all(
      Array.from({ length: 8 }, () => request(server).get("/x").auth("admin", "nope")),
    );
    expect(wrong.map((r) => r.status)).toEqual(Array(8).fill(401));
    expect(failures).toEqual(Array(8).fill("bad_password"));
    // Failures are never cached: the next wrong attempt is checked again.
    expect((await request(server).get("/x").auth("admin", "nope")).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(3);
  });
});
