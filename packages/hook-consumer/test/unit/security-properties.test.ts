import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeCertificates, type CertificateSet } from "@atlas-ha/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hookConsumerSettingsFromProperties,
  kafkaErrorCode,
  kafkajsSecurity,
  parseJaasConfig,
} from "../../src/index.js";

// Atlas's atlas.kafka.* security keys → the consumer's security settings, with real
// certificates and stores made by openssl and keytool (testkit makeCertificates).

const SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule";
const PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
const SECRET = 's3cr"et pa$$word';

let certs: CertificateSet;
beforeAll(async () => {
  certs = await makeCertificates();
}, 60_000);

/** The HookConfigError thrown by parsing these properties. */
function configError(properties: Record<string, string>) {
  try {
    hookConsumerSettingsFromProperties(properties);
  } catch (error) {
    return error as { name: string; code: string; key: string; message: string };
  }
  throw new Error("expected a HookConfigError");
}

const saslSsl = (extra: Record<string, string> = {}) => ({
  "atlas.kafka.bootstrap.servers": "broker:9093",
  "atlas.kafka.security.protocol": "SASL_SSL",
  "atlas.kafka.sasl.mechanism": "SCRAM-SHA-512",
  "atlas.kafka.sasl.jaas.config": `${SCRAM} required username="atlas" password="${SECRET.replace(/["\\]/g, "\\$&")}";`,
  ...extra,
});

describe("security settings from Atlas properties", () => {
  it("no security keys: PLAINTEXT, as before", () => {
    const settings = hookConsumerSettingsFromProperties({});
    expect(settings.security).toEqual({ protocol: "PLAINTEXT" });
    expect(kafkajsSecurity(settings.security)).toEqual({});
  });

  it("SASL_SSL with SCRAM-SHA-512: user and password from sasl.jaas.config, the CAs of a Java PKCS12 truststore", () => {
    const settings = hookConsumerSettingsFromProperties(
      saslSsl({
        "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
        "atlas.kafka.ssl.truststore.password": certs.password,
        "atlas.kafka.ssl.truststore.type": "PKCS12",
      }),
    );
    expect(settings.security.protocol).toBe("SASL_SSL");
    expect(settings.security.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "atlas",
      password: SECRET,
    });
    const ca = readFileSync(certs.ca.cert, "utf8").replace(/\s+/g, "");
    expect(settings.security.tls?.ca?.map((c) => c.replace(/\s+/g, ""))).toEqual([ca]);
    const kafkajs = kafkajsSecurity(settings.security);
    expect(kafkajs.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "atlas",
      password: SECRET,
    });
    expect(kafkajs.ssl).toMatchObject({ rejectUnauthorized: true });
  });

  it("the truststore type is read from the file when absent (PKCS12 or PEM)", () => {
    for (const location of [certs.ca.truststore, certs.ca.cert]) {
      const settings = hookConsumerSettingsFromProperties(
        saslSsl({
          "atlas.kafka.ssl.truststore.location": location,
          "atlas.kafka.ssl.truststore.password": certs.password,
        }),
      );
      expect(settings.security.tls?.ca).toHaveLength(1);
    }
  });

  it("SSL with a PKCS12 keystore for mutual TLS: pfx and passphrase", () => {
    const settings = hookConsumerSettingsFromProperties({
      "atlas.kafka.security.protocol": "SSL",
      "atlas.kafka.ssl.truststore.location": certs.ca.cert,
      "atlas.kafka.ssl.truststore.type": "PEM",
      "atlas.kafka.ssl.keystore.location": certs.client.p12,
      "atlas.kafka.ssl.keystore.type": "PKCS12",
      "atlas.kafka.ssl.keystore.password": certs.password,
    });
    expect(settings.security.sasl).toBeUndefined();
    expect(settings.security.tls?.pfx?.equals(readFileSync(certs.client.p12))).toBe(true);
    expect(settings.security.tls?.passphrase).toBe(certs.password);
  });

  it("SSL with a PEM keystore file (key and chain) and with inline PEM (KIP-651 keys)", () => {
    const pem = join(certs.dir, "client-keystore.pem");
    writeFileSync(
      pem,
      readFileSync(certs.client.key, "utf8") + readFileSync(certs.client.cert, "utf8"),
    );
    const fromFile = hookConsumerSettingsFromProperties({
      "atlas.kafka.security.protocol": "SSL",
      "atlas.kafka.ssl.keystore.location": pem,
      "atlas.kafka.ssl.keystore.type": "PEM",
    });
    expect(fromFile.security.tls?.key).toContain("PRIVATE KEY");
    expect(fromFile.security.tls?.cert).toContain("BEGIN CERTIFICATE");
    const inline = hookConsumerSettingsFromProperties({
      "atlas.kafka.security.protocol": "SSL",
      "atlas.kafka.ssl.keystore.type": "PEM",
      "atlas.kafka.ssl.keystore.key": readFileSync(certs.client.key, "utf8"),
      "atlas.kafka.ssl.keystore.certificate.chain": readFileSync(certs.client.cert, "utf8"),
      "atlas.kafka.ssl.truststore.certificates": readFileSync(certs.ca.cert, "utf8"),
    });
    expect(inline.security.tls?.ca).toHaveLength(1);
    expect(inline.security.tls?.key).toBe(fromFile.security.tls?.key);
  });

  it("an empty ssl.endpoint.identification.algorithm turns the host-name check off, not the chain check", () => {
    const settings = hookConsumerSettingsFromProperties({
      "atlas.kafka.security.protocol": "SSL",
      "atlas.kafka.ssl.endpoint.identification.algorithm": "",
    });
    expect(settings.security.tls?.verifyHostname).toBe(false);
    const ssl = kafkajsSecurity(settings.security).ssl as { rejectUnauthorized: boolean };
    expect(ssl.rejectUnauthorized).toBe(true);
  });

  it("Atlas's atlas.jaas.KafkaClient.* form gives the login too, PLAIN over SASL_PLAINTEXT", () => {
    const settings = hookConsumerSettingsFromProperties({
      "atlas.kafka.security.protocol": "SASL_PLAINTEXT",
      "atlas.kafka.sasl.mechanism": "PLAIN",
      "atlas.jaas.KafkaClient.loginModuleName": PLAIN,
      "atlas.jaas.KafkaClient.loginModuleControlFlag": "required",
      "atlas.jaas.KafkaClient.option.username": "atlas",
      "atlas.jaas.KafkaClient.option.password": "pw",
    });
    expect(settings.security).toEqual({
      protocol: "SASL_PLAINTEXT",
      sasl: { mechanism: "plain", username: "atlas", password: "pw" },
    });
  });

  it("consumer timeouts map to kafkajs's; a heartbeat not below the session timeout is refused", () => {
    const settings = hookConsumerSettingsFromProperties({
      "atlas.kafka.session.timeout.ms": "30000",
      "atlas.kafka.heartbeat.interval.ms": "3000",
      "atlas.kafka.request.timeout.ms": "20000",
      "atlas.kafka.socket.connection.setup.timeout.ms": "5000",
      "atlas.kafka.max.poll.interval.ms": "300000",
    });
    expect(settings).toMatchObject({
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3000,
      requestTimeoutMs: 20_000,
      connectionTimeoutMs: 5000,
      rebalanceTimeoutMs: 300_000,
    });
    expect(
      configError({
        "atlas.kafka.session.timeout.ms": "10000",
        "atlas.kafka.heartbeat.interval.ms": "10000",
      }).key,
    ).toBe("atlas.kafka.heartbeat.interval.ms");
  });
});

describe("bad security configuration is a HookConfigError naming the key, never showing a secret", () => {
  it.each([
    [{ "atlas.kafka.security.protocol": "TLS" }, "atlas.kafka.security.protocol"],
    [
      { "atlas.kafka.security.protocol": "SASL_SSL", "atlas.kafka.sasl.mechanism": "OAUTHBEARER" },
      "atlas.kafka.sasl.mechanism",
    ],
    [
      { "atlas.kafka.security.protocol": "SASL_SSL", "atlas.kafka.sasl.mechanism": "PLAIN" },
      "atlas.kafka.sasl.jaas.config",
    ],
    [
      saslSsl({ "atlas.kafka.sasl.jaas.config": `${SCRAM} required username="atlas" password="x` }),
      "atlas.kafka.sasl.jaas.config",
    ],
    [
      saslSsl({ "atlas.kafka.sasl.jaas.config": `${SCRAM} required username="atlas";` }),
      "atlas.kafka.sasl.jaas.config",
    ],
    [
      saslSsl({ "atlas.kafka.ssl.truststore.location": "/nonexistent/truststore.p12" }),
      "atlas.kafka.ssl.truststore.location",
    ],
  ])("%j → %s", (properties, key) => {
    const error = configError(properties);
    expect(error).toMatchObject({ name: "HookConfigError", code: "HOOK_CONFIG_INVALID", key });
    expect(error.message.startsWith(key)).toBe(true);
  });

  it("GSSAPI (also Kafka's default mechanism) is refused with what to do instead", () => {
    for (const properties of [
      { "atlas.kafka.security.protocol": "SASL_PLAINTEXT" } as Record<string, string>,
      { "atlas.kafka.security.protocol": "SASL_SSL", "atlas.kafka.sasl.mechanism": "GSSAPI" },
    ]) {
      const error = configError(properties);
      expect(error.key).toBe("atlas.kafka.sasl.mechanism");
      expect(error.message).toMatch(/Kerberos \(GSSAPI\) is not supported.*SCRAM-SHA-512/);
    }
    const krb5 = configError({
      "atlas.kafka.security.protocol": "SASL_SSL",
      "atlas.kafka.sasl.mechanism": "SCRAM-SHA-512",
      "atlas.jaas.KafkaClient.loginModuleName": "com.sun.security.auth.module.Krb5LoginModule",
    });
    expect(krb5.key).toBe("atlas.jaas.KafkaClient.loginModuleName");
  });

  it("a JKS truststore or keystore names the one keytool command that converts it", () => {
    const trust = configError(
      saslSsl({
        "atlas.kafka.ssl.truststore.location": certs.ca.jks,
        "atlas.kafka.ssl.truststore.password": certs.password,
      }),
    );
    expect(trust.key).toBe("atlas.kafka.ssl.truststore.location");
    expect(trust.message).toContain(
      `keytool -importkeystore -srckeystore ${certs.ca.jks} -srcstoretype JKS -destkeystore ${certs.ca.jks.replace(/\.jks$/, ".p12")} -deststoretype PKCS12`,
    );
    const key = configError({
      "atlas.kafka.security.protocol": "SSL",
      "atlas.kafka.ssl.keystore.location": certs.client.jks,
      "atlas.kafka.ssl.keystore.type": "JKS",
      "atlas.kafka.ssl.keystore.password": certs.password,
    });
    expect(key.key).toBe("atlas.kafka.ssl.keystore.location");
    expect(key.message).toContain("keytool -importkeystore");
    expect(key.message).not.toContain(certs.password);
  });

  it("a wrong truststore or keystore password names the password key and does not echo it", () => {
    const wrong = "not-the-password-42";
    const trust = configError(
      saslSsl({
        "atlas.kafka.ssl.truststore.location": certs.ca.truststore,
        "atlas.kafka.ssl.truststore.password": wrong,
      }),
    );
    expect(trust.key).toBe("atlas.kafka.ssl.truststore.password");
    const key = configError({
      "atlas.kafka.security.protocol": "SSL",
      "atlas.kafka.ssl.keystore.location": certs.client.p12,
      "atlas.kafka.ssl.keystore.password": wrong,
    });
    expect(key.key).toBe("atlas.kafka.ssl.keystore.password");
    for (const error of [trust, key]) expect(error.message).not.toContain(wrong);
  });

  it("a JAAS parse error does not echo the password", () => {
    const error = configError(
      saslSsl({
        "atlas.kafka.sasl.jaas.config": `${SCRAM} required username="atlas" password="${SECRET}`,
      }),
    );
    expect(error.message).not.toContain("pa$$word");
  });
});

describe("sasl.jaas.config parsing", () => {
  it("reads the module, the flag and quoted or bare option values with escapes", () => {
    expect(
      parseJaasConfig(
        "k",
        `  ${SCRAM}  Required username=atlas password="a \\"quoted\\" \\\\ value" tokenauth=false ; `,
      ),
    ).toEqual({
      module: SCRAM,
      flag: "required",
      options: { username: "atlas", password: 'a "quoted" \\ value', tokenauth: "false" },
    });
  });

  it.each([
    "",
    `${SCRAM}`,
    `${SCRAM} mandatory username="a";`,
    `${SCRAM} required username "a";`,
    `${SCRAM} required username="a"`,
    `${SCRAM} required username="a"; ${PLAIN} required;`,
  ])("refuses %j", (text) => {
    expect(() => parseJaasConfig("atlas.kafka.sasl.jaas.config", text)).toThrow(
      expect.objectContaining({ name: "HookConfigError", key: "atlas.kafka.sasl.jaas.config" }),
    );
  });
});

describe("Kafka client errors get our codes", () => {
  it("SASL refusal, TLS verification (ours or the broker's alert), anything else", () => {
    const sasl = Object.assign(new Error("SASL SCRAM SHA512 authentication failed"), {
      name: "KafkaJSSASLAuthenticationError",
    });
    expect(kafkaErrorCode(sasl)).toBe("HOOK_KAFKA_AUTH_FAILED");
    const retries = Object.assign(new Error("exceeded"), {
      name: "KafkaJSNumberOfRetriesExceeded",
      cause: Object.assign(new Error("Connection error: certificate has expired"), {
        name: "KafkaJSConnectionError",
        code: "CERT_HAS_EXPIRED",
      }),
    });
    expect(kafkaErrorCode(retries)).toBe("HOOK_KAFKA_TLS_FAILED");
    expect(kafkaErrorCode({ code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE" })).toBe(
      "HOOK_KAFKA_TLS_FAILED",
    );
    expect(
      kafkaErrorCode(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })),
    ).toBe("HOOK_KAFKA_CONNECT_FAILED");
  });
});
