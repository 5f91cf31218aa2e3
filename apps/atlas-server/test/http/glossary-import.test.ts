/**
 * The glossary's CSV import and template (GlossaryREST `import`, `import/template`) through a
 * real server process on SQLite and PostgreSQL: terms created per row with their texts,
 * examples and additional attributes, a glossary made when named but missing, relations added
 * in a second pass (so a row may name a later row's term), every refused row reported with
 * Atlas's wording while the others go on, and Atlas's codes for a file it cannot take.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const G = "/api/atlas/v2/glossary";
const HEADER =
  "GlossaryName,TermName,ShortDescription,LongDescription,Examples,Abbreviation,Usage,AdditionalAttributes,TranslationTerms,ValidValuesFor,Synonyms";

describe.each(["sqlite", "postgres"] as const)("the glossary CSV import (%s)", (backend) => {
  const pg = usePostgres();
  let server: Standalone;
  beforeAll(async () => {
    server = await startStandaloneOn(backend, "glossary-import", pg);
  }, 120_000);
  afterAll(() => server?.stop());

  const upload = async (csv: string, filename = "terms.csv") => {
    const form = new FormData();
    form.append("file", new Blob([csv]), filename);
    const request = new Request(`${server.url}${G}/import`, { method: "POST", body: form });
    const response = await fetch(request.url, {
      method: "POST",
      headers: {
        authorization: ATLAS_ADMIN_AUTH,
        "content-type": request.headers.get("content-type")!,
      },
      body: await request.arrayBuffer(),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const term = async (qn: string) => {
    const found = await atlasCall(
      server,
      "GET",
      `/api/atlas/v2/entity/uniqueAttribute/type/AtlasGlossaryTerm?attr:qualifiedName=${encodeURIComponent(qn)}`,
    );
    expect(found.status).toBe(200);
    const guid = (found.json as { entity: { guid: string } }).entity.guid;
    return (await atlasCall(server, "GET", `${G}/term/${guid}`)).json as Record<string, unknown>;
  };

  it("serves Atlas's template", async () => {
    const response = await fetch(`${server.url}${G}/import/template`, {
      headers: { authorization: ATLAS_ADMIN_AUTH },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(
      /^GlossaryName, TermName, ShortDescription, .*, PreferredTerms$/,
    );
  });

  it("creates the terms, makes the missing glossary, links terms in a second pass and reports each refused row", async () => {
    const csv = [
      HEADER,
      "Finance,Revenue,Money in,Money that comes in,sales|fees,REV,reports,owner:cfo|unit:eur,,,Finance:Income",
      "Finance,Income,Earnings",
      ",Orphan",
      "Finance,",
      "Finance,Self,,,,,,,,,Finance:Self",
      "Finance,Dangling,,,,,,,,,Other:Nope",
      "Finance,Revenue,again",
      "Finance,Odd,,,,,,broken",
    ].join("\n");
    const answer = await upload(csv);
    expect(answer.status).toBe(200);
    const ok = (
      answer.json.successImportInfoList as Array<{ childObjectName: string; remarks: string }>
    ).map((i) => i.childObjectName);
    expect(ok).toEqual(["Revenue", "Income", "Self", "Dangling"]);
    const failed = (
      answer.json.failedImportInfoList as Array<{ childObjectName: string; remarks: string }>
    ).map((i) => [i.childObjectName, i.remarks]);
    expect(failed).toEqual([
      ["Orphan", "The GlossaryName is blank for the record : [, Orphan]"],
      ["", "The TermName is blank for provided record: [Finance, ]"],
      ["Revenue", expect.stringMatching(/exists/i)],
      ["Odd", expect.stringMatching(/AdditionalAttributes needs to be a key:value pair/)],
      [
        "Self",
        "Invalid relationship specified for Term. Term cannot have a relationship with self",
      ],
      [
        "Dangling",
        "The provided Reference Nope@Other does not exist at Atlas referred at record with TermName  : Dangling and GlossaryName : Finance",
      ],
    ]);
    const revenue = await term("Revenue@Finance");
    expect(revenue).toMatchObject({
      name: "Revenue",
      shortDescription: "Money in",
      longDescription: "Money that comes in",
      examples: ["sales", "fees"],
      abbreviation: "REV",
      usage: "reports",
      additionalAttributes: { owner: "cfo", unit: "eur" },
      synonyms: [expect.objectContaining({ displayText: "Income" })],
    });
    // Seen from the other side too: a relationship, not a copied name.
    expect((await term("Income@Finance")).synonyms).toEqual([
      expect.objectContaining({ displayText: "Revenue" }),
    ]);
  });

  it("answers 409 when no row makes a term, and Atlas's codes for files it cannot take", async () => {
    const none = await upload(`${HEADER}\n,NoGlossary\nFinance,Revenue`);
    expect({ status: none.status, code: none.json.errorCode }).toEqual({
      status: 409,
      code: "ATLAS-409-00-011",
    });
    expect((await upload(`${HEADER}\nA,B`, "terms.xlsx")).json.errorCode).toBe("ATLAS-400-00-098");
    expect((await upload(`${HEADER}\n`)).json.errorCode).toBe("ATLAS-400-00-09B");
    expect((await upload(`${HEADER}\n"A,B`)).json.errorCode).toBe("ATLAS-400-00-09C");
  });

  it("a basic search by termName finds the entities the term is assigned to", async () => {
    const created = await atlasCall(server, "POST", "/api/atlas/v2/entity", {
      entity: {
        guid: "-1",
        typeName: "fs_path",
        attributes: { qualifiedName: "ledger@cl", name: "ledger", path: "/ledger" },
      },
    });
    const guid = (created.json as { guidAssignments: Record<string, string> }).guidAssignments[
      "-1"
    ]!;
    const revenue = await term("Revenue@Finance");
    const assigned = await atlasCall(
      server,
      "POST",
      `${G}/terms/${String(revenue.guid)}/assignedEntities`,
      [{ guid, typeName: "fs_path" }],
    );
    expect(assigned.status).toBe(204);
    const search = async (body: Record<string, unknown>) =>
      (
        (await atlasCall(server, "POST", "/api/atlas/v2/search/basic", body)).json as {
          entities?: Array<{ guid: string }>;
        }
      ).entities?.map((e) => e.guid) ?? [];
    expect(await search({ termName: "Revenue@Finance" })).toEqual([guid]);
    expect(await search({ termName: "Revenue@Finance", typeName: "hive_db" })).toEqual([]);
    expect(await search({ termName: "Income@Finance" })).toEqual([]);
    const get = await atlasCall(
      server,
      "GET",
      "/api/atlas/v2/search/basic?termName=Revenue%40Finance",
    );
    expect((get.json as { entities: Array<{ guid: string }> }).entities.map((e) => e.guid)).toEqual(
      [guid],
    );
  });
});
