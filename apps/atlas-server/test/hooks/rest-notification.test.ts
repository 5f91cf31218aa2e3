/**
 * Hook messages posted over REST (`POST v2/notification/topic/{topic}`, Atlas's
 * NotificationREST), end to end on real servers: one ZooKeeper node, one Kafka broker, two
 * atlas-server processes with their hook consumers on. A real Hive hook message posted to the
 * active lands on ATLAS_HOOK and is applied by the active's consumer; the passive redirects
 * the post (307, body unread); an unknown topic is Atlas's 400, a non-admin Atlas's 403; and
 * the producer behind it (unit, with a Kafka that fails) answers a clear error and reconnects.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KafkaClient, KafkaProducerPort } from "@atlas-ha/hook-consumer";
import { atlasCall, hookFixturesDir } from "@atlas-ha/testkit";
import { useKafka, useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifier } from "../../src/hooks/notify.js";
import { startGroup, type Group } from "../support/group.js";
import { runJavaScenario } from "../support/java-client.js";

// Real Atlas hook messages (testkit finds them next to the checkout or in /work/shared).
const FIXTURES = hookFixturesDir() ?? "(no real Atlas hook samples found; set ATLAS_HA_FIXTURES)";
const TOPIC = "/api/atlas/v2/notification/topic";

/** The fixture's Hive CREATE DATABASE message, for database `name`. */
function createDb(name: string): Record<string, unknown> {
  const text = readFileSync(join(FIXTURES, "ENTITY_CREATE_V2.envelope.create-db.json"), "utf8")
    .replaceAll("--name--", name)
    .replaceAll("--clName--", "rest")
    .replaceAll('"--ts--"', String(Date.now()));
  return JSON.parse(text) as Record<string, unknown>;
}

/** Polls the active for hive_db `qn` until it exists (the consumer applies asynchronously). */
async function waitForDb(group: Group, qn: string, deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const { active } = await group.roles();
    const answer = await atlasCall(
      active,
      "GET",
      `/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=${encodeURIComponent(qn)}`,
    );
    if (answer.status === 200)
      return answer.json as { entity: { attributes: Record<string, unknown> } };
    if (Date.now() > until)
      throw new Error(`${qn} not applied within ${deadlineMs} ms (last ${answer.status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("hook messages posted over REST (1 ZooKeeper node, 1 Kafka broker, 2 atlas-server processes)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  const kafka = useKafka();
  let group: Group;
  beforeAll(async () => {
    group = await startGroup({
      zkConnect: zk().connectString,
      instances: 2,
      // plain SHA-256 of "steward", a line Atlas's users file may hold
      users: `steward=DATA_STEWARD::${createHash("sha256").update("steward").digest("hex")}\n`,
      properties: {
        "atlas.notification.consumer.disabled": false,
        "atlas.kafka.bootstrap.servers": kafka().bootstrap,
      },
    });
  }, 240_000);
  afterAll(() => group?.stop());

  it("writes a real Hive hook message to ATLAS_HOOK, where the active's consumer applies it", async () => {
    const { active } = await group.roles();
    const posted = await atlasCall(active, "POST", `${TOPIC}/ATLAS_HOOK`, [createDb("rest_raw")]);
    expect(posted.status).toBe(204);
    const db = await waitForDb(group, "rest_raw@rest");
    expect(db.entity.attributes).toMatchObject({ name: "rest_raw", clusterName: "rest" });
  }, 120_000);

  it("takes the list of strings Atlas's Java client sends (postNotificationToTopic)", async () => {
    const { active } = await group.roles();
    const steps = await runJavaScenario("NotifyScenario", active.url, "java", {
      user: "admin",
      password: "admin",
    });
    expect(steps.failed).toBeUndefined();
    expect(steps.posted).toMatchObject({ unknownTopic: 400 });
    await waitForDb(group, "rest_java@rest");
  }, 300_000);

  it("on the passive: a 307 to the active, the body unread; unknown topics 400, non-admins 403", async () => {
    const { active, passives } = await group.roles();
    const redirected = await fetch(`${passives[0]!.url}${TOPIC}/ATLAS_HOOK`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([createDb("rest_passive")]),
    });
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get("location")).toBe(`${active.url}${TOPIC}/ATLAS_HOOK`);
    const unknown = await atlasCall(active, "POST", `${TOPIC}/SOMETHING_ELSE`, [createDb("x")]);
    expect({ status: unknown.status, json: unknown.json }).toEqual({
      status: 400,
      json: {
        errorCode: "ATLAS-400-00-101",
        errorMessage: "Unsupported topic name : SOMETHING_ELSE",
      },
    });
    const bad = await atlasCall(active, "POST", `${TOPIC}/ATLAS_HOOK`, "{not json");
    expect(bad.status).toBe(400);
    const steward = await atlasCall(active, "POST", `${TOPIC}/ATLAS_HOOK`, [createDb("rest_no")], {
      authorization: `Basic ${Buffer.from("steward:steward").toString("base64")}`,
    });
    expect(steward.status).toBe(403);
    expect((steward.json as { errorCode: string }).errorCode).toBe("ATLAS-403-00-001");
  });
});

describe("the REST notification producer", () => {
  const fakeKafka = (
    plan: Array<"fail" | "ok">,
    sent: string[][],
    connects: { n: number },
  ): KafkaClient => ({
    consumer: () => {
      throw new Error("not used");
    },
    producer: (): KafkaProducerPort => ({
      connect: async () => {
        connects.n++;
      },
      send: async (_topic, records) => {
        if (plan.shift() === "fail") throw new Error("broker unreachable");
        sent.push(records.map((r) => String(r.value)));
      },
      disconnect: async () => undefined,
    }),
  });

  it("answers a typed error when Kafka fails, then connects afresh and sends", async () => {
    const sent: string[][] = [];
    const connects = { n: 0 };
    const plan: Array<"fail" | "ok"> = ["fail", "ok"];
    const notifier = createNotifier(() => fakeKafka(plan, sent, connects), ["ATLAS_HOOK"]);
    await expect(notifier.send("ATLAS_HOOK", ["a"])).rejects.toMatchObject({
      name: "NotificationSendError",
      code: "NOTIFICATION_SEND_FAILED",
      message: expect.stringContaining("broker unreachable"),
    });
    await notifier.send("ATLAS_HOOK", ["b", "c"]);
    expect(sent).toEqual([["b", "c"]]);
    expect(connects.n).toBe(2);
    await notifier.close();
  });

  it("gives up after its timeout when Kafka never acknowledges", async () => {
    const hanging = {
      consumer: () => {
        throw new Error("not used");
      },
      producer: () => ({
        connect: async () => undefined,
        send: () => new Promise<void>(() => undefined),
        disconnect: async () => undefined,
      }),
    } as unknown as KafkaClient;
    const notifier = createNotifier(() => hanging, ["ATLAS_HOOK"], 50);
    await expect(notifier.send("ATLAS_HOOK", ["a"])).rejects.toMatchObject({
      code: "NOTIFICATION_SEND_FAILED",
      message: expect.stringContaining("did not acknowledge within 50 ms"),
    });
  });
});
