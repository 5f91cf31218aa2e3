/**
 * Secured Kafka end to end (docs/contracts/config.md "Kafka security"): one real Kafka broker
 * (KRaft) with SASL_SSL, SSL (ssl.client.auth=required) and SASL_PLAINTEXT listeners beside
 * the PLAINTEXT one the test publishes through, certificates made by the test (testkit
 * makeCertificates: openssl + keytool), SCRAM users created at format time. Real atlas-server
 * processes (standalone, so ACTIVE at once) consume hook messages through each mode with
 * Atlas's own `atlas.kafka.*` keys; a wrong password, a foreign CA, an expired or foreign
 * client certificate leave the instance up with a clear error on health and in the log,
 * retrying, with nothing applied and no offset committed; a login refused until the user is
 * created on the brokers recovers by itself. Secrets appear nowhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeHookMessage, kafkajsClient } from "@atlas-ha/hook-consumer";
import {
  atlasCall,
  hashPassword,
  makeCertificates,
  startAtlasInstance,
  startKafka,
  waitFor,
  type AtlasInstance,
  type CertificateSet,
  type KafkaBroker,
} from "@atlas-ha/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../support/server-bin.js";

const USER = "atlas";
const PASSWORD = "atlas-Secret-42x";
const SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule";
const PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
const jaasQuote = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;

const root = mkdtempSync(join(tmpdir(), "atlas-kafka-security-"));

describe("hook consumption from a secured Kafka (1 Kafka broker with SASL_SSL, SSL and SASL_PLAINTEXT listeners, atlas-server processes)", () => {
  let certs: CertificateSet;
  let broker: KafkaBroker | undefined;
  const kafka = () => broker!;
  const started: { instance: AtlasInstance; dir: string }[] = [];
  let adminHash = "";

  beforeAll(async () => {
    certs = await makeCertificates({ dir: mkdtempSync(join(root, "certs-")) });
    [broker, adminHash] = await Promise.all([
      startKafka({
        security: {
          listeners: ["SASL_SSL", "SSL", "SASL_PLAINTEXT"],
          tls: {
            keystore: certs.server.p12,
            truststore: certs.ca.truststore,
            password: certs.password,
          },
          users: { [USER]: PASSWORD },
        },
      }),
      hashPassword("admin", atlasServerBin()),
    ]);
  }, 240_000);
  // Each test's servers stop after it: ten atlas-server processes at once are too many here.
  afterEach(async (context) => {
    const keepLogs = context.task.result?.state === "fail";
    await Promise.all(started.splice(0).map(({ instance }) => instance.shutdown({ keepLogs })));
  }, 60_000);
  afterAll(async () => {
    await broker?.shutdown();
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  /** A standalone server consuming `topic` as group `topic` with these Kafka keys. */
  async function server(name: string, topic: string, kafkaProperties: Record<string, string>) {
    const dir = mkdtempSync(join(root, `${name}-`));
    const users = join(dir, "users-credentials.properties");
    writeFileSync(users, `admin=ADMIN::${adminHash}\n`, { mode: 0o600 });
    const instance = await startAtlasInstance({
      name,
      serverBin: atlasServerBin(),
      dir: join(dir, "instance"),
      properties: {
        "atlas.server.ha.enabled": false,
        "atlas.store.backend": "sqlite",
        "atlas.store.sqlite.path": join(dir, "atlas.db"),
        "atlas.authentication.method.file.filename": users,
        "atlas.server.bind.address": "127.0.0.1",
        "atlas.notification.consumer.disabled": false,
        "atlas.notification.hook.consumer.topic.names": topic,
        "atlas.kafka.hook.group.id": topic,
        "atlas.kafka.socket.connection.setup.timeout.ms": "5000",
        ...kafkaProperties,
      },
    });
    started.push({ instance, dir });
    await instance.waitForState("ACTIVE");
    return instance;
  }

  /** Publishes a hive_db create on `topic` through the broker's PLAINTEXT listener. */
  async function publish(topic: string, name: string) {
    const producer = kafkajsClient({ brokers: [kafka().bootstrap] }).producer();
    await producer.connect();
    try {
      const message = {
        type: "ENTITY_CREATE_V2",
        user: "hive",
        entities: {
          entities: [
            {
              typeName: "hive_db",
              guid: "-1",
              attributes: { qualifiedName: `${name}@secure`, name, clusterName: "secure" },
            },
          ],
          referredEntities: {},
        },
      };
      await producer.send(
        topic,
        encodeHookMessage(message as never).map((value) => ({ value })),
      );
    } finally {
      await producer.disconnect();
    }
  }

  const dbPath = (name: string) =>
    `/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=${encodeURIComponent(`${name}@secure`)}`;

  async function applied(instance: AtlasInstance, name: string) {
    await waitFor(async () => (await atlasCall(instance, "GET", dbPath(name))).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${name} to be applied`,
    });
    const answer = await atlasCall(instance, "GET", dbPath(name));
    return (answer.json as { entity: { attributes: Record<string, unknown> } }).entity;
  }

  async function health(instance: AtlasInstance) {
    const answer = await atlasCall(instance, "GET", "/api/atlas/admin/health");
    return {
      text: answer.text,
      body: answer.json as {
        state: string;
        hookConsumer: { state: string; error: { code: string; message: string } | null };
      },
    };
  }

  const scram = (mechanism: string, password = PASSWORD) => ({
    "atlas.kafka.sasl.mechanism": mechanism,
    "atlas.kafka.sasl.jaas.config": `${SCRAM} required username=${jaasQuote(USER)} password=${jaasQuote(password)};`,
  });

  describe("each mode consumes hook messages", () => {
    it("SASL_SSL with SCRAM-SHA-512 and a PKCS12 truststore; the REST notification endpoint writes through it too; no secret in log or health", async () => {
      const instance = await server("sasl-ssl-512", "HOOK_SASL_SSL_512", {
        "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SASL_SSL"),
        "atlas.kafka.security.protocol": "SASL_SSL",
        ...scram("SCRAM-SHA-512"),
        "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
        "atlas.kafka.ssl.truststore.password": certs.password,
        "atlas.kafka.ssl.truststore.type": "PKCS12",
      });
      await publish("HOOK_SASL_SSL_512", "scram512");
      expect(await applied(instance, "scram512")).toMatchObject({
        attributes: { name: "scram512", clusterName: "secure" },
      });

      // Atlas's NotificationREST: the producer connects with the same SASL_SSL settings.
      const message = {
        version: { version: "1.0.0", versionParts: [1] },
        msgCompressionKind: "NONE",
        msgSplitIdx: 1,
        msgSplitCount: 1,
        msgCreatedBy: "test",
        msgCreationTime: Date.now(),
        message: {
          type: "ENTITY_CREATE_V2",
          user: "hive",
          entities: {
            entities: [
              {
                typeName: "hive_db",
                guid: "-1",
                attributes: {
                  qualifiedName: "viarest@secure",
                  name: "viarest",
                  clusterName: "secure",
                },
              },
            ],
          },
        },
      };
      const posted = await atlasCall(
        instance,
        "POST",
        "/api/atlas/v2/notification/topic/HOOK_SASL_SSL_512",
        [message],
      );
      expect(posted.status).toBe(204);
      expect((await applied(instance, "viarest")).attributes).toMatchObject({ name: "viarest" });

      const { text, body } = await health(instance);
      expect(body.hookConsumer).toMatchObject({ state: "running", error: null });
      const metrics = await atlasCall(instance, "GET", "/api/atlas/admin/metrics/prometheus");
      expect(metrics.status).toBe(200);
      const log = readFileSync(instance.logFile, "utf8");
      for (const where of [text, metrics.text, log]) {
        expect(where).not.toContain(PASSWORD);
        expect(where).not.toContain(certs.password);
      }
    }, 180_000);

    it("SASL_SSL with SCRAM-SHA-256 from Atlas's atlas.jaas.KafkaClient.* keys and a PEM truststore", async () => {
      const instance = await server("sasl-ssl-256", "HOOK_SASL_SSL_256", {
        "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SASL_SSL"),
        "atlas.kafka.security.protocol": "SASL_SSL",
        "atlas.kafka.sasl.mechanism": "SCRAM-SHA-256",
        "atlas.jaas.KafkaClient.loginModuleName": SCRAM,
        "atlas.jaas.KafkaClient.loginModuleControlFlag": "required",
        "atlas.jaas.KafkaClient.option.username": USER,
        "atlas.jaas.KafkaClient.option.password": PASSWORD,
        "atlas.kafka.ssl.truststore.location": certs.ca.cert,
        "atlas.kafka.ssl.truststore.type": "PEM",
      });
      await publish("HOOK_SASL_SSL_256", "scram256");
      expect((await applied(instance, "scram256")).attributes).toMatchObject({ name: "scram256" });
    }, 180_000);

    it("SASL_PLAINTEXT with PLAIN", async () => {
      const instance = await server("sasl-plain", "HOOK_SASL_PLAIN", {
        "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SASL_PLAINTEXT"),
        "atlas.kafka.security.protocol": "SASL_PLAINTEXT",
        "atlas.kafka.sasl.mechanism": "PLAIN",
        "atlas.kafka.sasl.jaas.config": `${PLAIN} required username=${jaasQuote(USER)} password=${jaasQuote(PASSWORD)};`,
      });
      await publish("HOOK_SASL_PLAIN", "plain");
      expect((await applied(instance, "plain")).attributes).toMatchObject({ name: "plain" });
    }, 180_000);

    it("SSL with mutual TLS: a PKCS12 keystore, and a PEM keystore (key and chain in one file)", async () => {
      const pem = join(root, "client-keystore.pem");
      writeFileSync(
        pem,
        readFileSync(certs.client.key, "utf8") + readFileSync(certs.client.cert, "utf8"),
      );
      const [p12, pemServer] = await Promise.all([
        server("mtls-p12", "HOOK_MTLS_P12", {
          "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SSL"),
          "atlas.kafka.security.protocol": "SSL",
          "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
          "atlas.kafka.ssl.truststore.password": certs.password,
          "atlas.kafka.ssl.keystore.location": certs.client.p12,
          "atlas.kafka.ssl.keystore.password": certs.password,
          "atlas.kafka.ssl.keystore.type": "PKCS12",
        }),
        server("mtls-pem", "HOOK_MTLS_PEM", {
          "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SSL"),
          "atlas.kafka.security.protocol": "SSL",
          "atlas.kafka.ssl.truststore.location": certs.ca.cert,
          "atlas.kafka.ssl.truststore.type": "PEM",
          "atlas.kafka.ssl.keystore.location": pem,
          "atlas.kafka.ssl.keystore.type": "PEM",
        }),
      ]);
      await Promise.all([publish("HOOK_MTLS_P12", "mtlsp12"), publish("HOOK_MTLS_PEM", "mtlspem")]);
      expect((await applied(p12, "mtlsp12")).attributes).toMatchObject({ name: "mtlsp12" });
      expect((await applied(pemServer, "mtlspem")).attributes).toMatchObject({ name: "mtlspem" });
    }, 180_000);
  });

  it("a login refused at first is retried: once the user exists on the brokers, the error clears and the waiting message is applied", async () => {
    const topic = "HOOK_LATE_USER";
    await kafka().createTopic(topic);
    await publish(topic, "lateuser");
    const instance = await server("late-user", topic, {
      "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SASL_SSL"),
      "atlas.kafka.security.protocol": "SASL_SSL",
      "atlas.kafka.sasl.mechanism": "SCRAM-SHA-512",
      "atlas.kafka.sasl.jaas.config": `${SCRAM} required username="late" password=${jaasQuote(PASSWORD)};`,
      "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
      "atlas.kafka.ssl.truststore.password": certs.password,
    });
    await waitFor(
      async () =>
        (await health(instance)).body.hookConsumer.error?.code === "HOOK_KAFKA_AUTH_FAILED",
      { timeoutMs: 60_000, intervalMs: 250, what: "the refused login on health" },
    );
    expect(await kafka().committedOffsets(topic, topic)).toEqual(["-1"]);

    await kafka().addScramUser("late", PASSWORD);
    expect((await applied(instance, "lateuser")).attributes).toMatchObject({ name: "lateuser" });
    await waitFor(async () => (await health(instance)).body.hookConsumer.error === null, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: "the error to clear",
    });
    // The log line is written after the turn that cleared the error (asynchronously).
    await waitFor(
      () =>
        readFileSync(instance.logFile, "utf8").includes('"event":"hook_consumer_kafka_recovered"'),
      { timeoutMs: 10_000, what: "the hook_consumer_kafka_recovered line" },
    );
    await waitFor(async () => (await kafka().committedOffsets(topic, topic))[0] === "1", {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: "the offset of the applied message to be committed",
    });
  }, 180_000);

  describe("bad credentials and bad certificates: the instance stays up, says why, retries, and nothing is applied or committed", () => {
    const cases: {
      name: string;
      code: string;
      properties: () => Record<string, string>;
    }[] = [
      {
        name: "wrong-password",
        code: "HOOK_KAFKA_AUTH_FAILED",
        properties: () => ({
          "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SASL_SSL"),
          "atlas.kafka.security.protocol": "SASL_SSL",
          ...scram("SCRAM-SHA-512", "not-the-password"),
          "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
          "atlas.kafka.ssl.truststore.password": certs.password,
        }),
      },
      {
        name: "foreign-ca",
        code: "HOOK_KAFKA_TLS_FAILED",
        properties: () => ({
          "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SASL_SSL"),
          "atlas.kafka.security.protocol": "SASL_SSL",
          ...scram("SCRAM-SHA-512"),
          "atlas.kafka.ssl.truststore.location": certs.otherCa.truststore,
          "atlas.kafka.ssl.truststore.password": certs.password,
        }),
      },
      {
        name: "expired-client",
        code: "HOOK_KAFKA_TLS_FAILED",
        properties: () => ({
          "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SSL"),
          "atlas.kafka.security.protocol": "SSL",
          "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
          "atlas.kafka.ssl.truststore.password": certs.password,
          "atlas.kafka.ssl.keystore.location": certs.expiredClient.p12,
          "atlas.kafka.ssl.keystore.password": certs.password,
        }),
      },
      {
        name: "foreign-client",
        code: "HOOK_KAFKA_TLS_FAILED",
        properties: () => ({
          "atlas.kafka.bootstrap.servers": kafka().bootstrapFor("SSL"),
          "atlas.kafka.security.protocol": "SSL",
          "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
          "atlas.kafka.ssl.truststore.password": certs.password,
          "atlas.kafka.ssl.keystore.location": certs.foreignClient.p12,
          "atlas.kafka.ssl.keystore.password": certs.password,
        }),
      },
    ];

    it.each(cases)(
      "$name → $code",
      async ({ name, code, properties }) => {
        const topic = `HOOK_BAD_${name.toUpperCase().replaceAll("-", "_")}`;
        await kafka().createTopic(topic);
        await publish(topic, name.replaceAll("-", ""));
        const instance = await server(name, topic, properties());

        // Two failed attempts in the log: it retries, and the error is on health meanwhile.
        await waitFor(
          () =>
            readFileSync(instance.logFile, "utf8").split("hook_consumer_connect_failed").length > 2,
          { timeoutMs: 90_000, intervalMs: 250, what: "two failed connects in the log" },
        );
        const { text, body } = await health(instance);
        expect(body.state).toBe("ACTIVE");
        expect(body.hookConsumer.error?.code).toBe(code);
        expect(body.hookConsumer.error?.message.length).toBeGreaterThan(10);
        const log = readFileSync(instance.logFile, "utf8");
        expect(log).toMatch(new RegExp(`"event":"hook_consumer_kafka_error".*"code":"${code}"`));
        for (const where of [text, log]) expect(where).not.toContain(PASSWORD);

        expect((await atlasCall(instance, "GET", dbPath(name.replaceAll("-", "")))).status).toBe(
          404,
        );
        expect(await kafka().committedOffsets(topic, topic)).toEqual(["-1"]);
        expect(instance.process.running).toBe(true);
      },
      180_000,
    );
  });
});
