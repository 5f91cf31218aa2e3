/**
 * Secrets never reach a log line, whatever a caller passes: the value of a `password`, `auth` or
 * `authorization` key of a logged object, and of a `password` or `authorization` key of an
 * object one level down (`headers.authorization`, `config.password`), is written as
 * {@link REDACTED}. Arrays are not searched.
 *
 * Done once per line on the logged object (pino's `formatters.log`), not with pino's `redact`:
 * its wildcard paths ran a path parser and a selective clone for every property of every line,
 * the largest allocator of a REST create (10% of its bytes). A line without secrets is passed
 * through as it is; one with a secret is written from copies, never by changing the caller's
 * objects.
 */
export const REDACTED = "[redacted]";

const SECRET_KEYS = new Set(["password", "auth", "authorization"]);
const NESTED_SECRET_KEYS = ["password", "authorization"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A copy of `value` (same prototype and properties: an Error stays one) with its secrets censored, or undefined when it has none. */
function censored(value: Record<string, unknown>): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const key of NESTED_SECRET_KEYS) {
    if (!Object.hasOwn(value, key)) continue;
    copy ??= Object.create(
      Object.getPrototypeOf(value) as object | null,
      Object.getOwnPropertyDescriptors(value),
    ) as Record<string, unknown>;
    Object.defineProperty(copy, key, {
      value: REDACTED,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** `fields` with its secrets censored: `fields` itself when it holds none. */
export function redactSecrets<T extends Record<string, unknown>>(fields: T): T {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value: unknown = fields[key];
    const replaced = SECRET_KEYS.has(key)
      ? REDACTED
      : isRecord(value)
        ? censored(value)
        : undefined;
    if (replaced === undefined) continue;
    out ??= { ...fields };
    out[key] = replaced;
  }
  return (out ?? fields) as T;
}
