import { ManualClock, settle } from "@atlas-ha/shared";
import type {
  BatchContext,
  KafkaClient,
  KafkaConsumerPort,
  KafkaProducerPort,
  OutgoingRecord,
  TopicPartition,
  TopicPartitionOffset,
} from "../../src/index.js";

/**
 * An in-memory KafkaClient for unit tests: the test hands batches to the consumer and
 * reads back what it committed, resolved and produced.
 */
export class FakeKafka implements KafkaClient {
  readonly consumers: FakeConsumer[] = [];
  readonly commits: TopicPartitionOffset[][] = [];
  readonly committed = new Map<string, string>();
  readonly produced: { topic: string; records: OutgoingRecord[] }[] = [];
  /** Number of connect() calls to fail before succeeding. */
  failConnects = 0;
  /**
   * When set, a consumer's run() starts but its group join stays pending until
   * `releaseJoin()`, and disconnect() waits for it — as kafkajs does while the coordinator
   * holds a JoinGroup for a dead member's session to expire.
   */
  holdJoins = false;
  assignment: TopicPartition[] = [{ topic: "ATLAS_HOOK", partition: 0 }];

  consumer(): KafkaConsumerPort {
    const consumer = new FakeConsumer(this);
    this.consumers.push(consumer);
    return consumer;
  }

  producer(): KafkaProducerPort {
    return {
      connect: async () => undefined,
      send: async (topic, records) => {
        this.produced.push({ topic, records });
      },
      disconnect: async () => undefined,
    };
  }

  committedOffset(topic: string, partition: number): string | undefined {
    return this.committed.get(`${topic}/${partition}`);
  }

  /** The consumer that is running now. */
  get current(): FakeConsumer {
    const running = this.consumers.filter((c) => c.running);
    const last = running.at(-1);
    if (last === undefined) throw new Error("no consumer is running");
    return last;
  }
}

export class FakeConsumer implements KafkaConsumerPort {
  running = false;
  disconnecting = false;
  connected = false;
  subscribed: string[] = [];
  fromBeginning: boolean | undefined;
  readonly resolved: string[] = [];
  heartbeats = 0;
  /** How many eachBatch calls have returned (deliver() resolves a few turns later). */
  batchesReturned = 0;
  #eachBatch: ((context: BatchContext) => Promise<void>) | undefined;
  #joins = new Set<(assignment: TopicPartition[]) => void>();
  #crashes = new Set<(error: Error, restarting: boolean) => void>();
  #batch: Promise<void> | undefined;
  #kafka: FakeKafka;

  constructor(kafka: FakeKafka) {
    this.#kafka = kafka;
  }

  async connect(): Promise<void> {
    if (this.#kafka.failConnects > 0) {
      this.#kafka.failConnects--;
      throw new Error("connect ECONNREFUSED 127.0.0.1:1");
    }
    this.connected = true;
  }

  async subscribe(topics: string[], fromBeginning: boolean): Promise<void> {
    this.subscribed = topics;
    this.fromBeginning = fromBeginning;
  }

  #pendingJoin: { promise: Promise<void>; release: () => void } | undefined;

  async run(eachBatch: (context: BatchContext) => Promise<void>): Promise<void> {
    this.#eachBatch = eachBatch;
    this.running = true;
    if (!this.#kafka.holdJoins) {
      this.rejoin();
      return;
    }
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.#pendingJoin = { promise, release };
  }

  get joinPending(): boolean {
    return this.#pendingJoin !== undefined;
  }

  /** Completes a join held by `holdJoins`. */
  releaseJoin(): void {
    const pending = this.#pendingJoin;
    if (pending === undefined) throw new Error("no join is pending");
    this.#pendingJoin = undefined;
    if (this.running) this.rejoin();
    pending.release();
  }

  rejoin(assignment = this.#kafka.assignment): void {
    for (const listener of this.#joins) listener(assignment);
  }

  crash(error: Error, restarting: boolean): void {
    for (const listener of this.#crashes) listener(error, restarting);
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    if (!this.running) throw new Error("commit on a stopped consumer");
    this.#kafka.commits.push(offsets);
    for (const o of offsets) this.#kafka.committed.set(`${o.topic}/${o.partition}`, o.offset);
  }

  async disconnect(): Promise<void> {
    // Like kafkajs: a pending join first, then stop fetching, wait for the batch in hand, leave.
    this.disconnecting = true;
    await this.#pendingJoin?.promise;
    await this.#batch;
    this.running = false;
    this.connected = false;
  }

  onGroupJoin(listener: (assignment: TopicPartition[]) => void): () => void {
    this.#joins.add(listener);
    return () => this.#joins.delete(listener);
  }

  onCrash(listener: (error: Error, restarting: boolean) => void): () => void {
    this.#crashes.add(listener);
    return () => this.#crashes.delete(listener);
  }

  /**
   * Hands one batch to the consumer; resolves when its eachBatch returns and the commit it
   * started in the background (OffsetManager.commitInBackground) had its turns to finish.
   */
  deliver(
    records: (string | Buffer | null)[],
    options: {
      topic?: string;
      partition?: number;
      firstOffset?: number;
      highWatermark?: number;
      stale?: () => boolean;
    } = {},
  ): Promise<void> {
    const eachBatch = this.#eachBatch;
    if (eachBatch === undefined || !this.running) throw new Error("the consumer is not running");
    const first = options.firstOffset ?? 0;
    const messages = records.map((value, i) => ({
      offset: String(first + i),
      value: value === null ? null : typeof value === "string" ? Buffer.from(value, "utf8") : value,
    }));
    const batch = eachBatch({
      batch: {
        topic: options.topic ?? "ATLAS_HOOK",
        partition: options.partition ?? 0,
        highWatermark: String(options.highWatermark ?? first + records.length),
        messages,
      },
      resolveOffset: (offset) => {
        this.resolved.push(offset);
      },
      heartbeat: async () => {
        this.heartbeats++;
      },
      isRunning: () => this.running,
      isStale: options.stale ?? (() => false),
    });
    this.#batch = batch;
    return batch.then(() => {
      this.batchesReturned++;
      return settle();
    });
  }
}

// A clock whose time moves only when the test says so; the one election-core publishes too.
export { ManualClock, settle };
