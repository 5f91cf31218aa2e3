import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import kafkajs from "kafkajs";
import { classpath, ensureJars, javaBin } from "./jars.js";
import { freePorts } from "./ports.js";
import { ManagedProcess } from "./process.js";
import { waitFor } from "./wait.js";

const { Kafka, logLevel } = kafkajs;
const run = promisify(execFile);

export interface KafkaOptions {
  /** Fixed broker port (the local cluster uses 9092); a free port when absent. */
  port?: number;
  /** Partitions of auto-created topics. Default 1 (docs/contracts/components.md). */
  partitions?: number;
  /** Data dir; a fresh temp folder when absent. */
  baseDir?: string;
  /** Max heap, MB. Default 512. */
  heapMb?: number;
  /** Extra broker properties, appended last (they win). */
  properties?: Record<string, string | number | boolean>;
  /** Resolves once the broker answers metadata requests; default 60 s. */
  startTimeoutMs?: number;
  /**
   * Run the broker detached (own session, no guard) so it outlives this process; see
   * `ProcessSpec.detached`. Default false.
   */
  detached?: boolean;
  /**
   * Secured listeners beside the PLAINTEXT one (which stays, for the test's own producer and
   * admin): each on a port of its own (`KafkaBroker.listenerPort`).
   */
  security?: KafkaSecurityOptions;
}

export type SecureListener = "SASL_SSL" | "SSL" | "SASL_PLAINTEXT";

export interface KafkaSecurityOptions {
  listeners: SecureListener[];
  /**
   * The broker's key and trust: `makeCertificates()`'s `server.p12`, `ca.truststore` and
   * `password` (PKCS12). Required with SASL_SSL and SSL.
   */
  tls?: { keystore: string; truststore: string; password: string };
  /**
   * SASL users (name → password), created at format time for SCRAM-SHA-256 and SCRAM-SHA-512
   * and given to PLAIN. The SASL listeners accept those three mechanisms.
   */
  users?: Record<string, string>;
  /** Client certificates on the SSL listener: default "required" (mutual TLS). */
  sslClientAuth?: "required" | "requested" | "none";
}

const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;

/** A single Kafka broker in KRaft mode (combined broker + controller), with fault injection. */
export class KafkaBroker {
  readonly name = "kafka";
  readonly port: number;
  readonly controllerPort: number;
  readonly baseDir: string;
  readonly process: ManagedProcess;
  /** Ports of the secured listeners asked for in `security`. */
  readonly listenerPorts: Partial<Record<SecureListener, number>> = {};
  #ownsBaseDir: boolean;

  constructor(
    port: number,
    controllerPort: number,
    baseDir: string,
    process: ManagedProcess,
    ownsBaseDir: boolean,
  ) {
    this.port = port;
    this.controllerPort = controllerPort;
    this.baseDir = baseDir;
    this.process = process;
    this.#ownsBaseDir = ownsBaseDir;
  }

  /** `127.0.0.1:<port>` for a client's brokers list. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `127.0.0.1:<port>` of a secured listener. */
  bootstrapFor(listener: SecureListener): string {
    const port = this.listenerPorts[listener];
    if (port === undefined)
      throw new Error(`the broker was started without a ${listener} listener`);
    return `127.0.0.1:${port}`;
  }

  get logFile(): string {
    return this.process.logFile;
  }

  /** True when the broker answers a metadata request within `timeoutMs`. */
  async isServing(timeoutMs = 2000): Promise<boolean> {
    const admin = new Kafka({
      clientId: "testkit-probe",
      brokers: [this.bootstrap],
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      const probe = (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      })();
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs + 500);
      });
      return await Promise.race([probe, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }

  async waitServing(timeoutMs = 60_000): Promise<void> {
    await this.process.aliveUntil(
      waitFor(() => this.isServing(), {
        timeoutMs,
        intervalMs: 200,
        what: "the Kafka broker to serve",
      }),
    );
  }

  /** Creates a topic and waits for its partition leaders. */
  async createTopic(topic: string, numPartitions = 1): Promise<void> {
    const admin = new Kafka({
      clientId: "testkit-admin",
      brokers: [this.bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  /** The offsets `groupId` committed on `topic`, one per partition ("-1": none). */
  async committedOffsets(groupId: string, topic: string): Promise<string[]> {
    const admin = new Kafka({
      clientId: "testkit-admin",
      brokers: [this.bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      // Right after the offsets topic is made, its coordinator may not be known yet.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
          return offsets.flatMap((t) => t.partitions.map((p) => p.offset));
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable !== true || Date.now() > deadline)
            throw error;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Adds (or changes) a SCRAM user on the running broker, as `kafka-configs.sh --alter
   * --add-config` does, through the PLAINTEXT listener.
   */
  async addScramUser(name: string, password: string, mechanism = "SCRAM-SHA-512"): Promise<void> {
    const jars = await ensureJars("kafka");
    await run(
      javaBin(),
      [
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-cp",
        classpath(jars),
        "kafka.admin.ConfigCommand",
        "--bootstrap-server",
        this.bootstrap,
        "--alter",
        "--add-config",
        `${mechanism}=[password=${password}]`,
        "--entity-type",
        "users",
        "--entity-name",
        name,
      ],
      { maxBuffer: 4 * 1024 * 1024 },
    );
  }

  start(): Promise<void> {
    return this.process.start();
  }
  kill(): Promise<void> {
    return this.process.kill();
  }
  stop(timeoutMs?: number): Promise<void> {
    return this.process.stop(timeoutMs);
  }
  pause(): void {
    this.process.pause();
  }
  resume(): void {
    this.process.resume();
  }
  /** Stops and starts again on the same data, then waits until it serves. */
  async restart(timeoutMs = 60_000): Promise<void> {
    await this.process.restart();
    await this.waitServing(timeoutMs);
  }

  /** Stops the broker and removes its data unless `keepLogs` (then the path is printed). */
  async shutdown(options: { keepLogs?: boolean } = {}): Promise<void> {
    await this.process.stop(10_000);
    if (options.keepLogs || process.env.ATLAS_HA_KEEP_LOGS === "1") {
      process.stderr.write(`[testkit] Kafka logs kept in ${this.baseDir}\n`);
    } else if (this.#ownsBaseDir) {
      rmSync(this.baseDir, { recursive: true, force: true });
    }
  }
}

/** Starts a single-node Kafka (KRaft) on 127.0.0.1 and resolves once it serves metadata. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const jars = await ensureJars("kafka");
  const ownsBaseDir = options.baseDir === undefined;
  const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), "atlas-ha-kafka-"));
  const dataDir = join(baseDir, "data");
  mkdirSync(dataDir, { recursive: true });
  const secure = options.security?.listeners ?? [];
  const [freeBroker, controllerPort, ...securePorts] = await freePorts(2 + secure.length);
  const port = options.port ?? freeBroker!;
  const listenerPorts: Partial<Record<SecureListener, number>> = {};
  secure.forEach((listener, i) => (listenerPorts[listener] = securePorts[i]!));
  const advertised = [
    `PLAINTEXT://127.0.0.1:${port}`,
    ...secure.map((l) => `${l}://127.0.0.1:${listenerPorts[l]}`),
  ].join(",");

  const properties: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `${advertised},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": advertised,
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": [
      "PLAINTEXT:PLAINTEXT",
      "CONTROLLER:PLAINTEXT",
      ...secure.map((l) => `${l}:${l}`),
    ].join(","),
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": dataDir,
    "num.partitions": options.partitions ?? 1,
    "auto.create.topics.enable": true,
    // A single broker: every internal topic must have replication factor 1.
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    "share.coordinator.state.topic.num.partitions": 1,
    // After a failover the hook consumer group is empty; the default 3 s delay of its
    // first rebalance would hold hook consumption back that long (docs/contracts/components.md).
    "group.initial.rebalance.delay.ms": 0,
    ...(options.security ? securityProperties(options.security) : {}),
    ...options.properties,
  };
  const configFile = join(baseDir, "server.properties");
  writeFileSync(
    configFile,
    `${Object.entries(properties)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
  const log4j = join(baseDir, "log4j2.properties");
  writeFileSync(log4j, LOG4J2);

  const jvm = [
    `-Xmx${options.heapMb ?? 512}m`,
    "-XX:+UseSerialGC",
    "-Djava.net.preferIPv4Stack=true",
    `-Dlog4j2.configurationFile=${log4j}`,
    `-Dkafka.logs.dir=${baseDir}`,
    "-cp",
    classpath(jars),
  ];
  // base64url may start with "-": given as "-t <id>" such an id reads as an option, hence
  // `--cluster-id=<id>` (docs/decisions.md).
  const clusterId = randomBytes(16).toString("base64url");
  await run(
    javaBin(),
    [
      ...jvm,
      "kafka.tools.StorageTool",
      "format",
      `--cluster-id=${clusterId}`,
      "-c",
      configFile,
      ...scramUsers(options.security),
    ],
    {
      maxBuffer: 4 * 1024 * 1024,
    },
  );

  const process = new ManagedProcess({
    name: "kafka",
    command: javaBin(),
    args: [...jvm, "kafka.Kafka", configFile],
    cwd: baseDir,
    logFile: join(baseDir, "server.log"),
    detached: options.detached === true,
  });
  const broker = new KafkaBroker(port, controllerPort!, baseDir, process, ownsBaseDir);
  Object.assign(broker.listenerPorts, listenerPorts);
  try {
    await broker.start();
    await broker.waitServing(options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await broker.shutdown({ keepLogs: true });
    throw error;
  }
  return broker;
}

const SCRAM = ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const;

/** KRaft stores SCRAM credentials in its metadata: they are added when the log is formatted. */
function scramUsers(security: KafkaSecurityOptions | undefined): string[] {
  if (!security?.listeners.some((l) => l.startsWith("SASL_"))) return [];
  return Object.entries(security.users ?? {}).flatMap(([name, password]) =>
    SCRAM.flatMap((mechanism) => [
      "--add-scram",
      `${mechanism}=[name=${name},password=${password}]`,
    ]),
  );
}

function securityProperties(security: KafkaSecurityOptions): Record<string, string> {
  const properties: Record<string, string> = {};
  const { listeners, tls } = security;
  if (listeners.some((l) => l.endsWith("SSL"))) {
    if (tls === undefined) throw new Error("startKafka: security.tls is needed for SSL listeners");
    Object.assign(properties, {
      "ssl.keystore.type": "PKCS12",
      "ssl.keystore.location": tls.keystore,
      "ssl.keystore.password": tls.password,
      "ssl.key.password": tls.password,
      "ssl.truststore.type": "PKCS12",
      "ssl.truststore.location": tls.truststore,
      "ssl.truststore.password": tls.password,
    });
  }
  if (listeners.includes("SSL"))
    properties["listener.name.ssl.ssl.client.auth"] = security.sslClientAuth ?? "required";
  const sasl = listeners.filter((l) => l.startsWith("SASL_"));
  if (sasl.length > 0) {
    properties["sasl.enabled.mechanisms"] = [...SCRAM, "PLAIN"].join(",");
    const plainUsers = Object.entries(security.users ?? {})
      .map(([name, password]) => ` user_${name}="${password}"`)
      .join("");
    for (const listener of sasl) {
      const prefix = `listener.name.${listener.toLowerCase()}`;
      for (const mechanism of SCRAM)
        properties[`${prefix}.${mechanism.toLowerCase()}.sasl.jaas.config`] =
          "org.apache.kafka.common.security.scram.ScramLoginModule required;";
      properties[`${prefix}.plain.sasl.jaas.config`] =
        `org.apache.kafka.common.security.plain.PlainLoginModule required${plainUsers};`;
    }
  }
  return properties;
}
