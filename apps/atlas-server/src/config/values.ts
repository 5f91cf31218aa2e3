import { isIP } from "node:net";
import { ConfigError } from "./errors.js";
import type { Sourced } from "./source.js";

/*
 * Typed reads of single keys. A value is trimmed (Commons Configuration, which Atlas uses,
 * does the same); an empty value counts as absent and takes the default. Every failure is a
 * ConfigError naming the key and where its value came from.
 */

const MAX_TIMER_MS = 2_147_483_647; // setTimeout fires at once beyond this

export class Props {
  constructor(private readonly map: ReadonlyMap<string, Sourced>) {}

  /** The trimmed value and its origin, or undefined when absent or empty. */
  get(key: string): { value: string; origin: string } | undefined {
    const sourced = this.map.get(key);
    if (sourced === undefined) return undefined;
    const value = sourced.value.trim();
    if (value === "") return undefined;
    const unresolved = /\$\{[^}]+\}/.exec(value);
    if (unresolved !== null) {
      throw new ConfigError(
        key,
        `refers to ${unresolved[0]}, which is not defined (define that property, or set ATLAS_HOME for \${sys:atlas.home})`,
        sourced.origin,
      );
    }
    return { value, origin: sourced.origin };
  }

  /** Set to something other than blanks; the value itself is not checked. */
  has(key: string): boolean {
    return (this.map.get(key)?.value.trim() ?? "") !== "";
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback: null): string | null;
  string(key: string, fallback: string | null): string | null {
    return this.get(key)?.value ?? fallback;
  }

  /** Digits only: no sign, no exponent, no separators. */
  integer(
    key: string,
    fallback: number,
    min: number,
    max: number = Number.MAX_SAFE_INTEGER,
    unit = "",
  ): number {
    const got = this.get(key);
    if (got === undefined) return fallback;
    const n = /^\d+$/.test(got.value) ? Number(got.value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`;
      throw new ConfigError(
        key,
        `expected a whole number ${range}${unit}, got ${JSON.stringify(got.value)}`,
        got.origin,
      );
    }
    return n;
  }

  /** Milliseconds for a timer: a whole number up to 2147483647. */
  millis(key: string, fallback: number, min: number): number {
    return this.integer(key, fallback, min, MAX_TIMER_MS, " (milliseconds)");
  }

  port(key: string, fallback: number): number {
    const got = this.get(key);
    if (got === undefined) return fallback;
    const n = /^\d+$/.test(got.value) ? Number(got.value) : 0;
    if (n < 1 || n > 65_535)
      throw new ConfigError(
        key,
        `expected a port number 1–65535, got ${JSON.stringify(got.value)}`,
        got.origin,
      );
    return n;
  }

  /** `true` or `false`, any case. */
  boolean(key: string, fallback: boolean): boolean;
  boolean(key: string, fallback: null): boolean | null;
  boolean(key: string, fallback: boolean | null): boolean | null {
    const got = this.get(key);
    if (got === undefined) return fallback;
    const lower = got.value.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    throw new ConfigError(
      key,
      `expected true or false, got ${JSON.stringify(got.value)}`,
      got.origin,
    );
  }

  /** Comma-separated, entries trimmed; an empty entry (`a,,b`, a trailing comma) is refused. */
  list(key: string, fallback: readonly string[]): string[] {
    const got = this.get(key);
    if (got === undefined) return [...fallback];
    const items = got.value.split(",").map((s) => s.trim());
    if (items.some((s) => s === ""))
      throw new ConfigError(
        key,
        `empty entry in the list ${JSON.stringify(got.value)}`,
        got.origin,
      );
    return items;
  }

  oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
    const got = this.get(key);
    if (got === undefined) return fallback;
    const lower = got.value.toLowerCase();
    const match = allowed.find((a) => a === lower);
    if (match === undefined) {
      throw new ConfigError(
        key,
        `expected one of ${allowed.join(", ")}, got ${JSON.stringify(got.value)}`,
        got.origin,
      );
    }
    return match;
  }

  /** A ConfigError for `key`, tagged with its value's origin when it has one. */
  error(key: string, message: string): ConfigError {
    return new ConfigError(key, message, this.map.get(key)?.origin);
  }
}

const LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

/** A DNS name, an IPv4 address, or an IPv6 address (with or without brackets). */
export function isHost(value: string): boolean {
  if (value.startsWith("[") && value.endsWith("]")) return isIP(value.slice(1, -1)) === 6;
  return isIP(value) !== 0 || (value.length <= 253 && HOSTNAME.test(value));
}

/** `host:port` with an IPv6 host in brackets; null when malformed. `host` comes without brackets. */
export function parseHostPort(value: string): { host: string; port: number } | null {
  const match = /^(\[[^\]]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(value);
  if (match === null) return null;
  const rawHost = match[1]!;
  const port = Number(match[2]);
  if (!isHost(rawHost) || port < 1 || port > 65_535) return null;
  return { host: rawHost.startsWith("[") ? rawHost.slice(1, -1) : rawHost, port };
}

/** Replaces the password of a URL-like string, so error messages never print it. */
export function redactUrl(value: string): string {
  return value.replace(/(:\/\/[^:/@\s]*:)[^@\s]*@/, "$1***@");
}
