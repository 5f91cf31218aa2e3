/**
 * A census of Atlas's v2 API as the official Java client (`AtlasClientV2` 2.4.0) defines it:
 * every `API_V2` constant called once with its own method and path (placeholders filled with
 * values that name nothing) against a real server (standalone, SQLite). Served: any answer
 * but 404 `ATLAS-404-00-F01` and 405; none may be a 500. The server README states the count;
 * this test keeps it true.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJavaScenario } from "../support/java-client.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

describe("the Java client's endpoints, served or not", () => {
  let server: Standalone;
  beforeAll(async () => {
    server = await startStandalone("java-census");
  }, 120_000);
  afterAll(() => server?.stop());

  it("answers every endpoint the client defines without a 500, and serves as many as the README says", async () => {
    const steps = await runJavaScenario("CensusScenario", server.url, "census");
    const calls = Object.values(steps).filter((s) => s.step.startsWith("api:")) as Array<{
      step: string;
      method: string;
      path: string;
      status: number;
      errorCode?: string | null;
    }>;
    expect(calls).toHaveLength(107); // the client's own count: a new client version is noticed
    expect(calls.filter((c) => c.status >= 500)).toEqual([]);
    // Index recovery: no recovery ever runs here (the search indexes are transactional).
    expect(calls.find((c) => c.step === "api:GET_INDEX_RECOVERY_DATA")).toMatchObject({
      status: 200,
    });
    expect(calls.find((c) => c.step === "api:START_INDEX_RECOVERY")).toMatchObject({
      status: 400,
      errorCode: "ATLAS-400-00-029",
    });
    // Lineage on demand: Atlas's answer when it is not enabled (its default).
    expect(calls.find((c) => c.step === "api:LINEAGE_INFO_ON_DEMAND")).toMatchObject({
      status: 400,
      errorCode: "ATLAS-400-00-100",
    });
    const served = calls.filter(
      (c) => !(c.status === 404 && c.errorCode === "ATLAS-404-00-F01") && c.status !== 405,
    );
    const missing = calls.filter((c) => !served.includes(c)).map((c) => `${c.method} ${c.path}`);
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    const stated =
      /Of the 107 endpoints the official Java client `AtlasClientV2` 2\.4\.0 defines, (\d+) are served/.exec(
        readme,
      );
    expect(stated, "the README states the count").not.toBeNull();
    expect({ served: served.length, missing }).toEqual({ served: Number(stated![1]), missing });
  }, 600_000);
});
