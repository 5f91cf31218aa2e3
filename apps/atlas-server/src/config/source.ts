import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ADDRESS_PREFIX, KEYS, KNOWN_KEYS, envName } from "./keys.js";
import type { PropertyEntry } from "./properties.js";

/** A property value and where it came from, for error messages. */
export interface Sourced {
  value: string;
  /** `<file>:<line>` or `environment variable <NAME>`. */
  origin: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The file's pairs, last one wins, each tagged `<file>:<line>`. */
export function fromEntries(entries: readonly PropertyEntry[], file: string): Map<string, Sourced> {
  const map = new Map<string, Sourced>();
  for (const { key, value, line } of entries) map.set(key, { value, origin: `${file}:${line}` });
  return map;
}

/**
 * Environment overrides (docs/contracts/config.md): the variable named like the key with dots turned into
 * underscores, upper-cased (`atlas.server.ha.enabled` ↔ `ATLAS_SERVER_HA_ENABLED`) replaces
 * the key's value.
 *
 * The mapping cannot be reversed (an underscore may be part of a key, and ids such as `id1`
 * are case-sensitive), so variables are matched against a set of candidate keys instead of
 * being turned into keys: every key the server knows, every key present in the file, and
 * `atlas.server.address.<id>` for each id of `atlas.server.ids` (itself overridable first,
 * so a whole group can be described by the environment). Variable names are compared
 * case-insensitively; when two differ only in case the upper-case one wins. A variable
 * that matches no candidate key is ignored (`ATLAS_HOME`, `ATLAS_OPTS`, … belong to the
 * launcher), and so is an empty one (an orchestrator's `ATLAS_SERVER_ID=` placeholder must
 * not erase the file's value). Returns the keys that were overridden.
 */
export function applyEnvOverrides(map: Map<string, Sourced>, env: Env): string[] {
  const byUpper = new Map<string, string>();
  for (const name of Object.keys(env).sort()) {
    if (env[name] === undefined) continue;
    const upper = name.toUpperCase();
    if (!byUpper.has(upper) || name === upper) byUpper.set(upper, name);
  }
  const overridden: string[] = [];
  const override = (key: string): void => {
    const name = byUpper.get(envName(key));
    const value = name === undefined ? undefined : env[name];
    if (name === undefined || value === undefined || value.trim() === "") return;
    map.set(key, { value, origin: `environment variable ${name}` });
    overridden.push(key);
  };

  override(KEYS.ids);
  const ids = (map.get(KEYS.ids)?.value ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  const candidates = new Set<string>([
    ...KNOWN_KEYS,
    ...map.keys(),
    ...ids.map((id) => ADDRESS_PREFIX + id),
  ]);
  candidates.delete(KEYS.ids);
  for (const key of candidates) override(key);
  return overridden;
}

/** What `${sys:…}` and `${env:…}` references resolve against. */
export interface InterpolationContext {
  configDir: string;
  env: Env;
  cwd: string;
}

const REFERENCE = /\$\{([^}]+)\}/g;

/**
 * Atlas reads its file with Apache Commons Configuration, which expands `${key}` (another
 * property), `${sys:name}` (a Java system property) and `${env:NAME}` when a value is read.
 * Atlas's own template uses it, e.g.
 * `atlas.authentication.method.file.filename=${sys:atlas.home}/conf/users-credentials.properties`,
 * so we expand the same forms. The system properties Atlas's launcher sets map to their
 * environment equivalents: `atlas.home` → `ATLAS_HOME`, else the parent of the config
 * directory (Atlas's `conf/` layout); `atlas.conf` → the config directory; `atlas.data` →
 * `ATLAS_DATA_DIR` or `<home>/data`; `atlas.log.dir` → `ATLAS_LOG_DIR` or `<home>/logs`;
 * plus `user.dir`, `user.home`, `java.io.tmpdir`. A reference that cannot be resolved (or
 * that is part of a cycle) is left as written, as Commons Configuration does; a key the
 * server uses then fails validation naming it.
 */
export function interpolate(map: Map<string, Sourced>, context: InterpolationContext): void {
  const home = nonEmpty(context.env.ATLAS_HOME) ?? dirname(context.configDir);
  const sys: Readonly<Record<string, string>> = {
    "atlas.home": home,
    "atlas.conf": context.configDir,
    "atlas.data": nonEmpty(context.env.ATLAS_DATA_DIR) ?? join(home, "data"),
    "atlas.log.dir": nonEmpty(context.env.ATLAS_LOG_DIR) ?? join(home, "logs"),
    "user.dir": context.cwd,
    "user.home": homedir(),
    "java.io.tmpdir": tmpdir(),
  };
  const done = new Map<string, string>();

  const resolve = (key: string, stack: ReadonlySet<string>): string => {
    const known = done.get(key);
    if (known !== undefined) return known;
    const raw = map.get(key)?.value ?? "";
    const inner = new Set(stack).add(key);
    const value = raw.replace(REFERENCE, (whole, name: string) => {
      if (name.startsWith("sys:")) return sys[name.slice(4)] ?? whole;
      if (name.startsWith("env:")) return context.env[name.slice(4)] ?? whole;
      if (!map.has(name) || inner.has(name)) return whole;
      return resolve(name, inner);
    });
    done.set(key, value);
    return value;
  };

  for (const [key, sourced] of map) {
    if (sourced.value.includes("${")) map.set(key, { ...sourced, value: resolve(key, new Set()) });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
