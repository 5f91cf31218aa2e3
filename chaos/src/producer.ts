/**
 * The hook side of the workload: a numbered sequence of Atlas hook messages published at a
 * steady rate, so the checker can tell for every message whether it was applied, and how often.
 *
 * Message `n` goes to partition `n % partitions` (explicitly, so the producer knows it before
 * sending); its place in that partition, `i = floor(n / partitions)`, says what it is:
 * - `i` even: ENTITY_CREATE_V2 of one `hive_db` with a qualifiedName of its own
 *   (`hook-<n>@chaos-hook`), which must exist once, at version 0; the partition's first
 *   message (`i = 0`) also creates the partition's counter entity (`counter-<p>@chaos-hook`)
 *   at seq 0;
 * - `i` odd: ENTITY_PARTIAL_UPDATE_V2 of the counter, setting its description to
 *   `seq <k>` with `k = (i + 1) / 2` = 1, 2, 3, … — order- and count-sensitive: applied once
 *   each and in order, the counter ends at `seq K` and version K (each update changes the
 *   description, and the store bumps the version once per changing write); an update
 *   re-applied after a later one sets an older seq and bumps the version again, a lost one
 *   leaves the version below the seq.
 *
 * A send that fails (the broker restarting) is retried with the same number. The failed send
 * may have reached the log anyway, so a number can sit at two offsets: both records must be
 * applied; the second changes nothing (the same entity and attributes; for a counter update,
 * the same seq right after itself, since nothing else goes to the counter in between).
 */
import { encodeHookMessage } from "@atlas-ha/hook-consumer";
import kafkajs from "kafkajs";
import { sleep, type Logger } from "./log.js";

const { Kafka, logLevel, Partitioners } = kafkajs;

export const HOOK_SUFFIX = "@chaos-hook";

export function hookQualifiedName(n: number): string {
  return `hook-${n}${HOOK_SUFFIX}`;
}

export function counterQualifiedName(partition: number): string {
  return `counter-${partition}${HOOK_SUFFIX}`;
}

/** The counter's description at seq `k`; `counterSeq` reads it back (null when it is not one). */
export function counterDescription(k: number): string {
  return `seq ${k}`;
}

export function counterSeq(description: unknown): number | null {
  const match = typeof description === "string" ? /^seq (\d+)$/.exec(description) : null;
  return match ? Number(match[1]) : null;
}

export type HookMessageKind =
  | { kind: "create"; n: number; partition: number; createsCounter: boolean }
  | { kind: "counter"; n: number; partition: number; seq: number };

/** What message `n` is, with `partitions` partitions in the topic. */
export function messageKind(n: number, partitions: number): HookMessageKind {
  const partition = n % partitions;
  const i = Math.floor(n / partitions);
  return i % 2 === 1
    ? { kind: "counter", n, partition, seq: (i + 1) / 2 }
    : { kind: "create", n, partition, createsCounter: i === 0 };
}

const hiveDb = (guid: string, qualifiedName: string, name: string, description: string) => ({
  typeName: "hive_db",
  guid,
  attributes: { qualifiedName, name, clusterName: "chaos", description },
});

/** The Kafka value of message `n` (see above); every fifth one GZIP. */
export function hookMessage(n: number, partitions = 1): string {
  const what = messageKind(n, partitions);
  const body =
    what.kind === "counter"
      ? {
          type: "ENTITY_PARTIAL_UPDATE_V2",
          user: "chaos",
          entityId: {
            typeName: "hive_db",
            uniqueAttributes: { qualifiedName: counterQualifiedName(what.partition) },
          },
          entity: {
            entity: {
              typeName: "hive_db",
              attributes: { description: counterDescription(what.seq) },
            },
            referredEntities: {},
          },
        }
      : {
          type: "ENTITY_CREATE_V2",
          user: "chaos",
          entities: {
            entities: [
              hiveDb("-1", hookQualifiedName(n), `hook-${n}`, `chaos hook message ${n}`),
              ...(what.createsCounter
                ? [
                    hiveDb(
                      "-2",
                      counterQualifiedName(what.partition),
                      `counter-${what.partition}`,
                      counterDescription(0),
                    ),
                  ]
                : []),
            ],
            referredEntities: {},
          },
        };
  return encodeHookMessage(body, {
    compression: n % 5 === 4 ? "GZIP" : "NONE",
    msgCreatedBy: "chaos",
  })[0]!;
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
  /** Partitions of the topic; message n goes to partition n % partitions. Default 1. */
  partitions?: number;
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
    const partitions = this.#o.partitions ?? 1;
    const interval = 1000 / ratePerSec;
    const signal = this.#stop.signal;
    const kafka = new Kafka({
      clientId: "atlas-ha-chaos",
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 200 },
    });
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
          producer = kafka.producer({
            createPartitioner: Partitioners.DefaultPartitioner,
            allowAutoTopicCreation: false,
          });
          await producer.connect();
        }
        const [result] = await producer.send({
          topic,
          acks: -1,
          timeout: 5000,
          messages: [{ partition: n % partitions, value: hookMessage(n, partitions) }],
        });
        this.records.push({
          n,
          partition: result!.partition,
          offset: result!.baseOffset ?? "?",
          ackedAt: Date.now(),
        });
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
