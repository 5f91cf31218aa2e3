/** What tests read of a typed error: its literal `name` and `code` (never `instanceof`), and more. */
export type CaughtError = Error & { name: string; code: string } & Record<string, unknown>;

/** The error `call` throws, to check its `name`, `code` and fields; fails when it throws none. */
export function thrownBy(call: () => unknown, what = "the call"): CaughtError {
  try {
    call();
  } catch (error) {
    return error as CaughtError;
  }
  throw new Error(`${what} threw nothing`);
}
