import pino, { type Logger } from "pino";
import { redactSecrets } from "./log-redaction.js";

/**
 * JSON logs, one line per event, with the server id, the service state and the epoch on
 * every line (read at the moment of logging).
 */
export function createLogger(
  serverId: string,
  level: string,
  current: () => { state: string; epoch: number | null },
  destination?: pino.DestinationStream,
): Logger {
  const logger = pino(
    {
      level,
      base: { serverId, pid: process.pid },
      mixin: () => current(),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Secrets never reach a log line, whatever a caller passes (log-redaction.ts).
        log: redactSecrets,
        bindings: redactSecrets,
      },
    },
    destination ?? linesPerTurn(pino.destination({ sync: false })),
  );
  // pino gives a child's bindings to no formatter: they are censored on the way in. Children
  // are made from their parent by prototype, so every descendant uses this `child` too.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with each child's own `this` below
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactSecrets(bindings), options);
  } as Logger["child"];
  return logger;
}

/** What linesPerTurn writes to: pino's asynchronous file destination (sonic-boom). */
export interface LineSink {
  write(text: string): unknown;
  flush?(callback?: (error?: Error) => void): void;
  flushSync?(): void;
}

/**
 * The lines logged in one turn of the event loop reach `sink` as one write at the turn's end,
 * not one each: under REST load every request logs its `http_request` line, and a write(2)
 * per line was ~4% of a create's CPU. A line waits at most until its turn ends (no timer, no
 * size threshold: an idle server's lines are as prompt as before). At exit, what is pending
 * is written and the sink flushed synchronously (this module's exit listener is registered
 * before pino's own for the sink, so it does not rely on that one running after it).
 */
export function linesPerTurn(
  sink: LineSink,
): pino.DestinationStream & { flush(callback?: (error?: Error) => void): void } {
  let pending: string[] = [];
  let scheduled = false;
  const drain = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    sink.write(lines.length === 1 ? lines[0]! : lines.join(""));
  };
  atExit.add(() => {
    drain();
    sink.flushSync?.();
  });
  return {
    write(line: string): void {
      pending.push(line);
      if (scheduled) return;
      scheduled = true;
      setImmediate(drain);
    },
    // pino's logger.flush(): what this turn logged goes now, then the sink's own buffer.
    flush(callback?: (error?: Error) => void): void {
      drain();
      if (sink.flush) sink.flush(callback);
      else callback?.();
    },
  };
}

/** What each linesPerTurn sink does at exit; one listener for all (a process may log to several). */
const atExit = new Set<() => void>();

/**
 * Writes every linesPerTurn sink's pending lines and flushes it synchronously: run at the
 * process's exit, for a line logged in the same turn as `process.exit()`.
 */
export function flushPendingLines(): void {
  for (const flush of atExit) {
    try {
      flush();
    } catch {
      // A sink already closed has nothing more to take.
    }
  }
}
process.once("exit", flushPendingLines);
