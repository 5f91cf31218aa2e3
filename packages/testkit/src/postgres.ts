import { execFile, execFileSync } from "node:child_process";
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PrerequisiteError } from "./errors.js";
import { freePort } from "./ports.js";
import { descendantPids as descendants, ManagedProcess } from "./process.js";
import { waitFor } from "./wait.js";

const run = promisify(execFile);

export interface PostgresOptions {
  /** Fixed port; a free port when absent. */
  port?: number;
  /** Parent folder for the data dir, socket and log; a fresh temp folder when absent. */
  baseDir?: string;
  /** Extra server settings (`-c key=value`), after the testkit's own (they win). */
  settings?: Record<string, string | number | boolean>;
  /** Resolves once the server accepts connections; default 60 s. */
  startTimeoutMs?: number;
}

const SUPERUSER = "postgres";

/** Where `psql` and `psqlSync` connect, and how long they may take. */
export interface PsqlOptions {
  /** Default "postgres". */
  database?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

/**
 * Where Debian's PostgreSQL binaries are: `PG_BIN`, else the highest
 * `/usr/lib/postgresql/<version>/bin`, else `pg_config --bindir`.
 */
export function findPostgresBin(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(root, v, "bin")));
  }
  try {
    candidates.push(
      execFileSync("pg_config", ["--bindir"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim(),
    );
  } catch {
    // no pg_config on PATH
  }
  for (const dir of candidates) {
    if (isExecutable(join(dir, "postgres")) && isExecutable(join(dir, "initdb"))) return dir;
  }
  throw new PrerequisiteError(
    "PostgreSQL (apt-get install postgresql) is needed: no `postgres` and `initdb` found in " +
      (candidates.length > 0
        ? candidates.join(", ")
        : "PG_BIN, /usr/lib/postgresql/<version>/bin or `pg_config --bindir`") +
      ". Set PG_BIN to the folder that holds them.",
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * initdb and postgres refuse to run as root. As root we switch to the `postgres` OS user with
 * `setpriv`, which execs (no fork): the guard's child IS the postmaster, so the guard's
 * SIGKILL on parent death and the fault-injection signals reach the server itself. `runuser`
 * and `su` fork and wait, which would leave the server behind when they are killed.
 */
function asServerUser(command: string, args: string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args };
  try {
    execFileSync("id", ["-u", SUPERUSER], { stdio: "ignore" });
  } catch {
    throw new PrerequisiteError(
      `PostgreSQL refuses to run as root and there is no "${SUPERUSER}" OS user to run it as ` +
        "(apt-get install postgresql creates one).",
    );
  }
  if (!isExecutable("/usr/bin/setpriv") && !isExecutable("/bin/setpriv")) {
    throw new PrerequisiteError(
      "running PostgreSQL as root needs setpriv (apt-get install util-linux)",
    );
  }
  return {
    command: "setpriv",
    args: [`--reuid=${SUPERUSER}`, `--regid=${SUPERUSER}`, "--init-groups", "--", command, ...args],
  };
}

function userIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8" }).trim());
  return { uid, gid };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A PostgreSQL server on 127.0.0.1 with trust authentication, under test control. */
export class PostgresServer {
  readonly name = "postgres";
  readonly port: number;
  readonly baseDir: string;
  readonly dataDir: string;
  readonly binDir: string;
  /** The postmaster under its guard. Prefer this class's kill/stop/pause/… (see their notes). */
  readonly process: ManagedProcess;
  #ownsBaseDir: boolean;
  #paused: number[] = [];

  constructor(
    port: number,
    baseDir: string,
    binDir: string,
    process: ManagedProcess,
    ownsBaseDir: boolean,
  ) {
    this.port = port;
    this.baseDir = baseDir;
    this.dataDir = join(baseDir, "data");
    this.binDir = binDir;
    this.process = process;
    this.#ownsBaseDir = ownsBaseDir;
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  get url(): string {
    return this.urlFor("postgres");
  }

  urlFor(database: string): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  get logFile(): string {
    return this.process.logFile;
  }

  /**
   * Runs SQL with `psql` over TCP and returns its unaligned output (rows on lines, fields
   * separated by `|`). The testkit talks to the server through Debian's own client so that it
   * needs no database driver of its own.
   */
  async psql(sql: string, options: PsqlOptions = {}): Promise<string> {
    const { stdout } = await run(...this.#psqlCommand(sql, options));
    return stdout.trimEnd();
  }

  /**
   * `psql`, run synchronously: the caller's event loop takes no turn until it answers (what a
   * test needs to see what the server received before the process could send anything more).
   */
  psqlSync(sql: string, options: PsqlOptions = {}): string {
    const [file, args, spawnOptions] = this.#psqlCommand(sql, options);
    return execFileSync(file, args, { ...spawnOptions, encoding: "utf8" }).trimEnd();
  }

  /** psql's path, arguments and process options, shared by `psql` and `psqlSync`. */
  #psqlCommand(
    sql: string,
    options: PsqlOptions,
  ): [string, string[], { env: NodeJS.ProcessEnv; timeout: number }] {
    const args = [
      "-X",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(this.port),
      "-U",
      SUPERUSER,
      "-d",
      options.database ?? "postgres",
      "-c",
      sql,
    ];
    return [
      join(this.binDir, "psql"),
      args,
      { env: { ...process.env, PGCONNECT_TIMEOUT: "2" }, timeout: options.timeoutMs ?? 10_000 },
    ];
  }

  /** True when a client can connect and run a query. */
  async isServing(): Promise<boolean> {
    try {
      return (await this.psql("select 1", { timeoutMs: 3000 })) === "1";
    } catch {
      return false;
    }
  }

  async waitServing(timeoutMs = 30_000): Promise<void> {
    await this.process.aliveUntil(
      waitFor(() => this.isServing(), {
        timeoutMs,
        what: `postgres on port ${this.port} to accept connections`,
      }),
    );
  }

  /** Creates a database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
      throw new Error(`invalid database name ${JSON.stringify(name)}: use letters, digits and _`);
    }
    await this.psql(`CREATE DATABASE "${name}"`);
    return this.urlFor(name);
  }

  async start(timeoutMs = 30_000): Promise<void> {
    await this.process.start();
    await this.waitServing(timeoutMs);
  }

  /**
   * SIGKILL of the postmaster: a crash. Resolves once the postmaster AND its backends are
   * gone (they exit on their own when they notice the postmaster died), so a start() right
   * after does not find the old shared memory still attached.
   */
  async kill(timeoutMs = 10_000): Promise<void> {
    const pid = this.process.pid;
    if (pid === undefined) return;
    const children = descendants(pid);
    this.#resumeAll();
    await this.process.kill();
    await waitFor(() => children.every((c) => !isAlive(c)), {
      timeoutMs,
      what: "the killed postmaster's backends to exit",
    });
  }

  /**
   * Fast shutdown (SIGINT: clients are disconnected, the server checkpoints and exits).
   * `process.stop()` sends SIGTERM, which PostgreSQL reads as a "smart" shutdown that waits
   * for every client to disconnect — a test holding a pool would wait out the grace period.
   */
  async stop(timeoutMs = 15_000): Promise<void> {
    const pid = this.process.pid;
    if (pid === undefined) return;
    const exited = this.process.exited;
    this.#resumeAll();
    process.kill(pid, "SIGINT");
    const timer = setTimeout(() => this.process.killNow(), timeoutMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * SIGSTOP of the postmaster and every backend: established connections freeze too, as a
   * paused host would (stopping the postmaster alone only blocks new connections).
   */
  pause(): void {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error("postgres is not running");
    this.process.pause();
    this.#paused = descendants(pid);
    for (const child of this.#paused) {
      try {
        process.kill(child, "SIGSTOP");
      } catch {
        // exited meanwhile
      }
    }
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.#resumeAll();
  }

  #resumeAll(): void {
    for (const child of this.#paused) {
      try {
        process.kill(child, "SIGCONT");
      } catch {
        // exited meanwhile
      }
    }
    this.#paused = [];
    if (this.process.paused) this.process.resume();
  }

  /** Fast shutdown, then start again with the same data; resolves once it accepts connections. */
  async restart(timeoutMs = 30_000): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }

  /** Stops the server and removes its data unless `keepLogs` (then the path is printed). */
  async shutdown(options: { keepLogs?: boolean } = {}): Promise<void> {
    await this.stop(5_000);
    if (options.keepLogs || process.env.ATLAS_HA_KEEP_LOGS === "1") {
      process.stderr.write(`[testkit] PostgreSQL data and log kept in ${this.baseDir}\n`);
    } else if (this.#ownsBaseDir) {
      rmSync(this.baseDir, { recursive: true, force: true });
    }
  }
}

/**
 * initdb into a temp dir, then starts PostgreSQL on 127.0.0.1 (trust auth, fsync off — data
 * survives a process crash, not a host crash, which is all tests need; synchronous_commit
 * stays on, since off would lose the last commits on a SIGKILL) and resolves once it accepts
 * connections.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBin();
  const ownsBaseDir = options.baseDir === undefined;
  const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), "atlas-ha-pg-"));
  const ids = userIds();
  if (ids) chownSync(baseDir, ids.uid, ids.gid);
  const dataDir = join(baseDir, "data");
  const port = options.port ?? (await freePort());

  const initdb = asServerUser(join(binDir, "initdb"), [
    "-D",
    dataDir,
    "-U",
    SUPERUSER,
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  try {
    await run(initdb.command, initdb.args, { cwd: baseDir, maxBuffer: 4 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    if (ownsBaseDir) rmSync(baseDir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${detail.trim()}`, { cause: error });
  }

  const settings: Record<string, string | number | boolean> = {
    listen_addresses: "127.0.0.1",
    fsync: "off",
    full_page_writes: "off",
    max_connections: 200,
    ...options.settings,
  };
  const server = asServerUser(join(binDir, "postgres"), [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-k",
    baseDir,
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ]);
  const managed = new ManagedProcess({
    name: "postgres",
    command: server.command,
    args: server.args,
    cwd: baseDir,
    logFile: join(baseDir, "postgres.log"),
  });
  const pg = new PostgresServer(port, baseDir, binDir, managed, ownsBaseDir);
  try {
    await pg.start(options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await pg.shutdown({ keepLogs: true });
    throw error;
  }
  return pg;
}
