import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrerequisiteError } from "./errors.js";
import { httpGet } from "./http.js";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./process.js";
import { formatProperties, type PropertyValue } from "./properties.js";
import { waitFor } from "./wait.js";

/** What `GET /api/atlas/admin/status` reports (docs/contracts/http.md). */
export type AtlasState = "ACTIVE" | "PASSIVE" | "BECOMING_ACTIVE" | "BECOMING_PASSIVE";

const STATES = new Set<string>(["ACTIVE", "PASSIVE", "BECOMING_ACTIVE", "BECOMING_PASSIVE"]);

/*
 * An Atlas-compatible server process for tests: the caller says which server to run (its
 * `serverBin`, e.g. atlas-server's own `dist/main.js`, or the `atlas-server` bin resolved
 * through its package.json); the testkit knows no path into another workspace.
 */

function checkServerBin(bin: string): void {
  if (!existsSync(bin)) {
    throw new PrerequisiteError(
      `the atlas-server is not built: ${bin} is missing (run npm run build at the repo root)`,
    );
  }
}

/**
 * The hash of `password` for a users file line (`admin=ADMIN::<hash>`), made by the server
 * itself (`atlas-server hash-password`), so the launcher never carries a hash format of its own.
 */
export function hashPassword(password: string, serverBin: string): Promise<string> {
  checkServerBin(serverBin);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverBin, "hash-password"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      const hash = out.trim();
      if (code === 0 && hash) resolve(hash);
      else
        reject(
          new Error(
            `atlas-server hash-password failed (exit ${code}): ${err.trim() || out.trim()}`,
          ),
        );
    });
    child.stdin.end(`${password}\n`);
  });
}

export interface AtlasInstanceOptions {
  /** Name in logs, errors and the cluster, e.g. "atlas-1". */
  name: string;
  /**
   * The instance's `atlas-application.properties` (docs/contracts/config.md). `atlas.server.http.port` is set
   * from `port`; everything else (ids, addresses, ZooKeeper, Kafka, store, users file) is the
   * caller's.
   */
  properties: Record<string, PropertyValue>;
  /** HTTP port; a free port when absent. */
  port?: number;
  /** Folder for the properties file and the log; a fresh temp folder when absent. */
  dir?: string;
  /** The server's entry point (`node <serverBin> --config <dir>`), e.g. atlas-server's `dist/main.js`. */
  serverBin: string;
  /** Outlive this process (own session, no guard); see `ProcessSpec.detached`. Default false. */
  detached?: boolean;
  /** Extra environment variables for the server. */
  env?: Record<string, string>;
  /** Resolves once the status endpoint answers; default 60 s. */
  startTimeoutMs?: number;
}

/** One atlas-server process, with its configuration folder and fault injection. */
export class AtlasInstance {
  readonly name: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ManagedProcess;
  #ownsDir: boolean;

  constructor(name: string, port: number, dir: string, process: ManagedProcess, ownsDir = false) {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.process = process;
    this.#ownsDir = ownsDir;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get configFile(): string {
    return join(this.dir, "atlas-application.properties");
  }

  get logFile(): string {
    return this.process.logFile;
  }

  /** The state the instance reports, or undefined when it does not answer (down, paused, starting). */
  async status(timeoutMs = 1000): Promise<AtlasState | undefined> {
    try {
      const { status, body } = await httpGet(`${this.url}/api/atlas/admin/status`, timeoutMs);
      const state = status === 200 ? (JSON.parse(body) as { Status?: unknown }).Status : undefined;
      return typeof state === "string" && STATES.has(state) ? (state as AtlasState) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The instance's `/api/atlas/admin/health` document, or undefined when it does not answer. */
  async health(timeoutMs = 1000): Promise<Record<string, unknown> | undefined> {
    try {
      const { status, body } = await httpGet(`${this.url}/api/atlas/admin/health`, timeoutMs);
      return status === 200 ? (JSON.parse(body) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Waits until the status endpoint answers (any state) and returns the state. */
  waitAnswering(timeoutMs = 60_000): Promise<AtlasState> {
    return this.process.aliveUntil(
      waitFor(() => this.status(), {
        timeoutMs,
        intervalMs: 100,
        what: `${this.name} to answer its status endpoint`,
      }),
    );
  }

  /** Waits until the instance reports `state`. */
  async waitForState(state: AtlasState, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.status()) === state, {
      timeoutMs,
      intervalMs: 100,
      what: `${this.name} to report ${state}`,
    });
  }

  /** Starts the server (again, with the same configuration and data) and waits until it answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    await this.process.start();
    await this.waitAnswering(timeoutMs);
  }
  kill(): Promise<void> {
    return this.process.kill();
  }
  /** SIGTERM: a clean hand-over; SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs = 30_000): Promise<void> {
    return this.process.stop(timeoutMs);
  }
  pause(): void {
    this.process.pause();
  }
  resume(): void {
    this.process.resume();
  }
  async restart(timeoutMs = 60_000): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }

  /** Stops the server and removes its folder unless `keepLogs` or the folder was the caller's. */
  async shutdown(options: { keepLogs?: boolean } = {}): Promise<void> {
    await this.stop();
    if (options.keepLogs || process.env.ATLAS_HA_KEEP_LOGS === "1") {
      process.stderr.write(`[testkit] ${this.name} configuration and log kept in ${this.dir}\n`);
    } else if (this.#ownsDir) {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** The ManagedProcess of an instance whose configuration is in `dir`. */
export function atlasProcess(
  name: string,
  dir: string,
  options: { serverBin: string; detached?: boolean; env?: Record<string, string> },
): ManagedProcess {
  return new ManagedProcess({
    name,
    command: process.execPath,
    args: [options.serverBin, "--config", dir],
    cwd: dir,
    ...(options.env ? { env: options.env } : {}),
    logFile: join(dir, "server.log"),
    detached: options.detached === true,
  });
}

/**
 * Writes `atlas-application.properties` into the instance's folder, starts the server
 * (`node <serverBin> --config <dir>`) and resolves once its status
 * endpoint answers, in whatever state: with HA on, a new instance starts PASSIVE and may
 * stay so.
 */
export async function startAtlasInstance(options: AtlasInstanceOptions): Promise<AtlasInstance> {
  const { serverBin } = options;
  checkServerBin(serverBin);
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `atlas-ha-${options.name}-`));
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  writeFileSync(
    join(dir, "atlas-application.properties"),
    formatProperties(
      { ...options.properties, "atlas.server.http.port": port },
      `${options.name}, written by the atlas-ha testkit`,
    ),
  );
  const instance = new AtlasInstance(
    options.name,
    port,
    dir,
    atlasProcess(options.name, dir, {
      serverBin,
      ...(options.detached !== undefined ? { detached: options.detached } : {}),
      ...(options.env ? { env: options.env } : {}),
    }),
    ownsDir,
  );
  try {
    await instance.start(options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await instance.shutdown({ keepLogs: true });
    throw error;
  }
  return instance;
}
