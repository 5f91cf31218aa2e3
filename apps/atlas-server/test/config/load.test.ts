import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { load, machine, rejection, tempDir, writeFiles } from "./helpers.js";

const PEM = "-----BEGIN TEST-----\nnot checked\n-----END TEST-----\n";

describe("locating atlas-application.properties", () => {
  it("reads it from a --config directory", async () => {
    const dir = await writeFiles(await tempDir(), {
      "atlas-application.properties": "atlas.server.http.port=21005\n",
    });
    const config = await loadConfig({ config: dir, env: {}, ...machine });
    expect(config.http.port).toBe(21005);
    expect(config.configDir).toBe(dir);
  });

  it("reads a --config file of any name, and its directory becomes the config directory", async () => {
    const dir = await writeFiles(await tempDir(), {
      "etc/staging.properties": "atlas.server.http.port=21006\n",
    });
    const config = await loadConfig({
      configFile: join(dir, "etc/staging.properties"),
      env: {},
      ...machine,
    });
    expect(config.http.port).toBe(21006);
    expect(config.configDir).toBe(join(dir, "etc"));
  });

  it("resolves a relative --config against the working directory", async () => {
    const dir = await writeFiles(await tempDir(), {
      "conf/atlas-application.properties": "atlas.server.http.port=21007\n",
    });
    const config = await loadConfig({ config: "conf", cwd: dir, env: {}, ...machine });
    expect(config.http.port).toBe(21007);
  });

  it("falls back to the directory in ATLAS_CONF", async () => {
    const dir = await writeFiles(await tempDir(), {
      "atlas-application.properties": "atlas.server.http.port=21008\n",
    });
    const config = await loadConfig({ env: { ATLAS_CONF: dir }, ...machine });
    expect(config.http.port).toBe(21008);
  });

  it("prefers --config over ATLAS_CONF", async () => {
    const a = await writeFiles(await tempDir(), {
      "atlas-application.properties": "atlas.server.http.port=21001\n",
    });
    const b = await writeFiles(await tempDir(), {
      "atlas-application.properties": "atlas.server.http.port=21002\n",
    });
    const config = await loadConfig({ config: a, env: { ATLAS_CONF: b }, ...machine });
    expect(config.http.port).toBe(21001);
  });

  it("a missing file fails with CONFIG_NOT_FOUND naming the path it tried", async () => {
    const dir = await tempDir();
    const error = await rejection(loadConfig({ env: { ATLAS_CONF: dir }, ...machine }));
    expect(error.name).toBe("ConfigFileError");
    expect(error.code).toBe("CONFIG_NOT_FOUND");
    expect(error.path).toBe(join(dir, "atlas-application.properties"));
    expect(error.message).toContain(join(dir, "atlas-application.properties"));
    expect(error.message).toContain("ATLAS_CONF");

    const missing = join(dir, "nope", "atlas.properties");
    const error2 = await rejection(loadConfig({ config: missing, env: {}, ...machine }));
    expect(error2.code).toBe("CONFIG_NOT_FOUND");
    expect(error2.path).toBe(missing);
    expect(error2.message).toContain("--config");
  });

  it("no location at all fails with CONFIG_NOT_FOUND saying what to pass", async () => {
    const error = await rejection(loadConfig({ env: {}, ...machine }));
    expect(error.name).toBe("ConfigFileError");
    expect(error.code).toBe("CONFIG_NOT_FOUND");
    expect(error.message).toMatch(/--config.*ATLAS_CONF/);
  });

  it("reads UTF-8 (with or without a byte-order mark) and falls back to ISO-8859-1 as Java reads", async () => {
    const utf8 = await load("\uFEFFatlas.kafka.hook.group.id=café\n");
    expect(utf8.kafka.groupId).toBe("café");
    const dir = await writeFiles(await tempDir(), {
      "atlas-application.properties": Buffer.from("atlas.kafka.hook.group.id=caf\xe9\n", "latin1"),
    });
    const latin1 = await loadConfig({ config: dir, env: {}, ...machine });
    expect(latin1.kafka.groupId).toBe("café");
  });
});

describe("defaults (docs/contracts/config.md)", () => {
  it("an empty file gives a standalone instance with Atlas's defaults", async () => {
    const config = await load("");
    expect(config).toMatchObject({
      serverId: "id1",
      ids: [],
      addresses: {},
      selfAddress: "http://localhost:21000",
      http: { host: "0.0.0.0", port: 21000, tls: null },
      ha: { enabled: false, zookeeper: null },
      passive: { mode: "redirect", connectTimeoutMs: 5000, responseTimeoutMs: 60_000 },
      kafka: {
        bootstrapServers: "localhost:9092",
        groupId: "atlas",
        topics: ["ATLAS_HOOK"],
        maxRetries: 3,
        retryIntervalMs: 500,
        splitWaitSeconds: 900,
        consumerDisabled: false,
        dlqTopic: null,
      },
      client: { haRetries: 4, haSleepIntervalMs: 5000 },
      auth: { usersFile: null, plainSha256: true, saltedSha256: true },
      limits: {
        maxBodyBytes: 1_048_576,
        shutdownTimeoutMs: 15_000,
        handlerTimeoutMs: 30_000,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
      },
      log: { level: "info" },
      properties: {},
    });
    expect(config.store).toEqual({
      backend: "sqlite",
      path: join(config.configDir, "..", "data", "atlas.db"),
    });
  });

  it("ZooKeeper settings take Atlas's defaults when HA is on", async () => {
    const config = await load(
      "atlas.server.ha.enabled=true\natlas.server.ids=id1\natlas.server.address.id1=localhost:21000\natlas.server.ha.zookeeper.connect=zk1:2181, zk2:2181 ,zk3:2181",
    );
    expect(config.ha.zookeeper).toEqual({
      connect: "zk1:2181,zk2:2181,zk3:2181",
      zkRoot: "/apache_atlas",
      sessionTimeoutMs: 20_000,
      retrySleepMs: 1_000,
      numRetries: 3,
      acl: null,
      auth: null,
    });
  });

  it("an empty value counts as absent and takes the default", async () => {
    const config = await load("atlas.server.http.port=\natlas.server.ha.enabled=   \n");
    expect(config.http.port).toBe(21000);
    expect(config.ha.enabled).toBe(false);
  });

  it("values are trimmed, booleans read in any case, lists split on commas", async () => {
    const config = await load(
      "atlas.server.http.port = 21010   \natlas.notification.consumer.disabled=TRUE\natlas.notification.hook.consumer.topic.names= ATLAS_HOOK , OTHER_HOOK\natlas.server.log.level=Debug\n",
    );
    expect(config.http.port).toBe(21010);
    expect(config.kafka.consumerDisabled).toBe(true);
    expect(config.kafka.topics).toEqual(["ATLAS_HOOK", "OTHER_HOOK"]);
    expect(config.log.level).toBe("debug");
  });

  it("unknown keys are ignored but kept in properties", async () => {
    const config = await load("atlas.graph.storage.backend=hbase2\nsome.other.tool=x\n");
    expect(config.properties).toEqual({
      "atlas.graph.storage.backend": "hbase2",
      "some.other.tool": "x",
    });
  });
});

describe("environment overrides (docs/contracts/config.md: dots → underscores, upper case)", () => {
  it("a variable replaces the key's value from the file", async () => {
    const config = await load(
      "atlas.server.http.port=21000\natlas.kafka.bootstrap.servers=file:9092\n",
      {
        env: {
          ATLAS_SERVER_HTTP_PORT: "21099",
          ATLAS_KAFKA_BOOTSTRAP_SERVERS: "env1:9092,env2:9092",
        },
      },
    );
    expect(config.http.port).toBe(21099);
    expect(config.kafka.bootstrapServers).toBe("env1:9092,env2:9092");
    expect(config.properties["atlas.server.http.port"]).toBe("21099");
  });

  it("a variable sets a known key the file does not have", async () => {
    const config = await load("", {
      env: { ATLAS_SERVER_LOG_LEVEL: "warn", ATLAS_ENABLETLS: "false" },
    });
    expect(config.log.level).toBe("warn");
    expect(config.properties["atlas.server.log.level"]).toBe("warn");
  });

  it("a variable overrides any key present in the file, also keys the server does not know", async () => {
    const config = await load("atlas.graph.storage.hostname=file-host\n", {
      env: { ATLAS_GRAPH_STORAGE_HOSTNAME: "env-host" },
    });
    expect(config.properties["atlas.graph.storage.hostname"]).toBe("env-host");
  });

  it("an empty variable leaves the file's value alone", async () => {
    const config = await load("atlas.server.http.port=21004\n", {
      env: { ATLAS_SERVER_HTTP_PORT: "", ATLAS_SERVER_LOG_LEVEL: "  " },
    });
    expect(config.http.port).toBe(21004);
    expect(config.properties).toEqual({ "atlas.server.http.port": "21004" });
  });

  it("a variable for a key that is neither known nor in the file is ignored", async () => {
    const config = await load("", {
      env: { ATLAS_GRAPH_STORAGE_HOSTNAME: "x", ATLAS_HOME: "/opt/atlas", ATLAS_OPTS: "-Xmx1g" },
    });
    expect(config.properties).toEqual({});
  });

  it("ids keep their case in the file while the variable is matched case-insensitively", async () => {
    const text =
      "atlas.server.ids=Atlas1,Atlas2\natlas.server.address.Atlas1=localhost:21000\natlas.server.address.Atlas2=old:21000\natlas.server.ha.zookeeper.connect=zk:2181\n";
    const config = await load(text, {
      env: {
        ATLAS_SERVER_ADDRESS_ATLAS2: "atlas-b.internal:21000",
        atlas_server_http_port: "21000",
      },
    });
    expect(config.addresses).toEqual({
      Atlas1: "localhost:21000",
      Atlas2: "atlas-b.internal:21000",
    });
    expect(config.serverId).toBe("Atlas1");
  });

  it("the upper-case variable wins over one that differs only in case", async () => {
    const config = await load("", {
      env: {
        atlas_server_http_port: "21001",
        ATLAS_SERVER_HTTP_PORT: "21002",
        Atlas_Server_Http_Port: "21003",
      },
    });
    expect(config.http.port).toBe(21002);
  });

  it("the environment alone can describe an HA group: ids first, then an address per id", async () => {
    const config = await load("", {
      env: {
        ATLAS_SERVER_IDS: "id1,id2",
        ATLAS_SERVER_ADDRESS_ID1: "127.0.0.1:21000",
        ATLAS_SERVER_ADDRESS_ID2: "127.0.0.1:21001",
        ATLAS_SERVER_HA_ZOOKEEPER_CONNECT: "127.0.0.1:2181",
        ATLAS_SERVER_HTTP_PORT: "21001",
      },
    });
    expect(config.ha.enabled).toBe(true);
    expect(config.ids).toEqual(["id1", "id2"]);
    expect(config.serverId).toBe("id2");
    expect(config.selfAddress).toBe("http://127.0.0.1:21001");
  });
});

describe("${…} references, as Commons Configuration expands them for Atlas", () => {
  it("${sys:atlas.home} is ATLAS_HOME, else the parent of the config directory", async () => {
    const text =
      "atlas.authentication.method.file.filename=${sys:atlas.home}/conf/users-credentials.properties\n";
    const extra = { "users-credentials.properties": "admin=ROLE_ADMIN::hash\n" };
    const config = await load(text, { extra });
    expect(config.auth.usersFile).toBe(join(config.configDir, "users-credentials.properties"));

    const home = await writeFiles(await tempDir(), { "conf/users-credentials.properties": "x" });
    const viaEnv = await load(text, { extra, env: { ATLAS_HOME: home } });
    expect(viaEnv.auth.usersFile).toBe(join(home, "conf", "users-credentials.properties"));
  });

  it("${key} expands another property, ${env:NAME} an environment variable", async () => {
    const config = await load(
      "zk.hosts=zk1:2181,zk2:2181\natlas.kafka.zookeeper.connect=${zk.hosts}\natlas.kafka.hook.group.id=${env:GROUP}-hooks\n",
      {
        env: { GROUP: "blue" },
      },
    );
    expect(config.properties["atlas.kafka.zookeeper.connect"]).toBe("zk1:2181,zk2:2181");
    expect(config.kafka.groupId).toBe("blue-hooks");
  });

  it("an unresolved reference in a key the server uses fails naming that key", async () => {
    const error = await rejection(load("atlas.kafka.bootstrap.servers=${kafka.hosts}\n"));
    expect(error.key).toBe("atlas.kafka.bootstrap.servers");
    expect(error.message).toContain("${kafka.hosts}");
  });

  it("an unresolved or cyclic reference in a key the server ignores is left as written", async () => {
    const config = await load("atlas.graph.x=${nope}\na=${b}\nb=${a}\n");
    expect(config.properties["atlas.graph.x"]).toBe("${nope}");
    expect(config.properties.a).toContain("${");
  });
});

describe("HA on or off", () => {
  const group = (ids: string[]) =>
    [
      `atlas.server.ids=${ids.join(",")}`,
      ...ids.map((id, i) => `atlas.server.address.${id}=localhost:${21000 + i}`),
    ].join("\n");

  it("absent atlas.server.ha.enabled: one id → off", async () => {
    const config = await load(group(["id1"]));
    expect(config.ha).toEqual({ enabled: false, zookeeper: null });
    expect(config.serverId).toBe("id1");
    expect(config.selfAddress).toBe("http://localhost:21000");
  });

  it("absent atlas.server.ha.enabled: two ids → on", async () => {
    const config = await load(
      `${group(["id1", "id2"])}\natlas.server.ha.zookeeper.connect=127.0.0.1:2181`,
    );
    expect(config.ha.enabled).toBe(true);
    expect(config.ha.zookeeper?.connect).toBe("127.0.0.1:2181");
  });

  it("atlas.server.ha.enabled=false wins over two ids, and ZooKeeper is then not needed", async () => {
    const config = await load(`${group(["id1", "id2"])}\natlas.server.ha.enabled=False`);
    expect(config.ha).toEqual({ enabled: false, zookeeper: null });
    expect(config.serverId).toBe("id1");
  });

  it("ATLAS_SERVER_HA_ENABLED=false turns off HA that two ids would turn on", async () => {
    const config = await load(group(["id1", "id2"]), { env: { ATLAS_SERVER_HA_ENABLED: "false" } });
    expect(config.ha.enabled).toBe(false);
  });

  it("HA on without ZooKeeper fails naming atlas.server.ha.zookeeper.connect", async () => {
    const error = await rejection(load(group(["id1", "id2"])));
    expect(error.key).toBe("atlas.server.ha.zookeeper.connect");
    expect(error.message).toContain("atlas.server.ids lists more than one id");
  });

  it("HA on without ids fails naming atlas.server.ids", async () => {
    const error = await rejection(
      load("atlas.server.ha.enabled=true\natlas.server.ha.zookeeper.connect=zk:2181"),
    );
    expect(error.key).toBe("atlas.server.ids");
    expect(error.message).toContain("atlas.server.ha.enabled=true");
  });

  it("HA on with a listed id lacking an address fails naming that address key", async () => {
    const error = await rejection(
      load(
        "atlas.server.ids=id1,id2\natlas.server.address.id1=localhost:21000\natlas.server.ha.zookeeper.connect=zk:2181",
      ),
    );
    expect(error.key).toBe("atlas.server.address.id2");
  });

  it("only listed ids count: other address keys are ignored", async () => {
    const config = await load(`${group(["id1"])}\natlas.server.address.old=garbage`);
    expect(config.addresses).toEqual({ id1: "localhost:21000" });
  });

  it("the ZooKeeper auth is ignored unless an ACL is set (docs/contracts/config.md)", async () => {
    const base = `${group(["id1", "id2"])}\natlas.server.ha.zookeeper.connect=zk:2181\natlas.server.ha.zookeeper.auth=digest:atlas:secret`;
    expect((await load(base)).ha.zookeeper).toMatchObject({ acl: null, auth: null });
    const withAcl = await load(
      `${base}\natlas.server.ha.zookeeper.acl=digest:atlas:x2Rkbtqqr4yO6sa8cL3CMxn3L1c=`,
    );
    expect(withAcl.ha.zookeeper).toMatchObject({
      acl: "digest:atlas:x2Rkbtqqr4yO6sa8cL3CMxn3L1c=",
      auth: "digest:atlas:secret",
    });
  });
});

describe("TLS", () => {
  it("atlas.enableTLS=true switches to atlas.server.https.port and https addresses, with PEM files relative to the config dir", async () => {
    const config = await load(
      "atlas.enableTLS=true\natlas.server.https.port=21443\natlas.ssl.key.file=tls/key.pem\natlas.ssl.cert.file=tls/cert.pem\natlas.server.ids=id1\natlas.server.address.id1=atlas-a.example.com:21443\n",
      { extra: { "tls/key.pem": PEM, "tls/cert.pem": PEM } },
    );
    expect(config.http.port).toBe(21443);
    expect(config.http.tls).toEqual({
      keyFile: join(config.configDir, "tls/key.pem"),
      certFile: join(config.configDir, "tls/cert.pem"),
      keystore: null,
      truststore: null,
      clientAuth: false,
    });
    expect(config.selfAddress).toBe("https://atlas-a.example.com:21443");
  });

  it("the HTTPS port defaults to 21443 and the standalone address is https://localhost:21443", async () => {
    const config = await load(
      "atlas.enableTLS=TRUE\natlas.ssl.key.file=k.pem\natlas.ssl.cert.file=c.pem\n",
      { extra: { "k.pem": PEM, "c.pem": PEM } },
    );
    expect(config.http.port).toBe(21443);
    expect(config.selfAddress).toBe("https://localhost:21443");
  });

  it("TLS without a key file fails naming atlas.ssl.key.file, and says a keystore.file would do", async () => {
    const error = await rejection(
      load("atlas.enableTLS=true\natlas.ssl.cert.file=c.pem\n", { extra: { "c.pem": PEM } }),
    );
    expect(error.key).toBe("atlas.ssl.key.file");
    expect(error.message).toContain("required when atlas.enableTLS=true");
    expect(error.message).toContain("keystore.file");
  });

  it("an unresolved reference in keystore.file fails naming keystore.file", async () => {
    const error = await rejection(
      load("atlas.enableTLS=true\nkeystore.file=${sys:keystore.path}\n"),
    );
    expect(error.key).toBe("keystore.file");
    expect(error.message).toContain("${sys:keystore.path}");
  });

  it("TLS without a certificate fails naming atlas.ssl.cert.file", async () => {
    const error = await rejection(
      load("atlas.enableTLS=true\natlas.ssl.key.file=k.pem\n", { extra: { "k.pem": PEM } }),
    );
    expect(error.key).toBe("atlas.ssl.cert.file");
  });

  it("a TLS file that does not exist fails naming its key and the resolved path", async () => {
    const error = await rejection(
      load("atlas.enableTLS=true\natlas.ssl.key.file=k.pem\natlas.ssl.cert.file=missing.pem\n", {
        extra: { "k.pem": PEM },
      }),
    );
    expect(error.key).toBe("atlas.ssl.cert.file");
    expect(error.message).toMatch(/cannot read .*missing\.pem: no such file/);
  });

  it("TLS off ignores the PEM keys", async () => {
    const config = await load("atlas.ssl.key.file=nowhere.pem\n");
    expect(config.http.tls).toBeNull();
  });
});

describe("store, users file, limits", () => {
  it("a relative SQLite path is resolved against the working directory, an absolute one kept", async () => {
    const cwd = await tempDir();
    const relative = await load("atlas.store.sqlite.path=state/shared.db\n", { cwd });
    expect(relative.store).toEqual({ backend: "sqlite", path: join(cwd, "state/shared.db") });
    const absolute = await load("atlas.store.sqlite.path=/var/lib/atlas/atlas.db\n");
    expect(absolute.store).toEqual({ backend: "sqlite", path: "/var/lib/atlas/atlas.db" });
  });

  it("postgres needs atlas.store.postgres.url", async () => {
    const error = await rejection(load("atlas.store.backend=postgres\n"));
    expect(error.key).toBe("atlas.store.postgres.url");
    const config = await load(
      "atlas.store.backend=Postgres\natlas.store.postgres.url=postgresql://atlas:pw@db.internal:5432/atlas?sslmode=require\n",
    );
    expect(config.store).toEqual({
      backend: "postgres",
      url: "postgresql://atlas:pw@db.internal:5432/atlas?sslmode=require",
      idleTransactionTimeoutMs: 5000,
    });
    const tuned = await load(
      "atlas.store.backend=postgres\natlas.store.postgres.url=postgres://db/atlas\natlas.store.postgres.idle.transaction.timeout.ms=2000\n",
    );
    expect(tuned.store).toMatchObject({ idleTransactionTimeoutMs: 2000 });
    const bad = await rejection(
      load(
        "atlas.store.backend=postgres\natlas.store.postgres.url=postgres://db/atlas\natlas.store.postgres.idle.transaction.timeout.ms=soon\n",
      ),
    );
    expect(bad.key).toBe("atlas.store.postgres.idle.transaction.timeout.ms");
  });

  it("the users file is resolved against the config directory and must exist", async () => {
    const config = await load(
      "atlas.authentication.method.file.filename=users-credentials.properties\n",
      { extra: { "users-credentials.properties": "x" } },
    );
    expect(config.auth.usersFile).toBe(join(config.configDir, "users-credentials.properties"));
    const error = await rejection(
      load("atlas.authentication.method.file.filename=nope.properties\n"),
    );
    expect(error.key).toBe("atlas.authentication.method.file.filename");
    expect(error.message).toContain("nope.properties");
  });

  it("atlas.authentication.method.file=false means no users file", async () => {
    const config = await load(
      "atlas.authentication.method.file=false\natlas.authentication.method.file.filename=missing.properties\n",
    );
    expect(config.auth.usersFile).toBeNull();
  });

  it("limits and log level are read from our keys", async () => {
    const config = await load(
      "atlas.server.request.max.body.bytes=5242880\natlas.server.shutdown.timeout.ms=0\natlas.server.ha.handler.timeout.ms=1000\natlas.server.log.level=trace\natlas.server.bind.address=127.0.0.1\n" +
        "atlas.server.http.headers.timeout.ms=2000\natlas.server.http.request.timeout.ms=4000\n",
    );
    expect(config.limits).toEqual({
      maxBodyBytes: 5_242_880,
      shutdownTimeoutMs: 0,
      handlerTimeoutMs: 1000,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
    });
    expect(config.log.level).toBe("trace");
    expect(config.http.host).toBe("127.0.0.1");
  });

  it("a passive's proxy mode and its timeouts are read from our keys, the mode in any case", async () => {
    const config = await load(
      "atlas.server.ha.passive.mode=Proxy\natlas.server.ha.proxy.connect.timeout.ms=250\natlas.server.ha.proxy.response.timeout.ms=9000\n",
    );
    expect(config.passive).toEqual({
      mode: "proxy",
      connectTimeoutMs: 250,
      responseTimeoutMs: 9000,
    });
  });
});
