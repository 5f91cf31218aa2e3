import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  AtlasInstance,
  isListening,
  isProcessAlive,
  isStopped,
  KafkaBroker,
  PostgresServer,
  waitFor,
  ZooKeeperEnsemble,
  ZooKeeperNode,
} from "@atlas-ha/testkit";
import kafkajs from "kafkajs";
import { ClusterStateError, UnknownMemberError } from "./errors.js";
import {
  attachRecord,
  clusterMembers,
  record,
  type ClusterMember,
  type InstanceStatus,
} from "./members.js";
import {
  describeCluster,
  readState,
  removeState,
  writeState,
  type ClusterDescription,
  type ClusterState,
  type StoreBackend,
} from "./state.js";
import type { ZooKeeperProxy } from "./zk-proxy.js";

const { Kafka, logLevel, Partitioners } = kafkajs;

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
      throw new ClusterStateError(
        "CLUSTER_NOT_UP",
        `no local cluster is up (no state in ${options.stateDir})`,
      );
    }
    const nodes = state.zookeeper.map(
      (z) => new ZooKeeperNode(z.id, z.clientPort, z.dataDir, attachRecord(z.process)),
    );
    const zookeeper = new ZooKeeperEnsemble(
      nodes,
      join(state.stateDir, "zookeeper"),
      state.tickTime,
      false,
    );
    const k = state.kafka;
    const kafka = new KafkaBroker(
      k.port,
      k.controllerPort,
      k.baseDir,
      attachRecord(k.process),
      false,
    );
    const p = state.postgres;
    const postgres = p
      ? new PostgresServer(p.port, p.baseDir, p.binDir, attachRecord(p.process), false)
      : undefined;
    const instances = state.instances.map(
      (i) => new AtlasInstance(i.name, i.port, i.dir, attachRecord(i.process)),
    );
    return new LocalCluster(state, { zookeeper, kafka, postgres, instances });
  }

  /** Every process, in the order `status` lists them: instances, ZooKeeper, Kafka, PostgreSQL. */
  get members(): ClusterMember[] {
    return clusterMembers({
      instances: this.instances,
      zookeeper: this.zookeeper,
      kafka: this.kafka,
      postgres: this.postgres,
      postgresUrl: this.#state.postgres?.url,
    });
  }

  member(name: string): ClusterMember {
    const members = this.members;
    const member = members.find((m) => m.name === name);
    if (!member)
      throw new UnknownMemberError(
        name,
        members.map((m) => m.name),
      );
    return member;
  }

  instance(name: string): AtlasInstance {
    const instance = this.instances.find((i) => i.name === name);
    if (!instance)
      throw new UnknownMemberError(
        name,
        this.instances.map((i) => i.name),
      );
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
    throw new ClusterStateError(
      "CLUSTER_NO_ZK_PROXY",
      `${name} has no ZooKeeper proxy: start the cluster with zkProxy: true`,
    );
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
      await waitFor(() => isStopped(pid) || !isProcessAlive(pid), {
        timeoutMs: 5000,
        intervalMs: 20,
        what: `${name} to stop (SIGSTOP)`,
      });
    }
  }

  /** SIGCONT after pause; resolves once the kernel reports the process running again. */
  async resume(name: string): Promise<void> {
    const member = this.member(name);
    member.resume();
    const pid = member.process.pid;
    if (pid !== undefined) {
      await waitFor(() => !isStopped(pid), {
        timeoutMs: 5000,
        intervalMs: 20,
        what: `${name} to continue (SIGCONT)`,
      });
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
      throw new ClusterStateError(
        "CLUSTER_ALREADY_UP",
        `${name} is already running (pid ${member.process.pid})`,
      );
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
        return active.length === 1 && active[0]!.name !== options.not
          ? this.instance(active[0]!.name)
          : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 100,
        what: `exactly one ACTIVE instance${options.not ? ` other than ${options.not}` : ""}`,
      },
    );
  }

  /** Publishes each value as one Kafka record (no key) to the hook topic, in order. */
  async produce(
    values: (string | Buffer)[],
    options: { topic?: string } = {},
  ): Promise<{ partition: number; offset: string }[]> {
    const kafka = new Kafka({
      clientId: "atlas-ha-cluster",
      brokers: [this.kafka.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const results = await producer.send({
        topic: options.topic ?? this.hookTopic,
        acks: -1,
        messages: values.map((value) => ({ value })),
      });
      return results.map((r) => ({
        partition: r.partition,
        offset: r.baseOffset ?? r.offset ?? "?",
      }));
    } finally {
      await producer.disconnect();
    }
  }

  /** The docs/contracts/local-cluster.md description (`cluster.json`), with the pids of now. */
  describe(): ClusterDescription {
    this.#refresh();
    return describeCluster(this.#state);
  }

  #refresh(): void {
    const s = this.#state;
    s.zookeeper = s.zookeeper.map((z) => ({
      ...z,
      process: record(this.zookeeper.node(z.id).process),
    }));
    s.kafka = { ...s.kafka, process: record(this.kafka.process) };
    if (s.postgres && this.postgres)
      s.postgres = { ...s.postgres, process: record(this.postgres.process) };
    s.instances = s.instances.map((i) => ({
      ...i,
      process: record(this.instance(i.name).process),
    }));
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
      {
        timeoutMs,
        intervalMs: 100,
        what: "every process of the cluster to exit and its ports to close",
      },
    );
    removeState(this.#state);
    if (this.#ownsStateDir && !options.keepLogs && process.env.ATLAS_HA_KEEP_LOGS !== "1") {
      rmSync(this.stateDir, { recursive: true, force: true });
    } else if (this.#ownsStateDir) {
      process.stderr.write(
        `[local-cluster] local cluster data and logs kept in ${this.stateDir}\n`,
      );
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
