// A group member that joins and is then SIGKILLed by the test: the coordinator keeps it
// until its Kafka session (argv[4] ms) expires, holding every new member's join meanwhile.
// argv: bootstrap, groupId, topic, sessionTimeoutMs. Prints "joined" once it has partitions.
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;
const [bootstrap, groupId, topic, sessionTimeout] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: "dead-member",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({
  groupId,
  sessionTimeout: Number(sessionTimeout),
  heartbeatInterval: 500,
});
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write("joined\n"));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({ eachMessage: async () => new Promise(() => undefined) });
