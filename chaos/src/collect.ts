// What the checks read after the run besides the store: the topic's offsets and the
// instances' failed-message logs and server logs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalCluster } from "@atlas-ha/local-cluster";
import kafkajs from "kafkajs";
import type { TopicRecords } from "./check.js";
import type { ChaosReport } from "./report.js";

const { Kafka, logLevel } = kafkajs;

/** Per partition of `topic`, the offsets that hold records. */
export async function topicRecords(bootstrap: string, topic: string): Promise<TopicRecords> {
  const admin = new Kafka({
    clientId: "atlas-ha-chaos-check",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return {
      topic,
      partitions: offsets.map((o) => ({
        partition: o.partition,
        low: Number(o.low),
        high: Number(o.high),
      })),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Lines of each instance's failed-messages log, with a few examples. */
export function failedMessages(cluster: LocalCluster): ChaosReport["failedMessages"] {
  return cluster.instances.map((i) => {
    const file = join(i.dir, "failed-messages.log");
    const lines = existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
      : [];
    return {
      instance: i.name,
      lines: lines.length,
      examples: lines.slice(0, 5).map((l) => l.slice(0, 400)),
    };
  });
}

/** Each instance's server log (pino JSON lines). */
export function serverLogs(cluster: LocalCluster): { instance: string; text: string }[] {
  return cluster.instances.map((i) => ({
    instance: i.name,
    text: existsSync(i.logFile) ? readFileSync(i.logFile, "utf8") : "",
  }));
}
