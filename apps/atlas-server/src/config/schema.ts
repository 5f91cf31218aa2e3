import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { ADDRESS_PREFIX, KEYS, envName } from "./keys.js";
import {
  LOG_LEVELS,
  PASSIVE_MODES,
  type ServerConfig,
  type TlsConfig,
  type ZooKeeperConfig,
} from "./types.js";
import { type Props, isHost, parseHostPort, redactUrl } from "./values.js";

/** Everything but the server id and self address, which may need the network (server-id.ts). */
export type Settings = Omit<ServerConfig, "serverId" | "selfAddress" | "properties">;

export interface SchemaContext {
  /** Absolute; users and TLS files are relative to it. */
  configDir: string;
  /** Absolute; the SQLite path is relative to it. */
  cwd: string;
}

export const DEFAULTS = Object.freeze({
  httpPort: 21_000,
  httpsPort: 21_443,
  bindAddress: "0.0.0.0",
  zkRoot: "/apache_atlas",
  zkSessionTimeoutMs: 20_000,
  zkRetrySleepMs: 1_000,
  zkNumRetries: 3,
  handlerTimeoutMs: 30_000,
  passiveMode: "redirect" as const,
  proxyConnectTimeoutMs: 5_000,
  proxyResponseTimeoutMs: 60_000,
  switchoverWindowMs: 10_000,
  preferredDelayMs: 60_000,
  kafkaBootstrap: "localhost:9092",
  kafkaGroupId: "atlas",
  hookTopics: Object.freeze(["ATLAS_HOOK"]),
  hookMaxRetries: 3,
  hookRetryIntervalMs: 500,
  splitWaitSeconds: 900,
  clientRetries: 4,
  clientSleepMs: 5_000,
  sqlitePath: "./data/atlas.db",
  postgresIdleTransactionTimeoutMs: 5000,
  maxBodyBytes: 1_048_576,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  shutdownTimeoutMs: 15_000,
  logLevel: "info" as const,
});

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const ID = /^[^\s,]+$/;

/** Reads and validates every docs/contracts/config.md key; throws ConfigError naming the first bad key. */
export function readSettings(props: Props, context: SchemaContext): Settings {
  const ids = readIds(props);
  const addresses = readAddresses(props, ids);
  const haEnabled = props.boolean(KEYS.haEnabled, null) ?? ids.length > 1;
  const zookeeper = readZooKeeper(props);

  if (haEnabled) {
    const why = props.has(KEYS.haEnabled)
      ? `${KEYS.haEnabled}=true`
      : `${KEYS.ids} lists more than one id`;
    if (ids.length === 0)
      throw props.error(
        KEYS.ids,
        `HA is enabled (${why}) but no ids are listed; set it to e.g. id1,id2`,
      );
    for (const id of ids) {
      if (addresses[id] === undefined) {
        throw props.error(
          ADDRESS_PREFIX + id,
          `HA is enabled (${why}) and ${KEYS.ids} lists "${id}", but its address is missing; set it to host:port`,
        );
      }
    }
    if (zookeeper === null) {
      throw props.error(
        KEYS.zkConnect,
        `HA is enabled (${why}) but no ZooKeeper is configured; set it to host:port[,host:port…]`,
      );
    }
  }

  const headersTimeoutMs = props.millis(KEYS.headersTimeout, DEFAULTS.headersTimeoutMs, 1);
  const requestTimeoutMs = props.millis(KEYS.requestTimeout, DEFAULTS.requestTimeoutMs, 1);
  if (headersTimeoutMs > requestTimeoutMs) {
    // Node refuses to start a server with headers allowed longer than the whole request.
    throw props.error(
      KEYS.headersTimeout,
      `${headersTimeoutMs} ms is longer than ${KEYS.requestTimeout} (${requestTimeoutMs} ms), which covers the headers too`,
    );
  }

  return {
    ids,
    addresses,
    http: readHttp(props, context),
    ha: { enabled: haEnabled, zookeeper: haEnabled ? zookeeper : null },
    passive: {
      mode: props.oneOf(KEYS.passiveMode, DEFAULTS.passiveMode, PASSIVE_MODES),
      connectTimeoutMs: props.millis(KEYS.proxyConnectTimeout, DEFAULTS.proxyConnectTimeoutMs, 1),
      responseTimeoutMs: props.millis(
        KEYS.proxyResponseTimeout,
        DEFAULTS.proxyResponseTimeoutMs,
        1,
      ),
    },
    switchover: readSwitchover(props, ids),
    kafka: readKafka(props),
    store: readStore(props, context),
    client: {
      haRetries: props.integer(KEYS.clientRetries, DEFAULTS.clientRetries, 0),
      haSleepIntervalMs: props.millis(KEYS.clientSleep, DEFAULTS.clientSleepMs, 0),
    },
    auth: {
      usersFile: readUsersFile(props, context),
      // Atlas's UserDao switches for its two SHA-256 checks (BCrypt is always checked).
      plainSha256: props.boolean(KEYS.fileV1Validation, true),
      saltedSha256: props.boolean(KEYS.fileV2Validation, true),
    },
    limits: {
      maxBodyBytes: props.integer(
        KEYS.maxBodyBytes,
        DEFAULTS.maxBodyBytes,
        1,
        Number.MAX_SAFE_INTEGER,
        " (bytes)",
      ),
      shutdownTimeoutMs: props.millis(KEYS.shutdownTimeout, DEFAULTS.shutdownTimeoutMs, 0),
      handlerTimeoutMs: props.millis(KEYS.handlerTimeout, DEFAULTS.handlerTimeoutMs, 1),
      headersTimeoutMs,
      requestTimeoutMs,
    },
    log: { level: props.oneOf(KEYS.logLevel, DEFAULTS.logLevel, LOG_LEVELS) },
    configDir: context.configDir,
  };
}

/** The planned hand-over's window and the preferred instance (off unless its id is set). */
function readSwitchover(props: Props, ids: readonly string[]): Settings["switchover"] {
  const windowMs = props.millis(KEYS.switchoverWindow, DEFAULTS.switchoverWindowMs, 100);
  const preferredDelayMs = props.millis(KEYS.preferredDelay, DEFAULTS.preferredDelayMs, 0);
  const preferredId = props.string(KEYS.preferredId, null);
  if (preferredId !== null && !ids.includes(preferredId))
    throw props.error(
      KEYS.preferredId,
      `"${preferredId}" is not one of ${KEYS.ids} (${ids.join(",") || "none listed"})`,
    );
  return { windowMs, preferredId, preferredDelayMs };
}

function readIds(props: Props): string[] {
  const ids = props.list(KEYS.ids, []);
  const seen = new Set<string>();
  for (const id of ids) {
    if (!ID.test(id)) throw props.error(KEYS.ids, `the id ${JSON.stringify(id)} contains blanks`);
    if (seen.has(id)) throw props.error(KEYS.ids, `lists "${id}" twice`);
    seen.add(id);
  }
  return ids;
}

/** Only the listed ids count, as in Atlas; other `atlas.server.address.*` keys are ignored. */
function readAddresses(props: Props, ids: readonly string[]): Record<string, string> {
  const addresses: Record<string, string> = {};
  for (const id of ids) {
    const key = ADDRESS_PREFIX + id;
    const got = props.get(key);
    if (got === undefined) continue;
    if (parseHostPort(got.value) === null) {
      throw props.error(
        key,
        `expected host:port (e.g. atlas1.example.com:21000, [::1]:21000), got ${JSON.stringify(got.value)}`,
      );
    }
    addresses[id] = got.value;
  }
  return addresses;
}

function readHttp(props: Props, context: SchemaContext): Settings["http"] {
  const host = props.string(KEYS.bindAddress, DEFAULTS.bindAddress);
  if (!isHost(host))
    throw props.error(
      KEYS.bindAddress,
      `expected a host name or IP address, got ${JSON.stringify(host)}`,
    );
  const bindHost = host.startsWith("[") ? host.slice(1, -1) : host;
  // Validate both ports so a typo in the unused one is still reported.
  const httpPort = props.port(KEYS.httpPort, DEFAULTS.httpPort);
  const httpsPort = props.port(KEYS.httpsPort, DEFAULTS.httpsPort);
  if (!props.boolean(KEYS.enableTls, false)) return { host: bindHost, port: httpPort, tls: null };

  // Atlas configures TLS with a keystore (keystore.file); PEM files are ours. One of the two.
  const keystoreFile = props.string(KEYS.keystoreFile, null);
  const pemKey = props.string(KEYS.tlsKeyFile, null);
  const pemCert = props.string(KEYS.tlsCertFile, null);
  const path = (value: string) => resolve(context.configDir, value);
  storeType(props, KEYS.keystoreType);
  let tls: TlsConfig;
  if (keystoreFile !== null) {
    if (pemKey !== null || pemCert !== null) {
      throw props.error(
        KEYS.keystoreFile,
        `set either keystore.file (a PKCS12 keystore) or ${KEYS.tlsKeyFile} and ${KEYS.tlsCertFile} (PEM files), not both`,
      );
    }
    tls = {
      keyFile: null,
      certFile: null,
      keystore: { file: path(keystoreFile), password: password(props, KEYS.keystorePassword) },
      truststore: null,
      clientAuth: false,
    };
  } else {
    const file = (key: string, value: string | null, what: string): string => {
      if (value === null)
        throw props.error(
          key,
          `required when ${KEYS.enableTls}=true: the path of the ${what} (PEM), or set ${KEYS.keystoreFile} to a PKCS12 keystore instead`,
        );
      return path(value);
    };
    tls = {
      keyFile: file(KEYS.tlsKeyFile, pemKey, "private key"),
      certFile: file(KEYS.tlsCertFile, pemCert, "certificate chain"),
      keystore: null,
      truststore: null,
      clientAuth: false,
    };
  }
  // Atlas's documentation: with client authentication on, the client must authenticate during
  // the handshake (two-way TLS). Its CAs come from truststore.file.
  tls.clientAuth = props.boolean(KEYS.clientAuth, false);
  if (tls.clientAuth) {
    storeType(props, KEYS.truststoreType);
    const truststore = props.string(KEYS.truststoreFile, null);
    if (truststore === null)
      throw props.error(
        KEYS.truststoreFile,
        `required when ${KEYS.clientAuth}=true: the PKCS12 truststore (or PEM file) of the CAs that sign client certificates`,
      );
    tls.truststore = { file: path(truststore), password: password(props, KEYS.truststorePassword) };
  }
  return { host: bindHost, port: httpsPort, tls };
}

/** `keystore.type` / `truststore.type`: Atlas's default is jks; the file's content decides (load.ts). */
function storeType(props: Props, key: string): void {
  const type = props.string(key, null);
  if (type !== null && !["jks", "pkcs12"].includes(type.toLowerCase()))
    throw props.error(
      key,
      `"${type}" is not supported: use a PKCS12 store (a JKS one can be converted with keytool -importkeystore)`,
    );
}

/**
 * A store password, read as a plain value (or its environment override, e.g.
 * KEYSTORE_PASSWORD). Atlas can also take it from a Hadoop credential provider
 * (`cert.stores.credential.provider.path`), which this server cannot open.
 */
function password(props: Props, key: string): string | null {
  const value = props.get(key)?.value ?? null;
  if (value === null && props.has("cert.stores.credential.provider.path"))
    throw props.error(
      key,
      `not set, and the Hadoop credential provider in cert.stores.credential.provider.path cannot be read by this server; set ${key} (or the environment variable ${envName(key)})`,
    );
  return value;
}

function readZooKeeper(props: Props): ZooKeeperConfig | null {
  const connect = props.get(KEYS.zkConnect);
  const zkRoot = props.string(KEYS.zkRoot, DEFAULTS.zkRoot);
  if (!zkRoot.startsWith("/") || zkRoot === "/" || zkRoot.endsWith("/") || zkRoot.includes("//")) {
    throw props.error(
      KEYS.zkRoot,
      `expected an absolute ZooKeeper path other than "/", like "/apache_atlas", got ${JSON.stringify(zkRoot)}`,
    );
  }
  const sessionTimeoutMs = props.millis(KEYS.zkSessionTimeout, DEFAULTS.zkSessionTimeoutMs, 100);
  const retrySleepMs = props.millis(KEYS.zkRetrySleep, DEFAULTS.zkRetrySleepMs, 1);
  const numRetries = props.integer(KEYS.zkNumRetries, DEFAULTS.zkNumRetries, 0);
  const acl = readAcl(props);
  const auth = readAuth(props);
  if (connect === undefined) return null;

  const slash = connect.value.indexOf("/");
  if (slash >= 0) {
    throw props.error(
      KEYS.zkConnect,
      `a chroot suffix ("${connect.value.slice(slash)}") is not supported; put the path in ${KEYS.zkRoot} instead`,
    );
  }
  const servers = props.list(KEYS.zkConnect, []);
  for (const server of servers) {
    if (parseHostPort(server) === null)
      throw props.error(
        KEYS.zkConnect,
        `expected host:port[,host:port…], but ${JSON.stringify(server)} is not host:port`,
      );
  }
  // Atlas ignores the auth unless an ACL is set (docs/contracts/config.md).
  return {
    connect: servers.join(","),
    zkRoot,
    sessionTimeoutMs,
    retrySleepMs,
    numRetries,
    acl,
    auth: acl === null ? null : auth,
  };
}

/**
 * The `zookeeper` package's native client (the ZooKeeper C client) is built without Cyrus SASL
 * and its binding opens plain connections only (no `zookeeper_init_ssl`), so neither SASL
 * (Kerberos, DIGEST-MD5) nor TLS to ZooKeeper is possible (docs/contracts/zookeeper.md).
 */
const UNSUPPORTED_ZK_SECURITY =
  "needs SASL (Kerberos or DIGEST-MD5) or TLS to ZooKeeper, which this server's ZooKeeper client (the native C client of the zookeeper package, built without SASL and opening plain connections) cannot do. " +
  "Use a digest ACL instead: atlas.server.ha.zookeeper.acl=digest:<user>:<base64 sha1 of user:password> with atlas.server.ha.zookeeper.auth=digest:<user>:<password> " +
  '(the id is user:base64(sha1("user:password"))), and encrypt the network path with a TLS tunnel (stunnel or a sidecar) to ZooKeeper\'s secureClientPort if it must be encrypted';

/** `scheme:id`, in the schemes the ZooKeeper client we use can apply. */
function readAcl(props: Props): string | null {
  const acl = props.string(KEYS.zkAcl, null);
  if (acl === null) return null;
  const colon = acl.indexOf(":");
  if (colon <= 0 || colon === acl.length - 1) {
    throw props.error(
      KEYS.zkAcl,
      `expected scheme:id (e.g. digest:atlas:<base64 sha1>, ip:10.0.0.0/8, world:anyone), got ${JSON.stringify(acl)}`,
    );
  }
  const scheme = acl.slice(0, colon);
  const id = acl.slice(colon + 1);
  if (scheme === "sasl" || scheme === "x509") {
    throw props.error(KEYS.zkAcl, `the "${scheme}" scheme ${UNSUPPORTED_ZK_SECURITY}`);
  }
  if (!["digest", "ip", "world", "auth"].includes(scheme)) {
    throw props.error(KEYS.zkAcl, `unknown ACL scheme "${scheme}"; use digest, ip or world`);
  }
  if (scheme === "digest" && !/^[^:]+:[A-Za-z0-9+/]{27}=$/.test(id)) {
    throw props.error(
      KEYS.zkAcl,
      `a digest ACL is digest:<user>:<base64 of sha1("user:password")> (28 characters), got ${JSON.stringify(acl)}`,
    );
  }
  return acl;
}

/** `digest:user:password`; the password is never echoed in a message. */
function readAuth(props: Props): string | null {
  const auth = props.string(KEYS.zkAuth, null);
  if (auth === null) return null;
  const match = /^([^:]+):([^:]+):(.+)$/.exec(auth);
  if (match === null) throw props.error(KEYS.zkAuth, `expected digest:<user>:<password>`);
  if (match[1] === "sasl" || match[1] === "x509")
    throw props.error(KEYS.zkAuth, `the "${match[1]}" scheme ${UNSUPPORTED_ZK_SECURITY}`);
  if (match[1] !== "digest") {
    throw props.error(
      KEYS.zkAuth,
      `only the "digest" scheme can authenticate this server's ZooKeeper client, not "${match[1]}"`,
    );
  }
  return auth;
}

function readKafka(props: Props): Settings["kafka"] {
  const brokers = props.list(KEYS.kafkaBootstrap, [DEFAULTS.kafkaBootstrap]);
  for (const broker of brokers) {
    if (parseHostPort(broker) === null) {
      throw props.error(
        KEYS.kafkaBootstrap,
        `expected host:port[,host:port…], but ${JSON.stringify(broker)} is not host:port`,
      );
    }
  }
  const topic = (key: string, name: string): string => {
    if (!TOPIC.test(name) || name === "." || name === "..") {
      throw props.error(
        key,
        `${JSON.stringify(name)} is not a valid Kafka topic name (letters, digits, '.', '_', '-')`,
      );
    }
    return name;
  };
  const dlq = props.string(KEYS.dlqTopic, null);
  return {
    bootstrapServers: brokers.join(","),
    groupId: props.string(KEYS.kafkaGroupId, DEFAULTS.kafkaGroupId),
    topics: props.list(KEYS.hookTopics, DEFAULTS.hookTopics).map((t) => topic(KEYS.hookTopics, t)),
    maxRetries: props.integer(KEYS.hookMaxRetries, DEFAULTS.hookMaxRetries, 1),
    retryIntervalMs: props.millis(KEYS.hookRetryInterval, DEFAULTS.hookRetryIntervalMs, 0),
    // The consumer multiplies by 1000 for a timer, so the seconds must keep that in range.
    splitWaitSeconds: props.integer(
      KEYS.splitWait,
      DEFAULTS.splitWaitSeconds,
      1,
      2_147_483,
      " (seconds)",
    ),
    consumerDisabled: props.boolean(KEYS.consumerDisabled, false),
    dlqTopic: dlq === null ? null : topic(KEYS.dlqTopic, dlq),
  };
}

function readStore(props: Props, context: SchemaContext): Settings["store"] {
  const backend = props.oneOf(KEYS.storeBackend, "sqlite", ["sqlite", "postgres"] as const);
  if (backend === "sqlite") {
    const path = props.string(KEYS.sqlitePath, DEFAULTS.sqlitePath);
    // Relative to the working directory, like every relative path a process is given on start.
    return {
      backend,
      path: path === ":memory:" || isAbsolute(path) ? path : resolve(context.cwd, path),
    };
  }
  const url = props.string(KEYS.postgresUrl, null);
  if (url === null) {
    throw props.error(
      KEYS.postgresUrl,
      `required when ${KEYS.storeBackend}=postgres; set it to postgres://user:password@host:5432/database`,
    );
  }
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed === null || (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")) {
    throw props.error(
      KEYS.postgresUrl,
      `expected a postgres:// or postgresql:// URL, got ${JSON.stringify(redactUrl(url))}`,
    );
  }
  if (
    parsed.hostname !== "" &&
    isIP(parsed.hostname) === 0 &&
    !isHost(decodeURIComponent(parsed.hostname))
  ) {
    throw props.error(
      KEYS.postgresUrl,
      `the host of ${JSON.stringify(redactUrl(url))} is not a host name`,
    );
  }
  // Well under the ZooKeeper session timeout: a transaction a dead active left open must be
  // gone by the time its successor fences the store.
  const idleTransactionTimeoutMs = props.integer(
    KEYS.postgresIdleTransactionTimeout,
    DEFAULTS.postgresIdleTransactionTimeoutMs,
    100,
    600_000,
    " (ms)",
  );
  return { backend, url, idleTransactionTimeoutMs };
}

/**
 * Atlas's file authentication (`atlas.authentication.method.file`, on unless `false`) reads
 * `atlas.authentication.method.file.filename`. Without one the server has no users and
 * refuses every request that needs authentication.
 */
function readUsersFile(props: Props, context: SchemaContext): string | null {
  const enabled = props.boolean(KEYS.fileAuthEnabled, true);
  const file = props.string(KEYS.usersFile, null);
  if (!enabled || file === null) return null;
  return resolve(context.configDir, file);
}
