/**
 * Hook messages posted over REST (`POST v2/notification/topic/{topic}`, Atlas's
 * NotificationREST, used by hooks configured to send through the server instead of Kafka):
 * written to the Kafka topic with every in-sync replica's acknowledgement before the answer,
 * so a 204 means the message is as safe as one a hook wrote itself. Then the active's hook
 * consumer applies it like any other. The producer connects on first use and lives until stop.
 */
import type { KafkaClient, KafkaProducerPort } from "@atlas-ha/hook-consumer";

export interface Notifier {
  /** The topics a message may be posted to (Atlas: the hook and entity topics). */
  readonly topics: ReadonlySet<string>;
  /** Resolves once Kafka has acknowledged every message; rejects (and resets) otherwise. */
  send(topic: string, messages: string[]): Promise<void>;
  close(): Promise<void>;
}

export class NotificationSendError extends Error {
  override readonly name = "NotificationSendError" as const;
  readonly code = "NOTIFICATION_SEND_FAILED" as const;
}

export function createNotifier(
  kafka: () => KafkaClient,
  topics: readonly string[],
  timeoutMs = 15_000,
): Notifier {
  let producer: Promise<KafkaProducerPort> | undefined;
  const connect = () =>
    (producer ??= (async () => {
      const p = kafka().producer();
      await p.connect();
      return p;
    })());
  return {
    topics: new Set(topics),
    async send(topic, messages) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          connect().then((p) =>
            p.send(
              topic,
              messages.map((value) => ({ value })),
            ),
          ),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`Kafka did not acknowledge within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
      } catch (error) {
        // A broken producer is not reused: the next post connects afresh.
        const stale = producer;
        producer = undefined;
        void stale?.then((p) => p.disconnect()).catch(() => undefined);
        throw new NotificationSendError(
          `could not write ${messages.length} message(s) to ${topic}: ${(error as Error).message}`,
        );
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const p = producer;
      producer = undefined;
      await p?.then((x) => x.disconnect()).catch(() => undefined);
    },
  };
}
