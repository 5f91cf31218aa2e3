// Child processes of the bench itself (load generators, bare baselines, election
// participants): never profiled, never given the instances' NODE_OPTIONS.
import { fork, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Forks `script` (a path or file URL) with `args`, waits for its first IPC message (what
 * it has to say once ready: a port, a result) and returns `{ child, first, next, stop }`.
 */
export async function forkWorker(script, args = [], { execArgv = [] } = {}) {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const child = fork(path, args, {
    env: cleanEnv(),
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const messages = [];
  const waiters = [];
  child.on("message", (m) => {
    const w = waiters.shift();
    if (w) w.resolve(m);
    else messages.push(m);
  });
  void exited.then(([code, signal]) => {
    for (const w of waiters.splice(0))
      w.reject(new Error(`${path} exited (${code ?? signal}) before answering`));
  });
  const next = () =>
    messages.length > 0
      ? Promise.resolve(messages.shift())
      : new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  const first = await next();
  return {
    child,
    first,
    next,
    /** Asks the worker to answer `message` and waits for its reply. */
    ask: (message) => {
      child.send(message);
      return next();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/**
 * A Node process that prints JSON lines; `line(type)` resolves with the first line whose
 * `type` matches (seen before or after the call).
 */
export function jsonLineProcess(script, args) {
  const child = spawn(process.execPath, [script, ...args], {
    env: cleanEnv(),
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    lines.push(parsed);
    for (const w of waiters.splice(0)) w();
  });
  const exited = once(child, "exit");
  const line = (type) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.find((l) => l.type === type);
        if (found) resolve(found);
        else waiters.push(check);
      };
      void exited.then(() => reject(new Error(`${script} exited before printing ${type}`)));
      check();
    });
  return { child, line, exited };
}
