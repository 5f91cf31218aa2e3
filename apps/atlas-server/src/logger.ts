import pino, { type Logger } from "pino";

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
  return pino(
    {
      level,
      base: { serverId, pid: process.pid },
      mixin: () => current(),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Secrets never reach a log line, whatever a caller passes.
      redact: {
        paths: [
          "password",
          "auth",
          "authorization",
          "*.password",
          "*.authorization",
          "headers.authorization",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
