/**
 * A group of real atlas-server processes (apps/atlas-server/dist/main.js, started by the
 * testkit) on one ZooKeeper, sharing one SQLite file, with a users file holding `admin`. For
 * suites that need their own properties (ACLs, timeouts, TLS) where the local cluster's
 * fixed layout does not fit; the hook consumer is off unless a suite turns it on.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePorts,
  hashPassword,
  startAtlasInstance,
  waitFor,
  type AtlasInstance,
} from "@atlas-ha/testkit";
import { atlasServerBin } from "./server-bin.js";

export type Properties = Record<string, string | number | boolean>;

export interface GroupOptions {
  zkConnect: string;
  instances?: number;
  /** Extra properties for every instance (they win). */
  properties?: Properties;
  adminPassword?: string;
  /** Lines appended to the users file after the `admin` line (a later line for a user wins). */
  users?: string;
  /**
   * Start the passives one after the other, each once it reports PASSIVE and knows the active,
   * so the election queue is the instances' order (the second leads after the first).
   */
  sequential?: boolean;
}

export interface Group {
  dir: string;
  usersFile: string;
  /** The users-file line's hash of the admin password. */
  adminHash: string;
  instances: AtlasInstance[];
  /** Waits until exactly one instance reports ACTIVE and the others PASSIVE, knowing its address. */
  roles(timeoutMs?: number): Promise<{ active: AtlasInstance; passives: AtlasInstance[] }>;
  stop(keepLogs?: boolean): Promise<void>;
}

export async function startGroup(options: GroupOptions): Promise<Group> {
  const count = options.instances ?? 2;
  const dir = mkdtempSync(join(tmpdir(), "atlas-ha-group-"));
  const adminHash = await hashPassword(options.adminPassword ?? "admin", atlasServerBin());
  const usersFile = join(dir, "users-credentials.properties");
  writeFileSync(usersFile, `admin=ADMIN::${adminHash}\n${options.users ?? ""}`, { mode: 0o600 });
  const ports = await freePorts(count);
  const ids = ports.map((_, i) => `id${i + 1}`);
  const common: Properties = {
    "atlas.server.ids": ids.join(","),
    ...Object.fromEntries(
      ids.map((id, i) => [`atlas.server.address.${id}`, `127.0.0.1:${ports[i]}`]),
    ),
    "atlas.server.ha.enabled": true,
    "atlas.server.ha.zookeeper.connect": options.zkConnect,
    "atlas.server.ha.zookeeper.session.timeout.ms": 4000,
    "atlas.store.sqlite.path": join(dir, "atlas.db"),
    "atlas.authentication.method.file.filename": usersFile,
    "atlas.notification.consumer.disabled": true,
    "atlas.server.bind.address": "127.0.0.1",
  };
  const instances: AtlasInstance[] = [];
  const start = async (i: number) => {
    const instance = await startAtlasInstance({
      name: `atlas-${i + 1}`,
      serverBin: atlasServerBin(),
      port: ports[i]!,
      dir: join(dir, `atlas-${i + 1}`),
      properties: { ...common, "atlas.server.id": ids[i]!, ...options.properties },
    });
    instances[i] = instance;
    return instance;
  };
  const group: Group = {
    dir,
    usersFile,
    adminHash,
    instances,
    async roles(timeoutMs = 30_000) {
      return waitFor(
        async () => {
          const states = await Promise.all(instances.map((i) => i.status()));
          const active = instances.filter((_, k) => states[k] === "ACTIVE");
          const passives = instances.filter((_, k) => states[k] === "PASSIVE");
          if (active.length !== 1 || passives.length !== instances.length - 1) return undefined;
          // A passive learns the active's address from its ZooKeeper watch an instant after it
          // reports PASSIVE; until then it answers 503 rather than redirecting.
          const known = await Promise.all(
            passives.map(async (p) => (await p.health())?.activeAddress === active[0]!.url),
          );
          return known.every(Boolean) ? { active: active[0]!, passives } : undefined;
        },
        { timeoutMs, intervalMs: 100, what: "one ACTIVE instance and the others PASSIVE" },
      );
    },
    async stop(keepLogs = false) {
      await Promise.all(instances.map((i) => i.shutdown({ keepLogs })));
      if (!keepLogs && process.env.ATLAS_HA_KEEP_LOGS !== "1")
        rmSync(dir, { recursive: true, force: true });
      else process.stderr.write(`[group] configuration, store and logs kept in ${dir}\n`);
    },
  };
  try {
    // The first one leads: roles are known in the tests.
    await (await start(0)).waitForState("ACTIVE");
    if (options.sequential) {
      for (let i = 1; i < count; i++) {
        const passive = await start(i);
        await waitFor(
          async () =>
            (await passive.health())?.activeAddress === instances[0]!.url ? true : undefined,
          {
            timeoutMs: 30_000,
            intervalMs: 100,
            what: `${passive.name} PASSIVE, knowing the active`,
          },
        );
      }
    } else await Promise.all(ports.slice(1).map((_, i) => start(i + 1)));
    await group.roles();
  } catch (error) {
    await group.stop(true).catch(() => undefined);
    throw error;
  }
  return group;
}
