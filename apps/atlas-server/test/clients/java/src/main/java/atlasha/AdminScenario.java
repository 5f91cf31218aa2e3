package atlasha;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.AtlasServiceException;
import org.apache.atlas.model.audit.AtlasAuditEntry;
import org.apache.atlas.model.audit.AuditSearchParameters;
import org.apache.atlas.model.audit.EntityAuditEventV2;
import org.apache.atlas.model.discovery.AtlasSearchResult;
import org.apache.atlas.model.discovery.SearchParameters;
import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.model.instance.EntityMutationResponse;
import org.apache.atlas.model.profile.AtlasUserSavedSearch;
import org.apache.atlas.type.AtlasType;

/**
 * Drives atlas-server's admin side with Apache Atlas's own Java client 2.4.0: entity audit
 * events (getAuditEvents), purge (purgeEntitiesByGuids) and the saved-search calls.
 * Prints one JSON line per step: {"step": …, …facts} or {"step": "failed", …}.
 * args: url user password run-id
 */
public final class AdminScenario {
    private static void emit(String step, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(facts);
        System.out.println(AtlasType.toJson(line));
    }

    private interface Call {
        Object run() throws AtlasServiceException;
    }

    /** The HTTP status of a call the server refuses, 200 when it succeeds. */
    private static int status(Call call) {
        try {
            call.run();
            return 200;
        } catch (AtlasServiceException e) {
            return e.getStatus().getStatusCode();
        }
    }

    /** The actions of events the client may hand back as maps or as EntityAuditEventV2. */
    private static List<String> actions(List<?> events) {
        List<String> out = new ArrayList<>();
        for (Object event : events) {
            EntityAuditEventV2 e = event instanceof EntityAuditEventV2
                    ? (EntityAuditEventV2) event
                    : AtlasType.fromJson(AtlasType.toJson(event), EntityAuditEventV2.class);
            out.add(e.getAction() + "/" + e.getUser());
        }
        return out;
    }

    private static String create(AtlasClientV2 client, String name) throws AtlasServiceException {
        AtlasEntity db = new AtlasEntity("hive_db");
        db.setGuid("-1");
        db.setAttribute("qualifiedName", name + "@java");
        db.setAttribute("name", name);
        db.setAttribute("clusterName", "java");
        EntityMutationResponse r = client.createEntity(new AtlasEntityWithExtInfo(db));
        return r.getGuidAssignments().get("-1");
    }

    public static void main(String[] args) throws Exception {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        String run = args[3];
        try {
            String kept = create(client, "java_kept_" + run);
            String gone = create(client, "java_gone_" + run);
            client.addLabels(kept, new HashSet<>(Arrays.asList("gold")));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("all", actions(client.getAuditEvents(kept, null, null, (short) 10)));
            f.put("created", actions(client.getAuditEvents(kept, null, EntityAuditEventV2.EntityAuditActionV2.ENTITY_CREATE, (short) 10)));
            f.put("unknown", status(() -> client.getAuditEvents("no-such-guid", null, null, (short) 10)));
            emit("audit", f);

            client.deleteEntityByGuid(gone);
            f = new LinkedHashMap<>();
            EntityMutationResponse purged = client.purgeEntitiesByGuids(new HashSet<>(Arrays.asList(gone, kept)));
            f.put("purged", purged.getPurgedEntities() == null ? 0 : purged.getPurgedEntities().size());
            f.put("purgedGuid", purged.getPurgedEntities() == null ? null : purged.getPurgedEntities().get(0).getGuid().equals(gone));
            f.put("afterPurge", actions(client.getAuditEvents(gone, null, null, (short) 10)));
            emit("purge", f);

            SearchParameters.FilterCriteria byPurge = new SearchParameters.FilterCriteria();
            byPurge.setAttributeName("operation");
            byPurge.setOperator(SearchParameters.Operator.EQ);
            byPurge.setAttributeValue("PURGE");
            // Its constructor is package-private: built from JSON, as a caller of the REST API would.
            AuditSearchParameters auditSearch = AtlasType.fromJson("{}", AuditSearchParameters.class);
            auditSearch.setAuditFilters(byPurge);
            auditSearch.setLimit(10);
            f = new LinkedHashMap<>();
            List<AtlasAuditEntry> audits = client.getAtlasAuditByOperation(auditSearch);
            AtlasAuditEntry last = audits.get(0);
            f.put("operation", String.valueOf(last.getOperation()));
            f.put("user", last.getUserName());
            f.put("resultIsPurged", gone.equals(last.getResult()));
            f.put("resultCount", last.getResultCount());
            emit("adminAudits", f);

            SearchParameters sp = new SearchParameters();
            sp.setTypeName("hive_db");
            sp.setQuery("java_kept_" + run);
            sp.setLimit(5);
            AtlasUserSavedSearch search = new AtlasUserSavedSearch("java_dbs_" + run, AtlasUserSavedSearch.SavedSearchType.BASIC, sp);
            f = new LinkedHashMap<>();
            AtlasUserSavedSearch added = client.addSavedSearch(search);
            f.put("owner", added.getOwnerName());
            f.put("again", status(() -> client.addSavedSearch(search)));
            f.put("listed", client.getSavedSearches(args[1]).size());
            AtlasUserSavedSearch read = client.getSavedSearch(args[1], search.getName());
            f.put("sameGuid", read.getGuid().equals(added.getGuid()));
            AtlasSearchResult byName = client.executeSavedSearch(args[1], search.getName());
            AtlasSearchResult byGuid = client.executeSavedSearch(added.getGuid());
            f.put("byName", byName.getEntities() == null ? 0 : byName.getEntities().size());
            f.put("byGuid", byGuid.getEntities() == null ? 0 : byGuid.getEntities().size());
            read.setName("java_renamed_" + run);
            f.put("renamed", client.updateSavedSearch(read).getName());
            client.deleteSavedSearch(added.getGuid());
            f.put("afterDelete", status(() -> client.getSavedSearch(args[1], "java_renamed_" + run)));
            emit("savedSearches", f);
        } catch (Exception e) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("error", e.toString());
            StringBuilder trace = new StringBuilder();
            for (StackTraceElement el : e.getStackTrace()) trace.append(el).append(" | ");
            f.put("at", trace.length() > 1500 ? trace.substring(0, 1500) : trace.toString());
            emit("failed", f);
            System.exit(1);
        }
    }
}
