/** A tool the testkit needs (Java ≥ 17, Maven) is missing; the message says what to install. */
export class PrerequisiteError extends Error {
  override readonly name = "PrerequisiteError" as const;
  readonly code = "TESTKIT_PREREQUISITE_MISSING" as const;
  constructor(message: string) {
    super(message);
  }
}

/** A server did not come up (or did not reach a state) before its deadline. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError" as const;
  readonly code = "TESTKIT_TIMEOUT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
