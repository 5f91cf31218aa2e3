/*
 * Start-up fails on bad configuration, and the operator must be able to fix it from the
 * message alone: every error names the key (or the file and line) and says what was
 * expected. Callers check `name` and `code`, never `instanceof` (ESM and CJS builds each
 * have their own classes).
 */

/** A missing or malformed value of one configuration key (docs/contracts/config.md). */
export class ConfigError extends Error {
  override readonly name = "ConfigError" as const;
  readonly code = "CONFIG_INVALID" as const;
  /** The Atlas key, e.g. `atlas.server.http.port`. */
  readonly key: string;
  /** Where the value came from: `<file>:<line>`, `environment variable <NAME>`, or undefined when the key is absent. */
  readonly origin: string | undefined;

  constructor(key: string, message: string, origin?: string) {
    super(`${key}: ${message}${origin === undefined ? "" : ` (${origin})`}`);
    this.key = key;
    this.origin = origin;
  }
}

/** The configuration file cannot be found or read. */
export class ConfigFileError extends Error {
  override readonly name = "ConfigFileError" as const;
  /** CONFIG_NOT_FOUND: no such file (or no location given); CONFIG_UNREADABLE: it exists but reading failed. */
  readonly code: "CONFIG_NOT_FOUND" | "CONFIG_UNREADABLE";
  /** The path that was tried (empty when no location was given at all). */
  readonly path: string;

  constructor(code: ConfigFileError["code"], path: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.path = path;
  }
}

/** Text that `java.util.Properties.load` would also refuse (a malformed `\uXXXX` escape). */
export class ConfigSyntaxError extends Error {
  override readonly name = "ConfigSyntaxError" as const;
  readonly code = "CONFIG_SYNTAX" as const;
  /** 1-based line where the logical line holding the error starts. */
  readonly line: number;
  /** The file, when known. */
  readonly file: string | undefined;

  constructor(line: number, message: string, file?: string) {
    super(`${file ?? "properties"}:${line}: ${message}`);
    this.line = line;
    this.file = file;
  }
}

/** Any error `loadConfig` throws for bad configuration (as opposed to a bug). */
export type AnyConfigError = ConfigError | ConfigFileError | ConfigSyntaxError;

const NAMES: ReadonlySet<string> = new Set(["ConfigError", "ConfigFileError", "ConfigSyntaxError"]);

/** True for the errors of this module, checked by `name` so it works across ESM and CJS builds. */
export function isConfigError(error: unknown): error is AnyConfigError {
  return error instanceof Error && NAMES.has(error.name);
}
