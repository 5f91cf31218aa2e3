/**
 * The bad-input corpus on the hook path of a real server (docs/contracts/hooks.md): a local cluster (one
 * ZooKeeper node, a real Kafka broker, one atlas-server process on SQLite) consumes a few
 * hundred malformed and hostile hook messages interleaved with valid ones. Every valid one
 * must be applied (read back through the REST API), every invalid record must be a line of
 * the instance's failed-messages log with its code, incomplete split sets must be dropped
 * after the (short) wait, and the consumer must keep going, its memory bounded.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeHookMessage, type HookConsumerMetrics } from "@atlas-ha/hook-consumer";
import { atlasCall as call, waitFor, type AtlasInstance } from "@atlas-ha/testkit";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import type { LocalCluster } from "../../src/index.js";
import { useLocalCluster } from "../../src/vitest.js";
import { buildCorpus, corpusStats, QN_SUFFIX, type KafkaValue } from "./corpus.js";

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const SEED = Number(process.env.HOSTILE_SEED ?? 20_260_701);
const SPLIT_WAIT_SECONDS = 4;

/** `/health`: the consumer's metrics under `hookConsumer`. */
interface Health {
  state: string;
  hookConsumer: HookConsumerMetrics;
}

/** VmRSS and VmHWM (peak) of a process, in MiB, from /proc. */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

/**
 * Publishes values in order, in sends of at most a few MB (a record batch must fit the
 * topic's max.message.bytes), and returns the offset of each value.
 */
async function produceAll(cluster: LocalCluster, values: KafkaValue[]): Promise<string[]> {
  const kafka = new Kafka({
    clientId: "hostile-corpus",
    brokers: [cluster.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  const offsets: string[] = [];
  try {
    let chunk: KafkaValue[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const [result] = await producer.send({
        topic: cluster.hookTopic,
        acks: -1,
        messages: chunk.map((value) => ({ value })),
      });
      const base = BigInt(result!.baseOffset!);
      chunk.forEach((_, i) => offsets.push(String(base + BigInt(i))));
      chunk = [];
      bytes = 0;
    };
    for (const value of values) {
      const size = value === null ? 0 : Buffer.byteLength(value);
      if (bytes + size > 4 * 1024 * 1024) await flush();
      chunk.push(value);
      bytes += size;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return offsets;
}

/** Lets the hook topic take records up to 16 MB (the broker's default limit is about 1 MB). */
async function allowLargeRecords(cluster: LocalCluster): Promise<void> {
  const admin = new Kafka({
    clientId: "hostile-admin",
    brokers: [cluster.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: cluster.hookTopic,
          configEntries: [{ name: "max.message.bytes", value: String(16 * 1024 * 1024) }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

async function health(instance: AtlasInstance): Promise<Health> {
  return (await call(instance, "GET", "/api/atlas/admin/health")).json as Health;
}

function entityPath(typeName: string, qualifiedName: string): string {
  return `/api/atlas/v2/entity/uniqueAttribute/type/${typeName}?attr:qualifiedName=${encodeURIComponent(qualifiedName)}`;
}

describe(`hook bad-input corpus (seed ${SEED}) on a real server: 1 ZooKeeper node, Kafka, 1 atlas-server on SQLite`, () => {
  const cluster = useLocalCluster({
    instances: 1,
    zk: 1,
    properties: {
      "atlas.notification.split.message.segments.wait.time.seconds": SPLIT_WAIT_SECONDS,
      "atlas.notification.consumer.retry.interval": 100,
    },
  });

  it("applies every valid message, logs every invalid record with its code, drops incomplete splits after the wait, and keeps consuming with bounded memory", async () => {
    const corpus = buildCorpus(SEED);
    const stats = corpusStats(corpus);
    expect(stats.invalidCases).toBeGreaterThanOrEqual(200);
    const active = await cluster().waitForActive();
    const pid = active.process.pid!;
    await allowLargeRecords(cluster());
    const before = memoryMiB(pid);

    const started = performance.now();
    const offsets = await produceAll(
      cluster(),
      corpus.stream.map((r) => r.value),
    );
    await waitFor(
      async () => {
        const h = (await health(active)).hookConsumer;
        return (
          h.received >= corpus.stream.length &&
          h.pendingSplits === 0 &&
          h.totalLag === 0 &&
          h.failed >= stats.failedRecords
        );
      },
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        what: "the consumer to read the whole corpus and drop the incomplete splits",
      },
    );
    const tookMs = Math.round(performance.now() - started);
    const afterCorpus = memoryMiB(pid);

    // The failed-messages log: exactly the invalid records, each with its code.
    const failedFile = join(active.dir, "failed-messages.log");
    const lines = readFileSync(failedFile, "utf8")
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            offset: string;
            code: string;
            value: string | null;
            valueBase64?: string;
          },
      );
    const logged = new Map(lines.map((l) => [l.offset, l]));
    const wrong: string[] = [];
    const expectedOffsets = new Set<string>();
    const offsetOf = new Map(
      corpus.stream.map((r, i) => [`${r.caseIndex}/${r.valueIndex}`, offsets[i]!]),
    );
    corpus.cases.forEach((c, caseIndex) => {
      for (const outcome of c.outcomes) {
        if (outcome.kind !== "failed") continue;
        for (const record of outcome.records) {
          const offset = offsetOf.get(`${caseIndex}/${record}`)!;
          expectedOffsets.add(offset);
          const line = logged.get(offset);
          if (line?.code !== outcome.code)
            wrong.push(
              `${c.id} record ${record} (offset ${offset}): expected ${outcome.code}, logged ${line?.code ?? "nothing"}`,
            );
        }
      }
    });
    for (const line of lines)
      if (!expectedOffsets.has(line.offset))
        wrong.push(`offset ${line.offset} logged as ${line.code} but not expected to fail`);
    expect(wrong).toEqual([]);
    expect(lines).toHaveLength(stats.failedRecords);
    // A line holds the record as it was: the raw bytes of a non-UTF-8 value too.
    for (const [i, r] of corpus.stream.entries()) {
      const line = logged.get(offsets[i]!);
      if (line === undefined || r.value === null) continue;
      const raw = typeof r.value === "string" ? Buffer.from(r.value, "utf8") : r.value;
      const kept =
        line.valueBase64 !== undefined
          ? Buffer.from(line.valueBase64, "base64")
          : Buffer.from(line.value ?? "", "utf8");
      if (!kept.equals(raw))
        wrong.push(`offset ${offsets[i]}: the failed log does not hold the record's bytes`);
    }
    expect(wrong).toEqual([]);

    // Every valid message is in the store, as sent.
    const missing: string[] = [];
    for (const c of corpus.cases) {
      for (const outcome of c.outcomes) {
        if (outcome.kind !== "applied") continue;
        const answer = await call(
          active,
          "GET",
          entityPath(outcome.typeName, outcome.qualifiedName),
        );
        if (answer.status !== 200) {
          missing.push(`${c.id}: ${answer.status} ${answer.text.slice(0, 200)}`);
          continue;
        }
        const attributes = (answer.json as { entity: { attributes: Record<string, unknown> } })
          .entity.attributes;
        for (const [name, want] of Object.entries(outcome.attributes ?? {})) {
          const got = attributes[name];
          const ok =
            typeof want === "object" && want !== null && "length" in want
              ? typeof got === "string" && got.length === (want as { length: number }).length
              : got === want;
          if (!ok)
            missing.push(
              `${c.id}: ${name} is ${JSON.stringify(got)?.slice(0, 80)}, sent ${JSON.stringify(want)?.slice(0, 80)}`,
            );
        }
      }
    }
    expect(missing).toEqual([]);

    // The counters agree, nothing is held, and the consumer still runs: one more message is applied.
    const h = await health(active);
    expect(h.state).toBe("ACTIVE");
    expect(h.hookConsumer).toMatchObject({
      state: "running",
      received: corpus.stream.length,
      processed: stats.applied,
      failed: stats.failedRecords,
      retried: 0,
      droppedSplits: stats.droppedSplits,
      duplicateParts: stats.duplicates,
      pendingSplits: 0,
      heldParts: 0,
    });
    await produceAll(
      cluster(),
      encodeHookMessage({
        type: "ENTITY_CREATE_V2",
        user: "hive",
        entities: {
          entities: [
            {
              typeName: "hive_db",
              guid: "-1",
              attributes: {
                qualifiedName: `after-corpus${QN_SUFFIX}`,
                name: "after-corpus",
                clusterName: "hostile",
              },
            },
          ],
        },
      }),
    );
    await waitFor(
      async () =>
        (await call(active, "GET", entityPath("hive_db", `after-corpus${QN_SUFFIX}`))).status ===
        200,
      { timeoutMs: 20_000, what: "a message after the corpus to be applied" },
    );

    // Memory: the peak includes the 5 MB values and the 256 MiB the gzip bomb may inflate to
    // before it is refused; what stays is bounded once the incomplete splits are dropped.
    const after = memoryMiB(pid);
    process.stdout.write(
      `[hostile corpus] seed ${SEED}: ${stats.cases} cases (${stats.invalidCases} invalid), ${stats.records} records, ${(stats.bytes / 1048576).toFixed(1)} MiB; ` +
        `applied ${stats.applied}, failed-log lines ${stats.failedRecords}, dropped splits ${stats.droppedSplits}, duplicate parts ${stats.duplicates}; ` +
        `consumed in ${tookMs} ms; server RSS ${before.rss} MiB before, ${afterCorpus.rss} MiB after the corpus, ${after.rss} MiB at the end, peak ${after.peak} MiB\n`,
    );
    expect(after.peak).toBeLessThan(1024);
    expect(after.rss).toBeLessThan(768);
  });
});
