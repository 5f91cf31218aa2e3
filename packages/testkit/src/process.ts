import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { TimeoutError } from "./errors.js";

/**
 * The guard: a tiny bash parent for each server process. It starts the server, prints its
 * pid, and kills it (SIGKILL) as soon as its own stdin reaches EOF, which happens when the
 * Node process that spawned it goes away for any reason, SIGKILL and test timeouts
 * included. That is what makes "no Java process left behind" hold without cooperation from
 * the test. Signals for fault injection go to the server's pid, not the guard's, so
 * SIGSTOP pauses the server alone and the guard keeps watching.
 */
const GUARD = `
exec 3<&0
"$@" </dev/null >>"$ATLAS_HA_GUARD_LOG" 2>&1 &
child=$!
echo "$child"
( read -r _ <&3; kill -KILL "$child" 2>/dev/null ) &
watcher=$!
wait "$child"
rc=$?
kill "$watcher" 2>/dev/null
exit $rc
`;

export interface ProcessSpec {
  /** Short name used in errors and logs, e.g. "zk-2" or "kafka". */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the process's stdout and stderr go (appended, kept across restarts). */
  logFile: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Normal exits (including vitest tearing a worker down) kill what is still running at
  // once; the guard covers the abnormal ones.
  process.on("exit", () => {
    for (const p of live) p.killNow();
  });
}

/** A server process under test control: start, stop, kill, pause, resume, restart. */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  #spec: ProcessSpec;
  #guard: ChildProcess | undefined;
  #pid: number | undefined;
  #exited: Promise<ExitInfo> | undefined;
  #paused = false;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    this.#spec = spec;
    installExitHook();
  }

  /** Pid of the server process itself (not of its guard), while it runs. */
  get pid(): number | undefined {
    return this.#pid;
  }

  get running(): boolean {
    return this.#pid !== undefined;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Resolves when the current run of the process ends. */
  get exited(): Promise<ExitInfo> {
    return this.#exited ?? Promise.resolve({ code: null, signal: null });
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.#pid})`);
    const logFd = openSync(this.logFile, "a");
    const guard = spawn("bash", ["-c", GUARD, "guard", this.#spec.command, ...this.#spec.args], {
      cwd: this.#spec.cwd,
      env: { ...process.env, ...this.#spec.env, ATLAS_HA_GUARD_LOG: this.logFile },
      stdio: ["pipe", "pipe", logFd],
    });
    closeSync(logFd);
    this.#guard = guard;
    this.#exited = new Promise<ExitInfo>((resolve) => {
      guard.once("exit", (code, signal) => {
        live.delete(this);
        this.#pid = undefined;
        this.#paused = false;
        resolve({ code, signal });
      });
    });
    this.#pid = await new Promise<number>((resolve, reject) => {
      let buffer = "";
      guard.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const line = buffer.split("\n")[0];
        if (buffer.includes("\n") && line) resolve(Number(line));
      });
      guard.once("error", reject);
      guard.once("exit", () => reject(new Error(`${this.name} exited at once; see ${this.logFile}`)));
    });
    live.add(this);
    // Neither the guard nor its pipes keep the test process alive; when the test process
    // ends, the pipe closes and the guard kills the server.
    guard.unref();
    (guard.stdin as unknown as Socket).unref();
    (guard.stdout as unknown as Socket).unref();
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#pid === undefined) throw new Error(`${this.name} is not running`);
    process.kill(this.#pid, signal);
  }

  /** SIGKILL: a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = this.exited;
    this.#signal("SIGKILL");
    await exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = this.exited;
    if (this.#paused) this.resume();
    this.#signal("SIGTERM");
    const timer = setTimeout(() => this.killNow(), timeoutMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGSTOP: the process freezes, its sockets stay open, peers see silence. */
  pause(): void {
    this.#signal("SIGSTOP");
    this.#paused = true;
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.#signal("SIGCONT");
    this.#paused = false;
  }

  /** Stops (SIGTERM) if running, then starts again with the same command and data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Synchronous SIGKILL, for exit hooks. */
  killNow(): void {
    if (this.#pid === undefined) return;
    try {
      process.kill(this.#pid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  /**
   * Resolves as `ready` does, but rejects at once, with the end of the log, if the process
   * exits first: a server that dies while starting fails its test in seconds, not at the
   * readiness deadline.
   */
  async aliveUntil<T>(ready: Promise<T>): Promise<T> {
    const died = this.exited.then((exit) => {
      throw new Error(
        `${this.name} exited while starting (code ${exit.code}, signal ${exit.signal}); ` +
          `end of ${this.logFile}:\n${this.logTail()}`,
      );
    });
    return Promise.race([ready, died]);
  }

  /** The last `lines` lines of the log, for error messages. */
  logTail(lines = 25): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Waits for the current run to end, failing after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`${this.name} did not exit within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
