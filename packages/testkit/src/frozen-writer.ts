/**
 * A writer frozen inside its store transaction: the real store (any module exporting
 * atlas-server's `createStore`) in a Node process of its own, fenced with an epoch and stopped
 * by SIGSTOP right after its fence check took the write lock — what an active that lost power
 * or froze halfway through a write leaves behind. The store reads its clock (`deps.now`) inside
 * the write transaction, after the fence check: that is where it freezes.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface FrozenWriterOptions {
  /** URL or absolute path of a module exporting `createStore(config, deps)`. */
  storeModule: string;
  /** The store's configuration, as createStore takes it. */
  config: object;
  /** The epoch of the frozen write; "highest" (default) takes the store's highest, which an equal epoch passes. */
  epoch?: number | "highest";
  /** Deadline for the freeze. Default 30 s. */
  timeoutMs?: number;
}

export interface FrozenWriter {
  readonly pid: number;
  /** SIGKILL: the frozen transaction is rolled back with the process. */
  kill(): Promise<void>;
  /**
   * SIGCONT: the writer goes on with its write. Resolves with how the write ended ("ok", or
   * the error's `name code`) and the process's exit code; a process that crashed instead
   * gives no outcome.
   */
  resume(timeoutMs?: number): Promise<{ outcome: string | null; exitCode: number | null }>;
}

export async function startFrozenWriter(options: FrozenWriterOptions): Promise<FrozenWriter> {
  const epoch = options.epoch ?? "highest";
  const script = `
    import { createStore } from ${JSON.stringify(options.storeModule)};
    let armed = false;
    const now = () => {
      if (armed) {
        armed = false;
        process.stdout.write("frozen\\n");
        process.kill(process.pid, "SIGSTOP");
      }
      return Date.now();
    };
    const store = createStore(${JSON.stringify(options.config)}, { now });
    await store.migrate();
    const epoch = ${epoch === "highest" ? "await store.highestEpoch()" : String(epoch)};
    armed = true;
    try {
      await store.fence(epoch);
      process.stdout.write("outcome ok\\n");
    } catch (error) {
      process.stdout.write("outcome " + error.name + " " + error.code + "\\n");
    }
    await store.close().catch(() => undefined);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    lines.next().then((line) => String(line.value)),
    exited.then(() => "exited"),
    new Promise<string>(
      (resolve) => (timer = setTimeout(() => resolve("timeout"), options.timeoutMs ?? 30_000)),
    ),
  ]);
  clearTimeout(timer);
  if (first !== "frozen") {
    child.kill("SIGKILL");
    throw new Error(`the frozen writer did not freeze (${first}): ${stderr.slice(0, 500)}`);
  }
  return {
    pid: child.pid!,
    async resume(timeoutMs = 30_000) {
      child.kill("SIGCONT");
      let deadline: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        lines
          .next()
          .then((line) => (line.done ? null : String(line.value).replace(/^outcome /, ""))),
        new Promise<null>((resolve) => (deadline = setTimeout(() => resolve(null), timeoutMs))),
      ]);
      clearTimeout(deadline);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
      return { outcome, exitCode };
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
