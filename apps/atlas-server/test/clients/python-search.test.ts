/**
 * The official Python client `apache-atlas` 0.0.16 (PyPI, the cached venv of
 * ../support/python-client.ts) against a real server (SQLite): every discovery method it has
 * for the searches this server serves — basic_search, faceted_search with filters, dsl_search,
 * dsl_search_with_params, attribute_search, relationship_search, quick_search (GET and POST),
 * get_suggestions, full_text_search — decoded into the client's own models.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { seedSearch, type SearchSeed } from "../support/search-seed.js";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import json, os
from apache_atlas.client.base_client import AtlasClient
from apache_atlas.exceptions import AtlasServiceException
from apache_atlas.model.discovery import FilterCriteria, QuickSearchParameters, SearchParameters

client = AtlasClient(os.environ["ATLAS_URL"], ("admin", "admin"))
d = client.discovery
out = {}

def names(result):
    return [e.displayText for e in (result.entities or [])]

def record(name, fn):
    try:
        out[name] = {"ok": fn()}
    except AtlasServiceException as e:
        out[name] = {"error": str(e)}

record("basic", lambda: names(d.basic_search("sx_item", None, None, True, "size", "DESCENDING", 2, 0)))
record("basic_classification", lambda: names(d.basic_search(None, "SX_PII", None, False)))

params = SearchParameters({"typeName": "sx_item", "limit": 10, "offset": 0, "attributes": ["size"],
    "entityFilters": FilterCriteria({"condition": "AND", "criterion": [
        FilterCriteria({"attributeName": "size", "operator": "gt", "attributeValue": "15"}),
        FilterCriteria({"attributeName": "tags", "operator": "contains_any", "attributeValue": "green,blue"})]})})
def faceted():
    r = d.faceted_search(params)
    return [[e.displayText, e.attributes["size"]] for e in r.entities]
record("faceted", faceted)
record("faceted_bad_operator", lambda: d.faceted_search(SearchParameters({"typeName": "sx_item",
    "entityFilters": FilterCriteria({"attributeName": "size", "operator": "~", "attributeValue": "1"})})))

record("dsl", lambda: names(d.dsl_search("sx_item where level = 'HIGH' orderby name")))
def dsl_select():
    r = d.dsl_search_with_params("sx_item select name, size orderby size", 2, 1)
    return {"name": r.attributes.name, "values": r.attributes.values}
record("dsl_select", dsl_select)
record("dsl_bad", lambda: d.dsl_search("sx_item where (size"))

record("attribute", lambda: names(d.attribute_search("hive_table", "name", "ord")))
record("relationship", lambda: names(d.relationship_search(os.environ["SALES_GUID"], "tables", "name", "DESCENDING", False)))

def quick():
    r = d.quick_search("sales", None, False)
    # 0.0.16's AtlasAggregationEntry assigns 'count' to .name (a client bug): .name holds the count.
    return {"names": names(r.searchResults), "types": [e.name for e in r.aggregationMetrics["__typeName"]]}
record("quick", quick)
def quick_post():
    r = d.quick_search_with_param(QuickSearchParameters({"query": "a", "typeName": "sx_item", "limit": 5, "offset": 0}))
    return names(r.searchResults)
record("quick_post", quick_post)

def suggestions():
    r = d.get_suggestions("sales.r", "qualifiedName")
    return {"suggestions": r.suggestions, "prefixString": r.prefixString}
record("suggestions", suggestions)

def full_text():
    r = d.full_text_search("refunds")
    return [f["entity"]["displayText"] for f in r.fullTextResult]
record("full_text", full_text)
record("full_text_with_params", lambda: names(d.full_text_search_with_params("sales", 1, 1)))

print(json.dumps(out))
`;

describe.each(["sqlite", "postgres"] as const)(
  "the Python client's discovery methods (%s)",
  (backend) => {
    const pg = usePostgres();
    let server: Standalone;
    let seed: SearchSeed;
    let out: Record<string, { ok?: unknown; error?: string }>;

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "search-python", pg);
      seed = await seedSearch(server.url);
      process.env.SALES_GUID = seed.guids.sales;
      out = (await runPythonClient(SCRIPT, server.url)) as typeof out;
    }, 300_000);
    afterAll(async () => {
      delete process.env.SALES_GUID;
      await server?.stop();
    });

    it("basic_search and faceted_search: types, classification, sort, filters, requested attributes", () => {
      expect(out.basic).toEqual({ ok: ["gamma", "beta"] });
      expect(out.basic_classification).toEqual({ ok: ["alpha"] });
      expect(out.faceted).toEqual({ ok: [["beta", 20]] });
      expect(out.faceted_bad_operator?.error).toMatch(/ATLAS-400-00-103/);
    });

    it("dsl_search and dsl_search_with_params: entities, and select as attributes", () => {
      expect(out.dsl).toEqual({ ok: ["beta", "gamma"] });
      expect(out.dsl_select).toEqual({
        ok: {
          name: ["name", "size"],
          values: [
            ["beta", 20],
            ["gamma", 30],
          ],
        },
      });
      expect(out.dsl_bad?.error).toMatch(/ATLAS-400-00-059/);
    });

    it("attribute_search, relationship_search, quick_search (GET and POST), get_suggestions, full_text_search", () => {
      expect(out.attribute).toEqual({ ok: ["orders"] });
      expect(out.relationship).toEqual({ ok: ["refunds", "orders"] });
      expect(out.quick).toEqual({
        ok: { names: ["sales", "orders", "refunds"], types: [2, 1] },
      });
      expect(out.quick_post).toEqual({ ok: ["alpha", "beta", "gamma"] });
      expect(out.suggestions).toEqual({
        ok: { suggestions: ["sales.refunds@sx"], prefixString: "sales.r" },
      });
      expect(out.full_text).toEqual({ ok: ["refunds"] });
      expect(out.full_text_with_params).toEqual({ ok: ["orders"] });
    });
  },
);
