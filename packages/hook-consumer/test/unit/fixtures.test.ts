import { describe, expect, it } from "vitest";
import { decodeBody, encodeHookMessage, HookDecoder } from "../../src/index.js";
import { decodeAll } from "../helpers/decode.js";
import {
  FIXTURES,
  fill,
  fixture,
  fixtureNames,
  hasFixtures,
  permutations,
  skipAtlasSamples,
} from "../helpers/fixtures.js";

// Real Atlas hook messages from ../shared/fixtures/atlas-hook: a cross-check beside the project's
// own messages (hook-messages.test.ts). Skipped when absent, except under CI, where absent fails.
describe.skipIf(skipAtlasSamples)(
  "real Atlas hook messages decode to the expected notification",
  () => {
    const ts = 1_700_000_123_456;

    it("the real Atlas samples are present (required when CI is set)", () => {
      expect(
        hasFixtures,
        `no real Atlas samples at ../shared/fixtures/atlas-hook (found: ${FIXTURES}); set ATLAS_HA_FIXTURES`,
      ).toBe(true);
    });

    it("every fixture file is covered by a test below", () => {
      const covered = new Set([
        "ENTITY_CREATE.v1-legacy-unwrapped.HookNotificationTest.json",
        "ENTITY_CREATE_V2.body-list.hs2-load-inpath.json",
        "ENTITY_CREATE_V2.envelope.create-db-ddl.json",
        "ENTITY_CREATE_V2.envelope.create-db.json",
        "ENTITY_DELETE_V2.body-list.hs2-drop-table.json",
        "ENTITY_DELETE_V2.envelope.delete-db.json",
        "derived/ENTITY_CREATE_V2.envelope.filled.json",
        "derived/ENTITY_CREATE_V2.gzip.json",
        ...[0, 1, 2, 3].map((i) => `derived/ENTITY_CREATE_V2.split-gzip.part${i}.json`),
        ...[0, 1, 2].map((i) => `derived/ENTITY_CREATE_V2.split-nocompress.part${i}.json`),
      ]);
      expect(
        [...fixtureNames(), ...fixtureNames("derived")].filter((n) => !covered.has(n)),
      ).toEqual([]);
    });

    it("a hive_db create envelope gives ENTITY_CREATE_V2 with the filled names and the envelope details", () => {
      const value = fill(fixture("ENTITY_CREATE_V2.envelope.create-db.json"), {
        name: "sales",
        clName: "cm",
        ts,
      });
      const { notification, envelope } = decodeAll([value]);
      expect(envelope).toEqual({
        enveloped: true,
        version: "1.0.0",
        compression: "NONE",
        splitCount: 1,
        msgSourceIP: "172.27.10.4",
        msgCreatedBy: "hive",
        msgCreationTime: ts,
      });
      expect(notification).toMatchObject({
        type: "ENTITY_CREATE_V2",
        format: "V2",
        wireType: "ENTITY_CREATE_V2",
        user: "hive",
      });
      if (notification.type !== "ENTITY_CREATE_V2") throw new Error("unreachable");
      expect(notification.entities.referredEntities).toEqual({});
      expect(notification.entities.entities).toHaveLength(1);
      expect(notification.entities.entities[0]).toMatchObject({
        typeName: "hive_db",
        guid: "-72583599150177287",
        attributes: {
          qualifiedName: "sales@cm",
          clusterName: "cm",
          name: "sales",
          managedLocation: null,
          parameters: {},
        },
      });
    });

    it("a hive_db_ddl create keeps its relationship to the db by qualifiedName", () => {
      const value = fill(fixture("ENTITY_CREATE_V2.envelope.create-db-ddl.json"), {
        name: "sales",
        clName: "cm",
        ts,
        execTime: 42,
      });
      const { notification, envelope } = decodeAll([value]);
      expect(envelope.spooled).toBe(false);
      if (notification.type !== "ENTITY_CREATE_V2") throw new Error(`got ${notification.type}`);
      const [ddl] = notification.entities.entities;
      expect(ddl).toMatchObject({
        typeName: "hive_db_ddl",
        attributes: {
          qualifiedName: "sales@cm:42",
          execTime: "42",
          queryText: "create database sales",
        },
        relationshipAttributes: {
          db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cm" } },
        },
      });
    });

    it("a hive_db delete envelope gives ENTITY_DELETE_V2 naming the db by type and qualifiedName", () => {
      const value = fill(fixture("ENTITY_DELETE_V2.envelope.delete-db.json"), {
        name: "sales",
        clName: "cm",
        ts,
      });
      const { notification } = decodeAll([value]);
      expect(notification).toEqual({
        type: "ENTITY_DELETE_V2",
        format: "V2",
        wireType: "ENTITY_DELETE_V2",
        user: "hive",
        entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cm" } }],
      });
    });

    it("a hive process body keeps placeholder guids, referred entities and relationships; enveloped it decodes the same", () => {
      const bodies = JSON.parse(
        fixture("ENTITY_CREATE_V2.body-list.hs2-load-inpath.json"),
      ) as unknown[];
      expect(bodies).toHaveLength(1);
      const notification = decodeBody(bodies[0]);
      if (notification.type !== "ENTITY_CREATE_V2") throw new Error(`got ${notification.type}`);
      expect(notification.entities.entities.map((e) => [e.typeName, e.guid])).toEqual([
        ["hive_process", "-98504074851381"],
        ["hive_process_execution", "-98504074851382"],
      ]);
      expect(Object.keys(notification.entities.referredEntities)).toEqual(["-98504074851374"]);
      expect(notification.entities.referredEntities["-98504074851374"]?.typeName).toBe("hdfs_path");
      expect(notification.entities.entities[1]?.relationshipAttributes).toMatchObject({
        process: { guid: "-98504074851381", typeName: "hive_process" },
      });
      for (const compression of ["NONE", "GZIP"] as const) {
        expect(
          decodeAll(encodeHookMessage(bodies[0] as never, { compression })).notification,
        ).toEqual(notification);
      }
    });

    it("four drop-table bodies give four ENTITY_DELETE_V2 notifications", () => {
      const bodies = JSON.parse(
        fixture("ENTITY_DELETE_V2.body-list.hs2-drop-table.json"),
      ) as unknown[];
      const decoded = bodies.map((b) => decodeBody(b as never));
      expect(decoded.map((n) => (n.type === "ENTITY_DELETE_V2" ? n.entities : null))).toEqual([
        [{ typeName: "hive_table", uniqueAttributes: { qualifiedName: "cadb02.hh6_renamed@cm" } }],
        [
          {
            typeName: "hive_table",
            uniqueAttributes: { qualifiedName: "cadb02.hh6_renamed_view2@cm" },
          },
        ],
        [{ typeName: "hive_table", uniqueAttributes: { qualifiedName: "cadb02.cc1@cm" } }],
        [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "cadb02@cm" } }],
      ]);
    });

    it("a legacy V1 ENTITY_CREATE without envelope or user is normalised to the V2 model", () => {
      const { notification, envelope } = decodeAll([
        fixture("ENTITY_CREATE.v1-legacy-unwrapped.HookNotificationTest.json"),
      ]);
      expect(envelope).toEqual({ enveloped: false, compression: "NONE", splitCount: 1 });
      expect(notification).toEqual({
        type: "ENTITY_CREATE_V2",
        format: "V1",
        wireType: "ENTITY_CREATE",
        entities: {
          entities: [
            {
              typeName: "sometype",
              guid: "-1459493350903186000",
              attributes: { attr: "value" },
              status: "ACTIVE",
            },
          ],
          referredEntities: {},
        },
      });
    });

    describe("derived compressed and split forms decode to the same notification as the original", () => {
      const original = () => decodeAll([fixture("derived/ENTITY_CREATE_V2.envelope.filled.json")]);

      it("the filled original is the create-db template with sales_db@cm", () => {
        const template = fill(fixture("ENTITY_CREATE_V2.envelope.create-db.json"), {
          name: "sales_db",
          clName: "cm",
          ts: 1_700_000_000_000,
        });
        expect(original()).toEqual(decodeAll([template]));
      });

      it("GZIP: base64 of the gzipped inner envelope", () => {
        const { notification, envelope } = decodeAll([
          fixture("derived/ENTITY_CREATE_V2.gzip.json"),
        ]);
        expect(notification).toEqual(original().notification);
        expect(envelope).toEqual({
          ...original().envelope,
          compression: "GZIP",
          msgId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0_0",
        });
      });

      it.each([
        ["split-gzip", 4, "GZIP"],
        ["split-nocompress", 3, "NONE"],
      ] as const)(
        "%s: every arrival order of the parts reassembles the message",
        (form, count, compression) => {
          const parts = Array.from({ length: count }, (_, i) =>
            fixture(`derived/ENTITY_CREATE_V2.${form}.part${i}.json`),
          );
          const orders = permutations(parts.map((_, i) => i));
          for (const order of orders) {
            const decoder = new HookDecoder<number>();
            const results = order.map((i) => decoder.decode(parts[i], i));
            expect(results.slice(0, -1).every((r) => r.status === "pending")).toBe(true);
            const last = results.at(-1);
            if (last?.status !== "complete")
              throw new Error(`order ${order.join(",")}: ${JSON.stringify(last)}`);
            expect(last.notification).toEqual(original().notification);
            expect(last.envelope).toMatchObject({
              compression,
              splitCount: count,
              msgCreationTime: 1_700_000_000_000,
            });
            // Metas come back by part index, so part 0 identifies the message whatever the order.
            expect(last.parts).toEqual(parts.map((_, i) => i));
          }
          expect(orders).toHaveLength(count === 4 ? 24 : 6);
        },
      );
    });
  },
);
