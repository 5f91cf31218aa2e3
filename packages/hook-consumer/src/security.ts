// Atlas's `atlas.kafka.*` security keys (Kafka's client properties behind Atlas's prefix, and
// Atlas's `atlas.jaas.KafkaClient.*` form of the JAAS login) → the protocol, SASL credentials
// and TLS material the Kafka client connects with. Files are read here, at start-up, so a
// missing file, a wrong keystore password or a JKS store stops the start naming its key.
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import forge from "node-forge";
import { HookConfigError } from "./errors.js";

export type KafkaSecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
export type KafkaSaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

/** How the Kafka client authenticates and encrypts (docs/contracts/config.md, "Kafka security"). */
export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  /** With SASL_PLAINTEXT and SASL_SSL. */
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** With SSL and SASL_SSL; absent fields take Node's defaults (the system's trusted CAs). */
  tls?: KafkaTls;
}

export interface KafkaTls {
  /** PEM certificates of the trusted CAs; absent: the system's. */
  ca?: string[];
  /** Client certificate chain and key (PEM) for mutual TLS. */
  cert?: string;
  key?: string;
  /** Or a PKCS12 keystore. */
  pfx?: Buffer;
  /** Of the PEM key or the PKCS12 keystore. */
  passphrase?: string;
  /** `ssl.endpoint.identification.algorithm`: check the broker's name against its certificate. */
  verifyHostname: boolean;
}

const KAFKA = "atlas.kafka.";
const JAAS = "atlas.jaas.KafkaClient.";

/** The keys read by `kafkaSecurityFromProperties`, without the `atlas.kafka.` prefix. */
export const SECURITY_KEYS = Object.freeze({
  protocol: `${KAFKA}security.protocol`,
  mechanism: `${KAFKA}sasl.mechanism`,
  jaas: `${KAFKA}sasl.jaas.config`,
  jaasLoginModule: `${JAAS}loginModuleName`,
  jaasUsername: `${JAAS}option.username`,
  jaasPassword: `${JAAS}option.password`,
  truststoreType: `${KAFKA}ssl.truststore.type`,
  truststoreLocation: `${KAFKA}ssl.truststore.location`,
  truststorePassword: `${KAFKA}ssl.truststore.password`,
  truststoreCertificates: `${KAFKA}ssl.truststore.certificates`,
  keystoreType: `${KAFKA}ssl.keystore.type`,
  keystoreLocation: `${KAFKA}ssl.keystore.location`,
  keystorePassword: `${KAFKA}ssl.keystore.password`,
  keyPassword: `${KAFKA}ssl.key.password`,
  keystoreChain: `${KAFKA}ssl.keystore.certificate.chain`,
  keystoreKey: `${KAFKA}ssl.keystore.key`,
  endpointIdentification: `${KAFKA}ssl.endpoint.identification.algorithm`,
});

/**
 * Kafka client keys Atlas sites set that the kafkajs client has no equivalent for; they are
 * accepted and not honoured (the server logs them once at start-up).
 */
export const IGNORED_KAFKA_KEYS: readonly string[] = Object.freeze(
  [
    "connections.max.idle.ms",
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.cipher.suites",
    "ssl.keymanager.algorithm",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "sasl.kerberos.service.name",
    "sasl.login.class",
    "sasl.client.callback.handler.class",
  ].map((k) => `${KAFKA}${k}`),
);

const PROTOCOLS: readonly KafkaSecurityProtocol[] = [
  "PLAINTEXT",
  "SSL",
  "SASL_PLAINTEXT",
  "SASL_SSL",
];
const MECHANISMS: Record<string, KafkaSaslMechanism> = {
  PLAIN: "plain",
  "SCRAM-SHA-256": "scram-sha-256",
  "SCRAM-SHA-512": "scram-sha-512",
};

type Read = (key: string) => string | undefined;

/** Reads the security keys; PLAINTEXT (no TLS, no SASL) when `security.protocol` is absent. */
export function kafkaSecurityFromProperties(read: Read, raw: Read = read): KafkaSecurity {
  const protocolValue = read(SECURITY_KEYS.protocol)?.toUpperCase() ?? "PLAINTEXT";
  if (!(PROTOCOLS as readonly string[]).includes(protocolValue)) {
    throw new HookConfigError(
      SECURITY_KEYS.protocol,
      `expected one of ${PROTOCOLS.join(", ")}, got ${JSON.stringify(protocolValue)}`,
    );
  }
  const protocol = protocolValue as KafkaSecurityProtocol;
  const security: KafkaSecurity = { protocol };
  if (protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL") security.sasl = readSasl(read);
  if (protocol === "SSL" || protocol === "SASL_SSL") security.tls = readTls(read, raw);
  return security;
}

const GSSAPI_HELP =
  "Kerberos (GSSAPI) is not supported by this server's Kafka client: give the Atlas service a " +
  "SCRAM-SHA-512 (or PLAIN over SASL_SSL) user on the brokers, or mutual TLS (security.protocol=SSL), " +
  "see apps/atlas-server/README.md 'Secure deployment'";

function readSasl(read: Read): NonNullable<KafkaSecurity["sasl"]> {
  // Kafka's default mechanism is GSSAPI.
  const value = read(SECURITY_KEYS.mechanism)?.toUpperCase() ?? "GSSAPI";
  if (value === "GSSAPI") {
    throw new HookConfigError(
      SECURITY_KEYS.mechanism,
      `${read(SECURITY_KEYS.mechanism) === undefined ? "absent, so GSSAPI (Kafka's default)" : "GSSAPI"}: ${GSSAPI_HELP}`,
    );
  }
  const mechanism = MECHANISMS[value];
  if (mechanism === undefined) {
    throw new HookConfigError(
      SECURITY_KEYS.mechanism,
      `${JSON.stringify(value)} is not supported (supported: ${Object.keys(MECHANISMS).join(", ")})`,
    );
  }
  const jaas = read(SECURITY_KEYS.jaas);
  if (jaas !== undefined) {
    const login = parseJaasConfig(SECURITY_KEYS.jaas, jaas);
    checkLoginModule(SECURITY_KEYS.jaas, login.module);
    const username = login.options.username;
    const password = login.options.password;
    if (username === undefined || password === undefined)
      throw new HookConfigError(SECURITY_KEYS.jaas, "needs the options username and password");
    return { mechanism, username, password };
  }
  // Atlas's other form: atlas.jaas.KafkaClient.loginModuleName and .option.* (KafkaUtils).
  const module = read(SECURITY_KEYS.jaasLoginModule);
  if (module !== undefined) {
    checkLoginModule(SECURITY_KEYS.jaasLoginModule, module);
    const username = read(SECURITY_KEYS.jaasUsername);
    const password = read(SECURITY_KEYS.jaasPassword);
    if (username === undefined)
      throw new HookConfigError(SECURITY_KEYS.jaasUsername, "is required with SASL");
    if (password === undefined)
      throw new HookConfigError(SECURITY_KEYS.jaasPassword, "is required with SASL");
    if (password === "********")
      throw new HookConfigError(
        SECURITY_KEYS.jaasPassword,
        "is masked for a Hadoop credential provider, which this server does not read; give the password itself (and protect the file)",
      );
    return { mechanism, username, password };
  }
  throw new HookConfigError(
    SECURITY_KEYS.jaas,
    `is required with ${value} (or ${SECURITY_KEYS.jaasLoginModule} and ${SECURITY_KEYS.jaasUsername}/${SECURITY_KEYS.jaasPassword})`,
  );
}

function checkLoginModule(key: string, module: string): void {
  if (/Krb5LoginModule$/.test(module)) throw new HookConfigError(key, GSSAPI_HELP);
  if (!/(?:PlainLoginModule|ScramLoginModule)$/.test(module)) {
    throw new HookConfigError(
      key,
      `login module ${JSON.stringify(module)} is not supported (PlainLoginModule or ScramLoginModule)`,
    );
  }
}

/** One JAAS login entry as Kafka's `sasl.jaas.config` holds it. */
export interface JaasLogin {
  module: string;
  flag: string;
  options: Record<string, string>;
}

/**
 * Parses `<LoginModule> <flag> name="value" name2=value2;` as Kafka's JaasConfig does: one
 * module, a control flag, options whose values are bare tokens or double-quoted strings with
 * backslash escapes, and a closing `;`. Errors name `key` and never echo the values.
 */
export function parseJaasConfig(key: string, text: string): JaasLogin {
  let i = 0;
  const fail = (what: string): never => {
    throw new HookConfigError(key, `cannot be parsed: ${what} (at character ${i + 1})`);
  };
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < text.length && /[^\s=;"]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  space();
  const module = token();
  if (module === "") fail("expected a login module class name");
  space();
  const flag = token();
  if (!/^(?:required|requisite|sufficient|optional)$/i.test(flag))
    fail("expected a control flag (required, requisite, sufficient, optional)");
  const options: Record<string, string> = {};
  for (;;) {
    space();
    if (i >= text.length) fail("missing the closing ';'");
    if (text[i] === ";") break;
    const name = token();
    if (name === "") fail("expected an option name");
    space();
    if (text[i] !== "=") fail(`expected '=' after the option ${name}`);
    i++;
    space();
    let value: string;
    if (text[i] === '"') {
      i++;
      value = "";
      for (;;) {
        if (i >= text.length) fail(`unterminated quoted value of the option ${name}`);
        const c = text[i]!;
        if (c === "\\" && i + 1 < text.length) {
          value += text[i + 1]!;
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
    } else {
      value = token();
      if (value === "") fail(`expected a value for the option ${name}`);
    }
    options[name] = value;
  }
  i++;
  space();
  if (i < text.length) fail("one login module only, nothing after ';'");
  return { module, flag: flag.toLowerCase(), options };
}

type StoreType = "PKCS12" | "PEM" | "JKS";

function storeType(
  typeKey: string,
  declared: string | undefined,
  bytes: Buffer | undefined,
): StoreType {
  if (declared !== undefined) {
    const upper = declared.toUpperCase();
    if (upper === "PKCS12" || upper === "PEM" || upper === "JKS") return upper;
    throw new HookConfigError(
      typeKey,
      `expected PKCS12, PEM or JKS (refused with how to convert), got ${JSON.stringify(declared)}`,
    );
  }
  // Kafka's default type is JKS; a file says what it is, so an absent type is read from it.
  if (bytes === undefined) return "PKCS12";
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed) return "JKS";
  if (bytes.subarray(0, 64).toString("latin1").includes("-----BEGIN")) return "PEM";
  return "PKCS12";
}

function readFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new HookConfigError(key, `cannot read ${JSON.stringify(path)} (${code})`);
  }
}

function jksError(key: string, path: string, store: "truststore" | "keystore"): HookConfigError {
  const p12 = path.replace(/\.jks$/i, "") + ".p12";
  return new HookConfigError(
    key,
    `${JSON.stringify(path)} is a JKS ${store}, which Node cannot read; convert it once with ` +
      `\`keytool -importkeystore -srckeystore ${path} -srcstoretype JKS -destkeystore ${p12} -deststoretype PKCS12\` ` +
      `and set ${key.replace(/(location|type)$/, "location")}=${p12} (type PKCS12)`,
  );
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY =
  /-----BEGIN (?:(?:RSA|EC|ENCRYPTED) )?PRIVATE KEY-----[\s\S]+?-----END (?:(?:RSA|EC|ENCRYPTED) )?PRIVATE KEY-----/;

function readTls(read: Read, raw: Read): KafkaTls {
  const endpoint = raw(SECURITY_KEYS.endpointIdentification);
  const tls: KafkaTls = {
    // Kafka: "https" (the default) checks the host name, an empty value turns the check off.
    verifyHostname: endpoint === undefined || endpoint.trim().toLowerCase() === "https",
  };
  if (endpoint !== undefined && !/^\s*(?:https)?\s*$/i.test(endpoint)) {
    throw new HookConfigError(
      SECURITY_KEYS.endpointIdentification,
      `expected "https" or empty, got ${JSON.stringify(endpoint)}`,
    );
  }

  // The trusted CAs.
  const inlineCas = read(SECURITY_KEYS.truststoreCertificates);
  const trustLocation = read(SECURITY_KEYS.truststoreLocation);
  if (inlineCas !== undefined) {
    tls.ca = pemCertificates(SECURITY_KEYS.truststoreCertificates, inlineCas);
  } else if (trustLocation !== undefined) {
    const bytes = readFile(SECURITY_KEYS.truststoreLocation, trustLocation);
    const type = storeType(SECURITY_KEYS.truststoreType, read(SECURITY_KEYS.truststoreType), bytes);
    if (type === "JKS")
      throw jksError(SECURITY_KEYS.truststoreLocation, trustLocation, "truststore");
    if (type === "PEM")
      tls.ca = pemCertificates(SECURITY_KEYS.truststoreLocation, bytes.toString("utf8"));
    else tls.ca = pkcs12Certificates(bytes, trustLocation, read(SECURITY_KEYS.truststorePassword));
  }

  // The client's own certificate, for brokers with ssl.client.auth=required.
  const chain = read(SECURITY_KEYS.keystoreChain);
  const inlineKey = read(SECURITY_KEYS.keystoreKey);
  const keyLocation = read(SECURITY_KEYS.keystoreLocation);
  const keyPassword = read(SECURITY_KEYS.keyPassword);
  if (chain !== undefined || inlineKey !== undefined) {
    if (chain === undefined)
      throw new HookConfigError(SECURITY_KEYS.keystoreChain, `is required with ssl.keystore.key`);
    if (inlineKey === undefined)
      throw new HookConfigError(
        SECURITY_KEYS.keystoreKey,
        `is required with ssl.keystore.certificate.chain`,
      );
    tls.cert = pemCertificates(SECURITY_KEYS.keystoreChain, chain).join("\n");
    tls.key = inlineKey;
    if (keyPassword !== undefined) tls.passphrase = keyPassword;
    checkKeyPair(SECURITY_KEYS.keystoreKey, tls);
  } else if (keyLocation !== undefined) {
    const bytes = readFile(SECURITY_KEYS.keystoreLocation, keyLocation);
    const type = storeType(SECURITY_KEYS.keystoreType, read(SECURITY_KEYS.keystoreType), bytes);
    if (type === "JKS") throw jksError(SECURITY_KEYS.keystoreLocation, keyLocation, "keystore");
    if (type === "PEM") {
      const text = bytes.toString("utf8");
      const key = PEM_KEY.exec(text)?.[0];
      if (key === undefined)
        throw new HookConfigError(
          SECURITY_KEYS.keystoreLocation,
          `${JSON.stringify(keyLocation)} has no PEM private key (a PEM keystore holds the key and the certificate chain)`,
        );
      tls.cert = pemCertificates(SECURITY_KEYS.keystoreLocation, text).join("\n");
      tls.key = key;
      if (keyPassword !== undefined) tls.passphrase = keyPassword;
      checkKeyPair(SECURITY_KEYS.keystoreLocation, tls);
    } else {
      tls.pfx = bytes;
      const password = read(SECURITY_KEYS.keystorePassword);
      if (password !== undefined) tls.passphrase = password;
      checkKeyPair(SECURITY_KEYS.keystorePassword, tls);
    }
  }
  return tls;
}

function pemCertificates(key: string, text: string): string[] {
  const certs = text.match(PEM_CERT);
  if (certs === null)
    throw new HookConfigError(key, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  return certs;
}

/** A Java PKCS12 truststore holds certificate bags only, which Node's `pfx` cannot load. */
function pkcs12Certificates(bytes: Buffer, path: string, password: string | undefined): string[] {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString("binary")));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? "");
  } catch (error) {
    const wrongPassword = /MAC could not be verified|Invalid password/i.test(
      (error as Error).message,
    );
    throw wrongPassword
      ? new HookConfigError(
          SECURITY_KEYS.truststorePassword,
          `does not open the PKCS12 truststore ${JSON.stringify(path)}`,
        )
      : new HookConfigError(
          SECURITY_KEYS.truststoreLocation,
          `${JSON.stringify(path)} is not a PKCS12 truststore (set ssl.truststore.type to PEM for a PEM file)`,
        );
  }
  const certBag = forge.pki.oids.certBag!;
  const bags = p12.getBags({ bagType: certBag })[certBag] ?? [];
  const certs = bags.flatMap((bag) => (bag.cert ? [forge.pki.certificateToPem(bag.cert)] : []));
  if (certs.length === 0)
    throw new HookConfigError(
      SECURITY_KEYS.truststoreLocation,
      `${JSON.stringify(path)} holds no certificate`,
    );
  return certs;
}

/** Loads the client's key material once, so a wrong password stops the start, not each connect. */
function checkKeyPair(key: string, tls: KafkaTls): void {
  try {
    createSecureContext({
      ...(tls.pfx ? { pfx: tls.pfx } : { cert: tls.cert, key: tls.key }),
      ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    });
  } catch (error) {
    const message = (error as Error).message;
    const hint = /mac verify|bad decrypt|password|passphrase/i.test(message)
      ? "the password does not open it"
      : /key values mismatch/i.test(message)
        ? "the key does not belong to the certificate"
        : "it cannot be loaded";
    throw new HookConfigError(key, `the client's key and certificate: ${hint} (${message})`);
  }
}
