/** Log levels pino knows, lowest volume first. */
export const LOG_LEVELS = Object.freeze([
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a passive does with requests it does not answer itself (docs/contracts/http.md). */
export const PASSIVE_MODES = Object.freeze(["redirect", "proxy"] as const);

/** ZooKeeper settings of the election (docs/contracts/config.md, zookeeper.md); present only when HA is on. */
export interface ZooKeeperConfig {
  /** `host:port,host:port,…` without a chroot suffix. */
  connect: string;
  /** Absolute path, default `/apache_atlas`. */
  zkRoot: string;
  sessionTimeoutMs: number;
  /** Base of the exponential back-off between retries. */
  retrySleepMs: number;
  /**
   * `atlas.server.ha.zookeeper.num.retries`: accepted and validated, because Atlas
   * configuration files carry it, but unused (the election retries a failed step after
   * reconnection or a back-off, not a fixed number of times).
   */
  numRetries: number;
  /** `scheme:id` every created node carries, or null for world:anyone with all permissions. */
  acl: string | null;
  /** `digest:user:password`; always null when `acl` is null (Atlas ignores it then). */
  auth: string | null;
}

/** A PKCS12 keystore or truststore (absolute path) and its password (null: none given). */
export interface StoreFile {
  file: string;
  password: string | null;
}

/**
 * The server's own TLS (docs/contracts/config.md): its key and certificate either as PEM files
 * (`atlas.ssl.key.file`, `atlas.ssl.cert.file`) or as Atlas's PKCS12 `keystore.file`; the CAs of
 * client certificates in `truststore.file` (PKCS12 or PEM) when `client.auth.enabled=true`.
 */
export interface TlsConfig {
  /** PEM private key, or null when `keystore` is used. */
  keyFile: string | null;
  /** PEM certificate chain, or null when `keystore` is used. */
  certFile: string | null;
  keystore: StoreFile | null;
  /** Read only when `clientAuth` is on (then required). */
  truststore: StoreFile | null;
  /** Every client must present a certificate signed by a truststore CA (mutual TLS). */
  clientAuth: boolean;
}

/** The server's whole configuration, validated (see README.md in this folder for every key). */
export interface ServerConfig {
  /** This instance's id: `atlas.server.id`, or inferred from the addresses and the port. */
  serverId: string;
  /** `atlas.server.ids`, in file order (empty when not set). */
  ids: string[];
  /** id → `host:port` from `atlas.server.address.<id>`, for the listed ids that have one. */
  addresses: Record<string, string>;
  /** `http(s)://host:port` of this instance: its address entry, else `http(s)://localhost:<port>` (HA off only). */
  selfAddress: string;
  http: {
    /** Bind host (`atlas.server.bind.address`, default `0.0.0.0`). */
    host: string;
    /** `atlas.server.http.port`, or `atlas.server.https.port` when TLS is on. */
    port: number;
    /** When `atlas.enableTLS=true`, else null. */
    tls: null | TlsConfig;
  };
  ha: { enabled: boolean; zookeeper: null | ZooKeeperConfig };
  /**
   * `atlas.server.ha.passive.mode`: `redirect` (Atlas's 302/307) or `proxy` (forward to the
   * active, with the proxy's connect and response timeouts; bodies up to `limits.maxBodyBytes`).
   */
  passive: {
    mode: (typeof PASSIVE_MODES)[number];
    connectTimeoutMs: number;
    responseTimeoutMs: number;
  };
  /** Planned hand-over (docs/operations.md): `atlas.server.ha.switchover.window.ms`, `atlas.server.ha.preferred.*`. */
  switchover: {
    /** How long the instance that hands over stays out of the election. */
    windowMs: number;
    /** The instance that should be active whenever it is healthy (null: off). */
    preferredId: string | null;
    /** How long it must have been healthy and passive before the active hands over to it. */
    preferredDelayMs: number;
  };
  kafka: {
    /** `host:port,host:port`. */
    bootstrapServers: string;
    groupId: string;
    topics: string[];
    maxRetries: number;
    retryIntervalMs: number;
    splitWaitSeconds: number;
    consumerDisabled: boolean;
    dlqTopic: string | null;
  };
  /** SQLite `path` is absolute (or `:memory:`). */
  store:
    | { backend: "sqlite"; path: string }
    | { backend: "postgres"; url: string; idleTransactionTimeoutMs: number };
  client: { haRetries: number; haSleepIntervalMs: number };
  auth: {
    /** Absolute path of the users file, or null: no file authentication, non-exempt requests are refused. */
    usersFile: string | null;
    /** Atlas's v1 check: a SHA-256 hash of the bare password logs in. */
    plainSha256: boolean;
    /** Atlas's v2 check: a SHA-256 hash of `password{user}` logs in. */
    saltedSha256: boolean;
  };
  limits: {
    maxBodyBytes: number;
    shutdownTimeoutMs: number;
    handlerTimeoutMs: number;
    /** A request whose headers take longer gets 408 (slow clients, slowloris). */
    headersTimeoutMs: number;
    /** A request whose headers and body take longer gets 408. */
    requestTimeoutMs: number;
  };
  log: { level: LogLevel };
  /** Absolute directory of the configuration file. */
  configDir: string;
  /**
   * Every property after environment overrides and `${…}` interpolation, known or not, for
   * packages that map Atlas keys themselves (e.g. hook-consumer's
   * `hookConsumerSettingsFromProperties`).
   */
  properties: Record<string, string>;
}
