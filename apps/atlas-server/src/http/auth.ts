/**
 * HTTP Basic authentication against the users file, for everything but the paths a load
 * balancer or an orchestrator probes (status, health, liveness, readiness). Verified
 * credentials are remembered for a few minutes under an HMAC of the pair, so scrypt's cost
 * is paid once per user, not per request; failures are never cached and always counted.
 * A keep-alive connection that sends the credentials it was last admitted with skips even
 * the HMAC (a constant-time comparison with what that connection sent before).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { verifyPassword } from "../auth/passwords.js";
import type { User } from "../auth/users.js";
import { errors } from "./errors.js";
import { routePath } from "./router.js";

export interface AuthOptions {
  users: Map<string, User> | null;
  exempt: readonly string[];
  onFailure: (reason: "missing" | "malformed" | "unknown_user" | "bad_password") => void;
  cacheTtlMs?: number;
}

export function basicAuth(options: AuthOptions) {
  const key = randomBytes(32);
  const verified = new Map<string, number>();
  // A client that opens many connections at once sends the same credentials on each before
  // the first check is done: they share that one scrypt rather than queueing one each on
  // the thread pool (docs/decisions.md).
  const checking = new Map<string, Promise<boolean>>();
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const exempt = new Set(options.exempt);
  // Per connection: the Authorization header it was last admitted with. Held by the socket
  // object only (gone with the connection), compared in constant time: a proxy that pools
  // connections may send several users' requests on one.
  const admitted = new WeakMap<object, { header: Buffer; user: User; until: number }>();

  const authenticate = async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get("authorization");
    const socket = ctx.req.socket;
    const known = admitted.get(socket);
    if (known !== undefined && known.until > Date.now() && sameHeader(known.header, header)) {
      ctx.state.user = known.user.name;
      ctx.state.role = known.user.role;
      return next();
    }
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!header || !options.users) {
      options.onFailure("missing");
      throw errors.unauthenticated();
    }
    if (!match) {
      options.onFailure("malformed");
      throw errors.unauthenticated();
    }
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) {
      options.onFailure("malformed");
      throw errors.unauthenticated();
    }
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const user = options.users.get(name);
    const fingerprint = createHmac("sha256", key).update(decoded).digest("base64");
    let until = verified.get(fingerprint);
    if (!(until !== undefined && until > Date.now() && user)) {
      // Unknown users are checked against a dummy hash too, so timing does not tell which
      // user names exist.
      let check = checking.get(fingerprint);
      if (!check) {
        check = verifyPassword(password, user?.hash ?? DUMMY);
        checking.set(fingerprint, check);
        const forget = () => checking.delete(fingerprint);
        check.then(forget, forget);
      }
      const ok = await check;
      if (!ok || !user) {
        options.onFailure(user ? "bad_password" : "unknown_user");
        throw errors.unauthenticated();
      }
      if (verified.size > 10_000) verified.clear();
      until = Date.now() + ttl;
      verified.set(fingerprint, until);
    }
    admitted.set(socket, { header: Buffer.from(header), user: user, until });
    ctx.state.user = user.name;
    ctx.state.role = user.role;
    await next();
  };

  // Not async: the exempt probes (status, health) skip a promise of their own.
  return (ctx: Context, next: Next): Promise<unknown> => {
    if (exempt.has(routePath(ctx))) return next();
    return authenticate(ctx, next);
  };
}

function sameHeader(known: Buffer, header: string): boolean {
  if (header.length !== known.length) return false;
  const candidate = Buffer.from(header);
  return candidate.length === known.length && timingSafeEqual(candidate, known);
}

// scrypt of a random password: the work of a real check, never a match.
const DUMMY =
  "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
