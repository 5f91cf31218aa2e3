/**
 * The entity REST's bulk tools through Atlas's own Java client (AtlasClientV2 2.4.0):
 * setClassifications by unique attribute, the business-metadata template, and the CSV upload
 * that the client sends as a real multipart request, and the glossary's CSV import — against a real server on both stores.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJavaScenario } from "../support/java-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

describe.each(["sqlite", "postgres"] as const)(
  "Atlas's Java client: setClassifications and the business-metadata upload (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    beforeAll(async () => {
      server = await startStandaloneOn(backend, "java-bulk", pg);
    }, 120_000);
    afterAll(() => server?.stop());

    it("sets exactly the classifications asked, reports each entity, and imports a CSV of business attributes", async () => {
      const run = `${backend}${Date.now()}`;
      const steps = await runJavaScenario("BulkScenario", server.url, run);
      expect(steps.failed).toBeUndefined();
      const guid = steps.import!.successGuid as string;
      expect(steps.setClassifications).toMatchObject({
        after: [`JB_B_${run}`, `JB_C_${run}`],
        // getEntityHeaders(0): the entity's header as it is now, classifications included.
        headers: [`JB_B_${run}`, `JB_C_${run}`],
        summary: expect.arrayContaining([
          `Delete:${guid}:fs_path:jb_${run}@cl -> JB_A_${run}:(Done)`,
          `Update:${guid}:fs_path:jb_${run}@cl -> JB_B_${run}:(Done)`,
          `Add:${guid}:fs_path:jb_${run}@cl -> JB_C_${run}:(Done)`,
          `Entity:fs_path:nowhere_${run}:[Not found]:(Skipped)`,
        ]),
      });
      expect(steps.template!.template).toBe(
        "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,EntityUniqueAttributeName[optional]",
      );
      expect(steps.import).toMatchObject({
        success: 1,
        failed: 2,
        remarks: [
          `Line #4: no fs_path entity found with qualifiedName=nowhere_${run}`,
          `Line #5: invalid entity-type 'no_such_type_${run}'`,
        ],
        // The CSV's "7" stored as the attribute's type, an int.
        business: { [`jb_bm_${run}`]: { steward: "alice", rank: 7 } },
      });
      expect(steps.glossaryImport).toMatchObject({
        template: true,
        created: ["alpha", "beta"],
        failed: 0,
      });
    }, 600_000);
  },
);
