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
  if (declared && Number(declared) > limit) throw errors.tooLarge(limit);
  const type = ctx.get("content-type");
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) {
    throw errors.unsupportedMediaType(type.split(";")[0]!.trim());
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop reading; the connection is closed after the answer so the rest is not parsed.
      ctx.set("Connection", "close");
      throw errors.tooLarge(limit);
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const bytes = Buffer.concat(chunks);
  // JSON is UTF-8 (RFC 8259); decoding anything else would store U+FFFD in place of each bad byte.
  if (!isUtf8(bytes)) throw errors.badJson(`the body is not valid UTF-8 (${bytes.length} bytes)`);
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw errors.badJson((error as Error).message);
  }
}

/** Like readJson, but the body must be a JSON object. */
export async function readJsonObject(ctx: Context, limit: number, what: string): Promise<Record<string, unknown>> {
  const body = await readJson(ctx, limit);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw errors.invalid(`the request body must be a JSON object (${what})`);
  }
  return body as Record<string, unknown>;
}
