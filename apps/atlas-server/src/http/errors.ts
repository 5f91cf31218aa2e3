/**
 * Atlas-style JSON errors (SPEC §7): `{"errorCode":"ATLAS-<http>-00-<nnn>","errorMessage":"…"}`
 * with that HTTP status. Never a stack trace: unexpected errors are logged with the request
 * id and answered with a generic 500 that names the id.
 */
import type { Context } from "koa";

export class AtlasHttpError extends Error {
  override readonly name = "AtlasHttpError" as const;
  readonly code = "ATLAS_HTTP_ERROR" as const;
  readonly status: number;
  readonly errorCode: string;
  readonly headers: Record<string, string>;
  constructor(status: number, errorCode: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.headers = headers;
  }
}

export const errors = {
  badJson: (detail: string) => new AtlasHttpError(400, "ATLAS-400-00-001", `malformed JSON in the request body: ${detail}`),
  invalid: (detail: string) => new AtlasHttpError(400, "ATLAS-400-00-002", detail),
  unauthenticated: () =>
    new AtlasHttpError(401, "ATLAS-401-00-001", "authentication required", { "WWW-Authenticate": 'Basic realm="atlas", charset="UTF-8"' }),
  forbidden: (detail: string) => new AtlasHttpError(403, "ATLAS-403-00-001", detail),
  noRoute: (method: string, path: string) => new AtlasHttpError(404, "ATLAS-404-00-001", `no resource for ${method} ${path}`),
  unknownType: (typeName: string) => new AtlasHttpError(404, "ATLAS-404-00-003", `Given typename ${typeName} was invalid`),
  guidNotFound: (guid: string) => new AtlasHttpError(404, "ATLAS-404-00-005", `Given instance guid ${guid} is invalid/not found`),
  uniqueNotFound: (typeName: string, value: string) =>
    new AtlasHttpError(404, "ATLAS-404-00-009", `Instance ${typeName} with unique attribute {qualifiedName:${value}} does not exist`),
  methodNotAllowed: (method: string, allowed: string[]) =>
    new AtlasHttpError(405, "ATLAS-405-00-001", `method ${method} is not allowed here (allowed: ${allowed.join(", ")})`, { Allow: allowed.join(", ") }),
  conflict: (detail: string) => new AtlasHttpError(409, "ATLAS-409-00-001", detail),
  tooLarge: (limit: number) => new AtlasHttpError(413, "ATLAS-413-00-001", `request body larger than ${limit} bytes`),
  unsupportedMediaType: (type: string) =>
    new AtlasHttpError(415, "ATLAS-415-00-001", `unsupported content type "${type}"; send application/json`),
  notActive: (state: string) =>
    new AtlasHttpError(503, "ATLAS-503-00-001", `this instance is ${state}; retry shortly`, { "Retry-After": "1" }),
};

/** Maps an error a store or a package threw (by `name`/`code`) to the HTTP answer. */
export function toHttpError(error: unknown): AtlasHttpError | null {
  const e = error as { name?: string; code?: string; message?: string; status?: number; expose?: boolean; httpStatus?: unknown; atlasErrorCode?: unknown } | null;
  if (!e || typeof e !== "object") return null;
  if (e.name === "AtlasHttpError") return e as AtlasHttpError;
  if (e.code === "STORE_FENCED") {
    // The instance is stepping down: to a client that is "not the active one, retry".
    return new AtlasHttpError(503, "ATLAS-503-00-002", "this instance is no longer the active one; retry shortly", { "Retry-After": "1" });
  }
  // Store errors say which HTTP answer they are (SPEC §7 codes), e.g. 404 ATLAS-404-00-003.
  if (typeof e.code === "string" && e.code.startsWith("STORE_") && typeof e.httpStatus === "number" && typeof e.atlasErrorCode === "string") {
    if (e.httpStatus >= 500) return null; // a broken store is a 500, logged with the request id
    return new AtlasHttpError(e.httpStatus, e.atlasErrorCode, e.message ?? "store error");
  }
  // Koa's own errors (e.g. ctx.throw) carry a status meant for clients.
  if (typeof e.status === "number" && e.status >= 400 && e.status < 500 && e.expose) {
    return new AtlasHttpError(e.status, `ATLAS-${e.status}-00-000`, e.message ?? "bad request");
  }
  return null;
}

export function send(ctx: Context, error: AtlasHttpError): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.set("Cache-Control", "no-store");
  ctx.body = { errorCode: error.errorCode, errorMessage: error.message };
}

/** Turns a failure into its Atlas JSON answer; unexpected ones are reported first. */
export function answerError(ctx: Context, error: unknown, onUnexpected: (error: unknown, ctx: Context) => void): void {
  const mapped = toHttpError(error);
  if (mapped) return send(ctx, mapped);
  onUnexpected(error, ctx);
  send(ctx, new AtlasHttpError(500, "ATLAS-500-00-001", `internal error (request id ${ctx.state.requestId ?? "unknown"}); see the server log`));
}

/** No route answered: Atlas JSON 404 rather than Koa's plain "Not Found". */
export function answerNoRoute(ctx: Context): void {
  if (ctx.status === 404 && ctx.body === undefined) send(ctx, errors.noRoute(ctx.method, ctx.path));
}
