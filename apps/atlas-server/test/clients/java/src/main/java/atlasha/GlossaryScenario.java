package atlasha;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.AtlasServiceException;
import org.apache.atlas.model.glossary.AtlasGlossary;
import org.apache.atlas.model.glossary.AtlasGlossaryCategory;
import org.apache.atlas.model.glossary.AtlasGlossaryTerm;
import org.apache.atlas.model.glossary.relations.AtlasGlossaryHeader;
import org.apache.atlas.model.glossary.relations.AtlasRelatedCategoryHeader;
import org.apache.atlas.model.glossary.relations.AtlasRelatedTermHeader;
import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.model.instance.AtlasRelatedObjectId;
import org.apache.atlas.type.AtlasType;

/**
 * Drives atlas-server's glossary with Apache Atlas's own Java client (AtlasClientV2 2.4.0):
 * every glossary method but the two import ones — create (one and in bulk), read (alone,
 * listed, headers, detailed, related), update (whole and partial), assign a term to an entity
 * and take it off, delete — and Atlas's answers to a taken name and a missing anchor.
 * Prints one JSON line per step: {"step": …, …facts} or {"step": "failed", …}.
 * args: url user password run-id
 */
public final class GlossaryScenario {
    private static void emit(String step, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(facts);
        System.out.println(AtlasType.toJson(line));
    }

    private interface Call {
        void run() throws AtlasServiceException;
    }

    /** The HTTP status a call ends with (200 when it returns). */
    private static int status(Call call) {
        try {
            call.run();
            return 200;
        } catch (AtlasServiceException e) {
            return e.getStatus() == null ? -1 : e.getStatus().getStatusCode();
        }
    }

    private static AtlasGlossaryHeader anchor(String glossaryGuid) {
        AtlasGlossaryHeader header = new AtlasGlossaryHeader();
        header.setGlossaryGuid(glossaryGuid);
        return header;
    }

    private static AtlasGlossaryTerm term(String name, String glossaryGuid) {
        AtlasGlossaryTerm term = new AtlasGlossaryTerm();
        term.setName(name);
        term.setAnchor(anchor(glossaryGuid));
        return term;
    }

    private static AtlasGlossaryCategory category(String name, String glossaryGuid) {
        AtlasGlossaryCategory category = new AtlasGlossaryCategory();
        category.setName(name);
        category.setAnchor(anchor(glossaryGuid));
        return category;
    }

    public static void main(String[] args) throws Exception {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        String run = args[3];
        try {
            AtlasGlossary input = new AtlasGlossary();
            input.setName("java_" + run);
            input.setShortDescription("from Java");
            AtlasGlossary glossary = client.createGlossary(input);
            String g = glossary.getGuid();
            AtlasGlossaryTerm order = client.createGlossaryTerm(term("Order", g));
            List<AtlasGlossaryTerm> bulk = client.createGlossaryTerms(new ArrayList<>(Arrays.asList(term("Invoice", g), term("Bill", g))));
            AtlasGlossaryCategory docs = client.createGlossaryCategory(category("Docs", g));
            AtlasGlossaryCategory receipts = category("Receipts", g);
            AtlasRelatedCategoryHeader parent = new AtlasRelatedCategoryHeader();
            parent.setCategoryGuid(docs.getGuid());
            receipts.setParentCategory(parent);
            List<AtlasGlossaryCategory> categories = client.createGlossaryCategories(new ArrayList<>(Collections.singletonList(receipts)));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("glossary", glossary.getQualifiedName());
            f.put("term", order.getQualifiedName());
            f.put("termAnchor", order.getAnchor().getGlossaryGuid().equals(g));
            f.put("bulkTerms", bulk.size());
            f.put("category", docs.getQualifiedName());
            f.put("bulkCategories", categories.size());
            f.put("nameTaken", status(() -> client.createGlossary(input)));
            f.put("noAnchor", status(() -> {
                AtlasGlossaryTerm loose = new AtlasGlossaryTerm();
                loose.setName("Loose");
                client.createGlossaryTerm(loose);
            }));
            emit("create", f);

            String invoice = ((Map<?, ?>) (Object) bulk.get(0)).get("guid").toString();
            String bill = ((Map<?, ?>) (Object) bulk.get(1)).get("guid").toString();
            String child = ((Map<?, ?>) (Object) categories.get(0)).get("guid").toString();
            f = new LinkedHashMap<>();
            f.put("all", client.getAllGlossaries("ASC", -1, 0).size());
            f.put("byGuid", client.getGlossaryByGuid(g).getShortDescription());
            f.put("detailedTerms", client.getGlossaryExtInfo(g).getTermInfo().size());
            f.put("term", client.getGlossaryTerm(order.getGuid()).getName());
            f.put("terms", client.getGlossaryTerms(g, "ASC", -1, 0).size());
            f.put("termHeaders", client.getGlossaryTermHeaders(g, "DESC", 2, 0).size());
            f.put("category", client.getGlossaryCategory(child).getQualifiedName());
            f.put("categories", client.getGlossaryCategories(g, "ASC", -1, 0).size());
            f.put("categoryHeaders", client.getGlossaryCategoryHeaders(g, "ASC", -1, 0).size());
            f.put("relatedCategories", new ArrayList<>(client.getRelatedCategories(docs.getGuid(), "ASC", -1, 0).keySet()));
            emit("read", f);

            f = new LinkedHashMap<>();
            AtlasGlossaryTerm inv = client.getGlossaryTerm(invoice);
            AtlasRelatedTermHeader see = new AtlasRelatedTermHeader();
            see.setTermGuid(bill);
            inv.setSeeAlso(new HashSet<>(Collections.singletonList(see)));
            f.put("seeAlso", client.updateGlossaryTermByGuid(invoice, inv).getSeeAlso().size());
            f.put("relatedTerms", new ArrayList<>(client.getRelatedTerms(bill, "ASC", -1, 0).keySet()));
            Map<String, String> abbreviation = new LinkedHashMap<>();
            abbreviation.put("abbreviation", "INV");
            f.put("partialTerm", client.partialUpdateTermByGuid(invoice, abbreviation).getAbbreviation());
            AtlasGlossary read = client.getGlossaryByGuid(g);
            read.setLongDescription("long");
            f.put("updateGlossary", client.updateGlossaryByGuid(g, read).getLongDescription());
            Map<String, String> usage = new LinkedHashMap<>();
            usage.put("usage", "daily");
            f.put("partialGlossary", client.partialUpdateGlossaryByGuid(g, usage).getUsage());
            AtlasGlossaryCategory docsRead = client.getGlossaryCategory(docs.getGuid());
            AtlasRelatedTermHeader member = new AtlasRelatedTermHeader();
            member.setTermGuid(invoice);
            docsRead.setTerms(new HashSet<>(Collections.singletonList(member)));
            f.put("updateCategory", client.updateGlossaryCategoryByGuid(docs.getGuid(), docsRead).getTerms().size());
            f.put("categoryTerms", client.getCategoryTerms(docs.getGuid(), "ASC", -1, 0).size());
            Map<String, String> text = new LinkedHashMap<>();
            text.put("shortDescription", "papers");
            f.put("partialCategory", client.partialUpdateCategoryByGuid(docs.getGuid(), text).getShortDescription());
            emit("update", f);

            AtlasEntity db = new AtlasEntity("hive_db");
            db.setAttribute("qualifiedName", "java_glossary_" + run + "@cl");
            db.setAttribute("name", "java_glossary_" + run);
            db.setAttribute("clusterName", "cl");
            String dbGuid = client.createEntity(new AtlasEntityWithExtInfo(db)).getGuidAssignments().values().iterator().next();
            AtlasRelatedObjectId target = new AtlasRelatedObjectId();
            target.setGuid(dbGuid);
            target.setTypeName("hive_db");
            client.assignTermToEntities(order.getGuid(), new ArrayList<>(Collections.singletonList(target)));
            List<AtlasRelatedObjectId> assigned = client.getEntitiesAssignedWithTerm(order.getGuid(), "ASC", -1, 0);
            Map<?, ?> first = (Map<?, ?>) (Object) assigned.get(0);
            f = new LinkedHashMap<>();
            f.put("assigned", assigned.size());
            f.put("meanings", ((List<?>) client.getEntityByGuid(dbGuid).getEntity().getRelationshipAttribute("meanings")).size());
            f.put("deleteAssigned", status(() -> client.deleteGlossaryTermByGuid(order.getGuid())));
            AtlasRelatedObjectId off = new AtlasRelatedObjectId();
            off.setGuid(dbGuid);
            off.setTypeName("hive_db");
            off.setRelationshipGuid(first.get("relationshipGuid").toString());
            client.disassociateTermFromEntities(order.getGuid(), new ArrayList<>(Collections.singletonList(off)));
            f.put("assignedAfter", client.getEntitiesAssignedWithTerm(order.getGuid(), "ASC", -1, 0).size());
            emit("assign", f);

            f = new LinkedHashMap<>();
            client.deleteGlossaryTermByGuid(order.getGuid());
            f.put("termAfter", status(() -> client.getGlossaryTerm(order.getGuid())));
            client.deleteGlossaryCategoryByGuid(docs.getGuid());
            f.put("childAfter", client.getGlossaryCategory(child).getQualifiedName());
            client.deleteGlossaryByGuid(g);
            f.put("glossaryAfter", status(() -> client.getGlossaryByGuid(g)));
            emit("delete", f);
        } catch (Exception e) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("error", String.valueOf(e));
            StringBuilder trace = new StringBuilder();
            for (StackTraceElement el : e.getStackTrace()) trace.append(el).append(" | ");
            f.put("at", trace.length() > 1500 ? trace.substring(0, 1500) : trace.toString());
            emit("failed", f);
            System.exit(1);
        }
    }
}
