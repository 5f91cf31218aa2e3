import { silentLogger, type Logger } from "@atlas-ha/shared";

export { silentLogger, type Logger };

const noop = (): void => undefined;
const LEVELS = ["debug", "info", "warn", "error"] as const;

/** What the CLI prints: one compact JSON line per event from `level` up. */
export function lineLogger(
  write: (line: string) => void,
  level: (typeof LEVELS)[number] = "info",
): Logger {
  const min = LEVELS.indexOf(level);
  const emit = (name: (typeof LEVELS)[number]) =>
    LEVELS.indexOf(name) < min
      ? noop
      : (obj: object, msg?: string) =>
          write(
            `${JSON.stringify({ t: new Date().toISOString().slice(11, 23), level: name, ...obj, ...(msg ? { msg } : {}) })}\n`,
          );
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
