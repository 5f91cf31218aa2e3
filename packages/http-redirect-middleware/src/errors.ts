/**
 * Thrown by `haRedirect()` when an option is missing or malformed. It is a construction-time
 * error: a server that gets it should refuse to start rather than serve with a guess.
 *
 * Check `err.name === "HaRedirectOptionsError"` or `err.code`, not `instanceof`: the ESM and
 * CJS builds each have their own copy of this class.
 */
export class HaRedirectOptionsError extends Error {
  override readonly name = "HaRedirectOptionsError" as const;
  readonly code = "HA_REDIRECT_BAD_OPTION" as const;
  /** The option at fault, e.g. `"selfAddress"` or `"exemptPaths[2]"`. */
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`haRedirect option "${option}" ${problem}`);
    this.option = option;
  }
}
