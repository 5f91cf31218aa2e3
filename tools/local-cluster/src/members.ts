import {
  AtlasInstance,
  descendantPids,
  ManagedProcess,
  type AtlasState,
  type KafkaBroker,
  type PostgresServer,
  type ZooKeeperEnsemble,
} from "@atlas-ha/testkit";
import type { ProcessRecord } from "./state.js";

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

/** A process as `state.json` stores it: its spec, and its pid and start time of now. */
export function record(process: ManagedProcess): ProcessRecord {
  const identity = process.identity;
  return { spec: process.spec, pid: identity?.pid ?? null, startTime: identity?.startTime ?? null };
}

/** The process of a record, for a launcher process that did not start it (`LocalCluster.attach`). */
export function attachRecord(rec: ProcessRecord): ManagedProcess {
  return rec.pid === null
    ? new ManagedProcess({ ...rec.spec, detached: true })
    : ManagedProcess.attach(rec.spec, { pid: rec.pid, startTime: rec.startTime ?? undefined });
}

/** The servers of a cluster, as `clusterMembers` lists them. */
export interface ClusterParts {
  instances: AtlasInstance[];
  zookeeper: ZooKeeperEnsemble;
  kafka: KafkaBroker;
  postgres: PostgresServer | undefined;
  /** The URL the instances use (its `atlas` database); the server's own URL when absent. */
  postgresUrl: string | undefined;
}

/** Every process, in the order `status` lists them: instances, ZooKeeper, Kafka, PostgreSQL. */
export function clusterMembers(parts: ClusterParts): ClusterMember[] {
  const members: ClusterMember[] = parts.instances.map((instance) => ({
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
  for (const node of parts.zookeeper.nodes) {
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
  const kafka = parts.kafka;
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
  const pg = parts.postgres;
  if (pg) {
    members.push({
      name: pg.name,
      kind: "postgres",
      process: pg.process,
      address: parts.postgresUrl ?? pg.url,
      ports: [pg.port],
      waitReady: (timeoutMs: number) => pg.waitServing(timeoutMs),
      kill: () => pg.kill(),
      stop: (timeoutMs = 15_000) => {
        resumePostgres(pg);
        return pg.stop(timeoutMs);
      },
      pause: () => pg.pause(),
      resume: () => resumePostgres(pg),
    });
  }
  return members;
}

/**
 * PostgresServer remembers the backends it paused in memory; a pause done by another
 * launcher process is undone here from /proc.
 */
function resumePostgres(pg: PostgresServer): void {
  const pid = pg.process.pid;
  if (pid === undefined) return;
  pg.resume();
  for (const child of [pid, ...descendantPids(pid)]) {
    try {
      process.kill(child, "SIGCONT");
    } catch {
      // exited meanwhile
    }
  }
}
