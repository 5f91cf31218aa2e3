import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { StatusConfigError } from "./errors.js";
import { DEFAULT_RETRY_INTERVAL_MS } from "./options.js";

/** What `atlas-status --config` takes from an `atlas-application.properties` file. */
export interface AtlasClientConfig {
  /** Base URL of every instance, in `atlas.server.ids` order. */
  urls: string[];
  /** `atlas.client.ha.retries` (default 4, as in Atlas and docs/contracts/config.md). */
  retries: number;
  /** `atlas.client.ha.sleep.interval.ms` (default 5000). */
  retryIntervalMs: number;
}

export const CONFIG_FILE_NAME = "atlas-application.properties";
const DEFAULT_CONFIG_RETRIES = 4;
const ADDRESS_PREFIX = "atlas.server.address.";

/**
 * Reads the instances of an HA group from an Atlas configuration file (or from the
 * directory holding `atlas-application.properties`, as `ATLAS_CONF` names one).
 *
 * - `atlas.server.ids` orders the instances and, as in Atlas, chooses which
 *   `atlas.server.address.<id>` keys count; without it every address key counts, by id.
 * - An address is `host:port`; the scheme is `https` when `atlas.enableTLS=true`.
 */
export async function readAtlasConfig(path: string): Promise<AtlasClientConfig> {
  let file = path;
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, CONFIG_FILE_NAME);
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new StatusConfigError(
      "STATUS_CONFIG_UNREADABLE",
      `Cannot read ${file}: ${(cause as Error).message}. Pass the path of atlas-application.properties (or of its directory).`,
      { file, cause },
    );
  }
  return atlasClientConfig(parseProperties(text), file);
}

/** The part of `readAtlasConfig` that does not touch the file system. */
export function atlasClientConfig(
  props: ReadonlyMap<string, string>,
  file: string,
): AtlasClientConfig {
  const bad = (key: string, why: string): StatusConfigError =>
    new StatusConfigError("STATUS_CONFIG_INVALID", `${file}: ${key} ${why}`, { file, key });

  const tls = (props.get("atlas.enableTLS") ?? "false").trim().toLowerCase() === "true";
  const scheme = tls ? "https" : "http";

  const addresses = new Map<string, string>();
  for (const [key, value] of props) {
    if (key.startsWith(ADDRESS_PREFIX) && key.length > ADDRESS_PREFIX.length) {
      addresses.set(key.slice(ADDRESS_PREFIX.length), value.trim());
    }
  }
  const idsValue = props.get("atlas.server.ids");
  const ids =
    idsValue === undefined
      ? [...addresses.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
      : idsValue
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id !== "");
  if (ids.length === 0) {
    throw new StatusConfigError(
      "STATUS_CONFIG_INVALID",
      `${file} names no instance: set atlas.server.ids and an atlas.server.address.<id> (host:port) for each id.`,
      { file, key: "atlas.server.ids" },
    );
  }

  const urls = ids.map((id) => {
    const key = `${ADDRESS_PREFIX}${id}`;
    const address = addresses.get(id);
    if (address === undefined || address === "")
      throw bad(key, `is missing, but atlas.server.ids lists "${id}"; set it to host:port.`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return address;
    if (!/^(\[[0-9a-f:.]+\]|[^\s:/[\]]+):\d{1,5}$/i.test(address))
      throw bad(key, `must be host:port, got "${address}".`);
    return `${scheme}://${address}`;
  });

  return {
    urls,
    retries: integer(props, "atlas.client.ha.retries", DEFAULT_CONFIG_RETRIES, bad),
    retryIntervalMs: integer(
      props,
      "atlas.client.ha.sleep.interval.ms",
      DEFAULT_RETRY_INTERVAL_MS,
      bad,
    ),
  };
}

function integer(
  props: ReadonlyMap<string, string>,
  key: string,
  fallback: number,
  bad: (key: string, why: string) => StatusConfigError,
): number {
  const raw = props.get(key)?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw bad(key, `must be a whole number ≥ 0, got "${raw}".`);
  return Number(raw);
}

/**
 * Java `Properties.load` syntax: `#`/`!` comments, `=`, `:` or whitespace between key and
 * value, a trailing backslash continues the line, `\uXXXX` and `\t\n\r\f` escapes. A key
 * given twice keeps its last value.
 */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? "").replace(/^[ \t\f]+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    // An odd number of trailing backslashes joins the next line (its indentation dropped).
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      i += 1;
      line = line.slice(0, -1) + (lines[i] ?? "").replace(/^[ \t\f]+/, "");
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);

    let keyEnd = 0;
    while (keyEnd < line.length) {
      const c = line[keyEnd];
      if (c === "\\") keyEnd += 2;
      else if (c === "=" || c === ":" || c === " " || c === "\t" || c === "\f") break;
      else keyEnd += 1;
    }
    keyEnd = Math.min(keyEnd, line.length);
    let valueStart = keyEnd;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart] ?? "")) valueStart += 1;
    if (line[valueStart] === "=" || line[valueStart] === ":") valueStart += 1;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart] ?? "")) valueStart += 1;

    props.set(unescape(line.slice(0, keyEnd)), unescape(line.slice(valueStart)));
  }
  return props;
}

function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === "\\"; j--) n += 1;
  return n % 2 === 1;
}

const SIMPLE_ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function unescape(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|[\s\S])/g, (_, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return SIMPLE_ESCAPES[esc] ?? esc;
  });
}
