import { describe, expect, it } from "vitest";
import { load, rejection } from "./helpers.js";

/** A valid two-instance HA group on this (fake) machine; each case adds or replaces one key. */
const BASE = [
  "atlas.server.ids=id1,id2",
  "atlas.server.address.id1=localhost:21000",
  "atlas.server.address.id2=atlas-b.internal:21000",
  "atlas.server.ha.zookeeper.connect=127.0.0.1:2181",
].join("\n");

/** [key, bad value, a fragment the message must hold]. */
const MALFORMED: [string, string, string][] = [
  ["atlas.server.http.port", "abc", 'expected a port number 1–65535, got "abc"'],
  ["atlas.server.http.port", "0", "1–65535"],
  ["atlas.server.http.port", "65536", "1–65535"],
  ["atlas.server.http.port", "21000.5", "1–65535"],
  ["atlas.server.https.port", "-1", "1–65535"],
  ["atlas.enableTLS", "yes", 'expected true or false, got "yes"'],
  ["atlas.server.ha.enabled", "1", "expected true or false"],
  ["atlas.server.ids", "id1,,id2", "empty entry"],
  ["atlas.server.ids", "id1,id1", 'lists "id1" twice'],
  ["atlas.server.address.id1", "localhost", "expected host:port"],
  ["atlas.server.address.id2", "http://atlas-b.internal:21000", "expected host:port"],
  ["atlas.server.address.id2", "atlas-b.internal:99999", "expected host:port"],
  ["atlas.server.id", "id3", '"id3" is not one of atlas.server.ids (id1, id2)'],
  ["atlas.server.ha.zookeeper.connect", "zk1:2181,zk2", '"zk2" is not host:port'],
  ["atlas.server.ha.zookeeper.connect", "zk1:2181/atlas", "chroot"],
  ["atlas.server.ha.zookeeper.zkroot", "apache_atlas", "absolute ZooKeeper path"],
  ["atlas.server.ha.zookeeper.zkroot", "/", "absolute ZooKeeper path"],
  ["atlas.server.ha.zookeeper.session.timeout.ms", "20s", "whole number"],
  ["atlas.server.ha.zookeeper.session.timeout.ms", "99999999999", "2147483647"],
  ["atlas.server.ha.zookeeper.retry.sleeptime.ms", "0", "whole number 1–"],
  ["atlas.server.ha.zookeeper.num.retries", "-3", "whole number"],
  ["atlas.server.ha.zookeeper.acl", "world", "scheme:id"],
  ["atlas.server.ha.zookeeper.acl", "sasl:atlas", '"sasl" scheme'],
  ["atlas.server.ha.zookeeper.acl", "digest:atlas:short", "digest ACL"],
  ["atlas.server.ha.handler.timeout.ms", "1e3", "whole number"],
  ["atlas.server.ha.passive.mode", "forward", 'expected one of redirect, proxy, got "forward"'],
  ["atlas.server.ha.proxy.connect.timeout.ms", "0", "whole number 1–"],
  ["atlas.server.ha.proxy.response.timeout.ms", "60s", "whole number"],
  ["atlas.server.ha.switchover.window.ms", "50", "whole number 100–"],
  ["atlas.server.ha.preferred.id", "id3", '"id3" is not one of atlas.server.ids (id1,id2)'],
  ["atlas.server.ha.preferred.delay.ms", "1m", "whole number"],
  ["atlas.server.http.headers.timeout.ms", "0", "whole number 1–"],
  ["atlas.server.http.request.timeout.ms", "30s", "whole number"],
  [
    "atlas.server.http.headers.timeout.ms",
    "60000",
    "longer than atlas.server.http.request.timeout.ms (30000 ms)",
  ],
  ["atlas.kafka.bootstrap.servers", "localhost:9092,broker", '"broker" is not host:port'],
  ["atlas.kafka.bootstrap.servers", "localhost:9092,", "empty entry"],
  [
    "atlas.notification.hook.consumer.topic.names",
    "ATLAS_HOOK,bad topic",
    "not a valid Kafka topic name",
  ],
  ["atlas.notification.hook.maxretries", "0", "whole number ≥ 1"],
  ["atlas.notification.consumer.retry.interval", "half a second", "whole number"],
  ["atlas.notification.split.message.segments.wait.time.seconds", "0", "whole number 1–2147483"],
  ["atlas.notification.consumer.disabled", "maybe", "expected true or false"],
  ["atlas.notification.hook.dlq.topic", "dead/letters", "not a valid Kafka topic name"],
  ["atlas.client.ha.retries", "four", "whole number"],
  ["atlas.client.ha.sleep.interval.ms", "5 000", "whole number"],
  ["atlas.store.backend", "mysql", "expected one of sqlite, postgres"],
  ["atlas.server.request.max.body.bytes", "1MB", "whole number"],
  ["atlas.server.shutdown.timeout.ms", "+15000", "whole number"],
  ["atlas.server.log.level", "verbose", "expected one of fatal, error, warn, info, debug, trace"],
  ["atlas.server.bind.address", "not a host", "host name or IP address"],
  ["atlas.authentication.method.file", "on", "expected true or false"],
];

describe("a malformed value fails start-up with a ConfigError naming its key", () => {
  it("(the group every case starts from loads)", async () => {
    const config = await load(BASE);
    expect(config.serverId).toBe("id1");
    expect(config.ha.enabled).toBe(true);
  });

  it.each(MALFORMED)("%s=%s", async (key, value, fragment) => {
    const error = await rejection(load(`${BASE}\n${key}=${value}\n`));
    expect(error.name).toBe("ConfigError");
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.key).toBe(key);
    expect(error.message.startsWith(`${key}: `)).toBe(true);
    expect(error.message).toContain(fragment);
    // The origin points at the line of the file that holds the bad value.
    expect(error.message).toMatch(/atlas-application\.properties:5\)$/);
  });

  it("the ZooKeeper auth is validated without echoing its password", async () => {
    const error = await rejection(
      load(
        `${BASE}\natlas.server.ha.zookeeper.acl=world:anyone\natlas.server.ha.zookeeper.auth=sasl:atlas:s3cret\n`,
      ),
    );
    expect(error.key).toBe("atlas.server.ha.zookeeper.auth");
    expect(error.message).toContain('the "sasl" scheme needs SASL');
    expect(error.message).toContain("Use a digest ACL instead");
    expect(error.message).not.toContain("s3cret");
  });

  it("a postgres URL that does not parse is refused without printing its password", async () => {
    const error = await rejection(
      load(
        "atlas.store.backend=postgres\natlas.store.postgres.url=mysql://atlas:s3cret@db:3306/atlas\n",
      ),
    );
    expect(error.key).toBe("atlas.store.postgres.url");
    expect(error.message).toContain("postgres:// or postgresql://");
    expect(error.message).toContain("mysql://atlas:***@db:3306/atlas");
    expect(error.message).not.toContain("s3cret");
  });

  it("the message names the environment variable when the bad value came from there", async () => {
    const error = await rejection(load(BASE, { env: { ATLAS_SERVER_HTTP_PORT: "http" } }));
    expect(error.key).toBe("atlas.server.http.port");
    expect(error.message).toBe(
      'atlas.server.http.port: expected a port number 1–65535, got "http" (environment variable ATLAS_SERVER_HTTP_PORT)',
    );
  });

  it("a typo in a port that is not used is still reported", async () => {
    const error = await rejection(load("atlas.server.https.port=2l443\n"));
    expect(error.key).toBe("atlas.server.https.port");
  });
});
