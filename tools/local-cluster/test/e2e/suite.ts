/**
 * The end-to-end suite of atlas-server (issue: server, store, local cluster), run on each
 * store backend: real ZooKeeper, a real Kafka broker, real server processes started by the
 * local-cluster launcher (free ports, temp folder).
 */
import { encodeHookMessage } from "@atlas-ha/hook-consumer";
import { atlasCall as call, guidOf, hiveDb, waitFor, type AtlasInstance } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import type { LocalCluster } from "../../src/index.js";
import { useLocalCluster } from "../../src/vitest.js";

async function activeAndPassives(
  cluster: LocalCluster,
): Promise<{ active: AtlasInstance; passives: AtlasInstance[] }> {
  const active = await cluster.waitForActive({ timeoutMs: 30_000 });
  const passives = cluster.instances.filter((i) => i !== active && i.process.running);
  await Promise.all(passives.map((p) => p.waitForState("PASSIVE", 30_000)));
  return { active, passives };
}

function hookCreate(n: number): string {
  const body = {
    type: "ENTITY_CREATE_V2",
    user: "hook",
    entities: {
      entities: [
        {
          typeName: "hive_db",
          guid: "-1",
          attributes: { qualifiedName: `seq-${n}@hooks`, name: `seq-${n}`, clusterName: "hooks" },
        },
      ],
      referredEntities: {},
    },
  };
  return encodeHookMessage(body, { compression: "NONE" })[0]!;
}

export function e2eSuite(backend: "sqlite" | "postgres", zk: 1 | 3): void {
  describe(`atlas-server end to end (${backend} store, ${zk} ZooKeeper node${zk > 1 ? "s" : ""}, Kafka, 3 server processes)`, () => {
    const cluster = useLocalCluster({ instances: 3, zk, sessionTimeoutMs: 4000, backend });

    it("has exactly one ACTIVE; passives answer status locally and redirect with 302/307 to the active", async () => {
      const { active, passives } = await activeAndPassives(cluster());
      expect(passives).toHaveLength(2);
      const statuses = await Promise.all(
        cluster().instances.map((i) =>
          call(i, "GET", "/api/atlas/admin/status", undefined, { authorization: "" }),
        ),
      );
      expect(statuses.map((s) => s.text).sort()).toEqual([
        '{"Status":"ACTIVE"}',
        '{"Status":"PASSIVE"}',
        '{"Status":"PASSIVE"}',
      ]);
      for (const passive of passives) {
        const get = await call(
          passive,
          "GET",
          "/api/atlas/v2/search/basic?typeName=hive_db&query=a%3Db%26c",
        );
        expect(get.status).toBe(302);
        expect(get.headers.get("location")).toBe(
          `${active.url}/api/atlas/v2/search/basic?typeName=hive_db&query=a%3Db%26c`,
        );
        const post = await call(passive, "POST", "/api/atlas/v2/entity", {
          entity: hiveDb("redirected"),
        });
        expect(post.status).toBe(307);
        expect(post.headers.get("location")).toBe(`${active.url}/api/atlas/v2/entity`);
        const health = await call(passive, "GET", "/api/atlas/admin/health", undefined, {
          authorization: "",
        });
        expect(health.json).toMatchObject({
          state: "PASSIVE",
          activeAddress: active.url,
          haEnabled: true,
          zookeeper: "CONNECTED",
        });
      }
    });

    it("a write sent to a passive and re-sent where its redirect points lands on the active", async () => {
      const { active, passives } = await activeAndPassives(cluster());
      const first = await call(passives[0]!, "POST", "/api/atlas/v2/entity", {
        entity: hiveDb("via-passive"),
      });
      expect(first.status).toBe(307);
      const location = first.headers.get("location")!;
      const created = await call(location, "POST", "", { entity: hiveDb("via-passive") });
      expect(created.status).toBe(200);
      const guid = guidOf(created);
      const read = await call(active, "GET", `/api/atlas/v2/entity/guid/${guid}`);
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({
        entity: { guid, typeName: "hive_db", attributes: { qualifiedName: "via-passive@e2e" } },
      });
    });

    for (const how of ["SIGTERM", "SIGKILL"] as const) {
      it(`fails over when the active gets ${how}, and the new active serves every entity written before`, async () => {
        const { active } = await activeAndPassives(cluster());
        const guids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const created = await call(active, "POST", "/api/atlas/v2/entity", {
            entity: hiveDb(`${how}-${i}`),
          });
          expect(created.status).toBe(200);
          guids.push(guidOf(created));
        }
        const epochBefore = (
          (await call(active, "GET", "/api/atlas/admin/health")).json as { epoch: number }
        ).epoch;
        if (how === "SIGTERM") await cluster().stop(active.name);
        else await cluster().kill(active.name);
        const next = await cluster().waitForActive({ not: active.name, timeoutMs: 30_000 });
        const health = (await call(next, "GET", "/api/atlas/admin/health")).json as {
          epoch: number;
        };
        expect(health.epoch).toBeGreaterThan(epochBefore);
        for (const guid of guids) {
          const read = await call(next, "GET", `/api/atlas/v2/entity/guid/${guid}/`);
          expect(read.status).toBe(200);
        }
        // The old active comes back with its data and configuration, as a PASSIVE.
        await cluster().start(active.name);
        await active.waitForState("PASSIVE", 30_000);
        expect((await call(active, "GET", "/api/atlas/v2/entity/guid/x")).status).toBe(302);
      });
    }

    it("applies a numbered stream of hook messages exactly once across two failovers", async () => {
      const total = 300;
      let sent = 0;
      let producing = true;
      const producer = (async () => {
        while (sent < total) {
          const batch = Array.from({ length: Math.min(10, total - sent) }, (_, i) =>
            hookCreate(sent + i),
          );
          await cluster().produce(batch);
          sent += batch.length;
          if (producing) await new Promise((r) => setTimeout(r, 25)); // a steady rate, not a sync point
        }
      })();
      const first = await cluster().waitForActive({ timeoutMs: 30_000 });
      await waitFor(() => sent >= total / 3, { timeoutMs: 30_000, what: "a third of the stream" });
      await cluster().stop(first.name);
      const second = await cluster().waitForActive({ not: first.name, timeoutMs: 30_000 });
      await waitFor(() => sent >= (2 * total) / 3, {
        timeoutMs: 30_000,
        what: "two thirds of the stream",
      });
      await cluster().kill(second.name);
      const third = await cluster().waitForActive({ not: second.name, timeoutMs: 30_000 });
      producing = false;
      await producer;
      const expected = Array.from({ length: total }, (_, n) => `seq-${n}@hooks`);
      await waitFor(
        async () => {
          const found = await call(third, "POST", "/api/atlas/v2/search/basic", {
            typeName: "hive_db",
            query: "@hooks",
            limit: 10_000,
          });
          return (found.json as { approximateCount: number }).approximateCount === total;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: `all ${total} hook messages applied` },
      );
      const found = await call(third, "POST", "/api/atlas/v2/search/basic", {
        typeName: "hive_db",
        query: "@hooks",
        limit: 10_000,
      });
      const names = (
        found.json as { entities: { attributes: { qualifiedName: string } }[] }
      ).entities.map((e) => e.attributes.qualifiedName);
      expect(names.sort()).toEqual(expected.sort());
      // Exactly once: an entity applied twice would have version 1 (the upsert of a second
      // application writes nothing new, and the offset record skips a redelivery anyway).
      for (const n of [0, Math.floor(total / 3), Math.floor((2 * total) / 3), total - 1]) {
        const read = await call(
          third,
          "GET",
          `/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=seq-${n}@hooks`,
        );
        expect((read.json as { entity: { version: number } }).entity.version).toBe(0);
      }
      await Promise.all([cluster().start(first.name), cluster().start(second.name)]);
    });

    it("answers bad input with the documented Atlas errors and keeps serving", async () => {
      const { active } = await activeAndPassives(cluster());
      const cases: [string, Promise<{ status: number; json: unknown }>, number, string][] = [
        [
          "malformed JSON",
          call(active, "POST", "/api/atlas/v2/entity", '{"entity": {'),
          400,
          "ATLAS-400-00-001",
        ],
        [
          "a list where an object belongs",
          call(active, "POST", "/api/atlas/v2/entity", "[1,2]"),
          400,
          "ATLAS-400-00-002",
        ],
        [
          "attributes of the wrong type",
          call(active, "POST", "/api/atlas/v2/entity", {
            entity: { typeName: "hive_db", attributes: "x" },
          }),
          400,
          "ATLAS-400-00-002",
        ],
        [
          "an unknown type",
          call(active, "POST", "/api/atlas/v2/entity", {
            entity: { typeName: "no_such_type", attributes: { qualifiedName: "x" } },
          }),
          400,
          "ATLAS-400-00-014",
        ],
        [
          "an unknown guid",
          call(active, "GET", "/api/atlas/v2/entity/guid/00000000-0000-0000-0000-000000000000"),
          404,
          "ATLAS-404-00-005",
        ],
        [
          "an oversized body",
          call(
            active,
            "POST",
            "/api/atlas/v2/entity",
            JSON.stringify({ entity: hiveDb("big", { description: "x".repeat(2 * 1024 * 1024) }) }),
          ),
          413,
          "ATLAS-413-00-001",
        ],
        [
          "missing credentials",
          call(active, "GET", "/api/atlas/v2/types/typedefs", undefined, { authorization: "" }),
          401,
          "ATLAS-401-00-001",
        ],
        [
          "a wrong content type",
          call(active, "POST", "/api/atlas/v2/entity", "a=b", {
            "content-type": "application/x-www-form-urlencoded",
          }),
          415,
          "ATLAS-415-00-001",
        ],
        [
          "an existing type",
          call(active, "POST", "/api/atlas/v2/types/typedefs", {
            entityDefs: [{ name: "hive_db", superTypes: ["Asset"], attributeDefs: [] }],
          }),
          409,
          "ATLAS-409-00-001",
        ],
      ];
      for (const [what, answer, status, code] of cases) {
        const a = await answer;
        expect({
          what,
          status: a.status,
          code: (a.json as { errorCode?: string })?.errorCode,
        }).toEqual({ what, status, code });
        expect(JSON.stringify(a.json)).not.toMatch(/at .*\.js:\d+/); // never a stack trace
      }
      // Still serving.
      const ok = await call(active, "POST", "/api/atlas/v2/entity", {
        entity: hiveDb("after-bad-input"),
      });
      expect(ok.status).toBe(200);
    });

    it("serves relationships (both ends) and lineage, from REST and from a hook message, as Atlas does", async () => {
      const { active } = await activeAndPassives(cluster());
      const qn = (name: string) => ({ qualifiedName: name });
      const db = await call(active, "POST", "/api/atlas/v2/entity", {
        entity: {
          typeName: "hive_db",
          attributes: { ...qn("lin@e2e"), name: "lin", clusterName: "e2e" },
        },
      });
      expect(db.status).toBe(200);
      const dbGuid = guidOf(db);
      // A table and its columns, the columns naming the table by a guid alone (as Atlas allows).
      const table = await call(active, "POST", "/api/atlas/v2/entity/bulk", {
        entities: [
          {
            typeName: "hive_table",
            guid: "-1",
            attributes: { ...qn("lin.orders@e2e"), name: "orders" },
            relationshipAttributes: { db: { guid: dbGuid } },
          },
          ...["id", "amount"].map((c, i) => ({
            typeName: "hive_column",
            guid: `-${i + 2}`,
            attributes: { ...qn(`lin.orders.${c}@e2e`), name: c, type: "int" },
            relationshipAttributes: { table: { guid: "-1" } },
          })),
        ],
      });
      expect(table.status).toBe(200);
      const tableGuid = (table.json as { guidAssignments: Record<string, string> }).guidAssignments[
        "-1"
      ]!;
      const read = (await call(active, "GET", `/api/atlas/v2/entity/guid/${tableGuid}`)).json as {
        entity: { relationshipAttributes: Record<string, unknown> };
        referredEntities: Record<string, unknown>;
      };
      expect(read.entity.relationshipAttributes.columns).toEqual([
        expect.objectContaining({ displayText: "id", relationshipType: "hive_table_columns" }),
        expect.objectContaining({ displayText: "amount", relationshipStatus: "ACTIVE" }),
      ]);
      expect(Object.keys(read.referredEntities)).toHaveLength(2);
      const dbRead = (
        await call(active, "GET", `/api/atlas/v2/entity/guid/${dbGuid}?ignoreRelationships=true`)
      ).json as {
        entity: Record<string, unknown>;
      };
      expect(dbRead.entity).not.toHaveProperty("relationshipAttributes");
      const dbFull = (await call(active, "GET", `/api/atlas/v2/entity/guid/${dbGuid}`)).json as {
        entity: {
          relationshipAttributes: { tables: { guid: string; relationshipGuid: string }[] };
        };
      };
      expect(dbFull.entity.relationshipAttributes.tables.map((t) => t.guid)).toEqual([tableGuid]);
      // REST makes no shells: an unknown reference is Atlas's 404.
      const dangling = await call(active, "POST", "/api/atlas/v2/entity", {
        entity: {
          typeName: "hive_table",
          attributes: { ...qn("lin.x@e2e"), name: "x" },
          relationshipAttributes: { db: { typeName: "hive_db", uniqueAttributes: qn("typo@e2e") } },
        },
      });
      expect(dangling.status).toBe(404);
      expect(dangling.json).toMatchObject({ errorCode: "ATLAS-404-00-00A" });

      // The relationship API on the db → table relationship.
      const relGuid = dbFull.entity.relationshipAttributes.tables[0]!.relationshipGuid;
      const rel = await call(
        active,
        "GET",
        `/api/atlas/v2/relationship/guid/${relGuid}?extendedInfo=true`,
      );
      expect(rel.json).toMatchObject({
        relationship: {
          guid: relGuid,
          typeName: "hive_table_db",
          status: "ACTIVE",
          end1: { guid: tableGuid },
          end2: { guid: dbGuid },
        },
        referredEntities: {
          [dbGuid]: { typeName: "hive_db" },
          [tableGuid]: { typeName: "hive_table" },
        },
      });
      const twice = await call(active, "POST", "/api/atlas/v2/relationship", {
        typeName: "hive_table_db",
        end1: { guid: tableGuid },
        end2: { typeName: "hive_db", uniqueAttributes: qn("lin@e2e") },
      });
      expect(twice.status).toBe(409);
      expect(twice.json).toMatchObject({ errorCode: "ATLAS-409-00-004" });
      expect(
        (await call(active, "DELETE", `/api/atlas/v2/relationship/guid/${relGuid}`)).status,
      ).toBe(204);
      const again = await call(active, "DELETE", `/api/atlas/v2/relationship/guid/${relGuid}`);
      expect(again.json).toMatchObject({ errorCode: "ATLAS-404-00-00F" });
      const unknownRel = await call(active, "GET", "/api/atlas/v2/relationship/guid/no-such-guid");
      expect(unknownRel.status).toBe(404);
      expect(unknownRel.json).toMatchObject({ errorCode: "ATLAS-404-00-00C" });

      // Lineage from a hook message: LOAD DATA INPATH (an hdfs_path into the table), as the Hive hook sends it.
      const message = {
        type: "ENTITY_CREATE_V2",
        user: "hive",
        entities: {
          referredEntities: {
            "-9": {
              typeName: "hdfs_path",
              guid: "-9",
              attributes: {
                ...qn("hdfs://nn/in/orders"),
                name: "/in/orders",
                path: "hdfs://nn/in/orders",
                clusterName: "e2e",
              },
            },
          },
          entities: [
            {
              typeName: "hive_process",
              guid: "-8",
              attributes: {
                ...qn("LOAD->:lin.orders@e2e:1"),
                name: "load orders",
                operationType: "LOAD",
                queryText: "",
                startTime: 1,
                endTime: 2,
                userName: "hive",
                queryId: "q",
                queryPlan: "Not Supported",
                clusterName: "e2e",
                recentQueries: [],
              },
              relationshipAttributes: {
                inputs: [
                  { guid: "-9", typeName: "hdfs_path", relationshipType: "dataset_process_inputs" },
                ],
                outputs: [
                  {
                    typeName: "hive_table",
                    uniqueAttributes: qn("lin.orders@e2e"),
                    relationshipType: "process_dataset_outputs",
                  },
                ],
              },
            },
          ],
        },
      };
      await cluster().produce([encodeHookMessage(message, { compression: "NONE" })[0]!]);
      type Lineage = {
        baseEntityGuid: string;
        guidEntityMap: Record<string, { typeName: string }>;
        relations: { fromEntityId: string; toEntityId: string }[];
      };
      const lineage = await waitFor(
        async () => {
          const answer = await call(
            active,
            "GET",
            `/api/atlas/v2/lineage/${tableGuid}?direction=INPUT&depth=3`,
          );
          const info = answer.json as Lineage;
          return answer.status === 200 && info.relations.length === 2 ? info : undefined;
        },
        { timeoutMs: 30_000, what: "the hook message's lineage" },
      );
      expect(
        Object.values(lineage.guidEntityMap)
          .map((e) => e.typeName)
          .sort(),
      ).toEqual(["hdfs_path", "hive_process", "hive_table"]);
      const byUnique = await call(
        active,
        "GET",
        "/api/atlas/v2/lineage/uniqueAttribute/type/hdfs_path?attr:qualifiedName=hdfs://nn/in/orders&direction=OUTPUT",
      );
      expect((byUnique.json as Lineage).relations).toHaveLength(2);
      const badDirection = await call(
        active,
        "GET",
        `/api/atlas/v2/lineage/${tableGuid}?direction=SIDEWAYS`,
      );
      expect(badDirection.status).toBe(400);
      const notLineage = await call(active, "GET", `/api/atlas/v2/lineage/${dbGuid}`);
      expect(notLineage.status).toBe(404);
      expect(notLineage.json).toMatchObject({ errorCode: "ATLAS-404-00-011" });
    });

    it("serves the rest of Atlas's entity REST: bulk, header, one-attribute update, unique attribute, classifications, labels", async () => {
      const { active } = await activeAndPassives(cluster());
      const types = await call(active, "POST", "/api/atlas/v2/types/typedefs", {
        classificationDefs: [{ name: "E2E_PII", superTypes: [], attributeDefs: [] }],
      });
      expect(types.status).toBe(200);
      const made = await call(active, "POST", "/api/atlas/v2/entity/bulk", {
        entities: ["one", "two"].map((n, i) => ({
          typeName: "hive_db",
          guid: `-${i + 1}`,
          attributes: { qualifiedName: `${n}@rest`, name: n, clusterName: "rest" },
        })),
      });
      const [one, two] = ["-1", "-2"].map(
        (p) => (made.json as { guidAssignments: Record<string, string> }).guidAssignments[p]!,
      );
      const bulk = await call(active, "GET", `/api/atlas/v2/entity/bulk?guid=${one}&guid=${two}`);
      expect((bulk.json as { entities: { guid: string }[] }).entities.map((e) => e.guid)).toEqual([
        one,
        two,
      ]);
      const header = await call(active, "GET", `/api/atlas/v2/entity/guid/${one}/header`);
      expect(header.json).toMatchObject({ guid: one, typeName: "hive_db", displayText: "one" });
      const headerByName = await call(
        active,
        "GET",
        "/api/atlas/v2/entity/uniqueAttribute/type/hive_db/header?attr:qualifiedName=two@rest",
      );
      expect(headerByName.json).toMatchObject({ guid: two, displayText: "two" });
      // As Atlas: the ones found, in the order asked; a missing one is left out.
      const byNames = await call(
        active,
        "GET",
        "/api/atlas/v2/entity/bulk/uniqueAttribute/type/hive_db?attr_0:qualifiedName=two@rest&attr_1:qualifiedName=none@rest&attr_2:qualifiedName=one@rest",
      );
      expect(
        (byNames.json as { entities: { guid: string }[] }).entities.map((e) => e.guid),
      ).toEqual([two, one]);
      const renamed = await call(
        active,
        "PUT",
        `/api/atlas/v2/entity/guid/${one}?name=description`,
        JSON.stringify("the first"), // a JSON string, as the Python client sends it
      );
      expect(renamed.status).toBe(200);
      const byUnique = await call(
        active,
        "PUT",
        "/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=one@rest",
        {
          entity: { typeName: "hive_db", attributes: { owner: "etl" } },
        },
      );
      expect(byUnique.text).toContain("PARTIAL_UPDATE");
      const after = (await call(active, "GET", `/api/atlas/v2/entity/guid/${one}`)).json as {
        entity: { attributes: Record<string, unknown> };
      };
      expect(after.entity.attributes).toMatchObject({ description: "the first", owner: "etl" });

      expect(
        (
          await call(active, "POST", `/api/atlas/v2/entity/guid/${one}/classifications`, [
            { typeName: "E2E_PII" },
          ])
        ).status,
      ).toBe(204);
      const tagged = await call(active, "GET", `/api/atlas/v2/entity/guid/${one}/classifications`);
      expect(tagged.json).toMatchObject({
        list: [{ typeName: "E2E_PII", entityGuid: one }],
        totalCount: 1,
      });
      const unknownTag = await call(
        active,
        "POST",
        `/api/atlas/v2/entity/guid/${one}/classifications`,
        [{ typeName: "NOPE" }],
      );
      expect(unknownTag.status).toBe(404);
      expect(unknownTag.json).toMatchObject({ errorCode: "ATLAS-404-00-008" });
      expect(
        (
          await call(active, "POST", "/api/atlas/v2/entity/bulk//classification", {
            // the Python client's path, as sent
            classification: { typeName: "E2E_PII" },
            entityGuids: [two],
          })
        ).status,
      ).toBe(204);
      expect(
        (await call(active, "DELETE", `/api/atlas/v2/entity/guid/${one}/classification/E2E_PII`))
          .status,
      ).toBe(204);
      const missing = await call(
        active,
        "GET",
        `/api/atlas/v2/entity/guid/${one}/classification/E2E_PII`,
      );
      expect(missing.json).toMatchObject({ errorCode: "ATLAS-404-00-008" });

      expect(
        (await call(active, "POST", `/api/atlas/v2/entity/guid/${one}/labels`, ["a", "b"])).status,
      ).toBe(204);
      expect(
        (await call(active, "PUT", `/api/atlas/v2/entity/guid/${one}/labels`, ["c"])).status,
      ).toBe(204);
      expect(
        (await call(active, "DELETE", `/api/atlas/v2/entity/guid/${one}/labels`, ["a"])).status,
      ).toBe(204);
      const labelled = (await call(active, "GET", `/api/atlas/v2/entity/guid/${one}`)).json as {
        entity: { labels: string[] };
      };
      expect(labelled.entity.labels).toEqual(["b", "c"]);
      const badLabel = await call(active, "PUT", `/api/atlas/v2/entity/guid/${one}/labels`, [
        "no spaces",
      ]);
      expect(badLabel.json).toMatchObject({ errorCode: "ATLAS-400-00-090" });

      const deleted = await call(
        active,
        "DELETE",
        `/api/atlas/v2/entity/bulk?guid=${one}&guid=${two}`,
      );
      expect(
        (deleted.json as { mutatedEntities: { DELETE: unknown[] } }).mutatedEntities.DELETE,
      ).toHaveLength(2);
      const goneByUnique = await call(
        active,
        "GET",
        "/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=one@rest",
      );
      expect(goneByUnique.status).toBe(404);
      expect(goneByUnique.json).toMatchObject({ errorCode: "ATLAS-404-00-009" });
    });

    it("accepts the request shapes of the Atlas Python client: explicit nulls, trailing slashes, True/false", async () => {
      const { active } = await activeAndPassives(cluster());
      const entity = {
        typeName: "hive_db",
        guid: null,
        status: null,
        createdBy: null,
        classifications: null,
        attributes: { qualifiedName: "py@e2e", name: "py", clusterName: "e2e", description: null },
        relationshipAttributes: null,
      };
      const created = await call(active, "POST", "/api/atlas/v2/entity/", {
        entity,
        referredEntities: null,
      });
      expect(created.status).toBe(200);
      const guid = guidOf(created);
      const read = await call(
        active,
        "GET",
        `/api/atlas/v2/entity/guid/${guid}/?minExtInfo=True&ignoreRelationships=false`,
      );
      expect(read.status).toBe(200);
      const search = await call(
        active,
        "GET",
        "/api/atlas/v2/search/basic/?typeName=hive_db&query=py&excludeDeletedEntities=TRUE",
      );
      expect(
        (search.json as { entities: { guid: string }[] }).entities.map((e) => e.guid),
      ).toContain(guid);
      const deleted = await call(active, "DELETE", `/api/atlas/v2/entity/guid/${guid}/`);
      expect(deleted.status).toBe(200);
      const after = await call(active, "GET", `/api/atlas/v2/entity/guid/${guid}`);
      expect((after.json as { entity: { status: string } }).entity.status).toBe("DELETED");
    });
  });
}
