import type { PropertyValue } from "@atlas-ha/testkit";
import type { StoreBackend } from "./state.js";

type AtlasServer = typeof import("@atlas-ha/atlas-server");
type ConfigKeys = Pick<AtlasServer, "KEYS" | "addressKey" | "FAILED_MESSAGES_FILE_KEY">;

let keys: Promise<ConfigKeys> | undefined;

/**
 * The configuration keys of atlas-server's own config module, loaded when the first instance
 * is configured: the server's module (Koa, pg, the ZooKeeper client, …) takes half a second
 * to load, which the CLI's commands that start no instance (`status`, `kill`, …) need not pay.
 */
function configKeys(): Promise<ConfigKeys> {
  keys ??= import("@atlas-ha/atlas-server").then(
    ({ KEYS, addressKey, FAILED_MESSAGES_FILE_KEY }) => ({
      KEYS,
      addressKey,
      FAILED_MESSAGES_FILE_KEY,
    }),
  );
  return keys;
}

/** What the instances of one cluster share. */
export interface SharedSettings {
  /** Every instance's id and HTTP port, in order (`atlas.server.ids`, `atlas.server.address.<id>`). */
  instances: { id: string; port: number }[];
  zkConnect: string;
  sessionTimeoutMs: number;
  kafkaBootstrap: string;
  hookTopic: string;
  backend: StoreBackend;
  /** The postgres backend's database; the SQLite backend uses `sqlitePath`. */
  postgresUrl: string | undefined;
  sqlitePath: string;
  usersFile: string;
}

/** What differs between instances. */
export interface InstanceSettings {
  id: string;
  /** Its ZooKeeper connect string when it is not the ensemble's own (its proxies). */
  zkConnect: string | undefined;
  failedMessagesFile: string;
}

/**
 * The `atlas-application.properties` of each instance (`atlas.server.http.port` is added by
 * the testkit from the port it starts the instance on), under the keys of atlas-server's
 * config module. `extra` (the launcher's `properties` option) wins.
 */
export async function instanceProperties(
  shared: SharedSettings,
  instance: InstanceSettings,
  extra: Record<string, PropertyValue> = {},
): Promise<Record<string, PropertyValue>> {
  const { KEYS, addressKey, FAILED_MESSAGES_FILE_KEY } = await configKeys();
  return {
    [KEYS.ids]: shared.instances.map((i) => i.id).join(","),
    ...Object.fromEntries(shared.instances.map((i) => [addressKey(i.id), `127.0.0.1:${i.port}`])),
    [KEYS.haEnabled]: true,
    [KEYS.zkConnect]: instance.zkConnect ?? shared.zkConnect,
    [KEYS.zkRoot]: "/apache_atlas",
    [KEYS.zkSessionTimeout]: shared.sessionTimeoutMs,
    [KEYS.kafkaBootstrap]: shared.kafkaBootstrap,
    [KEYS.kafkaGroupId]: "atlas",
    [KEYS.hookTopics]: shared.hookTopic,
    [KEYS.storeBackend]: shared.backend,
    ...(shared.postgresUrl !== undefined
      ? { [KEYS.postgresUrl]: shared.postgresUrl }
      : { [KEYS.sqlitePath]: shared.sqlitePath }),
    [KEYS.usersFile]: shared.usersFile,
    [KEYS.logLevel]: "info",
    [KEYS.serverId]: instance.id,
    [FAILED_MESSAGES_FILE_KEY]: instance.failedMessagesFile,
    ...extra,
  };
}
