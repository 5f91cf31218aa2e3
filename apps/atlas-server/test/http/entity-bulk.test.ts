/**
 * The entity REST's bulk tools through a real server process (standalone, SQLite): Atlas's
 * statuses and codes for every way an upload can be wrong, nothing stored when a request is
 * refused, the per-row report of a CSV import, and setClassifications' per-entity summary;
 * plus the CSV and multipart readers on their own.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/api/csv.js";
import { parseMultipart } from "../../src/http/multipart.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const E = "/api/atlas/v2/entity";
const attr = (name: string, typeName: string) => ({
  name,
  typeName,
  isOptional: true,
  cardinality: "SINGLE",
  options: { applicableEntityTypes: '["DataSet"]', maxStrLength: "50" },
});

describe("CSV and multipart readers", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and skips blank lines", () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi""",\n\n"two\nlines",z\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"', ""],
      ["two\nlines", "z"],
    ]);
    expect(parseCsv("\uFEFFh\nv")).toEqual([["h"], ["v"]]);
  });
  it("refuses a quoted field that never closes", () => {
    expect(() => parseCsv('a,"b\n')).toThrow(expect.objectContaining({ code: "CSV_MALFORMED" }));
  });
  it("splits parts with their names, file names and types, and refuses malformed bodies", () => {
    const body = Buffer.from(
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nh\r\nv\r\n--XX\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--XX--\r\n',
    );
    const parts = parseMultipart(body, "XX");
    expect(parts.map((p) => [p.name, p.filename, p.contentType, p.data.toString()])).toEqual([
      ["file", "a.csv", "text/csv", "h\r\nv"],
      ["note", undefined, undefined, "hi"],
    ]);
    for (const bad of [
      "no delimiter at all",
      '--XX\r\nContent-Disposition: form-data; name="f"\r\n\r\nnever closed',
      "--XX\r\nContent-Type: text/plain\r\n\r\nx\r\n--XX--",
      `${'--XX\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'.repeat(17)}--XX--`,
    ]) {
      expect(() => parseMultipart(Buffer.from(bad), "XX")).toThrow(
        expect.objectContaining({ errorCode: "ATLAS-400-00-002" }),
      );
    }
  });
});

describe("entity bulk tools over HTTP", () => {
  let server: Standalone;
  let guid: string;
  const upload = async (
    parts: Array<{ name: string; content: string; filename?: string }>,
    contentType?: string,
  ) => {
    const form = new FormData();
    for (const p of parts)
      if (p.filename) form.append(p.name, new Blob([p.content]), p.filename);
      else form.append(p.name, p.content);
    const request = new Request(`${server.url}${E}/businessmetadata/import`, {
      method: "POST",
      body: form,
    });
    const response = await fetch(request.url, {
      method: "POST",
      headers: {
        authorization: ATLAS_ADMIN_AUTH,
        "content-type": contentType ?? request.headers.get("content-type")!,
      },
      body: await request.arrayBuffer(),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const business = async () =>
    (
      (await atlasCall(server, "GET", `${E}/guid/${guid}`)).json as {
        entity: Record<string, unknown>;
      }
    ).entity.businessAttributes;

  beforeAll(async () => {
    server = await startStandalone("entity-bulk");
    const defs = await atlasCall(server, "POST", "/api/atlas/v2/types/typedefs", {
      classificationDefs: ["EB_A", "EB_B"].map((name) => ({ name, attributeDefs: [] })),
      businessMetadataDefs: [
        {
          name: "eb_bm",
          attributeDefs: [
            attr("owner", "string"),
            attr("rank", "int"),
            attr("score", "double"),
            attr("ok", "boolean"),
            attr("tags", "array<string>"),
          ],
        },
      ],
    });
    expect(defs.status).toBe(200);
    const created = await atlasCall(server, "POST", E, {
      entity: {
        guid: "-1",
        typeName: "fs_path",
        attributes: { qualifiedName: "eb@cl", name: "eb", path: "/eb" },
        classifications: [{ typeName: "EB_A" }],
      },
    });
    guid = Object.values(
      (created.json as { guidAssignments: Record<string, string> }).guidAssignments,
    )[0]!;
  }, 120_000);
  afterAll(() => server?.stop());

  it("serves the template as a download", async () => {
    const response = await fetch(`${server.url}${E}/businessmetadata/import/template`, {
      headers: { authorization: ATLAS_ADMIN_AUTH },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(
      'attachment; filename="template_business_metadata"',
    );
    expect(await response.text()).toMatch(/^EntityType,EntityUniqueAttributeValue,/);
  });

  it("imports typed values per row and reports every row it could not take", async () => {
    const csv = [
      "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,EntityUniqueAttributeName[optional]",
      'fs_path,eb@cl,eb_bm.owner,"Doe, Jane"',
      "fs_path,eb@cl,eb_bm.rank,12,qualifiedName",
      "fs_path,eb@cl,eb_bm.score,2.5",
      "fs_path,eb@cl,eb_bm.ok,TRUE",
      "fs_path,eb@cl,eb_bm.tags,a|b",
      "fs_path,eb@cl,eb_bm.rank,twelve",
      "fs_path,eb@cl,eb_bm.nope,x",
      "fs_path,eb@cl,owner,x",
      "fs_path,eb@cl,eb_bm.owner,x,name",
      "fs_path,,eb_bm.owner,x",
      "Nope,eb@cl,eb_bm.owner,x",
    ].join("\n");
    const answer = await upload([{ name: "file", content: csv, filename: "bm.csv" }]);
    expect(answer.status).toBe(200);
    expect(answer.json.successImportInfoList).toEqual([
      expect.objectContaining({ parentObjectName: guid, importStatus: "SUCCESS" }),
    ]);
    const remarks = (answer.json.failedImportInfoList as Array<{ remarks: string }>).map(
      (f) => f.remarks,
    );
    expect(remarks).toEqual([
      "Line #7: the value 'twelve' of 'eb_bm.rank' is not of type int",
      "Line #8: invalid business-metadata 'eb_bm.nope' for entity type 'fs_path'",
      "Line #9: invalid business-metadata 'owner' for entity type 'fs_path'",
      expect.stringMatching(/^Line #10: attribute 'name' is not an unique attribute/),
      expect.stringMatching(/^Line #11: missing fields/),
      "Line #12: invalid entity-type 'Nope'",
    ]);
    expect(await business()).toEqual({
      eb_bm: { owner: "Doe, Jane", rank: 12, score: 2.5, ok: true, tags: ["a", "b"] },
    });
  });

  it("answers Atlas's codes for a file it cannot read, and stores nothing", async () => {
    const before = await business();
    const cases: Array<[Parameters<typeof upload>, number, string]> = [
      [[[{ name: "file", content: "h\nfs_path,eb@cl,eb_bm.owner,x" }]], 404, "ATLAS-404-00-014"],
      [[[{ name: "file", content: "h\nx,y", filename: "bm.xlsx" }]], 400, "ATLAS-400-00-098"],
      [
        [[{ name: "file", content: "only,the,header\n", filename: "bm.csv" }]],
        400,
        "ATLAS-400-00-09B",
      ],
      [
        [[{ name: "file", content: 'h\nfs_path,"eb@cl', filename: "bm.csv" }]],
        400,
        "ATLAS-400-00-09C",
      ],
      [
        [
          [{ name: "file", content: "h\nfs_path,eb@cl,eb_bm.owner,x", filename: "a.csv" }],
          "multipart/form-data",
        ],
        400,
        "ATLAS-400-00-002",
      ],
      [[[{ name: "file", content: "x", filename: "a.csv" }], "text/csv"], 415, "ATLAS-415-00-001"],
    ];
    for (const [args, status, code] of cases) {
      const answer = await upload(...args);
      expect({ status: answer.status, code: answer.json.errorCode }).toEqual({ status, code });
    }
    expect(await business()).toEqual(before);
  });

  it("setClassifications reports per entity and leaves an entity as it was when a classification is unknown", async () => {
    const headers = (classifications: string[], qualifiedName = "eb@cl", typeName = "fs_path") => ({
      typeName,
      attributes: { qualifiedName },
      classifications: classifications.map((typeName) => ({ typeName })),
    });
    const answer = await atlasCall(server, "POST", `${E}/bulk/setClassifications`, {
      guidHeaderMap: {
        a: headers(["EB_A", "EB_NOPE"]),
        b: headers(["EB_B"], "eb@cl", "no_type"),
        c: headers(["EB_B"], "missing@cl"),
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([
      `Update:${guid}:fs_path:eb@cl -> EB_A:(Done)`,
      `Add:${guid}:fs_path:eb@cl -> EB_NOPE:(Partial)`,
      "no_type: (Skipped)",
      "Entity:fs_path:missing@cl:[Not found]:(Skipped)",
    ]);
    const entity = (await atlasCall(server, "GET", `${E}/guid/${guid}`)).json as {
      entity: { classifications: Array<{ typeName: string }> };
    };
    expect(entity.entity.classifications.map((c) => c.typeName)).toEqual(["EB_A"]);
    const bad = await atlasCall(server, "POST", `${E}/bulk/setClassifications`, {
      guidHeaderMap: [],
    });
    expect(bad.status).toBe(400);
    expect((bad.json as { errorCode: string }).errorCode).toBe("ATLAS-400-00-002");
  });

  it("deleting what is not there is a 200 no-op, as in Atlas; an unknown type is still Atlas's 400", async () => {
    const none = "00000000-0000-4000-8000-00000000dead";
    const one = await atlasCall(server, "DELETE", `${E}/guid/${none}`);
    expect({ status: one.status, json: one.json }).toEqual({
      status: 200,
      json: { mutatedEntities: {}, guidAssignments: {} },
    });
    const created = await atlasCall(server, "POST", E, {
      entity: {
        guid: "-1",
        typeName: "fs_path",
        attributes: { qualifiedName: "gone@cl", name: "gone", path: "/gone" },
      },
    });
    const guid2 = (created.json as { guidAssignments: Record<string, string> }).guidAssignments[
      "-1"
    ]!;
    const bulk = await atlasCall(server, "DELETE", `${E}/bulk?guid=${none}&guid=${guid2}`);
    expect(bulk.status).toBe(200);
    expect(
      (
        bulk.json as { mutatedEntities: { DELETE: Array<{ guid: string }> } }
      ).mutatedEntities.DELETE.map((h) => h.guid),
    ).toEqual([guid2]);
    const byName = await atlasCall(
      server,
      "DELETE",
      `${E}/uniqueAttribute/type/fs_path?attr:qualifiedName=never@cl`,
    );
    expect(byName.status).toBe(200);
    const unknownType = await atlasCall(
      server,
      "DELETE",
      `${E}/uniqueAttribute/type/no_such_type?attr:qualifiedName=x`,
    );
    expect({
      status: unknownType.status,
      code: (unknownType.json as { errorCode: string }).errorCode,
    }).toEqual({
      status: 400,
      code: "ATLAS-400-00-014",
    });
  });

  it("bulk/headers answers the entities whose classifications changed since a time, with their classifications", async () => {
    const created = await atlasCall(server, "POST", E, {
      entity: {
        guid: "-1",
        typeName: "fs_path",
        attributes: { qualifiedName: "tagged@cl", name: "tagged", path: "/tagged" },
      },
    });
    const tagged = (created.json as { guidAssignments: Record<string, string> }).guidAssignments[
      "-1"
    ]!;
    const since = Date.now();
    const added = await atlasCall(server, "POST", `${E}/guid/${tagged}/classifications`, [
      { typeName: "EB_B" },
    ]);
    expect(added.status).toBe(204);
    const headers = await atlasCall(server, "GET", `${E}/bulk/headers?tagUpdateStartTime=${since}`);
    expect(headers.status).toBe(200);
    const map = (
      headers.json as { guidHeaderMap: Record<string, { classificationNames: string[] }> }
    ).guidHeaderMap;
    // Only what changed from `since`: the entity tagged before it (eb@cl) is not there.
    expect(Object.keys(map)).toEqual([tagged]);
    expect(map[tagged]).toMatchObject({ typeName: "fs_path", classificationNames: ["EB_B"] });
    const all = await atlasCall(server, "GET", `${E}/bulk/headers`);
    expect(Object.keys((all.json as { guidHeaderMap: object }).guidHeaderMap)).toEqual(
      expect.arrayContaining([guid, tagged]),
    );
    const future = await atlasCall(
      server,
      "GET",
      `${E}/bulk/headers?tagUpdateStartTime=${Date.now() + 3_600_000}`,
    );
    expect({ status: future.status, json: future.json }).toEqual({
      status: 400,
      json: {
        errorCode: "ATLAS-400-00-029",
        errorMessage: "fromTimestamp should be less than toTimestamp",
      },
    });
    const bad = await atlasCall(server, "GET", `${E}/bulk/headers?tagUpdateStartTime=yesterday`);
    expect(bad.status).toBe(400);
  });
});
