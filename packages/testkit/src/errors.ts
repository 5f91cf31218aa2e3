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

/** A TcpProxy could not listen, was given a bad option, or was used after close(). */
export class TcpProxyError extends Error {
  override readonly name = "TcpProxyError" as const;
  readonly code:
    | "TCP_PROXY_PORT_IN_USE"
    | "TCP_PROXY_LISTEN_FAILED"
    | "TCP_PROXY_BAD_OPTION"
    | "TCP_PROXY_CLOSED";
  constructor(code: TcpProxyError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
