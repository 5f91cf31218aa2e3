import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config/schema.js";
import { KNOWN_KEYS } from "../../src/config/keys.js";

const README = new URL("../../src/config/README.md", import.meta.url);

/** The `| key | default | meaning |` rows of the README, by key. */
async function rows(): Promise<Map<string, string>> {
  const text = await readFile(README, "utf8");
  const map = new Map<string, string>();
  for (const match of text.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm))
    map.set(match[1]!, match[2]!.trim());
  return map;
}

describe("src/config/README.md", () => {
  it("has a row for every key the server reads, and no row for a key it does not", async () => {
    const documented = await rows();
    expect([...documented.keys()].filter((k) => k !== "atlas.server.address.<id>").sort()).toEqual(
      [...KNOWN_KEYS].sort(),
    );
  });

  it("states the defaults the code uses", async () => {
    const documented = await rows();
    const expectations: [string, string | number][] = [
      ["atlas.server.http.port", DEFAULTS.httpPort],
      ["atlas.server.https.port", DEFAULTS.httpsPort],
      ["atlas.server.bind.address", DEFAULTS.bindAddress],
      ["atlas.server.ha.zookeeper.zkroot", DEFAULTS.zkRoot],
      ["atlas.server.ha.zookeeper.session.timeout.ms", DEFAULTS.zkSessionTimeoutMs],
      ["atlas.server.ha.zookeeper.retry.sleeptime.ms", DEFAULTS.zkRetrySleepMs],
      ["atlas.server.ha.zookeeper.num.retries", DEFAULTS.zkNumRetries],
      ["atlas.server.ha.handler.timeout.ms", DEFAULTS.handlerTimeoutMs],
      ["atlas.server.ha.passive.mode", DEFAULTS.passiveMode],
      ["atlas.server.ha.proxy.connect.timeout.ms", DEFAULTS.proxyConnectTimeoutMs],
      ["atlas.server.ha.proxy.response.timeout.ms", DEFAULTS.proxyResponseTimeoutMs],
      ["atlas.kafka.bootstrap.servers", DEFAULTS.kafkaBootstrap],
      ["atlas.kafka.hook.group.id", DEFAULTS.kafkaGroupId],
      ["atlas.notification.hook.consumer.topic.names", DEFAULTS.hookTopics.join(",")],
      ["atlas.notification.hook.maxretries", DEFAULTS.hookMaxRetries],
      ["atlas.notification.consumer.retry.interval", DEFAULTS.hookRetryIntervalMs],
      ["atlas.notification.split.message.segments.wait.time.seconds", DEFAULTS.splitWaitSeconds],
      ["atlas.client.ha.retries", DEFAULTS.clientRetries],
      ["atlas.client.ha.sleep.interval.ms", DEFAULTS.clientSleepMs],
      ["atlas.store.sqlite.path", DEFAULTS.sqlitePath],
      ["atlas.server.request.max.body.bytes", DEFAULTS.maxBodyBytes],
      ["atlas.server.http.headers.timeout.ms", DEFAULTS.headersTimeoutMs],
      ["atlas.server.http.request.timeout.ms", DEFAULTS.requestTimeoutMs],
      ["atlas.server.shutdown.timeout.ms", DEFAULTS.shutdownTimeoutMs],
      ["atlas.server.log.level", DEFAULTS.logLevel],
    ];
    for (const [key, value] of expectations)
      expect({ key, default: documented.get(key) }).toEqual({ key, default: `\`${value}\`` });
  });
});
