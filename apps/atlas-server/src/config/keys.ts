/**
 * Every configuration key the server reads (docs/contracts/config.md). Atlas's names where Atlas has the
 * setting, so an existing `atlas-application.properties` works; ours otherwise (marked in
 * README.md). `atlas.server.address.<id>` is per id and not listed here.
 */
export const KEYS = Object.freeze({
  httpPort: "atlas.server.http.port",
  httpsPort: "atlas.server.https.port",
  enableTls: "atlas.enableTLS",
  tlsKeyFile: "atlas.ssl.key.file",
  tlsCertFile: "atlas.ssl.cert.file",
  // Atlas's SecureEmbeddedServer reads these without an `atlas.` prefix (SecurityProperties).
  keystoreFile: "keystore.file",
  keystorePassword: "keystore.password",
  keystoreType: "keystore.type",
  truststoreFile: "truststore.file",
  truststorePassword: "truststore.password",
  truststoreType: "truststore.type",
  clientAuth: "client.auth.enabled",
  bindAddress: "atlas.server.bind.address",

  haEnabled: "atlas.server.ha.enabled",
  ids: "atlas.server.ids",
  serverId: "atlas.server.id",
  zkConnect: "atlas.server.ha.zookeeper.connect",
  zkRoot: "atlas.server.ha.zookeeper.zkroot",
  zkSessionTimeout: "atlas.server.ha.zookeeper.session.timeout.ms",
  zkRetrySleep: "atlas.server.ha.zookeeper.retry.sleeptime.ms",
  zkNumRetries: "atlas.server.ha.zookeeper.num.retries",
  zkAcl: "atlas.server.ha.zookeeper.acl",
  zkAuth: "atlas.server.ha.zookeeper.auth",
  handlerTimeout: "atlas.server.ha.handler.timeout.ms",
  passiveMode: "atlas.server.ha.passive.mode",
  proxyConnectTimeout: "atlas.server.ha.proxy.connect.timeout.ms",
  proxyResponseTimeout: "atlas.server.ha.proxy.response.timeout.ms",
  switchoverWindow: "atlas.server.ha.switchover.window.ms",
  preferredId: "atlas.server.ha.preferred.id",
  preferredDelay: "atlas.server.ha.preferred.delay.ms",

  kafkaBootstrap: "atlas.kafka.bootstrap.servers",
  kafkaGroupId: "atlas.kafka.hook.group.id",
  hookTopics: "atlas.notification.hook.consumer.topic.names",
  hookMaxRetries: "atlas.notification.hook.maxretries",
  hookRetryInterval: "atlas.notification.consumer.retry.interval",
  splitWait: "atlas.notification.split.message.segments.wait.time.seconds",
  consumerDisabled: "atlas.notification.consumer.disabled",
  dlqTopic: "atlas.notification.hook.dlq.topic",

  clientRetries: "atlas.client.ha.retries",
  clientSleep: "atlas.client.ha.sleep.interval.ms",

  storeBackend: "atlas.store.backend",
  sqlitePath: "atlas.store.sqlite.path",
  postgresUrl: "atlas.store.postgres.url",
  postgresIdleTransactionTimeout: "atlas.store.postgres.idle.transaction.timeout.ms",

  fileAuthEnabled: "atlas.authentication.method.file",
  usersFile: "atlas.authentication.method.file.filename",
  fileV1Validation: "atlas.authentication.method.file.v1-validation.enabled",
  fileV2Validation: "atlas.authentication.method.file.v2-validation.enabled",

  maxBodyBytes: "atlas.server.request.max.body.bytes",
  headersTimeout: "atlas.server.http.headers.timeout.ms",
  requestTimeout: "atlas.server.http.request.timeout.ms",
  shutdownTimeout: "atlas.server.shutdown.timeout.ms",
  logLevel: "atlas.server.log.level",
});

export const ADDRESS_PREFIX = "atlas.server.address.";

/** `atlas.server.address.<id>`: the `host:port` of server `id` of `atlas.server.ids`. */
export function addressKey(id: string): string {
  return ADDRESS_PREFIX + id;
}

/**
 * Where the hook consumer's failed-messages log goes (default
 * `logs/failed-messages-<server id>.jsonl`). Read by the server's composition (server.ts),
 * not by the schema: it is not one of KEYS, so no environment variable overrides it.
 */
export const FAILED_MESSAGES_FILE_KEY = "atlas.notification.failed.messages.file";

export const KNOWN_KEYS: readonly string[] = Object.freeze(Object.values(KEYS));

/** The file `ATLAS_CONF` (or a `--config` directory) holds. */
export const CONFIG_FILE_NAME = "atlas-application.properties";

/** `atlas.server.ha.enabled` ↔ `ATLAS_SERVER_HA_ENABLED` (docs/contracts/config.md). */
export function envName(key: string): string {
  return key.replace(/\./g, "_").toUpperCase();
}
