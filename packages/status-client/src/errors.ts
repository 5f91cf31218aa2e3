/** Bad input to the library or the CLI: no URL, a URL that is not http(s), a bad option value. */
export class StatusInputError extends Error {
  override readonly name = "StatusInputError" as const;
  readonly code: "STATUS_BAD_URL" | "STATUS_NO_URLS" | "STATUS_BAD_OPTION";

  constructor(code: StatusInputError["code"], message: string) {
    super(message);
    this.code = code;
  }
}

/** An `atlas-application.properties` file that cannot be read or holds a malformed value. */
export class StatusConfigError extends Error {
  override readonly name = "StatusConfigError" as const;
  readonly code: "STATUS_CONFIG_UNREADABLE" | "STATUS_CONFIG_INVALID";
  /** The file that was read. */
  readonly file: string;
  /** The key whose value is wrong, when one is. */
  readonly key: string | undefined;

  constructor(
    code: StatusConfigError["code"],
    message: string,
    details: { file: string; key?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.key = details.key;
  }
}
