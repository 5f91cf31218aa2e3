import { isUtf8 } from "node:buffer";
import { gunzipSync, gzipSync } from "node:zlib";
import { HookDecodeError } from "../errors.js";

/** Decompressed bodies larger than this are refused (a guard against gzip bombs). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict base64 (standard alphabet, padded), as Atlas's hooks write it. Node's own decoder
 * silently skips bad characters, which would turn a corrupt message into a wrong one.
 */
export function decodeBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new HookDecodeError(
      "HOOK_BAD_BASE64",
      `the message is not valid base64 (${text.length} characters); it may have been truncated or altered in transit`,
    );
  }
  return Buffer.from(text, "base64");
}

/** Gunzips `bytes`; a truncated or corrupt stream is a HOOK_BAD_GZIP error. */
export function gunzip(bytes: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new HookDecodeError(
      "HOOK_BAD_GZIP",
      "the message is marked GZIP but is not a gzip stream",
    );
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new HookDecodeError(
      "HOOK_BAD_GZIP",
      `the gzip stream cannot be decompressed: ${detail}`,
      { cause },
    );
  }
}

/**
 * Bytes → text, refusing what is not UTF-8 (docs/contracts/hooks.md: a value is one UTF-8 JSON document).
 * Node's own decoding would put U+FFFD in place of each bad byte and hand on a message that
 * silently differs from the one sent; refused, it reaches the failed log as it was.
 */
export function utf8Text(bytes: Buffer, what: string): string {
  if (!isUtf8(bytes)) {
    throw new HookDecodeError(
      "HOOK_BAD_JSON",
      `${what} is not valid UTF-8 (${bytes.length} bytes), so it is not a JSON document`,
    );
  }
  return bytes.toString("utf8");
}

/** base64 → (gunzip when GZIP) → UTF-8 text: the inner document of a compressed or split message. */
export function unpackText(text: string, compressed: boolean, maxBytes?: number): string {
  const bytes = decodeBase64(text);
  return utf8Text(
    compressed ? gunzip(bytes, maxBytes) : bytes,
    compressed ? "the decompressed message" : "the decoded message",
  );
}

/** UTF-8 text → gzip → base64, as Atlas's `gzipCompressAndEncodeBase64`. */
export function gzipToBase64(text: string): string {
  return gzipSync(Buffer.from(text, "utf8")).toString("base64");
}
