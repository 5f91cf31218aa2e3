import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { waitFor, type ZooKeeperEnsemble } from "@atlas-ha/testkit";
import {
  createElection,
  nativeSessionFactory,
  type Election,
  type ElectionEvents,
  type ZkSession,
  type ElectionOptions,
} from "../../src/index.js";

/** In-process participants, closed after the test. */
export class Participants {
  readonly all: Election[] = [];
  readonly events: { id: string; type: keyof ElectionEvents; payload: unknown }[] = [];
  /** Every participant's log lines, printed by dumpLogs() when a test fails. */
  readonly logs: string[] = [];
  readonly #started = Date.now();

  add(options: ElectionOptions): Election {
    const line = (level: string) => (obj: object) =>
      this.logs.push(`${Date.now() - this.#started} ${options.id} ${level} ${JSON.stringify(obj)}`);
    const logger = {
      debug: line("debug"),
      info: line("info"),
      warn: line("warn"),
      error: line("error"),
    };
    const election = createElection({ logger, ...options });
    for (const type of [
      "leader",
      "follower",
      "suspended",
      "lost",
      "error",
      "connection",
    ] as const) {
      election.on(type, (payload) => this.events.push({ id: options.id, type, payload }));
    }
    this.all.push(election);
    return election;
  }

  leaders(): Election[] {
    return this.all.filter((e) => e.isLeader());
  }

  async oneLeader(timeoutMs: number, among: Election[] = this.all): Promise<Election> {
    return waitFor(
      () => {
        const leaders = among.filter((e) => e.isLeader());
        return leaders.length === 1 ? leaders[0] : undefined;
      },
      { timeoutMs, intervalMs: 10, what: "exactly one leader" },
    );
  }

  dumpLogs(): void {
    process.stderr.write(`--- election logs ---\n${this.logs.join("\n")}\n`);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.all.map((e) => e.close()));
  }
}

export interface StatusLine {
  type: string;
  isLeader?: boolean;
  epoch?: number | null;
  state?: string;
  sessionId?: string;
  at?: number;
  reason?: string;
}

/** A participant running in a child process (to be SIGKILLed or SIGSTOPped). */
export class ChildParticipant {
  readonly id: string;
  readonly child: ChildProcess;
  readonly lines: StatusLine[] = [];
  #waiters: ((line: StatusLine) => void)[] = [];

  constructor(connect: string, id: string, sessionTimeoutMs: number) {
    this.id = id;
    const script = fileURLToPath(new URL("./participant.mjs", import.meta.url));
    this.child = spawn(process.execPath, [script, connect, id, String(sessionTimeoutMs)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    createInterface({ input: this.child.stdout! }).on("line", (text) => {
      const line = JSON.parse(text) as StatusLine;
      this.lines.push(line);
      for (const waiter of this.#waiters.splice(0)) waiter(line);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Asks the process for its view; resolves with its answer. */
  status(timeoutMs = 5000): Promise<StatusLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.id} did not answer "status"`)),
        timeoutMs,
      );
      const waiter = (line: StatusLine) => {
        if (line.type === "status") {
          clearTimeout(timer);
          resolve(line);
        } else this.#waiters.push(waiter);
      };
      this.#waiters.push(waiter);
      this.child.stdin!.write("status\n");
    });
  }

  async waitFor(type: string, timeoutMs: number): Promise<StatusLine> {
    return waitFor(() => this.lines.find((l) => l.type === type), {
      timeoutMs,
      what: `${this.id} to print "${type}"`,
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGCONT");
    this.child.kill("SIGKILL");
    await exited;
  }
}

/** The ZooKeeper node that holds the connection of the given session (from `cons`). */
export async function serverOfSession(zk: ZooKeeperEnsemble, sessionId: string) {
  for (const node of zk.nodes) {
    if (!node.process.running) continue;
    const cons = await node.fourLetterWord("cons").catch(() => "");
    if (cons.includes(`sid=0x${sessionId}`)) return node;
  }
  return undefined;
}

/** A bare session of the native client (no election), connected: a foreign or operator client. */
export function rawSession(connect: string): Promise<ZkSession> {
  const session = nativeSessionFactory({ connectString: connect, sessionTimeoutMs: 4000 });
  return new Promise((resolve) => session.onEvent((e) => e === "connected" && resolve(session)));
}
