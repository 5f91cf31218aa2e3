/**
 * Hostile uploads to the business-metadata import and hostile setClassifications bodies,
 * against a real standalone server: every answer a clear 4xx with an Atlas error code and no
 * stack trace, nothing stored, and the server serves on.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasStackTrace } from "../support/raw-http.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const E = "/api/atlas/v2/entity";

describe("hostile uploads and bulk classification bodies", () => {
  let server: Standalone;
  beforeAll(async () => {
    server = await startStandalone("hostile-uploads");
  }, 120_000);
  afterAll(() => server?.stop());

  const post = async (body: string | Buffer, contentType: string) => {
    const response = await fetch(`${server.url}${E}/businessmetadata/import`, {
      method: "POST",
      headers: { authorization: ATLAS_ADMIN_AUTH, "content-type": contentType },
      body,
    });
    const text = await response.text();
    expect(hasStackTrace(text)).toBe(false);
    return {
      status: response.status,
      code: (JSON.parse(text) as { errorCode?: string }).errorCode,
    };
  };
  const part = (csv: string, boundary = "B") =>
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n${csv}\r\n--${boundary}--\r\n`;

  it("refuses too many rows, oversized bodies, absurd boundaries and broken framing with Atlas codes", async () => {
    const header =
      "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue\n";
    const rows = header + "fs_path,x@cl,bm.a,v\n".repeat(10_001);
    expect(await post(part(rows), "multipart/form-data; boundary=B")).toEqual({
      status: 400,
      code: "ATLAS-400-00-002",
    });
    expect(
      await post(part("x".repeat(2 * 1024 * 1024)), "multipart/form-data; boundary=B"),
    ).toEqual({
      status: 413,
      code: "ATLAS-413-00-001",
    });
    const long = "b".repeat(71);
    expect(await post(part(header, long), `multipart/form-data; boundary=${long}`)).toEqual({
      status: 400,
      code: "ATLAS-400-00-002",
    });
    expect(await post(`--B\r\n${"x".repeat(1000)}`, "multipart/form-data; boundary=B")).toEqual({
      status: 400,
      code: "ATLAS-400-00-002",
    });
    // Quotes, SQL and formula-looking values are data: a row naming no entity is reported, nothing written.
    const answer = await fetch(`${server.url}${E}/businessmetadata/import`, {
      method: "POST",
      headers: {
        authorization: ATLAS_ADMIN_AUTH,
        "content-type": "multipart/form-data; boundary=B",
      },
      body: part(`${header}fs_path,"x'; DROP TABLE atlas_entities; --",bm.a,=cmd|' /C calc'!A0\n`),
    });
    expect(answer.status).toBe(200);
    expect(
      ((await answer.json()) as { failedImportInfoList: unknown[] }).failedImportInfoList,
    ).toHaveLength(1);
  });

  it("refuses malformed setClassifications bodies and still serves", async () => {
    for (const body of [{}, { guidHeaderMap: "x" }, { guidHeaderMap: [1] }, []]) {
      const answer = await atlasCall(server, "POST", `${E}/bulk/setClassifications`, body);
      expect(answer.status).toBe(400);
      expect(hasStackTrace(answer.text)).toBe(false);
    }
    // Headers of every odd shape are reported, never a 500.
    const odd = await atlasCall(server, "POST", `${E}/bulk/setClassifications`, {
      guidHeaderMap: {
        a: null,
        b: 7,
        c: { typeName: "fs_path", attributes: { qualifiedName: 5 } },
      },
    });
    expect(odd.status).toBe(200);
    expect(odd.json).toEqual([
      ": (Skipped)",
      ": (Skipped)",
      "Entity:fs_path:<no unique name>:[Not found]:(Skipped)",
    ]);
    const status = await atlasCall(server, "GET", "/api/atlas/admin/status");
    expect(status.json).toEqual({ Status: "ACTIVE" });
  });

  it("the glossary import takes hostile names as data and refuses oversized files", async () => {
    const post = async (csv: string) => {
      const response = await fetch(`${server.url}/api/atlas/v2/glossary/import`, {
        method: "POST",
        headers: {
          authorization: ATLAS_ADMIN_AUTH,
          "content-type": "multipart/form-data; boundary=B",
        },
        body: part(csv),
      });
      const text = await response.text();
      expect(hasStackTrace(text)).toBe(false);
      return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
    };
    const header = "GlossaryName,TermName,ShortDescription\n";
    expect((await post(header + "g,t\n".repeat(10_001))).json.errorCode).toBe("ATLAS-400-00-002");
    // Names with the characters Atlas forbids are refused per row; SQL-looking text is a name like any other.
    const answer = await post(`${header}g@x,t1\ng,t.2\ng,"x'); DROP TABLE atlas_entities; --"\n`);
    expect(answer.status).toBe(200);
    expect((answer.json.failedImportInfoList as unknown[]).length).toBe(2);
    expect(
      (answer.json.successImportInfoList as Array<{ childObjectName: string }>).map(
        (i) => i.childObjectName,
      ),
    ).toEqual(["x'); DROP TABLE atlas_entities; --"]);
  });
});
