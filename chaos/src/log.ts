/** A pino-compatible logger; the runner logs events (`{ event: "fault_injected", … }`). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** What the CLI prints: one compact JSON line per event at info and above, on stderr. */
export function lineLogger(write: (line: string) => void, verbose = false): Logger {
  const emit = (level: string) => (obj: object, msg?: string) =>
    write(`${JSON.stringify({ t: new Date().toISOString().slice(11, 23), level, ...obj, ...(msg ? { msg } : {}) })}\n`);
  return { debug: verbose ? emit("debug") : noop, info: emit("info"), warn: emit("warn"), error: emit("error") };
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
