import { cp } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { machine, tempDir } from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/atlas-2x", import.meta.url));

describe("an Apache Atlas 2.x atlas-application.properties", () => {
  it("loads as is: Atlas's keys are read, its graph/search/security keys ignored", async () => {
    const home = await tempDir();
    await cp(FIXTURE, home, { recursive: true });
    const conf = join(home, "conf");

    const config = await loadConfig({
      env: { ATLAS_CONF: conf, ATLAS_HOME: home },
      cwd: home,
      ...machine,
    });

    expect(config.configDir).toBe(conf);
    expect(config.ids).toEqual(["id1", "id2"]);
    expect(config.addresses).toEqual({
      id1: "atlas-a.internal:21000",
      id2: "atlas-b.internal:21000",
    });
    // atlas-a.internal resolves to 10.0.0.5, an address of the (fake) machine's eth0.
    expect(config.serverId).toBe("id1");
    expect(config.selfAddress).toBe("http://atlas-a.internal:21000");
    expect(config.http).toEqual({ host: "0.0.0.0", port: 21000, tls: null });
    expect(config.ha).toEqual({
      enabled: true,
      zookeeper: {
        connect: "zk1.example.com:2181,zk2.example.com:2181,zk3.example.com:2181",
        zkRoot: "/apache_atlas",
        sessionTimeoutMs: 20_000,
        retrySleepMs: 1_000,
        numRetries: 3,
        acl: null,
        auth: null,
      },
    });
    expect(config.kafka).toMatchObject({
      bootstrapServers: "kafka1.example.com:6667,kafka2.example.com:6667",
      groupId: "atlas",
      topics: ["ATLAS_HOOK"],
      retryIntervalMs: 500,
    });
    expect(config.auth.usersFile).toBe(join(conf, "users-credentials.properties"));
    expect(config.store).toEqual({ backend: "sqlite", path: join(home, "data", "atlas.db") });

    // Everything else is carried along untouched (after ${…} expansion) for other packages.
    expect(config.properties["atlas.graph.storage.backend"]).toBe("hbase2");
    expect(config.properties["atlas.kafka.data"]).toBe(join(home, "data", "kafka"));
    expect(config.properties["atlas.rest-csrf.browser-useragents-regex"]).toBe(
      "^Mozilla.*,^Opera.*,^Chrome.*",
    );
    expect(config.properties["atlas.graph.index.search.solr.zookeeper-url"]).toBe(
      "zk1.example.com:2181/infra-solr,zk2.example.com:2181/infra-solr",
    );
    expect(Object.keys(config.properties).length).toBeGreaterThan(50);
  });

  it("the second host of the same file finds itself as id2", async () => {
    const home = await tempDir();
    await cp(FIXTURE, home, { recursive: true });
    const config = await loadConfig({
      config: join(home, "conf"),
      env: { ATLAS_HOME: home },
      ...machine,
      networkInterfaces: () => ({
        eth0: [
          {
            address: "10.0.0.6",
            family: "IPv4",
            internal: false,
            netmask: "255.0.0.0",
            mac: "00:00:00:00:00:00",
            cidr: null,
          },
        ],
      }),
      hostname: () => "atlas-b",
    });
    expect(config.serverId).toBe("id2");
    expect(config.selfAddress).toBe("http://atlas-b.internal:21000");
  });
});
