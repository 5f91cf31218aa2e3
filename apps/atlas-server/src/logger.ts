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
    destination ?? pino.destination({ sync: false }),
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
