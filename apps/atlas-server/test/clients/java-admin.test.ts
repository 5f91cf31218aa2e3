/**
 * Apache Atlas's official Java client (`AtlasClientV2` 2.4.0 from Maven Central) on the admin
 * side, against a real atlas-server process on both stores: getAuditEvents,
 * purgeEntitiesByGuids, getAtlasAuditByOperation and the saved-search calls
 * (AdminScenario.java). 2.4.0 has no call for admin/metrics.
 */
import { usePostgres, useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { runJavaScenario } from "../support/java-client.js";

describe.each(["sqlite", "postgres"] as const)(
  "Atlas's Java client AtlasClientV2 2.4.0: audit, purge and saved searches (%s)",
  (backend) => {
    const zk = useZooKeeper({ nodes: 1 });
    const pg = usePostgres();
    let group: Group;

    beforeAll(async () => {
      const properties: Record<string, string> =
        backend === "postgres"
          ? {
              "atlas.store.backend": "postgres",
              "atlas.store.postgres.url": await pg().createDatabase(`java_admin_${process.pid}`),
            }
          : {};
      group = await startGroup({ zkConnect: zk().connectString, instances: 1, properties });
    }, 180_000);
    afterAll(() => group?.stop());

    it("lists audit events, purges a deleted entity and finds the purge in the admin audit, and adds, reads, runs, renames and deletes a saved search", async () => {
      const { active } = await group.roles();
      const steps = await runJavaScenario("AdminScenario", active.url, `${backend}${Date.now()}`);
      expect(steps.failed).toBeUndefined();
      expect(steps.audit).toMatchObject({
        all: ["LABEL_ADD/admin", "ENTITY_CREATE/admin"],
        created: ["ENTITY_CREATE/admin"],
        unknown: 404,
      });
      expect(steps.purge).toMatchObject({
        purged: 1,
        purgedGuid: true,
        afterPurge: ["ENTITY_PURGE/admin", "ENTITY_DELETE/admin", "ENTITY_CREATE/admin"],
      });
      expect(steps.adminAudits).toMatchObject({
        operation: "PURGE",
        user: "admin",
        resultIsPurged: true,
        resultCount: 1,
      });
      expect(steps.savedSearches).toMatchObject({
        owner: "admin",
        again: 409,
        listed: 1,
        sameGuid: true,
        byName: 1,
        byGuid: 1,
        renamed: expect.stringMatching(/^java_renamed_/),
        afterDelete: 404,
      });
    });
  },
);
