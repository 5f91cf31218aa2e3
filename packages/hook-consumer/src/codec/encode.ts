import { randomUUID } from "node:crypto";
import { gzipToBase64 } from "./gzip.js";
import {
  CURRENT_VERSION,
  type HookNotification,
  type JsonObject,
  type JsonValue,
} from "./model.js";
import { splitText } from "./split.js";

/** Atlas's default `MESSAGE_MAX_LENGTH_BYTES` (1000 KiB less 512 bytes). */
export const DEFAULT_MAX_MESSAGE_BYTES = 999_488;

export interface EncodeOptions {
  /**
   * `auto` (default, as Atlas with compression enabled): GZIP only when the message is over
   * `maxMessageBytes`. `GZIP`: always compress. `NONE`: never (an oversized message is split
   * as plain base64, as Atlas with compression disabled).
   */
  compression?: "auto" | "GZIP" | "NONE";
  /** Above this many bytes a message is compressed and/or split; also the size of each slice. */
  maxMessageBytes?: number;
  /** Id of a compressed or split message; default a random UUID with a counter, like Atlas's. */
  msgId?: string;
  source?: JsonValue;
  msgSourceIP?: string;
  msgCreatedBy?: string;
  /** Epoch ms; default now. */
  msgCreationTime?: number;
  spooled?: boolean;
}

const idPrefix = randomUUID();
let idCounter = 0;

/**
 * A message body → the Kafka values a hook would publish for it: one envelope, one GZIP
 * envelope, or several split parts (docs/contracts/hooks.md, Atlas's `AbstractNotification`).
 */
export function encodeHookMessage(body: unknown, options: EncodeOptions = {}): string[] {
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`maxMessageBytes must be a positive integer, got ${max}`);
  const compression = options.compression ?? "auto";
  const envelope: JsonObject = {
    version: { ...CURRENT_VERSION, versionParts: [...CURRENT_VERSION.versionParts] },
  };
  if (options.source !== undefined) envelope.source = options.source;
  Object.assign(envelope, { msgCompressionKind: "NONE", msgSplitIdx: 1, msgSplitCount: 1 });
  if (options.msgSourceIP !== undefined) envelope.msgSourceIP = options.msgSourceIP;
  if (options.msgCreatedBy !== undefined) envelope.msgCreatedBy = options.msgCreatedBy;
  envelope.msgCreationTime = options.msgCreationTime ?? Date.now();
  if (options.spooled !== undefined) envelope.spooled = options.spooled;
  envelope.message = body as JsonValue;
  const json = JSON.stringify(envelope);

  const oversized = Buffer.byteLength(json, "utf8") > max;
  if (!oversized && compression !== "GZIP") return [json];

  const msgId = options.msgId ?? `${idPrefix}_${idCounter++}`;
  const version = envelope.version as JsonValue;
  const compress = compression !== "NONE";
  const packed = compress ? gzipToBase64(json) : Buffer.from(json, "utf8").toString("base64");
  if (compress && packed.length <= max) {
    return [
      JSON.stringify({
        version,
        msgId,
        msgCompressionKind: "GZIP",
        msgSplitIdx: 1,
        msgSplitCount: 1,
        message: packed,
      }),
    ];
  }
  const chunks = splitText(packed, max);
  return chunks.map((chunk, i) =>
    JSON.stringify({
      version,
      msgId,
      msgCompressionKind: compress ? "GZIP" : "NONE",
      msgSplitIdx: i,
      msgSplitCount: chunks.length,
      message: chunk,
    }),
  );
}

/** The typed notification → a V2 body, as a V2 hook would send it. */
export function toWireBody(notification: HookNotification): JsonObject {
  const body: JsonObject = { type: notification.type };
  if (notification.user !== undefined) body.user = notification.user;
  switch (notification.type) {
    case "ENTITY_CREATE_V2":
    case "ENTITY_FULL_UPDATE_V2":
      body.entities = notification.entities as unknown as JsonObject;
      break;
    case "ENTITY_PARTIAL_UPDATE_V2":
      body.entityId = notification.entityId as JsonObject;
      body.entity = notification.entity as unknown as JsonObject;
      break;
    case "ENTITY_DELETE_V2":
      body.entities = notification.entities as JsonObject[];
      break;
  }
  return body;
}
