import type { Context, Next } from "koa";
import { answerError, answerNoRoute } from "../../src/http/errors.js";

/**
 * The error handling of the server's request middleware as a layer of its own, for tests
 * that put one piece of the app (e.g. Basic auth) in a bare Koa app: failures leave as
 * Atlas JSON, exactly as from the server.
 */
export function errorBoundary(onUnexpected: (error: unknown, ctx: Context) => void) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      answerNoRoute(ctx);
    } catch (error) {
      answerError(ctx, error, onUnexpected);
    }
  };
}
