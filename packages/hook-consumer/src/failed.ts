import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "./logger.js";

/** One line of the failed-messages log: a Kafka record that was given up on, as it was. */
export interface FailedMessageRecord {
  /** ISO-8601 time it was given up on. */
  timestamp: string;
  topic: string;
  partition: number;
  offset: string;
  /** A stable code: a HookDecodeError code, the handler error's `code`, or HOOK_HANDLER_FAILED. */
  code: string;
  /** Human-readable reason. */
  reason: string;
  /** The raw Kafka value, UTF-8 (null for a record without a value). */
  value: string | null;
  /**
   * The raw value in base64, present only when it is not valid UTF-8: `value` is then a lossy
   * reading (U+FFFD for each bad byte), and this is what to republish.
   */
  valueBase64?: string;
  /** The split message this record was a part of, if any. */
  msgId?: string;
  /** Handler attempts made (absent when the record could not be decoded). */
  attempts?: number;
}

/** Where failed messages go. `write` resolves once the record is stored. */
export interface FailedMessageSink {
  write(record: FailedMessageRecord): Promise<void>;
}

/**
 * Appends one JSON line per failed message to `path` (directories created as needed). Lines
 * are written in order; each append completes before the consumer commits past the record.
 */
export function fileFailedMessageSink(path: string): FailedMessageSink {
  let ready: Promise<unknown> | undefined;
  return {
    async write(record) {
      ready ??= mkdir(dirname(path), { recursive: true });
      await ready;
      await appendFile(path, `${JSON.stringify(record)}\n`, "utf8");
    },
  };
}

/** The default sink: an error-level log event per failed message. */
export function loggerFailedMessageSink(logger: Logger): FailedMessageSink {
  return {
    write(record) {
      logger.error({ event: "hook_message_failed", ...record });
      return Promise.resolve();
    },
  };
}
