// The hook traffic of figures 5 and 7: small ENTITY_CREATE_V2 messages (one hive_db each,
// the shape the Hive hook sends on CREATE DATABASE), encoded by hook-consumer's own encoder
// and published in batches.
import { encodeHookMessage } from "@atlas-ha/hook-consumer";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** The entity of message `i` of run `run`: unique across runs, so every message is a create. */
export function hiveDb(run, i) {
  const name = `db_${run}_${i}`;
  return {
    typeName: "hive_db",
    guid: `-${i + 1}`,
    attributes: {
      qualifiedName: `${name}@bench`,
      name,
      clusterName: "bench",
      owner: "hive",
      location: `hdfs://nn:8020/warehouse/${name}.db`,
    },
  };
}

export function createMessage(run, i) {
  const body = {
    type: "ENTITY_CREATE_V2",
    user: "hive",
    entities: { entities: [hiveDb(run, i)], referredEntities: {} },
  };
  return encodeHookMessage(body, { msgCreatedBy: "hive", msgSourceIP: "127.0.0.1" })[0];
}

/** Publishes `count` create messages of run `run` to `topic`; resolves their average size in bytes. */
export async function publishCreates(bootstrap, topic, run, count) {
  const producer = new Kafka({
    clientId: "atlas-ha-bench",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  let bytes = 0;
  try {
    for (let start = 0; start < count; start += 1000) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const value = createMessage(run, i);
        bytes += value.length;
        messages.push({ value });
      }
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return bytes / count;
}
