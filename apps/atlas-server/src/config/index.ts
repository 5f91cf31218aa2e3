export { loadConfig, type LoadConfigOptions } from "./load.js";
export type { ServerConfig, ZooKeeperConfig, LogLevel, TlsConfig, StoreFile } from "./types.js";
export { LOG_LEVELS } from "./types.js";
export {
  ConfigError,
  ConfigFileError,
  ConfigSyntaxError,
  isConfigError,
  type AnyConfigError,
} from "./errors.js";
export { parseProperties, readProperties, type PropertyEntry } from "./properties.js";
export { KEYS, CONFIG_FILE_NAME, FAILED_MESSAGES_FILE_KEY, addressKey, envName } from "./keys.js";
