package atlasha;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.AtlasServiceException;
import org.apache.atlas.SortOrder;
import org.apache.atlas.model.discovery.AtlasAggregationEntry;
import org.apache.atlas.model.discovery.AtlasQuickSearchResult;
import org.apache.atlas.model.discovery.AtlasSearchResult;
import org.apache.atlas.model.discovery.AtlasSuggestionsResult;
import org.apache.atlas.model.discovery.QuickSearchParameters;
import org.apache.atlas.model.discovery.SearchParameters;
import org.apache.atlas.model.discovery.SearchParameters.FilterCriteria;
import org.apache.atlas.model.instance.AtlasEntityHeader;
import org.apache.atlas.type.AtlasType;

/**
 * Drives atlas-server's search API with Apache Atlas's own Java client (AtlasClientV2 2.4.0):
 * basicSearch (with and without entity filters), facetedSearch with tag filters, dslSearch,
 * dslSearchWithParams (select), attributeSearch, relationshipSearch, quickSearch (GET and
 * POST), getSuggestions, fullTextSearch, and an invalid DSL query's status. Runs on the
 * catalogue of test/support/search-seed.ts. Prints one JSON line per step.
 * args: url user password run-id
 */
public final class SearchScenario {
    private interface Step {
        Map<String, Object> run() throws AtlasServiceException;
    }

    private static void step(String name, Step step) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", name);
        try {
            line.putAll(step.run());
        } catch (AtlasServiceException e) {
            line.put("status", e.getStatus() == null ? -1 : e.getStatus().getStatusCode());
            line.put("error", String.valueOf(e.getMessage()));
            Throwable cause = e.getCause();
            while (cause != null && cause.getCause() != null) {
                cause = cause.getCause();
            }
            line.put("cause", cause == null ? null : cause.toString());
        } catch (RuntimeException e) {
            line.put("error", e.toString());
        }
        System.out.println(AtlasType.toJson(line));
    }

    private static List<String> names(List<AtlasEntityHeader> entities) {
        List<String> out = new ArrayList<>();
        if (entities != null) {
            for (AtlasEntityHeader e : entities) {
                out.add(e.getDisplayText());
            }
        }
        return out;
    }

    private static Map<String, Object> facts(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static FilterCriteria test(String attribute, SearchParameters.Operator op, String value) {
        FilterCriteria f = new FilterCriteria();
        f.setAttributeName(attribute);
        f.setOperator(op);
        f.setAttributeValue(value);
        return f;
    }

    public static void main(String[] args) {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});

        step("basicSearch", () -> facts(
                "names", names(client.basicSearch("sx_item", null, null, true, 10, 0).getEntities()),
                "filtered", names(client.basicSearch("sx_item", test("size", SearchParameters.Operator.GT, "15"),
                        null, null, true, 10, 0).getEntities())));

        step("facetedSearch", () -> {
            SearchParameters p = new SearchParameters();
            p.setClassification("SX_PII");
            p.setTagFilters(test("level", SearchParameters.Operator.EQ, "3"));
            p.setIncludeClassificationAttributes(true);
            p.setAttributes(new HashSet<>(Arrays.asList("size")));
            p.setSortBy("name");
            p.setSortOrder(SortOrder.ASCENDING);
            AtlasSearchResult r = client.facetedSearch(p);
            AtlasEntityHeader first = r.getEntities().get(0);
            return facts("names", names(r.getEntities()), "count", r.getApproximateCount(),
                    "classification", first.getClassifications().get(0).getTypeName(),
                    "level", first.getClassifications().get(0).getAttribute("level"));
        });

        step("dslSearch", () -> facts(
                "names", names(client.dslSearch("sx_item where level = 'HIGH' orderby name").getEntities())));

        step("dslSearchWithParams", () -> {
            AtlasSearchResult r = client.dslSearchWithParams("sx_item select name, size orderby size", 2, 1);
            return facts("name", r.getAttributes().getName(), "values", r.getAttributes().getValues());
        });

        step("dslInvalid", () -> facts("names", names(client.dslSearch("sx_item where (size").getEntities())));

        step("attributeSearch", () -> facts(
                "names", names(client.attributeSearch("hive_table", "name", "ord", 10, 0).getEntities())));

        step("relationshipSearch", () -> {
            String sales = client.attributeSearch("hive_db", "name", "sales", 1, 0).getEntities().get(0).getGuid();
            return facts("names", names(client.relationshipSearch(sales, "tables", "name", SortOrder.DESCENDING,
                    false, 10, 0).getEntities()));
        });

        step("quickSearch", () -> {
            AtlasQuickSearchResult r = client.quickSearch("sales", "hive_table", false, 10, 0);
            Map<String, Long> types = new LinkedHashMap<>();
            for (AtlasAggregationEntry e : r.getAggregationMetrics().get("__typeName")) {
                types.put(e.getName(), e.getCount());
            }
            QuickSearchParameters q = new QuickSearchParameters();
            q.setQuery("a");
            q.setTypeName("sx_item");
            q.setLimit(5);
            AtlasQuickSearchResult posted = client.quickSearch(q);
            return facts("names", names(r.getSearchResults().getEntities()), "types", types,
                    "posted", names(posted.getSearchResults().getEntities()));
        });

        // 2.4.0's AtlasSuggestionsResult has no default constructor, so Jackson cannot decode
        // the answer of any server, Apache Atlas's included: the step records the client's error.
        step("getSuggestions", () -> {
            AtlasSuggestionsResult r = client.getSuggestions("sales.r", "qualifiedName");
            return facts("suggestions", r.getSuggestions(), "fieldName", r.getFieldName());
        });

        step("fullTextSearch", () -> {
            AtlasSearchResult r = client.fullTextSearch("refunds");
            List<String> found = new ArrayList<>();
            for (AtlasSearchResult.AtlasFullTextResult f : r.getFullTextResult()) {
                found.add(f.getEntity().getDisplayText());
            }
            return facts("names", found, "queryType", String.valueOf(r.getQueryType()));
        });
    }
}
