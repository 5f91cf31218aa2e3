import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ProcessSpec } from "@atlas-ha/testkit";

export type StoreBackend = "sqlite" | "postgres";

/** A process of the cluster as the launcher stores it: enough to signal it or run it again. */
export interface ProcessRecord {
  spec: ProcessSpec;
  pid: number | null;
  startTime: number | null;
}

/**
 * Everything a later launcher process (`npm run cluster -- kill atlas-1`) needs to act on a
 * cluster another one started. Lives in `<stateDir>/state.json`; private to the launcher.
 */
export interface ClusterState {
  version: 1;
  createdAt: string;
  stateDir: string;
  clusterFile: string;
  sessionTimeoutMs: number;
  backend: StoreBackend;
  hookTopic: string;
  tickTime: number;
  zookeeper: {
    id: number;
    name: string;
    clientPort: number;
    dataDir: string;
    process: ProcessRecord;
  }[];
  kafka: {
    name: string;
    port: number;
    controllerPort: number;
    baseDir: string;
    process: ProcessRecord;
  };
  postgres: {
    name: string;
    port: number;
    baseDir: string;
    binDir: string;
    url: string;
    process: ProcessRecord;
  } | null;
  instances: { name: string; id: string; port: number; dir: string; process: ProcessRecord }[];
}

/** `.atlas-ha/cluster.json` while a cluster is up: the public description of docs/contracts/local-cluster.md. */
export interface ClusterDescription {
  instances: { name: string; url: string; pid: number | null }[];
  zookeeper: { name: string; connect: string; pid: number | null }[];
  kafka: { name: string; bootstrap: string; pid: number | null };
  sessionTimeoutMs: number;
  backend: StoreBackend;
  /** Only with the postgres backend: the server the instances share. */
  postgres?: { name: string; url: string; pid: number | null };
}

export function stateFile(stateDir: string): string {
  return join(stateDir, "state.json");
}

export function describeCluster(state: ClusterState): ClusterDescription {
  return {
    instances: state.instances.map((i) => ({
      name: i.name,
      url: `http://127.0.0.1:${i.port}`,
      pid: i.process.pid,
    })),
    zookeeper: state.zookeeper.map((z) => ({
      name: z.name,
      connect: `127.0.0.1:${z.clientPort}`,
      pid: z.process.pid,
    })),
    kafka: {
      name: state.kafka.name,
      bootstrap: `127.0.0.1:${state.kafka.port}`,
      pid: state.kafka.process.pid,
    },
    sessionTimeoutMs: state.sessionTimeoutMs,
    backend: state.backend,
    ...(state.postgres
      ? {
          postgres: {
            name: state.postgres.name,
            url: state.postgres.url,
            pid: state.postgres.process.pid,
          },
        }
      : {}),
  };
}

/** Writes via a temp file and a rename, so a reader never sees half a document. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeState(state: ClusterState): void {
  writeAtomically(stateFile(state.stateDir), `${JSON.stringify(state, null, 2)}\n`);
  writeAtomically(state.clusterFile, `${JSON.stringify(describeCluster(state), null, 2)}\n`);
}

export function readState(stateDir: string): ClusterState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as ClusterState;
  if (state.version !== 1)
    throw new Error(`${file} has an unknown version ${String(state.version)}`);
  return state;
}

/** Removes state.json and cluster.json (the cluster is down); data and logs stay. */
export function removeState(state: Pick<ClusterState, "stateDir" | "clusterFile">): void {
  rmSync(stateFile(state.stateDir), { force: true });
  rmSync(state.clusterFile, { force: true });
}
