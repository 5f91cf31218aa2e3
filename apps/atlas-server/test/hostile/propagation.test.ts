/**
 * Hostile and wrong requests around classification propagation, as raw HTTP against one real
 * atlas-server process on SQLite (docs/contracts/http.md, docs/contracts/model.md): each is
 * Atlas's JSON error with Atlas's status and code, never a stack trace, and changes nothing —
 * the downstream table keeps its propagated tag, the relationship its propagateTags.
 */
import { randomUUID } from "node:crypto";
import { atlasCall as call } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasStackTrace } from "../support/raw-http.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const V2 = "/api/atlas/v2";
type Json = Record<string, unknown>;

describe("hostile propagation requests (1 atlas-server process on SQLite)", () => {
  let server: Standalone;
  const g = { src: "", dst: "", rel: "" };
  const bodies: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const answer = await call(server.url, method, path, body);
    bodies.push(answer.text);
    return answer;
  };
  const tags = async (guid: string) =>
    (
      ((await api("GET", `${V2}/entity/guid/${guid}`)).json as { entity: Json }).entity
        .classifications as Json[] | undefined
    )?.map((c) => `${String(c.typeName)}<-${String(c.entityGuid)}`) ?? [];

  beforeAll(async () => {
    server = await startStandalone("hostile-propagation");
    await api("POST", `${V2}/types/typedefs`, {
      classificationDefs: [{ name: "HX_PII", attributeDefs: [] }],
    });
    const ref = (guid: string, typeName: string) => ({ guid, typeName });
    const table = (guid: string, name: string) => ({
      typeName: "hive_table",
      guid,
      attributes: { qualifiedName: `hx.${name}@cl`, name },
      relationshipAttributes: { db: ref("-1", "hive_db") },
    });
    const made = await api("POST", `${V2}/entity/bulk`, {
      entities: [
        {
          typeName: "hive_db",
          guid: "-1",
          attributes: { qualifiedName: "hx@cl", name: "hx", clusterName: "cl" },
        },
        table("-2", "src"),
        table("-3", "dst"),
        {
          typeName: "hive_process",
          guid: "-4",
          attributes: {
            qualifiedName: "hx.p@cl",
            name: "p",
            operationType: "QUERY",
            queryText: "insert into dst select * from src",
            queryPlan: "Not Supported",
            queryId: "q1",
            startTime: 1_767_225_600_000,
            endTime: 1_767_225_600_100,
            userName: "hive",
          },
          relationshipAttributes: {
            inputs: [ref("-2", "hive_table")],
            outputs: [ref("-3", "hive_table")],
          },
        },
      ],
    });
    const assigned = (made.json as { guidAssignments: Record<string, string> }).guidAssignments;
    g.src = assigned["-2"]!;
    g.dst = assigned["-3"]!;
    const tagged = await api("POST", `${V2}/entity/guid/${g.src}/classifications`, [
      { typeName: "HX_PII", propagate: true },
    ]);
    expect(tagged.status).toBe(204);
    const dst = (await api("GET", `${V2}/entity/guid/${g.dst}`)).json as { entity: Json };
    const outputs = (dst.entity.relationshipAttributes as Json).outputFromProcesses as Json[];
    g.rel = String(outputs[0]!.relationshipGuid);
  }, 120_000);
  afterAll(() => server?.stop());

  const expectError = (answer: { status: number; json: unknown }, status: number, code: string) => {
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ errorCode: code, errorMessage: expect.any(String) });
  };

  it("the relationship answers its propagateTags and the classifications crossing it", async () => {
    const answer = await api("GET", `${V2}/relationship/guid/${g.rel}?extendedInfo=true`);
    expect(answer.status).toBe(200);
    const { relationship, referredEntities } = answer.json as {
      relationship: Json;
      referredEntities: Json;
    };
    expect(relationship.propagateTags).toBe("ONE_TO_TWO");
    expect(relationship.propagatedClassifications).toEqual([
      expect.objectContaining({ typeName: "HX_PII", entityGuid: g.src }),
    ]);
    expect(relationship.blockedPropagatedClassifications).toEqual([]);
    expect(Object.keys(referredEntities)).toContain(g.src);
  });

  it("a propagated tag cannot be removed from the receiving entity while its source is ACTIVE", async () => {
    const path = `${V2}/entity/guid/${g.dst}/classification/HX_PII`;
    expectError(
      await api("DELETE", `${path}?associatedEntityGuid=${g.src}`),
      400,
      "ATLAS-400-00-089",
    );
    expectError(await api("DELETE", path), 400, "ATLAS-400-00-06D");
    expectError(
      await api("DELETE", `${path}?associatedEntityGuid=${randomUUID()}`),
      400,
      "ATLAS-400-00-070",
    );
    expectError(
      await api("DELETE", `${path}?associatedEntityGuid=../../x`),
      400,
      "ATLAS-400-00-002",
    );
    expectError(
      await api("PUT", `${V2}/entity/guid/${g.dst}/classifications`, [
        { typeName: "HX_PII", entityGuid: g.src, propagate: false },
      ]),
      400,
      "ATLAS-400-00-06B",
    );
    expect(await tags(g.dst)).toEqual([`HX_PII<-${g.src}`]);
  });

  it("refuses propagateTags the relationshipDef does not allow, and malformed settings", async () => {
    const put = (body: Json) => api("PUT", `${V2}/relationship`, { guid: g.rel, ...body });
    expectError(await put({ propagateTags: "BOTH" }), 400, "ATLAS-400-00-091");
    expectError(await put({ propagateTags: "TWO_TO_ONE" }), 400, "ATLAS-400-00-091");
    for (const bad of [
      { propagateTags: "SIDEWAYS" },
      { propagateTags: 7 },
      { propagateTags: { value: "NONE" } },
      { blockedPropagatedClassifications: "HX_PII" },
      { blockedPropagatedClassifications: [{ typeName: 1 }] },
      { blockedPropagatedClassifications: [{ typeName: "HX_PII" }] },
      { blockedPropagatedClassifications: [null] },
    ]) {
      const answer = await put(bad);
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.json, JSON.stringify(bad)).toMatchObject({ errorCode: "ATLAS-400-00-01A" });
    }
    const rel = (await api("GET", `${V2}/relationship/guid/${g.rel}`)).json as {
      relationship: Json;
    };
    expect(rel.relationship.propagateTags).toBe("ONE_TO_TWO");
    expect(await tags(g.dst)).toEqual([`HX_PII<-${g.src}`]);
  });

  it("a block naming what does not cross is dropped, as Atlas; NONE stops and ONE_TO_TWO restores", async () => {
    const put = (body: Json) => api("PUT", `${V2}/relationship`, { guid: g.rel, ...body });
    const ignored = await put({
      blockedPropagatedClassifications: [{ typeName: "HX_PII", entityGuid: g.dst }],
    });
    expect(ignored.status).toBe(200);
    expect((ignored.json as Json).blockedPropagatedClassifications).toEqual([]);
    expect(await tags(g.dst)).toEqual([`HX_PII<-${g.src}`]);
    expect((await put({ propagateTags: "NONE" })).status).toBe(200);
    expect(await tags(g.dst)).toEqual([]);
    expect((await put({ propagateTags: "ONE_TO_TWO" })).status).toBe(200);
    expect(await tags(g.dst)).toEqual([`HX_PII<-${g.src}`]);
  });

  it("once the source is deleted, the receiving entity may remove what it received", async () => {
    expect((await api("DELETE", `${V2}/entity/guid/${g.src}`)).status).toBe(200);
    const path = `${V2}/entity/guid/${g.dst}/classification/HX_PII?associatedEntityGuid=${g.src}`;
    expect((await api("DELETE", path)).status).toBe(204);
    expect(await tags(g.dst)).toEqual([]);
    expectError(await api("DELETE", path), 400, "ATLAS-400-00-070");
  });

  it("never answers with a stack trace", () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(hasStackTrace(body), body).toBe(false);
  });
});
