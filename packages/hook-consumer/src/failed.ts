// Where given-up messages go: the sinks (a JSON-lines file, the log) and the routing of one
// session's failed records to the sink and, if configured, the dead-letter topic.
import { isUtf8 } from "node:buffer";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { ConsumerContext } from "./context.js";
import { errorMessage } from "./errors.js";
import type { KafkaProducerPort } from "./kafka.js";
import type { Logger } from "@atlas-ha/shared";
import type { HeldRecord } from "./types.js";

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

/**
 * Routes the records one session gives up on: a line in the sink, then the dead-letter topic
 * if one is configured (its producer connects on first use and lives as long as the session).
 */
export class FailedMessageRouter {
  readonly #ctx: ConsumerContext;
  #producer: Promise<KafkaProducerPort> | undefined;

  constructor(ctx: ConsumerContext) {
    this.#ctx = ctx;
  }

  async fail(
    parts: HeldRecord[],
    code: string,
    reason: string,
    attempts: number | undefined,
    msgId: string | undefined,
  ): Promise<void> {
    const { clock, logger, failedMessages, settings } = this.#ctx.options;
    for (const part of parts) {
      const record: FailedMessageRecord = {
        timestamp: new Date(clock.wallTime()).toISOString(),
        topic: part.topic,
        partition: part.partition,
        offset: part.offset,
        code,
        reason,
        value: part.value === null ? null : part.value.toString("utf8"),
      };
      if (part.value !== null && !isUtf8(part.value))
        record.valueBase64 = part.value.toString("base64");
      if (msgId !== undefined) record.msgId = msgId;
      if (attempts !== undefined) record.attempts = attempts;
      this.#ctx.counters.failed++;
      logger.warn({
        event: "hook_message_failed",
        topic: part.topic,
        partition: part.partition,
        offset: part.offset,
        code,
        reason,
      });
      try {
        await failedMessages.write(record);
      } catch (error) {
        // The record is still in the log above and, if configured, the dead-letter topic;
        // holding the whole stream for a full disk would be worse (docs/contracts/hooks.md).
        logger.error({ event: "hook_failed_sink_error", error: errorMessage(error), ...record });
        this.#ctx.emit("sink_failed", {
          target: "sink",
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
      if (settings.dlqTopic !== undefined) await this.#toDeadLetter(part, code, reason);
      this.#ctx.emit("message_failed", { record });
    }
  }

  async #toDeadLetter(part: HeldRecord, code: string, reason: string): Promise<void> {
    const topic = this.#ctx.options.settings.dlqTopic;
    if (topic === undefined) return;
    try {
      this.#producer ??= (async () => {
        const producer = this.#ctx.options.kafka.producer();
        await producer.connect();
        return producer;
      })();
      const producer = await this.#producer;
      await producer.send(topic, [
        {
          value: part.value,
          headers: {
            "atlas-hook-error-code": code,
            "atlas-hook-error": reason.slice(0, 1000),
            "atlas-hook-topic": part.topic,
            "atlas-hook-partition": String(part.partition),
            "atlas-hook-offset": part.offset,
          },
        },
      ]);
    } catch (error) {
      this.#producer = undefined;
      this.#ctx.options.logger.error({
        event: "hook_dlq_failed",
        topic,
        error: errorMessage(error),
        source: { topic: part.topic, partition: part.partition, offset: part.offset },
      });
      this.#ctx.emit("sink_failed", {
        target: "dlq",
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  /** Disconnects the dead-letter producer; undefined when none was started (nothing to wait for). */
  close(): Promise<void> | undefined {
    return this.#producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}
