import { HookDecodeError } from "../errors.js";
import { isObject } from "./fields.js";
import { unpackText, utf8Text } from "./gzip.js";
import {
  CURRENT_VERSION,
  type CompressionKind,
  type EnvelopeInfo,
  type JsonObject,
  type JsonValue,
} from "./model.js";

/** One record of a split message: its slice of the base64 text and where it goes. */
export interface SplitPart {
  msgId: string;
  /** 0-based position of this slice. */
  index: number;
  count: number;
  compression: CompressionKind;
  chunk: string;
}

export type ParsedValue =
  { kind: "message"; envelope: EnvelopeInfo; body: JsonValue } | { kind: "part"; part: SplitPart };

export interface ParseOptions {
  maxDecompressedBytes?: number;
}

/** Reads a Kafka value: UTF-8 JSON, an envelope or a legacy bare body (docs/contracts/hooks.md). */
export function parseValue(
  value: string | Uint8Array | null | undefined,
  options: ParseOptions = {},
): ParsedValue {
  if (value === null || value === undefined || value.length === 0) {
    throw new HookDecodeError("HOOK_EMPTY_VALUE", "the Kafka record has no value");
  }
  const text =
    typeof value === "string"
      ? value
      : utf8Text(Buffer.from(value.buffer, value.byteOffset, value.byteLength), "the Kafka value");
  return parseDocument(parseJson(text, "the Kafka value"), options, 0);
}

export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new HookDecodeError("HOOK_BAD_JSON", `${what} is not JSON: ${detail}`, { cause });
  }
}

/**
 * `depth` > 0 for the document found inside a compressed or reassembled message: that one
 * must be a plain envelope (Atlas never nests compression or splitting).
 */
export function parseDocument(doc: JsonValue, options: ParseOptions, depth: number): ParsedValue {
  if (!isObject(doc)) {
    throw new HookDecodeError("HOOK_BAD_ENVELOPE", "a hook message must be a JSON object");
  }
  if (doc.version === undefined || doc.version === null) {
    // Hooks older than Atlas 0.8 sent the body alone; Atlas still reads those, and so do we.
    if (depth > 0)
      throw new HookDecodeError(
        "HOOK_BAD_ENVELOPE",
        "the decompressed message has no envelope version",
      );
    return {
      kind: "message",
      envelope: { enveloped: false, compression: "NONE", splitCount: 1 },
      body: doc,
    };
  }
  const version = checkVersion(doc.version);
  const compression = readCompression(doc.msgCompressionKind);
  const splitCount = readInt(doc.msgSplitCount, "msgSplitCount", 1);
  if (splitCount < 1)
    throw new HookDecodeError(
      "HOOK_BAD_ENVELOPE",
      `msgSplitCount must be at least 1, got ${splitCount}`,
    );
  const msgId = typeof doc.msgId === "string" && doc.msgId.length > 0 ? doc.msgId : undefined;

  if (splitCount > 1) {
    if (depth > 0)
      throw new HookDecodeError("HOOK_BAD_ENVELOPE", "a reassembled message is split again");
    if (msgId === undefined)
      throw new HookDecodeError("HOOK_BAD_ENVELOPE", "a split message part has no msgId");
    if (doc.msgSplitIdx === undefined || doc.msgSplitIdx === null) {
      throw new HookDecodeError(
        "HOOK_BAD_ENVELOPE",
        `part of split message ${msgId} has no msgSplitIdx`,
      );
    }
    const index = readInt(doc.msgSplitIdx, "msgSplitIdx", 0);
    if (index < 0 || index >= splitCount) {
      throw new HookDecodeError(
        "HOOK_SPLIT_INDEX_OUT_OF_RANGE",
        `part ${index} of split message ${msgId} is outside 0..${splitCount - 1}`,
      );
    }
    if (typeof doc.message !== "string") {
      throw new HookDecodeError(
        "HOOK_BAD_ENVELOPE",
        `part ${index} of split message ${msgId} has no string message`,
      );
    }
    return {
      kind: "part",
      part: { msgId, index, count: splitCount, compression, chunk: doc.message },
    };
  }

  if (compression === "GZIP") {
    if (depth > 0)
      throw new HookDecodeError("HOOK_BAD_ENVELOPE", "a decompressed message is compressed again");
    if (typeof doc.message !== "string") {
      throw new HookDecodeError(
        "HOOK_BAD_ENVELOPE",
        "a GZIP message must carry its body as a base64 string",
      );
    }
    const inner = unpackText(doc.message, true, options.maxDecompressedBytes);
    const parsed = parseDocument(parseJson(inner, "the decompressed message"), options, depth + 1);
    if (parsed.kind !== "message")
      throw new HookDecodeError("HOOK_BAD_ENVELOPE", "a decompressed message is a split part");
    const envelope: EnvelopeInfo = { ...parsed.envelope, compression: "GZIP" };
    if (msgId !== undefined) envelope.msgId = msgId;
    return { kind: "message", envelope, body: parsed.body };
  }

  if (doc.message === undefined || doc.message === null) {
    throw new HookDecodeError("HOOK_BAD_ENVELOPE", "the envelope has no message");
  }
  return { kind: "message", envelope: envelopeInfo(doc, version, msgId), body: doc.message };
}

function envelopeInfo(doc: JsonObject, version: string, msgId: string | undefined): EnvelopeInfo {
  // Informational fields: a wrong type is not worth refusing a message for, so it is dropped.
  const info: EnvelopeInfo = { enveloped: true, version, compression: "NONE", splitCount: 1 };
  if (msgId !== undefined) info.msgId = msgId;
  if (doc.source !== undefined && doc.source !== null) info.source = doc.source;
  if (typeof doc.msgSourceIP === "string") info.msgSourceIP = doc.msgSourceIP;
  if (typeof doc.msgCreatedBy === "string") info.msgCreatedBy = doc.msgCreatedBy;
  if (typeof doc.msgCreationTime === "number") info.msgCreationTime = doc.msgCreationTime;
  if (typeof doc.spooled === "boolean") info.spooled = doc.spooled;
  return info;
}

/** Accepts 1.0.0 and older; refuses newer, as Atlas's `checkVersion` does. Returns the version text. */
function checkVersion(value: JsonValue): string {
  if (!isObject(value))
    throw new HookDecodeError("HOOK_BAD_ENVELOPE", "the envelope version must be an object");
  let parts: number[] | undefined;
  if (Array.isArray(value.versionParts)) {
    parts = value.versionParts.map((p) =>
      typeof p === "number" && Number.isInteger(p) && p >= 0 ? p : Number.NaN,
    );
  } else if (typeof value.version === "string") {
    parts = value.version.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  }
  if (parts === undefined || parts.length === 0 || parts.some((p) => Number.isNaN(p))) {
    throw new HookDecodeError(
      "HOOK_BAD_ENVELOPE",
      `the envelope version is malformed: ${JSON.stringify(value)}`,
    );
  }
  const text = typeof value.version === "string" ? value.version : parts.join(".");
  if (compareParts(parts, CURRENT_VERSION.versionParts) > 0) {
    throw new HookDecodeError(
      "HOOK_UNSUPPORTED_VERSION",
      `message version ${text} is newer than ${CURRENT_VERSION.version}; upgrade the consumer to read it`,
    );
  }
  return text;
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function readCompression(value: JsonValue | undefined): CompressionKind {
  if (value === undefined || value === null || value === "NONE") return "NONE";
  if (value === "GZIP") return "GZIP";
  throw new HookDecodeError(
    "HOOK_BAD_ENVELOPE",
    `unknown msgCompressionKind ${JSON.stringify(value)}`,
  );
}

function readInt(value: JsonValue | undefined, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new HookDecodeError(
      "HOOK_BAD_ENVELOPE",
      `${field} must be an integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
