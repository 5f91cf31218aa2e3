/**
 * The logger every atlas-ha package accepts: pino's, or any object with these four methods.
 * Each call gets an event object first (`{ event: "became_active", tookMs }`), a message
 * seldom.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

/** The default of every `logger` option: logs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
