// Public API of @atlas-ha/atlas-server: the server as a library (the `atlas-server` bin is
// main.ts), its configuration loader and the store, for embedding and for tests.
export { createAtlasServer, type AtlasServer, type AtlasServerOptions } from "./server.js";
export { loadConfig, isConfigError, ConfigError, type ServerConfig } from "./config/index.js";
// The configuration keys, for tools that write an `atlas-application.properties` (the local
// cluster launcher) rather than a copy of the key names.
export { KEYS, addressKey, CONFIG_FILE_NAME, FAILED_MESSAGES_FILE_KEY } from "./config/index.js";
export { createStore, type MetadataStore } from "./store/index.js";
export { hashPassword, verifyPassword } from "./auth/passwords.js";
