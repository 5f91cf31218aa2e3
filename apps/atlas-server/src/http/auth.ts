/**
 * HTTP Basic authentication against the users file, in two layers with the redirect between
 * them, in the order of Apache Atlas's filter chain (its `ActiveServerFilter` sits right
 * after Spring's `BasicAuthenticationFilter` and before the check that a request is
 * authenticated; docs/contracts/http.md):
 *
 * - `credentials` checks Basic credentials when a request sends some: wrong ones are a 401
 *   here, on a passive too; a request without Basic credentials (no Authorization header,
 *   or another scheme) goes on unauthenticated, so a passive redirects it.
 * - `required` then refuses, with 401, a request that is still unauthenticated.
 *
 * Neither applies to the paths a load balancer or an orchestrator probes (status, health,
 * liveness, readiness). Verified credentials are remembered for a few minutes under an HMAC
 * of the pair, so scrypt's (or BCrypt's) cost is paid once per user, not per request;
 * failures are never cached and always counted. A keep-alive connection that sends the
 * credentials it was last admitted with skips even the HMAC (a constant-time comparison with
 * what that connection sent before).
 */
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Context, Next } from "koa";
import { verifyPassword } from "../auth/passwords.js";
import type { User } from "../auth/users.js";
import { errors } from "./errors.js";
import { routePath } from "./router.js";

export type AuthFailure = "missing" | "malformed" | "unknown_user" | "bad_password";

export interface AuthOptions {
  users: Map<string, User> | null;
  exempt: readonly string[];
  onFailure: (reason: AuthFailure) => void;
  cacheTtlMs?: number;
  /** Atlas's v1/v2 switches for SHA-256 hashes (passwords.ts); both on by default. */
  plainSha256?: boolean;
  saltedSha256?: boolean;
}

type Middleware = (ctx: Context, next: Next) => Promise<unknown>;

export interface BasicAuth {
  /** Checks the Basic credentials a request sends; lets a request without any through. */
  credentials: Middleware;
  /** Refuses a request that is not authenticated by now. */
  required: Middleware;
  /**
   * What `credentials` would decide at once, without a Koa context, for a request to a path
   * that is not exempt: `null` when it sends no Authorization header (it goes on
   * unauthenticated), the user when its connection was admitted with this very header and
   * that is still fresh; `undefined` when only `credentials` can tell (a check, a 401, another
   * scheme). Used by the request handler's early answers (http/app.ts).
   */
  known(req: IncomingMessage): User | null | undefined;
}

/**
 * The Basic token as Spring's `BasicAuthenticationConverter` reads it: `none` when the header
 * is absent or of another scheme (the request goes on unauthenticated); `malformed` for a
 * Basic header that is empty, not base64, or without a colon (a 401 at once).
 */
function basicToken(
  header: string,
): { kind: "none" } | { kind: "malformed" } | { kind: "basic"; decoded: string } {
  const value = header.trim();
  if (!/^basic/i.test(value)) return { kind: "none" };
  const token = value.slice(6);
  if (!BASE64.test(token)) return { kind: "malformed" };
  const decoded = Buffer.from(token, "base64").toString("utf8");
  return decoded.indexOf(":") > 0 ? { kind: "basic", decoded } : { kind: "malformed" };
}

// Strict base64 as Java's decoder wants it: whole quanta, padding optional but only at the end.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

export function basicAuth(options: AuthOptions): BasicAuth {
  const key = randomBytes(32);
  const verified = new Map<string, number>();
  // A client that opens many connections at once sends the same credentials on each before
  // the first check is done: they share that one check rather than queueing one each on
  // the thread pool (docs/decisions.md).
  const checking = new Map<string, Promise<boolean>>();
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const exempt = new Set(options.exempt);
  // Per connection: the Authorization header it was last admitted with. Held by the socket
  // object only (gone with the connection), compared in constant time: a proxy that pools
  // connections may send several users' requests on one.
  const admitted = new WeakMap<object, { header: string; user: User; until: number }>();

  const admit = (ctx: Context, user: User): void => {
    ctx.state.user = user.name;
    ctx.state.role = user.role;
    ctx.state.roles = user.roles;
  };

  const check = async (ctx: Context, next: Next, header: string, decoded: string) => {
    const colon = decoded.indexOf(":");
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const user = options.users?.get(name);
    const fingerprint = createHmac("sha256", key).update(decoded).digest("base64");
    let until = verified.get(fingerprint);
    if (!(until !== undefined && until > Date.now() && user)) {
      // Unknown users are checked against a dummy hash too, so timing does not tell which
      // user names exist.
      let pending = checking.get(fingerprint);
      if (!pending) {
        pending = verifyPassword(password, user?.hash ?? DUMMY, {
          user: name,
          plainSha256: options.plainSha256 ?? true,
          saltedSha256: options.saltedSha256 ?? true,
        });
        checking.set(fingerprint, pending);
        const forget = () => checking.delete(fingerprint);
        pending.then(forget, forget);
      }
      const ok = await pending;
      if (!ok || !user) {
        options.onFailure(user ? "bad_password" : "unknown_user");
        throw errors.unauthenticated();
      }
      if (verified.size > 10_000) verified.clear();
      until = Date.now() + ttl;
      verified.set(fingerprint, until);
    }
    admitted.set(ctx.req.socket, { header, user, until });
    admit(ctx, user);
    await next();
  };

  /** The user a connection was admitted with, when `header` is the one it was admitted with. */
  const admittedUser = (req: IncomingMessage, header: string): User | undefined => {
    const known = admitted.get(req.socket);
    return known !== undefined && known.until > Date.now() && sameHeader(known.header, header)
      ? known.user
      : undefined;
  };

  const known = (req: IncomingMessage): User | null | undefined => {
    const header = req.headers.authorization ?? "";
    return header === "" ? null : admittedUser(req, header);
  };

  // Not async: the exempt probes, and a passive's redirect of a request without credentials,
  // skip a promise of their own.
  const credentials: Middleware = (ctx, next) => {
    if (exempt.has(routePath(ctx))) return next();
    const header = ctx.req.headers.authorization ?? "";
    if (header === "") return next();
    const user = admittedUser(ctx.req, header);
    if (user !== undefined) {
      admit(ctx, user);
      return next();
    }
    const token = basicToken(header);
    if (token.kind === "none") return next();
    if (token.kind === "malformed" || !options.users) {
      // Without a users file nobody can log in: as if no credentials had been sent.
      options.onFailure(token.kind === "malformed" ? "malformed" : "missing");
      return Promise.reject(errors.unauthenticated());
    }
    return check(ctx, next, header, token.decoded);
  };

  const required: Middleware = (ctx, next) => {
    if (ctx.state.user !== undefined || exempt.has(routePath(ctx))) return next();
    // No Authorization header at all, or one of a scheme other than Basic.
    options.onFailure(ctx.get("authorization") === "" ? "missing" : "malformed");
    return Promise.reject(errors.unauthenticated());
  };

  return { credentials, required, known };
}

/**
 * Constant time in the header's content (only the length, which the client chose, shows): no
 * early exit at the first difference. On strings, without the Buffer a `timingSafeEqual`
 * would need on every request of a keep-alive connection.
 */
function sameHeader(known: string, header: string): boolean {
  if (header.length !== known.length) return false;
  let difference = 0;
  for (let i = 0; i < known.length; i++) difference |= known.charCodeAt(i) ^ header.charCodeAt(i);
  return difference === 0;
}

// scrypt of a random password: the work of a real check, never a match.
const DUMMY =
  "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
