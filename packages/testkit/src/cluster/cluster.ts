import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { KafkaBroker, startKafka } from "../kafka.js";
import { freePorts } from "../ports.js";
import { PostgresServer, startPostgres } from "../postgres.js";
import { descendantPids as descendants, isProcessAlive, isStopped, ManagedProcess, type ProcessSpec } from "../process.js";
import { startTcpProxy, type TcpProxy, type TcpProxyCutOptions } from "../proxy.js";
import { waitFor } from "../wait.js";
import { startZooKeeper, ZooKeeperEnsemble, ZooKeeperNode } from "../zookeeper.js";
import { AtlasInstance, atlasServerBin, hashPassword, startAtlasInstance, type AtlasState } from "./atlas.js";
import { ClusterOptionsError, ClusterStateError, UnknownMemberError } from "./errors.js";
import { assertPortsFree, isListening } from "./ports.js";
import type { PropertyValue } from "./properties.js";
import {
  describeCluster,
  readState,
  removeState,
  writeState,
  type ClusterDescription,
  type ClusterState,
  type ProcessRecord,
  type StoreBackend,
} from "./state.js";

const { Kafka, logLevel, Partitioners } = kafkajs;

/** A pino-compatible logger; the launcher logs events (`{ event: "kafka_started", … }`). */
export interface ClusterLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: ClusterLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Ports of the cluster's servers; each one absent is a free port picked at start. */
export interface LocalClusterPorts {
  /** HTTP ports of atlas-1, atlas-2, … */
  atlas?: number[];
  /** Client ports of zk-1, zk-2, zk-3. */
  zookeeper?: number[];
  kafka?: number;
  postgres?: number;
}

/** The fixed ports of the local cluster of SPEC §10 (`npm start`, `npm run cluster`). */
export function localClusterPorts(instances: number, zk: number): Required<LocalClusterPorts> {
  return {
    atlas: Array.from({ length: instances }, (_, i) => 21000 + i),
    zookeeper: Array.from({ length: zk }, (_, i) => 2181 + i),
    kafka: 9092,
    // Not 5432, where a system PostgreSQL may already listen.
    postgres: 15432,
  };
}

export interface LocalClusterOptions {
  /** atlas-server instances; 0 gives ZooKeeper and Kafka only. Default 2. */
  instances?: number;
  /** ZooKeeper nodes, 1 or 3. Default 3. */
  zk?: 1 | 3;
  /** `atlas.server.ha.zookeeper.session.timeout.ms` of every instance. Default 4000. */
  sessionTimeoutMs?: number;
  /** Store the instances share. Default "sqlite" (one file, WAL). */
  backend?: StoreBackend;
  /**
   * Processes outlive the launcher (own session, no guard), for the CLI; a later process
   * takes the cluster over with `LocalCluster.attach`. Default false: everything dies with
   * the process that started it, which is what tests want.
   */
  detached?: boolean;
  /** Folder for data, logs, configuration and `state.json`; a fresh temp folder when absent (removed by `down`). */
  stateDir?: string;
  /** Where the SPEC §10 description is written; default `<stateDir>/cluster.json`. */
  clusterFile?: string;
  /** Fixed ports; free ports when absent. A taken fixed port fails before anything starts. */
  ports?: LocalClusterPorts;
  /** Topic created at start and consumed by the instances. Default "ATLAS_HOOK". */
  hookTopic?: string;
  /** Its partitions. Default 1. */
  hookPartitions?: number;
  /** Password of the `admin` user (role ADMIN) of every instance. Default "admin". */
  adminPassword?: string;
  /** Extra `atlas-application.properties` keys for every instance (they win). */
  properties?: Record<string, PropertyValue>;
  /** Extra environment variables for every instance (e.g. `{ ATLAS_HA_DEBUG: "1" }`). */
  env?: Record<string, string>;
  /**
   * Each instance reaches ZooKeeper through proxies of its own (one per ZooKeeper node), so
   * `cluster.zkProxy("atlas-1").cut()` partitions that instance alone from the ensemble.
   * The proxies run in the launcher's process: not with `detached`. Default false.
   */
  zkProxy?: boolean;
  /**
   * ZooKeeper's own settings for fault injection: `isolatable` makes zk-3 cut-able from the
   * other two servers (`cluster.zookeeper.node(3).isolate()`), `syncLimit` how long a cut-off
   * follower goes on answering its clients (× tickTime). See startZooKeeper.
   */
  zookeeper?: { isolatable?: boolean; syncLimit?: number };
  /** The server's entry point; default `apps/atlas-server/dist/main.js`. */
  serverBin?: string;
  /** Deadline of each start-up step; default 60 s. */
  startTimeoutMs?: number;
  logger?: ClusterLogger;
  /** Aborting stops the start-up after the step in progress and removes what was started. */
  signal?: AbortSignal;
}

export type MemberKind = "atlas" | "zookeeper" | "kafka" | "postgres";

/** One process of the cluster, whatever it runs. */
export interface ClusterMember {
  readonly name: string;
  readonly kind: MemberKind;
  readonly process: ManagedProcess;
  /** `http://127.0.0.1:21000`, `127.0.0.1:2181`, `127.0.0.1:9092`, `postgres://…` */
  readonly address: string;
  /** The ports it listens on. */
  readonly ports: number[];
  /** Resolves once it serves again after a start (status answers, ZooKeeper serves, …). */
  waitReady(timeoutMs: number): Promise<void>;
  kill(): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
  pause(): void;
  resume(): void;
}

export interface InstanceStatus {
  name: string;
  url: string;
  pid: number | null;
  /** null when the instance does not answer (down, paused, starting). */
  state: AtlasState | null;
}

function record(process: ManagedProcess): ProcessRecord {
  const identity = process.identity;
  return { spec: process.spec, pid: identity?.pid ?? null, startTime: identity?.startTime ?? null };
}

function attachRecord(rec: ProcessRecord): ManagedProcess {
  return rec.pid === null
    ? new ManagedProcess({ ...rec.spec, detached: true })
    : ManagedProcess.attach(rec.spec, { pid: rec.pid, startTime: rec.startTime ?? undefined });
}

/**
 * The proxies between one instance and every ZooKeeper node (`zkProxy: true`): cutting them
 * partitions that instance from the whole ensemble, while the others keep talking to it.
 */
export class ZooKeeperProxy {
  readonly instance: string;
  /** One per ZooKeeper node, in node order; the instance's connect string lists their ports. */
  readonly proxies: TcpProxy[];

  constructor(instance: string, proxies: TcpProxy[]) {
    this.instance = instance;
    this.proxies = proxies;
  }

  /** `127.0.0.1:p1,127.0.0.1:p2,…`: what the instance is configured with. */
  get connectString(): string {
    return this.proxies.map((p) => p.address).join(",");
  }

  get isCut(): boolean {
    return this.proxies.some((p) => p.state === "refusing" || p.state === "blackholing");
  }

  /** Cuts the instance from every ZooKeeper node (see TcpProxy.cut for the modes). */
  async cut(options: TcpProxyCutOptions = {}): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.cut(options)));
  }

  async restore(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.restore()));
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.close()));
  }
}

/**
 * A running local cluster: a ZooKeeper ensemble, a Kafka broker, optionally PostgreSQL, and
 * atlas-server instances, with fault injection by name (`atlas-1`, `zk-2`, `kafka`,
 * `postgres`). Every change of a process is written to `state.json` and `cluster.json`, so
 * the CLI in another process sees the pids of today.
 */
export class LocalCluster {
  readonly stateDir: string;
  readonly clusterFile: string;
  readonly sessionTimeoutMs: number;
  readonly backend: StoreBackend;
  readonly hookTopic: string;
  readonly zookeeper: ZooKeeperEnsemble;
  readonly kafka: KafkaBroker;
  readonly postgres: PostgresServer | undefined;
  readonly instances: AtlasInstance[];
  #state: ClusterState;
  #ownsStateDir: boolean;
  #zkProxies: Map<string, ZooKeeperProxy>;

  constructor(
    state: ClusterState,
    parts: {
      zookeeper: ZooKeeperEnsemble;
      kafka: KafkaBroker;
      postgres?: PostgresServer | undefined;
      instances: AtlasInstance[];
      zkProxies?: Map<string, ZooKeeperProxy>;
    },
    ownsStateDir = false,
  ) {
    this.#state = state;
    this.stateDir = state.stateDir;
    this.clusterFile = state.clusterFile;
    this.sessionTimeoutMs = state.sessionTimeoutMs;
    this.backend = state.backend;
    this.hookTopic = state.hookTopic;
    this.zookeeper = parts.zookeeper;
    this.kafka = parts.kafka;
    this.postgres = parts.postgres;
    this.instances = parts.instances;
    this.#zkProxies = parts.zkProxies ?? new Map();
    this.#ownsStateDir = ownsStateDir;
  }

  /**
   * Takes over a cluster that another process started (detached) in `stateDir`. Processes
   * that have exited since are there, not running, and `start(name)` runs them again.
   * Throws a ClusterStateError `CLUSTER_NOT_UP` when no cluster state is there.
   */
  static attach(options: { stateDir: string }): LocalCluster {
    const state = readState(options.stateDir);
    if (!state) {
      throw new ClusterStateError("CLUSTER_NOT_UP", `no local cluster is up (no state in ${options.stateDir})`);
    }
    const nodes = state.zookeeper.map(
      (z) => new ZooKeeperNode(z.id, z.clientPort, z.dataDir, attachRecord(z.process)),
    );
    const zookeeper = new ZooKeeperEnsemble(nodes, join(state.stateDir, "zookeeper"), state.tickTime, false);
    const k = state.kafka;
    const kafka = new KafkaBroker(k.port, k.controllerPort, k.baseDir, attachRecord(k.process), false);
    const p = state.postgres;
    const postgres = p ? new PostgresServer(p.port, p.baseDir, p.binDir, attachRecord(p.process), false) : undefined;
    const instances = state.instances.map((i) => new AtlasInstance(i.name, i.port, i.dir, attachRecord(i.process)));
    return new LocalCluster(state, { zookeeper, kafka, postgres, instances });
  }

  /** Every process, in the order `status` lists them: instances, ZooKeeper, Kafka, PostgreSQL. */
  get members(): ClusterMember[] {
    const members: ClusterMember[] = this.instances.map((instance) => ({
      name: instance.name,
      kind: "atlas" as const,
      process: instance.process,
      address: instance.url,
      ports: [instance.port],
      waitReady: async (timeoutMs: number) => {
        await instance.waitAnswering(timeoutMs);
      },
      kill: () => instance.kill(),
      stop: (timeoutMs = 30_000) => instance.stop(timeoutMs),
      pause: () => instance.pause(),
      resume: () => instance.resume(),
    }));
    for (const node of this.zookeeper.nodes) {
      members.push({
        name: node.name,
        kind: "zookeeper",
        process: node.process,
        address: node.connectString,
        ports: [node.clientPort],
        waitReady: async (timeoutMs: number) => {
          await node.waitServing(timeoutMs);
        },
        kill: () => node.kill(),
        stop: (timeoutMs = 10_000) => node.stop(timeoutMs),
        pause: () => node.pause(),
        resume: () => node.resume(),
      });
    }
    const kafka = this.kafka;
    members.push({
      name: kafka.name,
      kind: "kafka",
      process: kafka.process,
      address: kafka.bootstrap,
      ports: [kafka.port, kafka.controllerPort],
      waitReady: (timeoutMs: number) => kafka.waitServing(timeoutMs),
      kill: () => kafka.kill(),
      stop: (timeoutMs = 30_000) => kafka.stop(timeoutMs),
      pause: () => kafka.pause(),
      resume: () => kafka.resume(),
    });
    const pg = this.postgres;
    if (pg) {
      members.push({
        name: pg.name,
        kind: "postgres",
        process: pg.process,
        address: this.#state.postgres?.url ?? pg.url,
        ports: [pg.port],
        waitReady: (timeoutMs: number) => pg.waitServing(timeoutMs),
        kill: () => pg.kill(),
        stop: (timeoutMs = 15_000) => {
          this.#resumePostgres();
          return pg.stop(timeoutMs);
        },
        pause: () => pg.pause(),
        resume: () => this.#resumePostgres(),
      });
    }
    return members;
  }

  /**
   * PostgresServer remembers the backends it paused in memory; a pause done by another
   * launcher process is undone here from /proc.
   */
  #resumePostgres(): void {
    const pg = this.postgres;
    const pid = pg?.process.pid;
    if (!pg || pid === undefined) return;
    pg.resume();
    for (const child of [pid, ...descendants(pid)]) {
      try {
        process.kill(child, "SIGCONT");
      } catch {
        // exited meanwhile
      }
    }
  }

  member(name: string): ClusterMember {
    const members = this.members;
    const member = members.find((m) => m.name === name);
    if (!member) throw new UnknownMemberError(name, members.map((m) => m.name));
    return member;
  }

  instance(name: string): AtlasInstance {
    const instance = this.instances.find((i) => i.name === name);
    if (!instance) throw new UnknownMemberError(name, this.instances.map((i) => i.name));
    return instance;
  }

  /**
   * The ZooKeeper proxies of instance `name` (a cluster started with `zkProxy: true`):
   * `await cluster.zkProxy("atlas-1").cut()` partitions it from ZooKeeper, `restore()` heals.
   */
  zkProxy(name: string): ZooKeeperProxy {
    const proxy = this.#zkProxies.get(name);
    if (proxy) return proxy;
    this.instance(name); // an unknown name is an UnknownMemberError
    throw new ClusterStateError("CLUSTER_NO_ZK_PROXY", `${name} has no ZooKeeper proxy: start the cluster with zkProxy: true`);
  }

  /** True while any process of the cluster runs. */
  get up(): boolean {
    return this.members.some((m) => m.process.running);
  }

  /** SIGKILL: a crash. Resolves once the process is gone. */
  async kill(name: string): Promise<void> {
    await this.member(name).kill();
    this.save();
  }

  /** SIGTERM (PostgreSQL: fast shutdown), SIGKILL after `timeoutMs`. */
  async stop(name: string, timeoutMs?: number): Promise<void> {
    await this.member(name).stop(timeoutMs);
    this.save();
  }

  /**
   * SIGSTOP: frozen, sockets open, peers see silence. Resolves once the kernel reports the
   * process stopped (a JVM takes a moment to stop all its threads).
   */
  async pause(name: string): Promise<void> {
    const member = this.member(name);
    member.pause();
    const pid = member.process.pid;
    if (pid !== undefined) {
      await waitFor(() => isStopped(pid) || !isProcessAlive(pid), { timeoutMs: 5000, intervalMs: 20, what: `${name} to stop (SIGSTOP)` });
    }
  }

  /** SIGCONT after pause; resolves once the kernel reports the process running again. */
  async resume(name: string): Promise<void> {
    const member = this.member(name);
    member.resume();
    const pid = member.process.pid;
    if (pid !== undefined) {
      await waitFor(() => !isStopped(pid), { timeoutMs: 5000, intervalMs: 20, what: `${name} to continue (SIGCONT)` });
    }
  }

  /**
   * Starts a stopped or killed process again with its configuration and data, records its new
   * pid, and resolves once it serves (a ZooKeeper node without quorum never does: the
   * TimeoutError then says so, and the process keeps running).
   */
  async start(name: string, timeoutMs = 60_000): Promise<void> {
    const member = this.member(name);
    if (member.process.running) {
      throw new ClusterStateError("CLUSTER_ALREADY_UP", `${name} is already running (pid ${member.process.pid})`);
    }
    await member.process.start();
    this.save();
    await member.waitReady(timeoutMs);
  }

  /** What every instance reports, asked in parallel. */
  statuses(timeoutMs = 1000): Promise<InstanceStatus[]> {
    return Promise.all(
      this.instances.map(async (i) => ({
        name: i.name,
        url: i.url,
        pid: i.process.pid ?? null,
        state: (await i.status(timeoutMs)) ?? null,
      })),
    );
  }

  /**
   * Waits until exactly one instance reports ACTIVE (and, with `not`, it is not that one:
   * the way to wait for a failover) and returns it.
   */
  async waitForActive(options: { timeoutMs?: number; not?: string } = {}): Promise<AtlasInstance> {
    return waitFor(
      async () => {
        const active = (await this.statuses()).filter((s) => s.state === "ACTIVE");
        return active.length === 1 && active[0]!.name !== options.not ? this.instance(active[0]!.name) : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 100,
        what: `exactly one ACTIVE instance${options.not ? ` other than ${options.not}` : ""}`,
      },
    );
  }

  /** Publishes each value as one Kafka record (no key) to the hook topic, in order. */
  async produce(values: (string | Buffer)[], options: { topic?: string } = {}): Promise<{ partition: number; offset: string }[]> {
    const kafka = new Kafka({ clientId: "atlas-ha-cluster", brokers: [this.kafka.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const results = await producer.send({
        topic: options.topic ?? this.hookTopic,
        acks: -1,
        messages: values.map((value) => ({ value })),
      });
      return results.map((r) => ({ partition: r.partition, offset: r.baseOffset ?? r.offset ?? "?" }));
    } finally {
      await producer.disconnect();
    }
  }

  /** The SPEC §10 description (`cluster.json`), with the pids of now. */
  describe(): ClusterDescription {
    this.#refresh();
    return describeCluster(this.#state);
  }

  #refresh(): void {
    const s = this.#state;
    s.zookeeper = s.zookeeper.map((z) => ({ ...z, process: record(this.zookeeper.node(z.id).process) }));
    s.kafka = { ...s.kafka, process: record(this.kafka.process) };
    if (s.postgres && this.postgres) s.postgres = { ...s.postgres, process: record(this.postgres.process) };
    s.instances = s.instances.map((i) => ({ ...i, process: record(this.instance(i.name).process) }));
  }

  /** Writes `state.json` and `cluster.json` with the pids of now. */
  save(): void {
    this.#refresh();
    writeState(this.#state);
  }

  /**
   * Stops everything: the instances first (each hands over cleanly and leaves the consumer
   * group), then Kafka, ZooKeeper and PostgreSQL; waits until no process of the cluster runs
   * and none of its ports listens; removes `state.json` and `cluster.json`. Data and logs stay
   * in `stateDir`, except for a temp folder the cluster made itself (removed unless `keepLogs`).
   */
  async down(options: { keepLogs?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const members = this.members;
    // Healed first, so that every instance leaves its election cleanly rather than timing out.
    await Promise.all([...this.#zkProxies.values()].map((p) => p.restore().catch(() => undefined)));
    // A paused process cannot act on SIGTERM; ManagedProcess.stop resumes it first.
    await Promise.all(members.filter((m) => m.kind === "atlas").map((m) => m.stop(timeoutMs)));
    await Promise.all(members.filter((m) => m.kind !== "atlas").map((m) => m.stop(timeoutMs)));
    await Promise.all([...this.#zkProxies.values()].map((p) => p.close()));
    const pids = this.#allRecordedPids();
    await waitFor(
      async () => {
        if (pids.some((p) => isProcessAlive(p.pid, p.startTime ?? undefined))) return false;
        for (const m of members) {
          for (const port of m.ports) if (await isListening(port, 500)) return false;
        }
        return true;
      },
      { timeoutMs, intervalMs: 100, what: "every process of the cluster to exit and its ports to close" },
    );
    removeState(this.#state);
    if (this.#ownsStateDir && !options.keepLogs && process.env.ATLAS_HA_KEEP_LOGS !== "1") {
      rmSync(this.stateDir, { recursive: true, force: true });
    } else if (this.#ownsStateDir) {
      process.stderr.write(`[testkit] local cluster data and logs kept in ${this.stateDir}\n`);
    }
  }

  /** Same as `down`, under the name the other testkit servers use. */
  shutdown(options: { keepLogs?: boolean } = {}): Promise<void> {
    return this.down(options);
  }

  #allRecordedPids(): { pid: number; startTime: number | null }[] {
    return this.members.flatMap((m) => {
      const identity = m.process.identity;
      return identity ? [{ pid: identity.pid, startTime: identity.startTime ?? null }] : [];
    });
  }
}

function validate(options: LocalClusterOptions): void {
  const { instances = 2, zk = 3, sessionTimeoutMs = 4000, backend = "sqlite", hookPartitions = 1 } = options;
  if (!Number.isInteger(instances) || instances < 0 || instances > 20) {
    throw new ClusterOptionsError("instances", `must be an integer from 0 to 20, got ${String(instances)}`);
  }
  if (zk !== 1 && zk !== 3) throw new ClusterOptionsError("zk", `must be 1 or 3, got ${String(zk)}`);
  if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < 1000 || sessionTimeoutMs > 300_000) {
    throw new ClusterOptionsError("sessionTimeoutMs", `must be an integer number of ms from 1000 to 300000, got ${String(sessionTimeoutMs)}`);
  }
  if (backend !== "sqlite" && backend !== "postgres") {
    throw new ClusterOptionsError("backend", `must be "sqlite" or "postgres", got ${JSON.stringify(backend)}`);
  }
  if (!Number.isInteger(hookPartitions) || hookPartitions < 1) {
    throw new ClusterOptionsError("hookPartitions", `must be a positive integer, got ${String(hookPartitions)}`);
  }
  const ports = options.ports ?? {};
  if (ports.atlas && ports.atlas.length < instances) {
    throw new ClusterOptionsError("ports.atlas", `needs ${instances} ports, got ${ports.atlas.length}`);
  }
  if (ports.zookeeper && ports.zookeeper.length < zk) {
    throw new ClusterOptionsError("ports.zookeeper", `needs ${zk} ports, got ${ports.zookeeper.length}`);
  }
  if (options.zkProxy && options.detached) {
    throw new ClusterOptionsError("zkProxy", "needs the launcher's process to keep running: not with detached: true");
  }
}

/**
 * ZooKeeper grants a session timeout between 2 and 20 ticks (SPEC §2): a tick of a tenth of
 * the session timeout (at most ZooKeeper's usual 2 s) puts the wanted timeout in the middle
 * of that range and keeps expiry precise to a tick.
 */
export function tickTimeFor(sessionTimeoutMs: number): number {
  return Math.max(50, Math.min(2000, Math.floor(sessionTimeoutMs / 10)));
}

/**
 * Starts ZooKeeper (1 or 3 nodes), Kafka (with the hook topic created and
 * `group.initial.rebalance.delay.ms=0`), PostgreSQL for the postgres backend, then the
 * atlas-server instances: atlas-1 first, until it is ACTIVE (so the first active is known),
 * then the others together. Resolves once every instance answers its status endpoint. On
 * any failure, what was started is stopped again (logs kept) before the error is thrown.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  validate(options);
  const count = options.instances ?? 2;
  const zkNodes = options.zk ?? 3;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 4000;
  const backend = options.backend ?? "sqlite";
  const hookTopic = options.hookTopic ?? "ATLAS_HOOK";
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const detached = options.detached === true;
  const log = options.logger ?? silent;
  const serverBin = options.serverBin ?? atlasServerBin();
  const ports = options.ports ?? {};
  const started = Date.now();

  await assertPortsFree([
    ...(ports.atlas ?? []).slice(0, count).map((port, i) => ({ port, use: `atlas-${i + 1} (HTTP)` })),
    ...(ports.zookeeper ?? []).slice(0, zkNodes).map((port, i) => ({ port, use: `zk-${i + 1} (client port)` })),
    ...(ports.kafka !== undefined ? [{ port: ports.kafka, use: "kafka" }] : []),
    ...(ports.postgres !== undefined && backend === "postgres" ? [{ port: ports.postgres, use: "postgres" }] : []),
  ]);
  // Hash before anything runs: a server that is not built fails here, in a second.
  const adminHash = count > 0 ? await hashPassword(options.adminPassword ?? "admin", serverBin) : undefined;
  options.signal?.throwIfAborted();

  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "atlas-ha-cluster-"));
  mkdirSync(stateDir, { recursive: true });
  // mkdtemp makes a 0700 folder; PostgreSQL runs as its own OS user when we are root and must
  // reach its data dir inside.
  if (ownsStateDir && backend === "postgres") chmodSync(stateDir, 0o755);
  const clusterFile = options.clusterFile ?? join(stateDir, "cluster.json");
  const tickTime = tickTimeFor(sessionTimeoutMs);
  log.info({ event: "cluster_starting", stateDir, instances: count, zk: zkNodes, backend, sessionTimeoutMs, tickTime, detached });

  const timed = async <T>(what: () => Promise<T>): Promise<[T, number]> => {
    const t0 = Date.now();
    const value = await what();
    return [value, Date.now() - t0];
  };
  const [zkResult, kafkaResult, pgResult] = await Promise.allSettled([
    timed(() =>
      startZooKeeper({
        nodes: zkNodes,
        tickTime,
        minSessionTimeout: 2 * tickTime,
        maxSessionTimeout: Math.max(60_000, sessionTimeoutMs),
        ...(ports.zookeeper ? { clientPorts: ports.zookeeper.slice(0, zkNodes) } : {}),
        baseDir: join(stateDir, "zookeeper"),
        startTimeoutMs,
        detached,
        ...(options.zookeeper?.isolatable ? { isolatable: true } : {}),
        ...(options.zookeeper?.syncLimit !== undefined ? { syncLimit: options.zookeeper.syncLimit } : {}),
      }),
    ),
    timed(async () => {
      const broker = await startKafka({
        ...(ports.kafka !== undefined ? { port: ports.kafka } : {}),
        baseDir: join(stateDir, "kafka"),
        startTimeoutMs,
        detached,
      });
      try {
        await broker.createTopic(hookTopic, options.hookPartitions ?? 1);
      } catch (error) {
        await broker.shutdown({ keepLogs: true });
        throw error;
      }
      return broker;
    }),
    backend === "postgres"
      ? timed(() => startSharedPostgres(join(stateDir, "postgres"), ports.postgres, detached, startTimeoutMs))
      : Promise.resolve(undefined),
  ]);
  const infraFailure = [zkResult, kafkaResult, pgResult].find((r) => r.status === "rejected");
  if (infraFailure) {
    await Promise.all([
      zkResult.status === "fulfilled" ? zkResult.value[0].shutdown({ keepLogs: true }) : undefined,
      kafkaResult.status === "fulfilled" ? kafkaResult.value[0].shutdown({ keepLogs: true }) : undefined,
      pgResult.status === "fulfilled" && pgResult.value ? pgResult.value[0].server.shutdown({ keepLogs: true }) : undefined,
    ]);
    throw (infraFailure as PromiseRejectedResult).reason;
  }
  const [zookeeper, zkMs] = (zkResult as PromiseFulfilledResult<[ZooKeeperEnsemble, number]>).value;
  const [kafka, kafkaMs] = (kafkaResult as PromiseFulfilledResult<[KafkaBroker, number]>).value;
  const pgStarted = (pgResult as PromiseFulfilledResult<[{ server: PostgresServer; url: string }, number] | undefined>).value;
  log.info({ event: "zookeeper_started", nodes: zookeeper.nodes.map((n) => n.name), connect: zookeeper.connectString, tickTime, tookMs: zkMs });
  log.info({ event: "kafka_started", bootstrap: kafka.bootstrap, topic: hookTopic, tookMs: kafkaMs });
  if (pgStarted) log.info({ event: "postgres_started", url: pgStarted[0].url, tookMs: pgStarted[1] });
  const postgres = pgStarted?.[0];

  const state: ClusterState = {
    version: 1,
    createdAt: new Date().toISOString(),
    stateDir,
    clusterFile,
    sessionTimeoutMs,
    backend,
    hookTopic,
    tickTime,
    zookeeper: zookeeper.nodes.map((n) => ({
      id: n.id,
      name: n.name,
      clientPort: n.clientPort,
      dataDir: n.dataDir,
      process: record(n.process),
    })),
    kafka: { name: kafka.name, port: kafka.port, controllerPort: kafka.controllerPort, baseDir: kafka.baseDir, process: record(kafka.process) },
    postgres: postgres
      ? { name: "postgres", port: postgres.server.port, baseDir: postgres.server.baseDir, binDir: postgres.server.binDir, url: postgres.url, process: record(postgres.server.process) }
      : null,
    instances: [],
  };
  const instances: AtlasInstance[] = [];
  const zkProxies = new Map<string, ZooKeeperProxy>();
  const cluster = new LocalCluster(state, { zookeeper, kafka, postgres: postgres?.server, instances, zkProxies }, ownsStateDir);
  cluster.save();

  try {
    options.signal?.throwIfAborted();
    const httpPorts = ports.atlas ?? [];
    const names = Array.from({ length: count }, (_, i) => ({ name: `atlas-${i + 1}`, id: `id${i + 1}` }));
    // Every instance must know every address before the first one starts (SPEC §3).
    const freeHttp = httpPorts.length >= count ? [] : await freePorts(count);
    const portOf = (i: number) => httpPorts[i] ?? freeHttp[i]!;
    const usersFile = join(stateDir, "users-credentials.properties");
    if (adminHash) writeFileSync(usersFile, `admin=ADMIN::${adminHash}\n`, { mode: 0o600 });
    const common: Record<string, PropertyValue> = {
      "atlas.server.ids": names.map((n) => n.id).join(","),
      ...Object.fromEntries(names.map((n, i) => [`atlas.server.address.${n.id}`, `127.0.0.1:${portOf(i)}`])),
      "atlas.server.ha.enabled": true,
      "atlas.server.ha.zookeeper.connect": zookeeper.connectString,
      "atlas.server.ha.zookeeper.zkroot": "/apache_atlas",
      "atlas.server.ha.zookeeper.session.timeout.ms": sessionTimeoutMs,
      "atlas.kafka.bootstrap.servers": kafka.bootstrap,
      "atlas.kafka.hook.group.id": "atlas",
      "atlas.notification.hook.consumer.topic.names": hookTopic,
      "atlas.store.backend": backend,
      ...(postgres
        ? { "atlas.store.postgres.url": postgres.url }
        : { "atlas.store.sqlite.path": join(stateDir, "store", "atlas.db") }),
      "atlas.authentication.method.file.filename": usersFile,
      "atlas.server.log.level": "info",
    };
    if (count > 0 && !postgres) mkdirSync(join(stateDir, "store"), { recursive: true });

    if (options.zkProxy) {
      for (const { name } of names) {
        const proxies: TcpProxy[] = [];
        zkProxies.set(name, new ZooKeeperProxy(name, proxies));
        for (const node of zookeeper.nodes) {
          proxies.push(await startTcpProxy({ target: node.clientPort, name: `${name} → ${node.name}` }));
        }
      }
    }

    const startOne = async (i: number): Promise<AtlasInstance> => {
      const { name, id } = names[i]!;
      const dir = join(stateDir, name);
      const t0 = Date.now();
      const zkProxy = zkProxies.get(name);
      const instance = await startAtlasInstance({
        name,
        port: portOf(i),
        dir,
        serverBin,
        detached,
        startTimeoutMs,
        ...(options.env ? { env: options.env } : {}),
        properties: {
          ...common,
          ...(zkProxy ? { "atlas.server.ha.zookeeper.connect": zkProxy.connectString } : {}),
          "atlas.server.id": id,
          "atlas.notification.failed.messages.file": join(dir, "failed-messages.log"),
          ...options.properties,
        },
      });
      instances.push(instance);
      state.instances.push({ name, id, port: instance.port, dir, process: record(instance.process) });
      cluster.save();
      log.info({ event: "instance_started", name, url: instance.url, pid: instance.process.pid, tookMs: Date.now() - t0 });
      return instance;
    };

    if (count > 0) {
      const first = await startOne(0);
      // Known roles make walk-throughs and tests readable: atlas-1 leads until it is stopped.
      await first.process.aliveUntil(first.waitForState("ACTIVE", startTimeoutMs)).catch((error: Error) => {
        throw new Error(`${error.message}; end of ${first.logFile}:\n${first.process.logTail()}`, { cause: error });
      });
      options.signal?.throwIfAborted();
      const rest = await Promise.allSettled(names.slice(1).map((_, i) => startOne(i + 1)));
      const failed = rest.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      instances.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
      state.instances.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
      cluster.save();
    }
  } catch (error) {
    await cluster.down({ keepLogs: true }).catch((downError: Error) => {
      log.error({ event: "cluster_cleanup_failed", error: downError.message });
    });
    throw error;
  }
  log.info({ event: "cluster_started", tookMs: Date.now() - started });
  return cluster;
}

/**
 * PostgreSQL for the instances, with an `atlas` database. Detached, it is started once by
 * `startPostgres` (which owns initdb and the command line, root handling included), stopped,
 * and run again from the same spec as a detached process.
 */
async function startSharedPostgres(
  baseDir: string,
  port: number | undefined,
  detached: boolean,
  startTimeoutMs: number,
): Promise<{ server: PostgresServer; url: string }> {
  mkdirSync(baseDir, { recursive: true });
  let server = await startPostgres({ ...(port !== undefined ? { port } : {}), baseDir, startTimeoutMs });
  try {
    const url = await server.createDatabase("atlas");
    if (detached) {
      const spec: ProcessSpec = { ...server.process.spec, detached: true };
      await server.stop();
      server = new PostgresServer(server.port, server.baseDir, server.binDir, new ManagedProcess(spec), false);
      await server.start(startTimeoutMs);
    }
    return { server, url };
  } catch (error) {
    await server.shutdown({ keepLogs: true });
    throw error;
  }
}
