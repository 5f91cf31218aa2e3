/**
 * Atlas-style JSON errors (docs/contracts/http.md): `{"errorCode":"ATLAS-<http>-00-<nnn>","errorMessage":"…"}`
 * with that HTTP status. Never a stack trace: unexpected errors are logged with the request
 * id and answered with a generic 500 that names the id.
 */
import { ATLAS_ERRORS, type AtlasErrorCodeEntry } from "@atlas-ha/shared";
import type { Context } from "koa";

export class AtlasHttpError extends Error {
  override readonly name = "AtlasHttpError" as const;
  readonly code = "ATLAS_HTTP_ERROR" as const;
  readonly status: number;
  readonly errorCode: string;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    errorCode: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.headers = headers;
  }
}

/** An answer of the table (status and code from atlas-ha's one table of Atlas error codes). */
const answer = (entry: AtlasErrorCodeEntry, message: string, headers?: Record<string, string>) =>
  new AtlasHttpError(entry.status, entry.code, message, headers);
const E = ATLAS_ERRORS;

export const errors = {
  badJson: (detail: string) => answer(E.BAD_JSON, `malformed JSON in the request body: ${detail}`),
  invalid: (detail: string) => answer(E.INVALID_REQUEST, detail),
  unauthenticated: () =>
    answer(E.UNAUTHENTICATED, "authentication required", {
      "WWW-Authenticate": 'Basic realm="atlas", charset="UTF-8"',
    }),
  forbidden: (detail: string) => answer(E.FORBIDDEN, detail),
  noRoute: (method: string, path: string) =>
    answer(E.NO_ROUTE, `no resource for ${method} ${path}`),
  unknownType: (typeName: string) =>
    answer(E.UNKNOWN_TYPE, `Type ENTITY with name ${typeName} does not exist`),
  guidNotFound: (guid: string) =>
    answer(E.GUID_NOT_FOUND, `Given instance guid ${guid} is invalid/not found`),
  unknownAttribute: (name: string, typeName: string) =>
    answer(E.UNKNOWN_ATTRIBUTE, `Attribute ${name} not found for type ${typeName}`),
  invalidClassification: (name: string) =>
    answer(E.CLASSIFICATION_NOT_FOUND, `Given classification ${name} was invalid`),
  relationshipNotFound: (guid: string) =>
    answer(E.RELATIONSHIP_NOT_FOUND, `Given relationship guid ${guid} is invalid/not found`),
  uniqueNotFound: (typeName: string, value: string) =>
    answer(
      E.UNIQUE_ATTRIBUTE_NOT_FOUND,
      `Instance ${typeName} with unique attribute {qualifiedName:${value}} does not exist`,
    ),
  methodNotAllowed: (method: string, allowed: string[]) =>
    answer(
      E.METHOD_NOT_ALLOWED,
      `method ${method} is not allowed here (allowed: ${allowed.join(", ")})`,
      { Allow: allowed.join(", ") },
    ),
  tooLarge: (limit: number) => answer(E.TOO_LARGE, `request body larger than ${limit} bytes`),
  unsupportedMediaType: (type: string) =>
    answer(E.UNSUPPORTED_MEDIA_TYPE, `unsupported content type "${type}"; send application/json`),
  notActive: (state: string) =>
    answer(E.TRANSITIONAL, `this instance is ${state}; retry shortly`, { "Retry-After": "1" }),
  noLongerActive: () =>
    answer(E.NO_LONGER_ACTIVE, "this instance is no longer the active one; retry shortly", {
      "Retry-After": "1",
    }),
  internal: (requestId: string) =>
    answer(E.INTERNAL, `internal error (request id ${requestId}); see the server log`),
};

/** Maps an error a store or a package threw (by `name`/`code`) to the HTTP answer. */
export function toHttpError(error: unknown): AtlasHttpError | null {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    status?: number;
    expose?: boolean;
    httpStatus?: unknown;
    atlasErrorCode?: unknown;
  } | null;
  if (!e || typeof e !== "object") return null;
  if (e.name === "AtlasHttpError") return e as AtlasHttpError;
  if (e.code === "STORE_FENCED") {
    // The instance is stepping down: to a client that is "not the active one, retry".
    return errors.noLongerActive();
  }
  // Store errors say which HTTP answer they are (docs/contracts/http.md codes), e.g. 404 ATLAS-404-00-003.
  if (
    typeof e.code === "string" &&
    e.code.startsWith("STORE_") &&
    typeof e.httpStatus === "number" &&
    typeof e.atlasErrorCode === "string"
  ) {
    // Out of reach or busy for now: a 503 the client may retry, like the redirect middleware's.
    if (e.httpStatus === 503)
      return new AtlasHttpError(503, e.atlasErrorCode, e.message ?? "store unavailable", {
        "Retry-After": "1",
      });
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
export function answerError(
  ctx: Context,
  error: unknown,
  onUnexpected: (error: unknown, ctx: Context) => void,
): void {
  const mapped = toHttpError(error);
  if (mapped) return send(ctx, mapped);
  onUnexpected(error, ctx);
  send(ctx, errors.internal(String(ctx.state.requestId ?? "unknown")));
}

/** No route answered: Atlas JSON 404 rather than Koa's plain "Not Found". */
export function answerNoRoute(ctx: Context): void {
  if (ctx.status === 404 && ctx.body === undefined) send(ctx, errors.noRoute(ctx.method, ctx.path));
}
