/**
 * Apache Atlas's official Java client (`org.apache.atlas:atlas-client-v2` 2.4.0 from Maven
 * Central, ./java) against a real atlas-server (standalone, SQLite): its search methods —
 * basicSearch, facetedSearch, dslSearch, dslSearchWithParams, attributeSearch,
 * relationshipSearch, quickSearch (GET and POST), getSuggestions, fullTextSearch — decoded
 * into its own models (SearchScenario.java).
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JavaStep } from "../support/java-client.js";
import { runJavaScenario } from "../support/java-client.js";
import { seedSearch } from "../support/search-seed.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

describe.each(["sqlite", "postgres"] as const)(
  "Atlas's Java client AtlasClientV2 2.4.0 searching atlas-server (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let steps: Record<string, JavaStep>;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "search-java", pg);
      await seedSearch(server.url);
      steps = await runJavaScenario("SearchScenario", server.url, `search${Date.now()}`);
    }, 600_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("basicSearch and facetedSearch: types, entity and tag filters, classification attributes", () => {
      expect(steps.basicSearch).toMatchObject({
        names: ["alpha", "beta", "gamma"],
        filtered: ["beta", "gamma"],
      });
      expect(steps.facetedSearch).toMatchObject({
        names: ["alpha"],
        count: 1,
        classification: "SX_PII",
        level: 3,
      });
    });

    it("dslSearch and dslSearchWithParams, and an invalid query answered 400", () => {
      expect(steps.dslSearch).toMatchObject({ names: ["beta", "gamma"] });
      expect(steps.dslSearchWithParams).toMatchObject({
        name: ["name", "size"],
        values: [
          ["beta", 20],
          ["gamma", 30],
        ],
      });
      expect(steps.dslInvalid).toMatchObject({ status: 400 });
    });

    it("attributeSearch, relationshipSearch, quickSearch, getSuggestions, fullTextSearch", () => {
      expect(steps.attributeSearch).toMatchObject({ names: ["orders"] });
      expect(steps.relationshipSearch).toMatchObject({ names: ["refunds", "orders"] });
      expect(steps.quickSearch).toMatchObject({
        names: ["orders", "refunds"],
        types: { hive_table: 2 },
        posted: ["alpha", "beta", "gamma"],
      });
      // The client cannot decode AtlasSuggestionsResult (no default constructor in 2.4.0) from
      // any server; the request itself is answered (the HTTP and Python suites check the body).
      expect(steps.getSuggestions).toMatchObject({
        status: -1,
        cause: expect.stringMatching(/AtlasSuggestionsResult/),
      });
      expect(steps.fullTextSearch).toMatchObject({ names: ["refunds"], queryType: "FULL_TEXT" });
    });
  },
);
