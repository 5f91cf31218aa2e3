/**
 * Apache Atlas's official Java client (`org.apache.atlas:atlas-client-v2` 2.4.0 from Maven
 * Central, through the small Maven project in ./java) against real atlas-server processes on
 * both stores: relationships from a guid alone with both ends on GET, lineage, classifications
 * and labels, cascade delete, and a deleted entity by unique attribute (docs/contracts/model.md);
 * and the typedef calls of the Types API (docs/contracts/http.md).
 */
import { usePostgres, useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { runJavaScenario } from "../support/java-client.js";

describe.each(["sqlite", "postgres"] as const)(
  "Atlas's Java client AtlasClientV2 2.4.0 against atlas-server (%s)",
  (backend) => {
    const zk = useZooKeeper({ nodes: 1 });
    const pg = usePostgres();
    let group: Group;

    beforeAll(async () => {
      const properties: Record<string, string> =
        backend === "postgres"
          ? {
              "atlas.store.backend": "postgres",
              "atlas.store.postgres.url": await pg().createDatabase(`java_client_${process.pid}`),
            }
          : {};
      group = await startGroup({ zkConnect: zk().connectString, instances: 1, properties });
    }, 180_000);
    afterAll(() => group?.stop());

    it("creates, reads both ends, walks lineage, classifies and labels, deletes with cascade; creates, reads, updates and deletes typedefs", async () => {
      const { active } = await group.roles();
      const steps = await runJavaScenario("ClientScenario", active.url, `${backend}${Date.now()}`);
      expect(steps.failed).toBeUndefined();
      expect(steps.relationships).toMatchObject({ columns: 2, referred: 2, dbTables: 1 });
      expect(steps.lineage).toMatchObject({ relations: 2, entities: 3, base: true });
      expect(steps.classifications).toMatchObject({
        classifications: [expect.stringMatching(/^JAVA_TAG_/)],
        labels: expect.arrayContaining(["gold", "java"]),
      });
      // The table and its two columns; by unique attribute a deleted table is 404, as in Atlas.
      expect(steps.delete).toMatchObject({ deleted: 3, byUniqueAfterDelete: 404 });
      // The Types API: create, read per kind, filter, update under Atlas's rules, deletes.
      expect(steps.typesCreate).toMatchObject({
        created: 3,
        version: 1,
        createdBy: "admin",
        again: 409,
      });
      expect(steps.typesRead).toMatchObject({
        superTypes: ["DataSet"],
        enumByName: 1,
        structByName: 1,
        wrongKind: 404,
        unknown: 404,
        existsByName: true,
        existsByGuid: true,
        filtered: 1,
        headers: 1,
      });
      expect(steps.typesUpdate).toMatchObject({ updatedVersion: 2, retyped: 400 });
      expect(steps.typesDelete).toMatchObject({
        inUse: 409,
        byName: 200,
        afterDelete: 404,
        bulkInUse: 409,
      });
    }, 900_000);
  },
);
