/**
 * The official Python client `apache-atlas` 0.0.16 (PyPI, in the cached venv of
 * ../support/python-client.ts) against a real server on both stores, for the glossary: every
 * one of the client's 29 glossary methods (GlossaryClient; its two import APIs have no
 * method). Four of them put their payload in the query string instead of the body
 * (`create_glossary_categories`, `partial_update_glossary_by_guid`,
 * `partial_update_term_by_guid`, `update_glossary_category_by_guid`): against Atlas they
 * fail, and here they fail too — with a 400, or in the client before it sends anything.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.model.glossary import (AtlasGlossary, AtlasGlossaryCategory, AtlasGlossaryHeader,
    AtlasGlossaryTerm, AtlasRelatedCategoryHeader, AtlasRelatedTermHeader, AtlasTermCategorizationHeader)
from apache_atlas.model.instance import AtlasEntity, AtlasEntityWithExtInfo, AtlasRelatedObjectId

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
gc = client.glossary
out = {}

def plain(value):
    return json.loads(json.dumps(value, default=lambda o: dict(o))) if value is not None else None

def record(name, fn):
    try:
        out[name] = {"ok": plain(fn())}
    except Exception as e:
        out[name] = {"error": str(e)}
    return out[name].get("ok")

g = record("create_glossary", lambda: gc.create_glossary(AtlasGlossary({"name": "Sales", "shortDescription": "py"})))
record("create_glossary_dup", lambda: gc.create_glossary(AtlasGlossary({"name": "Sales"})))
anchor = AtlasGlossaryHeader({"glossaryGuid": g["guid"]})
t1 = record("create_glossary_term", lambda: gc.create_glossary_term(AtlasGlossaryTerm({"name": "Order", "anchor": anchor})))
record("create_glossary_term_no_anchor", lambda: gc.create_glossary_term(AtlasGlossaryTerm({"name": "Loose"})))
terms = record("create_glossary_terms", lambda: gc.create_glossary_terms([
    AtlasGlossaryTerm({"name": "Invoice", "anchor": anchor}),
    AtlasGlossaryTerm({"name": "Bill", "anchor": anchor})]))
invoice, bill = terms[0], terms[1]
c1 = record("create_glossary_category", lambda: gc.create_glossary_category(AtlasGlossaryCategory({"name": "Docs", "anchor": anchor,
    "terms": [AtlasRelatedTermHeader({"termGuid": invoice["guid"]})]})))
record("create_glossary_categories", lambda: gc.create_glossary_categories([AtlasGlossaryCategory({"name": "Other", "anchor": anchor})]))
child = record("create_glossary_category_child", lambda: gc.create_glossary_category(AtlasGlossaryCategory({"name": "Receipts", "anchor": anchor,
    "parentCategory": AtlasRelatedCategoryHeader({"categoryGuid": c1["guid"]})})))

record("get_all_glossaries", lambda: gc.get_all_glossaries())
record("get_glossary_by_guid", lambda: gc.get_glossary_by_guid(g["guid"]))
record("get_glossary_ext_info", lambda: gc.get_glossary_ext_info(g["guid"]))
record("get_glossary_term", lambda: gc.get_glossary_term(t1["guid"]))
record("get_glossary_terms", lambda: gc.get_glossary_terms(g["guid"], "ASC", -1, 0))
record("get_glossary_term_headers", lambda: gc.get_glossary_term_headers(g["guid"], "DESC", 2, 0))
record("get_glossary_category", lambda: gc.get_glossary_category(c1["guid"]))
record("get_glossary_categories", lambda: gc.get_glossary_categories(g["guid"], "ASC", -1, 0))
record("get_glossary_category_headers", lambda: gc.get_glossary_category_headers(g["guid"], "ASC", -1, 0))
record("get_category_terms", lambda: gc.get_category_terms(c1["guid"], "ASC", -1, 0))
record("get_related_categories", lambda: gc.get_related_categories(c1["guid"], "ASC", -1, 0))

inv = gc.get_glossary_term(invoice["guid"])
inv.synonyms = [AtlasRelatedTermHeader({"termGuid": bill["guid"], "status": "ACTIVE"})]
inv.shortDescription = "a request to pay"
record("update_glossary_term_by_guid", lambda: gc.update_glossary_term_by_guid(invoice["guid"], inv))
record("get_related_terms", lambda: gc.get_related_terms(bill["guid"], "ASC", -1, 0))
record("partial_update_term_by_guid", lambda: gc.partial_update_term_by_guid(invoice["guid"], {"abbreviation": "INV"}))

glossary = gc.get_glossary_by_guid(g["guid"])
glossary.longDescription = "everything sold"
record("update_glossary_by_guid", lambda: gc.update_glossary_by_guid(g["guid"], glossary))
record("partial_update_glossary_by_guid", lambda: gc.partial_update_glossary_by_guid(g["guid"], {"usage": "daily"}))
record("update_glossary_category_by_guid", lambda: gc.update_glossary_category_by_guid(c1["guid"], gc.get_glossary_category(c1["guid"])))
record("partial_update_category_by_guid", lambda: gc.partial_update_category_by_guid(c1["guid"], {"shortDescription": "papers"}))
record("partial_update_category_bad_attr", lambda: gc.partial_update_category_by_guid(c1["guid"], {"terms": "x"}))

db = AtlasEntity({"typeName": "hive_db", "guid": "-1"})
db.attributes = {"qualifiedName": "pyglossary@cl", "name": "pyglossary", "clusterName": "cl"}
db_guid = client.entity.create_entity(AtlasEntityWithExtInfo({"entity": db})).guidAssignments["-1"]
record("assign_term_to_entities", lambda: gc.assign_term_to_entities(t1["guid"], [AtlasRelatedObjectId({"guid": db_guid, "typeName": "hive_db"})]))
assigned = record("get_entities_assigned_with_term", lambda: gc.get_entities_assigned_with_term(t1["guid"], "ASC", -1, 0))
record("entity_meanings", lambda: client.entity.get_entity_by_guid(db_guid).entity.relationshipAttributes["meanings"])
record("delete_assigned_term", lambda: gc.delete_glossary_term_by_guid(t1["guid"]))
record("disassociate_term_from_entities", lambda: gc.disassociate_term_from_entities(t1["guid"], [AtlasRelatedObjectId({
    "guid": db_guid, "typeName": "hive_db", "relationshipGuid": assigned[0]["relationshipGuid"]})]))
record("assigned_after", lambda: gc.get_entities_assigned_with_term(t1["guid"], "ASC", -1, 0))

record("delete_glossary_term_by_guid", lambda: gc.delete_glossary_term_by_guid(t1["guid"]))
record("get_deleted_term", lambda: gc.get_glossary_term(t1["guid"]))
record("delete_glossary_category_by_guid", lambda: gc.delete_glossary_category_by_guid(c1["guid"]))
record("child_after_parent_deleted", lambda: gc.get_glossary_category(child["guid"]))
record("delete_glossary_by_guid", lambda: gc.delete_glossary_by_guid(g["guid"]))
record("get_deleted_glossary", lambda: gc.get_glossary_by_guid(g["guid"]))
record("get_all_after", lambda: gc.get_all_glossaries())
print(json.dumps(out))
`;

type Outcome = { ok?: unknown; error?: string };
type Json = Record<string, unknown>;

describe.each(["sqlite", "postgres"] as const)(
  "the Python client apache-atlas 0.0.16 on the glossary (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let out: Record<string, Outcome>;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "python-glossary", pg);
      out = (await runPythonClient(SCRIPT, server.url)) as typeof out;
    }, 600_000);
    afterAll(() => server?.stop());

    const ok = <T = Json>(name: string): T => {
      expect(out[name]?.error, name).toBeUndefined();
      return out[name]!.ok as T;
    };
    const failed = (name: string) => {
      expect(out[name]?.ok, name).toBeUndefined();
      return out[name]!.error!;
    };

    it("creates a glossary, terms (one and in bulk) and categories with Atlas's qualifiedNames", () => {
      expect(ok("create_glossary")).toMatchObject({ name: "Sales", qualifiedName: "Sales" });
      expect(ok("create_glossary_term")).toMatchObject({ qualifiedName: "Order@Sales" });
      expect(ok<Json[]>("create_glossary_terms").map((t) => t.qualifiedName)).toEqual([
        "Invoice@Sales",
        "Bill@Sales",
      ]);
      expect(ok("create_glossary_category")).toMatchObject({
        qualifiedName: "Docs@Sales",
        terms: [expect.objectContaining({ displayText: "Invoice" })],
      });
      expect(ok("create_glossary_category_child")).toMatchObject({
        qualifiedName: "Receipts.Docs@Sales",
      });
    });

    it("answers Atlas's errors: a name taken (409), a term without an anchor (400)", () => {
      expect(failed("create_glossary_dup")).toContain("ATLAS-409-00-007");
      expect(failed("create_glossary_term_no_anchor")).toContain("ATLAS-400-00-072");
      expect(failed("partial_update_category_bad_attr")).toContain("ATLAS-400-00-074");
      expect(failed("delete_assigned_term")).toContain("ATLAS-400-00-084");
    });

    it("reads glossaries, terms, categories, headers and the detailed view", () => {
      expect(ok<Json[]>("get_all_glossaries").map((g) => g.name)).toEqual(["Sales"]);
      expect(ok("get_glossary_by_guid")).toMatchObject({ name: "Sales", shortDescription: "py" });
      const detailed = ok<{ termInfo: Json; categoryInfo: Json }>("get_glossary_ext_info");
      expect(Object.keys(detailed.termInfo)).toHaveLength(3);
      expect(Object.keys(detailed.categoryInfo)).toHaveLength(2);
      expect(ok("get_glossary_term")).toMatchObject({ name: "Order" });
      expect(ok<Json[]>("get_glossary_terms").map((t) => t.name)).toEqual([
        "Bill",
        "Invoice",
        "Order",
      ]);
      expect(ok<Json[]>("get_glossary_term_headers").map((t) => t.displayText)).toEqual([
        "Order",
        "Invoice",
      ]);
      expect(ok("get_glossary_category")).toMatchObject({
        name: "Docs",
        childrenCategories: [expect.objectContaining({ displayText: "Receipts" })],
      });
      expect(ok<Json[]>("get_glossary_categories").map((c) => c.name)).toEqual([
        "Docs",
        "Receipts",
      ]);
      expect(ok<Json[]>("get_glossary_category_headers")).toHaveLength(2);
      expect(ok<Json[]>("get_category_terms").map((t) => t.displayText)).toEqual(["Invoice"]);
      expect(ok("get_related_categories")).toEqual({
        children: [expect.objectContaining({ displayText: "Receipts" })],
      });
    });

    it("updates a term with a relation and shows it from the other term; updates glossary and category", () => {
      expect(ok("update_glossary_term_by_guid")).toMatchObject({
        shortDescription: "a request to pay",
        synonyms: [expect.objectContaining({ displayText: "Bill", status: "ACTIVE" })],
      });
      expect(ok("get_related_terms")).toEqual({
        SYNONYMS: [expect.objectContaining({ displayText: "Invoice" })],
      });
      expect(ok("update_glossary_by_guid")).toMatchObject({ longDescription: "everything sold" });
      expect(ok("partial_update_category_by_guid")).toMatchObject({ shortDescription: "papers" });
    });

    it("the client's four payload-in-the-query methods fail as they do against Atlas", () => {
      expect(failed("partial_update_term_by_guid")).toContain("ATLAS-400-00-029");
      expect(failed("partial_update_glossary_by_guid")).toContain("ATLAS-400-00-029");
      expect(failed("update_glossary_category_by_guid")).toContain("400");
      expect(failed("create_glossary_categories")).toBeTruthy();
    });

    it("assigns a term to an entity, shows it as the entity's meanings, and disassociates it", () => {
      expect(out.assign_term_to_entities).toEqual({ ok: null });
      expect(ok<Json[]>("get_entities_assigned_with_term")).toEqual([
        expect.objectContaining({ typeName: "hive_db", displayText: "pyglossary" }),
      ]);
      expect(ok<Json[]>("entity_meanings")).toEqual([
        expect.objectContaining({ displayText: "Order", relationshipStatus: "ACTIVE" }),
      ]);
      expect(out.disassociate_term_from_entities).toEqual({ ok: null });
      expect(ok("assigned_after")).toEqual([]);
    });

    it("deletes a term, a category (its child goes to the top) and the glossary", () => {
      expect(out.delete_glossary_term_by_guid).toEqual({ ok: null });
      expect(failed("get_deleted_term")).toContain("ATLAS-404-00-005");
      expect(out.delete_glossary_category_by_guid).toEqual({ ok: null });
      expect(ok("child_after_parent_deleted")).toMatchObject({ qualifiedName: "Receipts@Sales" });
      expect(out.delete_glossary_by_guid).toEqual({ ok: null });
      expect(failed("get_deleted_glossary")).toContain("ATLAS-404-00-005");
      expect(ok("get_all_after")).toEqual([]);
    });
  },
);
