import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseProperties as readJavaProperties } from "@atlas-ha/shared";
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
  return atlasClientConfig(parseProperties(text, file), file);
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
 * Java `Properties.load` syntax (`#`/`!` comments, `=`, `:` or whitespace between key and
 * value, continuation lines, `\uXXXX` and `\t\n\r\f` escapes), as the JDK reads it; a key
 * given twice keeps its last value. Text the JDK refuses (a malformed `\uXXXX` escape) is a
 * StatusConfigError `STATUS_CONFIG_INVALID` naming the line.
 */
export function parseProperties(text: string, file?: string): Map<string, string> {
  return readJavaProperties(text, (line, message) => {
    const where = `${file ?? "properties"}:${line}`;
    return new StatusConfigError("STATUS_CONFIG_INVALID", `${where}: ${message}`, {
      file: file ?? "",
    });
  });
}
