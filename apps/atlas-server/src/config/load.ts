import { constants } from "node:fs";
import { access, open, readFile, stat } from "node:fs/promises";
import {
  hostname as osHostname,
  networkInterfaces as osNetworkInterfaces,
  type NetworkInterfaceInfo,
} from "node:os";
import { dirname, join, resolve } from "node:path";
import { ConfigFileError } from "./errors.js";
import { CONFIG_FILE_NAME, KEYS } from "./keys.js";
import { readProperties } from "./properties.js";
import { readSettings } from "./schema.js";
import { defaultLookup, localHostCheck, resolveServerId } from "./server-id.js";
import { type Env, applyEnvOverrides, fromEntries, interpolate } from "./source.js";
import type { ServerConfig } from "./types.js";
import { Props } from "./values.js";

export interface LoadConfigOptions {
  /** The `--config` value: the properties file, or a directory holding `atlas-application.properties`. Relative to `cwd`. */
  config?: string;
  /** Same as `config` (which wins when both are given): the properties file, or a directory holding `atlas-application.properties`. Relative to `cwd`. */
  configFile?: string;
  /** A directory holding `atlas-application.properties` (a file is accepted too). Used when `configFile` is not given. */
  configDir?: string;
  /** Overrides and `ATLAS_CONF`, `ATLAS_HOME`. Default `process.env`. */
  env?: Env;
  /** Base of relative paths given here and of `atlas.store.sqlite.path`. Default `process.cwd()`. */
  cwd?: string;
  /** Default `os.networkInterfaces`. */
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Default `os.hostname`. */
  hostname?: () => string;
  /** Resolves a host name to its addresses. Default `dns.lookup(host, { all: true })`. */
  lookup?: (host: string) => Promise<string[]>;
}

/**
 * Reads, merges and validates the server's configuration (docs/contracts/config.md):
 * locate the file (`config` or `configFile`, else `configDir`, else `$ATLAS_CONF`), parse it as Java
 * properties, apply environment overrides, expand `${…}` references, validate every key
 * the server uses, resolve this instance's id.
 *
 * Throws ConfigFileError (file missing or unreadable), ConfigSyntaxError (text Java would
 * refuse) or ConfigError (a key's value, named in `key` and in the message).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ServerConfig> {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const { file, source } = await locate(options, env, cwd);
  const configDir = dirname(file);

  const map = fromEntries(readProperties(await readText(file, source), file), file);
  applyEnvOverrides(map, env);
  interpolate(map, { configDir, env, cwd });

  const props = new Props(map);
  const settings = readSettings(props, { configDir, cwd });
  const isLocal = localHostCheck({
    networkInterfaces: options.networkInterfaces ?? osNetworkInterfaces,
    hostname: options.hostname ?? osHostname,
    lookup: options.lookup ?? defaultLookup,
  });
  const serverId = await resolveServerId(
    props,
    {
      ids: settings.ids,
      addresses: settings.addresses,
      haEnabled: settings.ha.enabled,
      port: settings.http.port,
    },
    isLocal,
  );

  const tls = settings.http.tls;
  if (tls !== null) {
    if (tls.keyFile !== null) await mustRead(props, KEYS.tlsKeyFile, tls.keyFile);
    if (tls.certFile !== null) await mustRead(props, KEYS.tlsCertFile, tls.certFile);
    if (tls.keystore !== null) {
      await mustRead(props, KEYS.keystoreFile, tls.keystore.file);
      await mustBePkcs12(props, KEYS.keystoreFile, tls.keystore.file);
    }
    if (tls.truststore !== null) {
      await mustRead(props, KEYS.truststoreFile, tls.truststore.file);
      await mustBePkcs12(props, KEYS.truststoreFile, tls.truststore.file);
    }
  }
  if (settings.auth.usersFile !== null)
    await mustRead(props, KEYS.usersFile, settings.auth.usersFile);

  const scheme = settings.http.tls === null ? "http" : "https";
  const own = settings.addresses[serverId];
  return {
    serverId,
    ...settings,
    selfAddress: `${scheme}://${own ?? `localhost:${settings.http.port}`}`,
    properties: Object.fromEntries([...map].map(([key, sourced]) => [key, sourced.value])),
  };
}

async function locate(
  options: LoadConfigOptions,
  env: Env,
  cwd: string,
): Promise<{ file: string; source: string }> {
  const given: [string | undefined, string][] = [
    [options.config, "--config"],
    [options.configFile, "--config"],
    [options.configDir, "the config directory"],
    [env.ATLAS_CONF, "ATLAS_CONF"],
  ];
  const found = given.find(([value]) => value !== undefined && value.trim() !== "");
  if (found === undefined) {
    throw new ConfigFileError(
      "CONFIG_NOT_FOUND",
      "",
      `No configuration given: pass --config <file or directory> or set ATLAS_CONF to the directory holding ${CONFIG_FILE_NAME}.`,
    );
  }
  const [value, source] = found as [string, string];
  const path = resolve(cwd, value);
  try {
    return { file: (await stat(path)).isDirectory() ? join(path, CONFIG_FILE_NAME) : path, source };
  } catch (cause) {
    throw fileError(path, source, cause);
  }
}

async function readText(file: string, source: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw fileError(file, source, cause);
  }
  // Java reads properties as ISO-8859-1 and Commons Configuration defaults to it too; files
  // written today are UTF-8, so take UTF-8 when the bytes are valid UTF-8.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString("latin1");
  }
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

function fileError(path: string, source: string, cause: unknown): ConfigFileError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new ConfigFileError(
      "CONFIG_NOT_FOUND",
      path,
      `Configuration file not found: ${path} (from ${source}).`,
      cause,
    );
  }
  return new ConfigFileError(
    "CONFIG_UNREADABLE",
    path,
    `Cannot read the configuration file ${path} (from ${source}): ${(cause as Error).message}`,
    cause,
  );
}

/** A file the server will open later is checked now, so a typo fails start-up naming its key. */
async function mustRead(props: Props, key: string, path: string): Promise<void> {
  try {
    if (!(await stat(path)).isFile()) throw new Error("not a regular file");
    await access(path, constants.R_OK);
  } catch (cause) {
    const why =
      (cause as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (cause as Error).message;
    throw props.error(key, `cannot read ${path}: ${why}`);
  }
}

/**
 * Atlas's default store type is JKS, a Java-only format (and JCEKS likewise); Node reads
 * PKCS12. The message gives the keytool command that converts the file.
 */
async function mustBePkcs12(props: Props, key: string, path: string): Promise<void> {
  const handle = await open(path, "r");
  const head = Buffer.alloc(4);
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const magic = head.readUInt32BE(0);
  const type = magic === 0xfeedfeed ? "JKS" : magic === 0xcececece ? "JCEKS" : null;
  if (type === null) return;
  const target = path.replace(/\.(jks|jceks|keystore|truststore)$/i, "") + ".p12";
  throw props.error(
    key,
    `${path} is a ${type} store, which only Java reads; convert it to PKCS12 with ` +
      `"keytool -importkeystore -srckeystore ${path} -srcstoretype ${type} -destkeystore ${target} -deststoretype PKCS12" ` +
      `and set ${key}=${target}`,
  );
}
