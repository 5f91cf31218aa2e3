/**
 * Attribute validation as Apache Atlas's official Java client (`AtlasClientV2` 2.4.0 from Maven
 * Central; test/clients/java/…/ValidationScenario.java) sees it, against a real server process
 * (dist/main.js, standalone) on both stores: the client's AtlasServiceException carries status
 * 404 and Atlas's ATLAS-404-00-007 with the problems; accepted values read back normalised
 * (docs/contracts/model.md, "Attribute validation").
 */
import { atlasCall } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJavaScenario } from "../support/java-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";
import { VALIDATION_TYPES } from "../support/validation-types.js";

describe.each(["sqlite", "postgres"] as const)(
  "attribute validation seen by Atlas's Java client AtlasClientV2 2.4.0 (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "java-validation", pg);
      const types = await atlasCall(
        server.url,
        "POST",
        "/api/atlas/v2/types/typedefs",
        VALIDATION_TYPES,
      );
      expect(types.status).toBe(200);
    }, 180_000);
    afterAll(() => server?.stop());

    it("refused creates and partial updates raise AtlasServiceException 404 with ATLAS-404-00-007; accepted values read back normalised", async () => {
      const steps = await runJavaScenario(
        "ValidationScenario",
        server.url,
        `${backend}${Date.now()}`,
      );
      expect(steps.failed).toBeUndefined();
      expect(steps.missing).toMatchObject({
        status: 404,
        message: expect.stringContaining("ATLAS-404-00-007"),
      });
      expect(steps.missing!.message).toContain(
        "vt_thing.name: mandatory attribute value missing in type Asset",
      );
      expect(steps.wrongTypes).toMatchObject({ status: 404 });
      expect(steps.wrongTypes!.message).toContain("vt_thing.i=abc: invalid value for type int");
      expect(steps.wrongTypes!.message).toContain(
        "vt_thing.tags: incorrect number of values. found=4; expected: minCount=0, maxCount=3",
      );
      // The whole batch was refused.
      expect(steps.fineAfter).toMatchObject({ status: 404 });
      expect(steps.normalised).toMatchObject({ i: 12, level: "HIGH" });
      expect(steps.partialBad).toMatchObject({
        status: 404,
        message: expect.stringContaining("vt_thing.i=true: invalid value for type int"),
      });
      expect(steps.partialGood).toMatchObject({ status: 200 });
      expect(steps.afterPartial).toMatchObject({ i: 3 });
    }, 300_000);
  },
);
