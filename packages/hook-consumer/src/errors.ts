/**
 * Every decode failure a caller can act on, with a stable code. Callers check `name` and
 * `code`, never `instanceof` (the ESM and CJS builds each have their own classes).
 */
export type HookDecodeErrorCode =
  /** The Kafka record has no value (a tombstone) or an empty one. */
  | "HOOK_EMPTY_VALUE"
  /** The value (or a decompressed / reassembled inner document) is not JSON. */
  | "HOOK_BAD_JSON"
  /** The envelope's fields have the wrong shape (not an object, bad version, unknown compression, …). */
  | "HOOK_BAD_ENVELOPE"
  /** The envelope version is newer than 1.0.0, which this consumer does not understand. */
  | "HOOK_UNSUPPORTED_VERSION"
  /** `message` of a compressed or split message is not valid base64. */
  | "HOOK_BAD_BASE64"
  /** The gzip stream is truncated or corrupt, or decompresses past the size limit. */
  | "HOOK_BAD_GZIP"
  /** A split part's `msgSplitIdx` is outside 0..msgSplitCount-1. */
  | "HOOK_SPLIT_INDEX_OUT_OF_RANGE"
  /** A split part disagrees with the parts already received for its `msgId` (count, compression). */
  | "HOOK_SPLIT_INCONSISTENT"
  /** Not every part of a split message arrived within the configured wait; the set was dropped. */
  | "HOOK_SPLIT_INCOMPLETE"
  /** The body's `type` is not one of the eight hook notification types. */
  | "HOOK_UNKNOWN_TYPE"
  /** A field the body's type requires is absent or null. */
  | "HOOK_MISSING_FIELD"
  /** A field is present but of the wrong kind (e.g. a string where a list is required). */
  | "HOOK_INVALID_FIELD"
  /**
   * The message is beyond what can be decoded: V1 values nested deeper than 100 levels, or a
   * reassembled text longer than the runtime's longest string.
   */
  | "HOOK_LIMIT_EXCEEDED";

export class HookDecodeError extends Error {
  override readonly name = "HookDecodeError" as const;
  readonly code: HookDecodeErrorCode;
  /** For field errors: the path of the field, e.g. `entities.entities[0].typeName`. */
  readonly field: string | undefined;

  constructor(
    code: HookDecodeErrorCode,
    message: string,
    options: { field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/** A malformed value for one Atlas configuration key. */
export class HookConfigError extends Error {
  override readonly name = "HookConfigError" as const;
  readonly code = "HOOK_CONFIG_INVALID" as const;
  /** The Atlas key, e.g. `atlas.notification.hook.maxretries`. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.key = key;
  }
}

/** Invalid options passed to `createHookConsumer` (programming errors, not Atlas keys). */
export class HookOptionsError extends Error {
  override readonly name = "HookOptionsError" as const;
  readonly code = "HOOK_OPTIONS_INVALID" as const;
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/**
 * A handler may throw this (or any error with `permanent: true`) to say that retrying cannot
 * help (an unknown entity type, a validation failure): the message goes to the failed-messages
 * log at once instead of after `maxRetries` attempts.
 */
export class PermanentHookError extends Error {
  override readonly name = "PermanentHookError" as const;
  readonly code: string;
  readonly permanent = true as const;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? "HOOK_PERMANENT_FAILURE";
  }
}

/** How the consumer reads a handler's error (see README "Failures"). */
export type ErrorClass = "transient" | "permanent" | "fenced" | "unavailable";

export function classifyHandlerError(error: unknown): ErrorClass {
  if (typeof error !== "object" || error === null) return "transient";
  const e = error as { permanent?: unknown; fenced?: unknown; code?: unknown; name?: unknown };
  // A fenced write means this instance is no longer the active one: the message must stay
  // uncommitted so the new active applies it (docs/contracts/hooks.md fencing).
  if (e.fenced === true || e.code === "STORE_FENCED") return "fenced";
  if (e.permanent === true || e.code === "HOOK_PERMANENT_FAILURE" || e.name === "HookDecodeError")
    return "permanent";
  // The store cannot take writes right now (busy, out of reach): nothing is wrong with the
  // message, so it waits for the store instead of using up its attempts and going to the
  // failed-messages log, which would take it out of the stream.
  if ((e as { unavailable?: unknown }).unavailable === true) return "unavailable";
  return "transient";
}

export function errorCode(error: unknown, fallback: string): string {
  if (typeof error === "object" && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
  }
  return fallback;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Why the Kafka client could not connect or stay connected (shown on the server's health). */
export type HookKafkaErrorCode =
  /** The broker refused the SASL credentials (wrong user or password, unknown mechanism). */
  | "HOOK_KAFKA_AUTH_FAILED"
  /**
   * The TLS handshake failed: the broker's certificate is not trusted (wrong CA), expired or
   * for another host, or the broker refused the client's certificate (mutual TLS).
   */
  | "HOOK_KAFKA_TLS_FAILED"
  /** Any other failure to reach the brokers (refused, timed out, closed). */
  | "HOOK_KAFKA_CONNECT_FAILED";

/** A Kafka connection failure with a stable code; `cause` is the client's own error. */
export class HookKafkaError extends Error {
  override readonly name = "HookKafkaError" as const;
  readonly code: HookKafkaErrorCode;

  constructor(code: HookKafkaErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
