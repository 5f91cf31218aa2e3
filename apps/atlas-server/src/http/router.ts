/**
 * A small router for the handful of Atlas routes: exact patterns on the raw path (one
 * trailing slash ignored, docs/contracts/http.md), 405 with `Allow` for a known path and another method.
 */
import type { Context, Next } from "koa";
import { errors } from "./errors.js";

/** The path exempt lists are matched against: one trailing slash ignored (docs/contracts/http.md). */
export function routePath(ctx: Context): string {
  const path = ctx.path;
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/**
 * The path routes and the role table are matched against: also repeated slashes read as one
 * (the Python client asks for `v2/entity/bulk//classification`, which Atlas's server
 * accepts). Never for the paths that need no login: `//` must not reach those.
 */
export function matchPath(ctx: Context): string {
  const path = ctx.path.replace(/\/{2,}/g, "/");
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

export type Handler = (ctx: Context, params: Record<string, string>) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  #routes: Route[] = [];

  /** `path` like "/api/atlas/v2/entity/guid/:guid"; a param matches one path segment. */
  on(method: string | string[], path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          names.push(segment.slice(1));
          return "([^/]+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    const pattern = new RegExp(`^${source}$`);
    for (const m of Array.isArray(method) ? method : [method])
      this.#routes.push({ method: m, pattern, names, handler });
    return this;
  }

  /** Not async: a route's handler is called without a promise of the router's own. */
  middleware() {
    return (ctx: Context, next: Next): Promise<unknown> => {
      try {
        return this.#dispatch(ctx, next);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }

  #dispatch(ctx: Context, next: Next): Promise<unknown> {
    const raw = matchPath(ctx);
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const match = route.pattern.exec(raw);
      if (!match) continue;
      if (route.method !== ctx.method && !(route.method === "GET" && ctx.method === "HEAD")) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(match[i + 1]!);
        } catch {
          throw errors.invalid(`malformed percent-encoding in the path segment "${match[i + 1]}"`);
        }
      });
      return Promise.resolve(route.handler(ctx, params));
    }
    if (allowed.length > 0) throw errors.methodNotAllowed(ctx.method, [...new Set(allowed)]);
    return next();
  }
}
