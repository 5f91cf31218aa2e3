/**
 * Apache Atlas's official Java client (`org.apache.atlas:atlas-client-v2` 2.4.0 from Maven
 * Central, through the small Maven project in ./java) against a real atlas-server process on
 * both stores, for the glossary: GlossaryScenario.java calls every glossary method of
 * AtlasClientV2 but the two import ones (docs/contracts/http.md).
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJavaScenario, type JavaStep } from "../support/java-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

describe.each(["sqlite", "postgres"] as const)(
  "Atlas's Java client AtlasClientV2 2.4.0 on the glossary (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let steps: Record<string, JavaStep>;
    const run = `${backend}${Date.now()}`;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "java-glossary", pg);
      steps = await runJavaScenario("GlossaryScenario", server.url, run);
    }, 600_000);
    afterAll(() => server?.stop());

    it("creates a glossary, terms and categories (one and in bulk), with Atlas's names and errors", () => {
      expect(steps.failed).toBeUndefined();
      expect(steps.create).toMatchObject({
        glossary: `java_${run}`,
        term: `Order@java_${run}`,
        termAnchor: true,
        bulkTerms: 2,
        category: `Docs@java_${run}`,
        bulkCategories: 1,
        nameTaken: 409,
        noAnchor: 400,
      });
    });

    it("reads glossaries, terms, categories, headers, the detailed view and related categories", () => {
      expect(steps.read).toMatchObject({
        all: 1,
        byGuid: "from Java",
        detailedTerms: 3,
        term: "Order",
        terms: 3,
        termHeaders: 2,
        category: `Receipts.Docs@java_${run}`,
        categories: 2,
        categoryHeaders: 2,
        relatedCategories: ["children"],
      });
    });

    it("updates terms, glossary and categories, whole and partial", () => {
      expect(steps.update).toMatchObject({
        seeAlso: 1,
        relatedTerms: ["SEE_ALSO"],
        partialTerm: "INV",
        updateGlossary: "long",
        partialGlossary: "daily",
        updateCategory: 1,
        categoryTerms: 1,
        partialCategory: "papers",
      });
    });

    it("assigns a term to an entity (its meanings), refuses to delete it while assigned, takes it off", () => {
      expect(steps.assign).toMatchObject({
        assigned: 1,
        meanings: 1,
        deleteAssigned: 400,
        assignedAfter: 0,
      });
    });

    it("deletes a term, a category (its child goes to the top) and the glossary", () => {
      expect(steps.delete).toMatchObject({
        termAfter: 404,
        childAfter: `Receipts@java_${run}`,
        glossaryAfter: 404,
      });
    });
  },
);
