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
import org.apache.atlas.model.instance.AtlasClassification;
import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntitiesWithExtInfo;
import org.apache.atlas.model.instance.AtlasObjectId;
import org.apache.atlas.model.instance.AtlasRelationship;
import org.apache.atlas.model.instance.AtlasRelationship.AtlasRelationshipWithExtInfo;
import org.apache.atlas.model.typedef.AtlasClassificationDef;
import org.apache.atlas.model.typedef.AtlasRelationshipDef.PropagateTags;
import org.apache.atlas.model.typedef.AtlasTypesDef;
import org.apache.atlas.type.AtlasType;

/**
 * Classification propagation through Apache Atlas's own Java client: a source table classified
 * with propagate=true, the table downstream of its process read back (the tag with the
 * source's entityGuid), the relationship's propagated and blocked classifications, a block and
 * an unblock with updateRelationship, a refused propagateTags, and the tag removed at the
 * source. Prints one JSON line per step: {"step": …, …facts} or {"step": "failed", …}.
 * args: url user password run-id
 */
public final class PropagationScenario {
    private static void emit(String step, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(facts);
        System.out.println(AtlasType.toJson(line));
    }

    private static AtlasEntity entity(String type, String guid, String qn, String name) {
        AtlasEntity e = new AtlasEntity(type);
        e.setGuid(guid);
        e.setAttribute("qualifiedName", qn);
        e.setAttribute("name", name);
        return e;
    }

    private static AtlasObjectId byGuid(String guid) {
        AtlasObjectId id = new AtlasObjectId();
        id.setGuid(guid);
        return id;
    }

    /** "TYPE<-sourceGuid" for each classification the entity shows. */
    private static List<String> tags(AtlasClientV2 client, String guid) throws AtlasServiceException {
        List<String> out = new ArrayList<>();
        List<AtlasClassification> list = client.getEntityByGuid(guid).getEntity().getClassifications();
        if (list != null) for (AtlasClassification c : list) out.add(c.getTypeName() + "<-" + c.getEntityGuid());
        return out;
    }

    private static List<String> sources(java.util.Set<AtlasClassification> list) {
        List<String> out = new ArrayList<>();
        if (list != null) for (AtlasClassification c : list) out.add(c.getEntityGuid());
        Collections.sort(out);
        return out;
    }

    public static void main(String[] args) throws Exception {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        String run = args[3];
        String tag = "JAVA_PROP_" + run;
        try {
            AtlasTypesDef defs = new AtlasTypesDef();
            defs.setClassificationDefs(Collections.singletonList(new AtlasClassificationDef(tag)));
            client.createAtlasTypeDefs(defs);

            AtlasEntity db = entity("hive_db", "-1", "jprop_" + run + "@cl", "jprop_" + run);
            db.setAttribute("clusterName", "cl");
            AtlasEntity src = entity("hive_table", "-2", "jprop_" + run + ".src@cl", "src");
            AtlasEntity dst = entity("hive_table", "-3", "jprop_" + run + ".dst@cl", "dst");
            src.setRelationshipAttribute("db", byGuid("-1"));
            dst.setRelationshipAttribute("db", byGuid("-1"));
            AtlasEntity process = entity("hive_process", "-4", "jprop_" + run + ".p@cl", "p");
            // What Atlas's Hive model requires of a process (isOptional: false).
            process.setAttribute("operationType", "QUERY");
            process.setAttribute("queryText", "insert into dst select * from src");
            process.setAttribute("queryPlan", "Not Supported");
            process.setAttribute("queryId", "q1");
            process.setAttribute("startTime", 1767225600000L);
            process.setAttribute("endTime", 1767225600100L);
            process.setAttribute("userName", "hive");
            process.setRelationshipAttribute("inputs", Collections.singletonList(byGuid("-2")));
            process.setRelationshipAttribute("outputs", Collections.singletonList(byGuid("-3")));
            Map<String, String> guids = client.createEntities(
                    new AtlasEntitiesWithExtInfo(new ArrayList<>(Arrays.asList(db, src, dst, process)))).getGuidAssignments();
            String srcGuid = guids.get("-2");
            String dstGuid = guids.get("-3");

            AtlasClassification c = new AtlasClassification(tag);
            c.setPropagate(true);
            client.addClassifications(srcGuid, Collections.singletonList(c));
            AtlasClassification shown = client.getEntityByGuid(dstGuid).getEntity().getClassifications().get(0);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("src", srcGuid);
            f.put("dst", tags(client, dstGuid));
            f.put("entityGuid", shown.getEntityGuid());
            f.put("propagate", shown.isPropagate());
            f.put("entityStatus", String.valueOf(shown.getEntityStatus()));
            f.put("header", client.getEntityHeaderByGuid(dstGuid).getClassificationNames());
            emit("propagated", f);

            // The relationship process → dst, as the Java client reads it.
            Object outputs = client.getEntityByGuid(dstGuid).getEntity().getRelationshipAttribute("outputFromProcesses");
            String relGuid = (String) ((Map<?, ?>) ((List<?>) outputs).get(0)).get("relationshipGuid");
            AtlasRelationshipWithExtInfo rel = client.getRelationshipByGuid(relGuid, true);
            f = new LinkedHashMap<>();
            f.put("propagateTags", String.valueOf(rel.getRelationship().getPropagateTags()));
            f.put("propagated", sources(rel.getRelationship().getPropagatedClassifications()));
            f.put("referredSource", rel.getReferredEntities() != null && rel.getReferredEntities().containsKey(srcGuid));
            emit("relationship", f);

            // Block the source's tag on process → dst; then unblock it.
            AtlasRelationship update = rel.getRelationship();
            AtlasClassification blocked = new AtlasClassification(tag);
            blocked.setEntityGuid(srcGuid);
            update.setBlockedPropagatedClassifications(new HashSet<>(Collections.singletonList(blocked)));
            AtlasRelationship afterBlock = client.updateRelationship(update);
            f = new LinkedHashMap<>();
            f.put("blocked", sources(afterBlock.getBlockedPropagatedClassifications()));
            f.put("dst", tags(client, dstGuid));
            update.setBlockedPropagatedClassifications(new HashSet<>());
            client.updateRelationship(update);
            f.put("dstUnblocked", tags(client, dstGuid));
            emit("block", f);

            // process_dataset_outputs is ONE_TO_TWO: BOTH is not allowed on one of its relationships.
            f = new LinkedHashMap<>();
            update.setPropagateTags(PropagateTags.BOTH);
            try {
                client.updateRelationship(update);
                f.put("both", 200);
            } catch (AtlasServiceException e) {
                f.put("both", e.getStatus().getStatusCode());
                f.put("bothMessage", String.valueOf(e.getMessage()));
            }
            emit("propagateTags", f);

            client.deleteClassification(srcGuid, tag);
            f = new LinkedHashMap<>();
            f.put("dst", tags(client, dstGuid));
            emit("removed", f);
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
