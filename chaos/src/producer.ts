/**
 * The hook side of the workload: a numbered sequence of Atlas hook messages published at a
 * steady rate, each creating one `hive_db` with a qualifiedName of its own, so the checker
 * can tell for every message whether it was applied, and how often.
 *
 * A send that fails (the broker restarting) is retried with the same number. The failed send
 * may have reached the log anyway, so a number can sit at two offsets: both records must be
 * applied, and the second one changes nothing (same entity, same attributes).
 */
import { encodeHookMessage } from "@atlas-ha/hook-consumer";
import kafkajs from "kafkajs";
import { sleep, type Logger } from "./log.js";

const { Kafka, logLevel, Partitioners } = kafkajs;

export const HOOK_SUFFIX = "@chaos-hook";

export function hookQualifiedName(n: number): string {
  return `hook-${n}${HOOK_SUFFIX}`;
}

/** The Kafka value of message `n`: ENTITY_CREATE_V2 of one hive_db; every fifth one GZIP. */
export function hookMessage(n: number): string {
  const body = {
    type: "ENTITY_CREATE_V2",
    user: "chaos",
    entities: {
      entities: [
        {
          typeName: "hive_db",
          guid: "-1",
          attributes: { qualifiedName: hookQualifiedName(n), name: `hook-${n}`, clusterName: "chaos", description: `chaos hook message ${n}` },
        },
      ],
      referredEntities: {},
    },
  };
  return encodeHookMessage(body, { compression: n % 5 === 4 ? "GZIP" : "NONE", msgCreatedBy: "chaos" })[0]!;
}

export interface ProducedRecord {
  n: number;
  partition: number;
  offset: string;
  /** Epoch ms when the broker acknowledged it. */
  ackedAt: number;
}

export interface HookProducerOptions {
  bootstrap: string;
  topic: string;
  /** Messages per second. */
  ratePerSec: number;
  logger: Logger;
}

export class HookProducer {
  /** Every acknowledged send, in order. */
  readonly records: ProducedRecord[] = [];
  /** Sends that failed (and were retried with the same number). */
  failedSends = 0;
  #o: HookProducerOptions;
  #next = 0;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: HookProducerOptions) {
    this.#o = options;
  }

  /**
   * Numbers handed to Kafka so far, acknowledged or not: 0 … attempted-1. Only the last one
   * can lack an acknowledgement (a failed send is retried before the next number).
   */
  get attempted(): number {
    return this.#tried;
  }
  #tried = 0;

  /** The highest number acknowledged, or -1. */
  get lastAcked(): number {
    return this.records.at(-1)?.n ?? -1;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops after the send in hand; resolves once nothing more is sent. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { bootstrap, topic, ratePerSec, logger } = this.#o;
    const interval = 1000 / ratePerSec;
    const signal = this.#stop.signal;
    const kafka = new Kafka({ clientId: "atlas-ha-chaos", brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 200 } });
    let producer: ReturnType<typeof kafka.producer> | null = null;
    let due = Date.now();
    while (!signal.aborted) {
      await sleep(due - Date.now(), signal);
      if (signal.aborted) break;
      due = Math.max(due + interval, Date.now() - interval);
      const n = this.#next;
      this.#tried = n + 1;
      try {
        if (!producer) {
          producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
          await producer.connect();
        }
        const [result] = await producer.send({ topic, acks: -1, timeout: 5000, messages: [{ value: hookMessage(n) }] });
        this.records.push({ n, partition: result!.partition, offset: result!.baseOffset ?? "?", ackedAt: Date.now() });
        this.#next = n + 1;
      } catch (error) {
        this.failedSends++;
        logger.debug({ event: "hook_send_failed", n, error: (error as Error).message });
        // A fresh client after a failure: kafkajs keeps stale broker metadata across a restart.
        await producer?.disconnect().catch(() => undefined);
        producer = null;
        await sleep(250, signal);
      }
    }
    await producer?.disconnect().catch(() => undefined);
  }
}
