/**
 * One real atlas-server process (dist/main.js) without HA: ACTIVE at once, no ZooKeeper, no
 * Kafka, on a fresh SQLite file or a PostgreSQL database, with a users file holding
 * `admin`/`admin` (testkit's ATLAS_ADMIN_AUTH). For suites about the REST API itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  hashPassword,
  startAtlasInstance,
  type AtlasInstance,
  type PostgresServer,
} from "@atlas-ha/testkit";
import { atlasServerBin } from "./server-bin.js";

export interface Standalone {
  instance: AtlasInstance;
  url: string;
  stop(): Promise<void>;
}

/**
 * `postgresUrl`: a database of the suite's PostgreSQL server; absent: SQLite. `env`: more
 * environment variables for the server process.
 */
export async function startStandalone(
  name: string,
  postgresUrl?: string,
  env?: Record<string, string>,
): Promise<Standalone> {
  const dir = mkdtempSync(join(tmpdir(), `atlas-${name}-`));
  const users = join(dir, "users-credentials.properties");
  writeFileSync(users, `admin=ADMIN::${await hashPassword("admin", atlasServerBin())}\n`, {
    mode: 0o600,
  });
  const instance = await startAtlasInstance({
    name,
    serverBin: atlasServerBin(),
    dir: join(dir, "instance"),
    properties: {
      "atlas.server.ha.enabled": false,
      ...(postgresUrl
        ? { "atlas.store.backend": "postgres", "atlas.store.postgres.url": postgresUrl }
        : { "atlas.store.backend": "sqlite", "atlas.store.sqlite.path": join(dir, "atlas.db") }),
      "atlas.notification.consumer.disabled": true,
      "atlas.authentication.method.file.filename": users,
      "atlas.server.bind.address": "127.0.0.1",
    },
    ...(env ? { env } : {}),
  });
  await instance.waitForState("ACTIVE");
  return {
    instance,
    url: instance.url,
    async stop() {
      await instance.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A standalone server for a suite that runs on both stores: SQLite, or a fresh database
 * (named after `name`) of the suite's PostgreSQL server (`pg`, from testkit's usePostgres).
 */
export async function startStandaloneOn(
  backend: "sqlite" | "postgres",
  name: string,
  pg: () => PostgresServer,
): Promise<Standalone> {
  const url =
    backend === "postgres"
      ? await pg().createDatabase(`${name.replaceAll("-", "_")}_${process.pid}`)
      : undefined;
  return startStandalone(`${name}-${backend}`, url);
}
