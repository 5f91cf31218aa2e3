/**
 * Atlas's built-in attribute types (AtlasBuiltInTypes): which JSON values each accepts and
 * what it stores them as (docs/contracts/model.md, "Attribute validation"). Each normaliser
 * returns the stored value, or INVALID. The rules are Atlas's `getNormalizedValue`, read for
 * the values JSON can carry (numbers, strings, booleans, null, lists, objects):
 *
 * - integers (byte, short, int, long): a number in range, a fraction cut toward zero (Java's
 *   `longValue`), or a string of digits with an optional sign (`Integer.valueOf`);
 * - float, double: a finite number in range, or a decimal string (`Float.parseFloat`);
 * - biginteger, bigdecimal: any number, or a decimal string (kept as a JSON number);
 * - boolean: true/false, or the strings "true"/"false" in any case;
 * - date: epoch millis (a number, or a string of digits) or `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`
 *   (UTC), stored as epoch millis; an empty string is accepted and stored as null;
 * - string: anything, stored as its Java `toString()` text.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";

export const INVALID: unique symbol = Symbol("invalid");
export type Normalized = JsonValue | typeof INVALID;
export type Normalizer = (value: JsonValue) => Normalized;

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// SimpleDateFormat is lenient and reads a prefix: each field any number of digits, then anything.
const DATE_TEXT = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z/;
const FLOAT_MAX = 3.4028234663852886e38;
const I64 = 2n ** 63n;

function integer(min: bigint, max: bigint): Normalizer {
  return (value) => {
    let n: bigint;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return INVALID;
      n = BigInt(Math.trunc(value));
      // A JSON number read as a double: Long.MAX_VALUE arrives as 2^63.
      if (n === max + 1n && max === I64 - 1n) n = max;
    } else if (typeof value === "string" && INTEGER_TEXT.test(value)) {
      n = BigInt(value);
    } else {
      return INVALID;
    }
    return n < min || n > max ? INVALID : Number(n);
  };
}

function decimal(max: number): Normalizer {
  return (value) => {
    const n =
      typeof value === "number"
        ? value
        : typeof value === "string" && DECIMAL_TEXT.test(value.trim())
          ? Number(value.trim())
          : NaN;
    return Number.isFinite(n) && Math.abs(n) <= max ? n : INVALID;
  };
}

function big(truncate: boolean): Normalizer {
  return (value) => {
    const n =
      typeof value === "number"
        ? value
        : typeof value === "string" && DECIMAL_TEXT.test(value)
          ? Number(value)
          : NaN;
    if (!Number.isFinite(n)) return INVALID;
    return truncate ? Math.trunc(n) : n;
  };
}

function date(value: JsonValue): Normalized {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : INVALID;
  if (typeof value !== "string") return INVALID;
  if (value === "") return null;
  const m = DATE_TEXT.exec(value);
  if (m) {
    const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const millis = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    return Number.isFinite(millis) ? millis : INVALID;
  }
  // Long.parseLong: digits within a Java long.
  if (!INTEGER_TEXT.test(value)) return INVALID;
  const n = BigInt(value);
  return n < -I64 || n >= I64 ? INVALID : Number(n);
}

function boolean(value: JsonValue): Normalized {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "true" || lower === "false") return lower === "true";
  }
  return INVALID;
}

/** A value as Java's `toString()` writes it (what Atlas stores for a string attribute, and puts in messages). */
export function javaString(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(", ")}}`;
  return String(value);
}

/** The built-in types by name; `objectid` and the containers are handled by validate.ts. */
export const PRIMITIVES: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  ["boolean", boolean],
  ["byte", integer(-128n, 127n)],
  ["short", integer(-32768n, 32767n)],
  ["int", integer(-(2n ** 31n), 2n ** 31n - 1n)],
  ["long", integer(-I64, I64 - 1n)],
  ["float", decimal(FLOAT_MAX)],
  ["double", decimal(Number.MAX_VALUE)],
  ["biginteger", big(true)],
  ["bigdecimal", big(false)],
  ["date", date],
  ["string", (value) => (typeof value === "string" ? value : javaString(value))],
]);
