/**
 * `multipart/form-data` (RFC 7578) request bodies, read whole under the body size limit: the
 * parts with their field name, file name and content type. Only what an upload form needs —
 * no nested multiparts, no transfer encodings other than the identity.
 */
import type { Context } from "koa";
import { readRaw } from "./body.js";
import { errors } from "./errors.js";

export interface FormPart {
  /** The `name` of its Content-Disposition. */
  name: string;
  /** The `filename` of its Content-Disposition, when it has one. */
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const MAX_PARTS = 16;

/** The form's parts, in order; 415 for another content type, 400 for a malformed body. */
export async function readMultipart(ctx: Context, limit: number): Promise<FormPart[]> {
  const type = ctx.get("content-type");
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw errors.unsupportedMediaType(type.split(";")[0]!.trim() || "(none)");
  }
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(type);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value || value.length > 70) {
    throw errors.invalid("multipart/form-data without a valid boundary parameter");
  }
  return parseMultipart(await readRaw(ctx, limit), value);
}

/** Splits `body` at `--boundary` delimiters; exported for unit tests. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw errors.invalid("multipart body: no part delimiter found");
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === "--") return parts; // the closing delimiter
    if (body.subarray(at, at + 2).toString() !== "\r\n")
      throw errors.invalid("multipart body: a delimiter not followed by CRLF");
    at += 2;
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), at);
    if (next < 0) throw errors.invalid("multipart body: a part without its closing delimiter");
    if (parts.length === MAX_PARTS)
      throw errors.invalid(`multipart body: more than ${MAX_PARTS} parts`);
    parts.push(part(body.subarray(at, next)));
    at = next + 2;
  }
}

function part(raw: Buffer): FormPart {
  const end = raw.indexOf("\r\n\r\n");
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString("latin1");
  const data = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get("content-disposition") ?? "";
  if (!/^form-data\b/i.test(disposition))
    throw errors.invalid("multipart body: a part without Content-Disposition: form-data");
  const param = (key: string) =>
    new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${key}=([^\\s;]+)`, "i").exec(disposition);
  const name = param("name");
  const filename = param("filename");
  const contentType = headers.get("content-type");
  return {
    name: Buffer.from(name?.[1] ?? name?.[2] ?? "", "latin1").toString("utf8"),
    ...(filename
      ? { filename: Buffer.from(filename[1] ?? filename[2] ?? "", "latin1").toString("utf8") }
      : {}),
    ...(contentType ? { contentType } : {}),
    data,
  };
}
