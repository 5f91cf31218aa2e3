import { isUtf8 } from "node:buffer";
import type { Context } from "koa";
import { errors } from "./errors.js";

/**
 * Reads a JSON request body with a size limit. 413 beyond the limit (checked on
 * Content-Length first, then while streaming), 415 for a declared non-JSON type, 400 for
 * malformed JSON or a body that is not UTF-8. An absent body is `undefined`.
 */
export async function readJson(ctx: Context, limit: number): Promise<unknown> {
  const declared = ctx.get("content-length");
  if (declared && Number(declared) > limit) {
    await linger(ctx.req);
    throw errors.tooLarge(limit);
  }
  const type = ctx.get("content-type");
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) {
    throw errors.unsupportedMediaType(type.split(";")[0]!.trim());
  }
  const bytes = await readBody(ctx, limit);
  if (bytes.length === 0) return undefined;
  // JSON is UTF-8 (RFC 8259); decoding anything else would store U+FFFD in place of each bad byte.
  if (!isUtf8(bytes)) throw errors.badJson(`the body is not valid UTF-8 (${bytes.length} bytes)`);
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw errors.badJson((error as Error).message);
  }
}

/**
 * How long an oversized body is read on (and dropped) before the 413 goes out. A server that
 * answers and closes while the client is still sending closes a socket with unread input, the
 * kernel resets the connection, and the client sees a broken pipe instead of the 413: an
 * ordinary client sending a few megabytes has finished within this. A slower one gets the
 * answer after it, and the rest of its body is dropped until it ends or
 * atlas.server.http.request.timeout.ms.
 */
const LINGER_MS = 1000;

function linger(req: Context["req"]): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    const timer = setTimeout(finish, LINGER_MS);
    function finish() {
      clearTimeout(timer);
      req.off("end", finish);
      req.off("close", finish);
      resolve();
    }
    req.on("end", finish);
    req.on("close", finish);
    // Flowing with no data listener: Node reads and drops the rest.
    req.resume();
  });
}

/** The body, up to `limit` bytes; past it, a 413 once the rest is dropped (see LINGER_MS). */
function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overLimit = false;
    const done = (error?: Error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", done);
      req.off("aborted", onAborted);
      if (error) {
        if (overLimit) linger(req).then(() => reject(error), reject);
        else reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Built only here: an error (with its stack) per request costs the happy path.
        overLimit = true;
        return done(errors.tooLarge(limit));
      }
      chunks.push(chunk);
    };
    const onEnd = () => done();
    // The client went away: nobody reads the answer, but it must not count as a server error.
    const onAborted = () =>
      done(errors.invalid("the request body ended before its declared length"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", done);
    req.on("aborted", onAborted);
  });
}

/** The raw body of any content type, with the same size limit and 413 as readJson. */
export async function readRaw(ctx: Context, limit: number): Promise<Buffer> {
  const declared = ctx.get("content-length");
  if (declared && Number(declared) > limit) {
    await linger(ctx.req);
    throw errors.tooLarge(limit);
  }
  return readBody(ctx, limit);
}

/** Like readJson, but the body must be a JSON object. */
export async function readJsonObject(
  ctx: Context,
  limit: number,
  what: string,
): Promise<Record<string, unknown>> {
  const body = await readJson(ctx, limit);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw errors.invalid(`the request body must be a JSON object (${what})`);
  }
  return body as Record<string, unknown>;
}
