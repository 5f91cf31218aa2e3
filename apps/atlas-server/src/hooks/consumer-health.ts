/**
 * What the health answer says about the hook consumer's Kafka connection: the last failure to
 * connect (or a crash of the client) with its code (`HOOK_KAFKA_AUTH_FAILED`,
 * `HOOK_KAFKA_TLS_FAILED`, `HOOK_KAFKA_CONNECT_FAILED`), until the group is joined again.
 * The consumer retries by itself with back-off; the instance stays up. A change of error is
 * logged once, not at every retry.
 */
import type { HookConsumer } from "@atlas-ha/hook-consumer";
import type { Logger } from "pino";

export interface ConsumerError {
  code: string;
  message: string;
  since: string;
}

export function trackConsumerHealth(
  consumer: HookConsumer,
  logger: Logger,
): { error(): ConsumerError | null } {
  let current: ConsumerError | null = null;
  const fail = (error: Error) => {
    const raw = (error as { code?: unknown }).code;
    const code =
      typeof raw === "string" && raw.startsWith("HOOK_KAFKA_") ? raw : "HOOK_KAFKA_CONNECT_FAILED";
    if (current?.code !== code || current.message !== error.message) {
      logger.error({ event: "hook_consumer_kafka_error", code, error: error.message });
      current = { code, message: error.message, since: new Date().toISOString() };
    }
  };
  consumer.on("connect_failed", (event) => fail(event.payload.error));
  consumer.on("crash", (event) => fail(event.payload.error));
  // A passive consumes nothing: an error of its last activation would only mislead.
  consumer.on("stop", () => {
    current = null;
  });
  consumer.on("group_join", () => {
    if (current !== null)
      logger.info({ event: "hook_consumer_kafka_recovered", code: current.code });
    current = null;
  });
  return { error: () => current };
}
