import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
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
  /**
   * Run in a session of its own (`setsid`) with no guard, so the process outlives the Node
   * process that started it (the local cluster's CLI starts servers and exits). A later
   * launcher takes it over with `ManagedProcess.attach(spec, identity)`. Default false: the
   * guard kills the server when its starter dies, which is what tests want.
   */
  detached?: boolean;
}

/**
 * Who a detached process is, as a later launcher stores it: the pid, and the kernel's start
 * time of that pid (clock ticks since boot, from /proc) so that a pid reused by an unrelated
 * process after a reboot or a long time is never signalled by mistake.
 */
export interface ProcessIdentity {
  pid: number;
  startTime?: number | undefined;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Fields of /proc/<pid>/stat after the command name: [0] is the state (R, S, T, Z …). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The kernel's start time of `pid` (field 22 of /proc/<pid>/stat), undefined without /proc. */
export function processStartTime(pid: number): number | undefined {
  const field = statFields(pid)?.[19];
  return field === undefined ? undefined : Number(field);
}

/**
 * True when `pid` runs (a zombie does not count: it has exited and waits to be reaped) and,
 * when `startTime` is given, is the same process that was started then.
 */
export function isProcessAlive(pid: number, startTime?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to someone else, so it is not one of ours.
    return false;
  }
  const fields = statFields(pid);
  if (fields === undefined) return true; // no /proc: kill(0) is all we can know
  if (fields[0] === "Z" || fields[0] === "X") return false;
  return startTime === undefined || Number(fields[19]) === startTime;
}

/** True when `pid` is stopped by a signal (SIGSTOP), read from /proc. */
export function isStopped(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === "T" || state === "t";
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
  #startTime: number | undefined;
  #exited: Promise<ExitInfo> | undefined;
  /** Started by another process and attached to: no child handle, no exit event. */
  #adopted = false;
  #paused = false;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    this.#spec = { ...spec, args: [...spec.args], ...(spec.env ? { env: { ...spec.env } } : {}) };
    installExitHook();
  }

  /**
   * A handle on a detached process that another launcher started, from its spec and
   * identity as that launcher stored them. When the process is gone (or the pid now belongs
   * to another process), the handle is simply not running, and `start()` runs the spec again.
   */
  static attach(spec: ProcessSpec, identity: ProcessIdentity): ManagedProcess {
    const handle = new ManagedProcess({ ...spec, detached: true });
    if (isProcessAlive(identity.pid, identity.startTime))
      handle.#adopt(identity.pid, identity.startTime);
    return handle;
  }

  /** What `start()` runs, as plain data (JSON-serialisable) for a later `attach`. */
  get spec(): ProcessSpec {
    const spec = this.#spec;
    return {
      name: spec.name,
      command: spec.command,
      args: [...spec.args],
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      ...(spec.env !== undefined ? { env: { ...spec.env } } : {}),
      logFile: spec.logFile,
      detached: spec.detached === true,
    };
  }

  get detached(): boolean {
    return this.#spec.detached === true;
  }

  /** Pid and start time of the current run, for a later `attach`; undefined when not running. */
  get identity(): ProcessIdentity | undefined {
    this.#check();
    return this.#pid === undefined ? undefined : { pid: this.#pid, startTime: this.#startTime };
  }

  /** Pid of the server process itself (not of its guard), while it runs. */
  get pid(): number | undefined {
    this.#check();
    return this.#pid;
  }

  get running(): boolean {
    this.#check();
    return this.#pid !== undefined;
  }

  get paused(): boolean {
    this.#check();
    // Another launcher may have paused or resumed a detached process: ask the kernel.
    if (this.detached && this.#pid !== undefined) return isStopped(this.#pid);
    return this.#paused;
  }

  /** Resolves when the current run of the process ends. */
  get exited(): Promise<ExitInfo> {
    this.#check();
    if (this.#adopted && this.#pid !== undefined) this.#exited ??= this.#pollExit(this.#pid);
    return this.#exited ?? Promise.resolve({ code: null, signal: null });
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.#pid})`);
    if (this.detached) return this.#startDetached();
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
        this.#startTime = undefined;
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
      guard.once("exit", () =>
        reject(new Error(`${this.name} exited at once; see ${this.logFile}`)),
      );
    });
    this.#startTime = processStartTime(this.#pid);
    live.add(this);
    // Neither the guard nor its pipes keep the test process alive; when the test process
    // ends, the pipe closes and the guard kills the server.
    guard.unref();
    (guard.stdin as unknown as Socket).unref();
    (guard.stdout as unknown as Socket).unref();
  }

  async #startDetached(): Promise<void> {
    const logFd = openSync(this.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(this.#spec.command, this.#spec.args, {
        cwd: this.#spec.cwd,
        env: { ...process.env, ...this.#spec.env },
        detached: true,
        stdio: ["ignore", logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) =>
        reject(new Error(`${this.name} could not start: ${error.message}`, { cause: error })),
      );
    });
    const pid = child.pid!;
    this.#adopted = false;
    this.#pid = pid;
    this.#startTime = processStartTime(pid);
    // Our own child: its exit event carries the code and reaps it. The launcher may exit
    // long before the server does; unref lets it.
    this.#exited = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => {
        if (this.#pid === pid) {
          this.#pid = undefined;
          this.#startTime = undefined;
          this.#paused = false;
        }
        resolve({ code, signal });
      });
    });
    child.unref();
  }

  /**
   * Takes over a running detached process that is not our child. Its exit reaches us by no
   * event, so `pid`/`running` ask the kernel each time, and `exited` polls only once awaited
   * (a CLI that attaches and leaves must not leave timers behind).
   */
  #adopt(pid: number, startTime: number | undefined): void {
    this.#pid = pid;
    this.#startTime = startTime ?? processStartTime(pid);
    this.#adopted = true;
    this.#exited = undefined;
  }

  /** For an adopted process: forgets the pid once the process is gone. */
  #check(): void {
    if (this.#adopted && this.#pid !== undefined && !isProcessAlive(this.#pid, this.#startTime)) {
      this.#pid = undefined;
      this.#startTime = undefined;
      this.#paused = false;
    }
  }

  #pollExit(pid: number): Promise<ExitInfo> {
    return new Promise<ExitInfo>((resolve) => {
      const timer = setInterval(() => {
        this.#check();
        if (this.#pid === pid) return;
        clearInterval(timer);
        // Not our child: its exit status went to its parent, not to us.
        resolve({ code: null, signal: null });
      }, 50);
      timer.unref();
    });
  }

  #signal(signal: NodeJS.Signals): void {
    this.#check();
    if (this.#pid === undefined) throw new Error(`${this.name} is not running`);
    process.kill(this.#pid, signal);
  }

  /** SIGKILL: a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = this.exited;
    this.#signal("SIGKILL");
    // An adopted process's exit is polled by an unref'd timer: hold the event loop open.
    const hold = setInterval(() => undefined, 1000);
    try {
      await exited;
    } finally {
      clearInterval(hold);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = this.exited;
    if (this.paused) this.resume();
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
    // kill() returns before the kernel has stopped every thread: on a loaded machine one of
    // them could still answer a request sent right after. Return only once all are stopped.
    if (this.#pid !== undefined) waitStopped(this.#pid, 2000);
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

/** Every process below `pid` (children, their children, …), read from /proc. */
export function descendantPids(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Waits (synchronously, at most `timeoutMs`) until every thread of `pid` is stopped, read
 * from /proc (state T or t). Where /proc is absent it returns at once.
 */
function waitStopped(pid: number, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      return; // no /proc, or the process is gone
    }
    const running = tasks.some((task) => {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
        // "pid (comm) S …": the state follows the last ")" (comm may hold spaces and parens).
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== "T" && state !== "t" && state !== "Z" && state !== "X";
      } catch {
        return false; // the thread ended meanwhile
      }
    });
    if (!running || Date.now() > deadline) return;
  }
}
