/**
 * The simple authorizer's check (src/auth/policy.ts) before the routes: a logged-in user
 * whose roles lack the privilege a request needs gets Atlas's 403 `ATLAS-403-00-001`
 * "<user> is not authorized to perform <action>". It runs before the body is read: Atlas
 * checks once it has parsed the body, so a refused request with a malformed body answers 403
 * here where Atlas would answer 400.
 */
import type { Context, Next } from "koa";
import { allows, requirement, type AtlasRole } from "../auth/policy.js";
import { errors } from "./errors.js";
import { matchPath, routePath } from "./router.js";

export function authorize(exempt: readonly string[]) {
  const open = new Set(exempt);
  // Not async: an allowed request hands straight on to the router.
  return (ctx: Context, next: Next): Promise<unknown> => {
    if (open.has(routePath(ctx))) return next();
    const path = matchPath(ctx);
    const { privilege, action } = requirement(ctx.method, path);
    const roles = (ctx.state.roles ?? []) as readonly AtlasRole[];
    if (privilege === null || allows(roles, privilege)) return next();
    return Promise.reject(
      errors.forbidden(`${String(ctx.state.user)} is not authorized to perform ${action}`),
    );
  };
}
