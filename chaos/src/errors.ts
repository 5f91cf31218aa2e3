/** Errors of the chaos runner. Check `name` and `code`, never `instanceof`. */

/** An option of the run (or of the CLI) is malformed; `option` names it. */
export class ChaosOptionsError extends Error {
  override readonly name = "ChaosOptionsError" as const;
  readonly code = "CHAOS_BAD_OPTION" as const;
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}
