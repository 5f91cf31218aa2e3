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
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.model.instance.AtlasObjectId;
import org.apache.atlas.model.instance.EntityMutationResponse;
import org.apache.atlas.model.lineage.AtlasLineageInfo;
import org.apache.atlas.model.typedef.AtlasClassificationDef;
import org.apache.atlas.model.typedef.AtlasTypesDef;
import org.apache.atlas.type.AtlasType;

/**
 * Drives atlas-server with Apache Atlas's own Java client: relationships from a guid alone,
 * both ends on GET, lineage, classifications, labels, cascade delete, a deleted entity by
 * unique attribute. Prints one JSON line per step: {"step": …, …facts} or {"step": …, "error": …}.
 * args: url user password run-id
 */
public final class ClientScenario {
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

    public static void main(String[] args) throws Exception {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        String run = args[3];
        try {
            AtlasEntity db = entity("hive_db", "-1", "java_" + run + "@cl", "java_" + run);
            db.setAttribute("clusterName", "cl");
            EntityMutationResponse created = client.createEntity(new AtlasEntityWithExtInfo(db));
            String dbGuid = created.getGuidAssignments().get("-1");

            // A table and two columns; the columns name the table by a placeholder guid alone.
            AtlasEntity table = entity("hive_table", "-10", "java_" + run + ".t@cl", "t");
            table.setRelationshipAttribute("db", byGuid(dbGuid));
            List<AtlasEntity> batch = new ArrayList<>(Collections.singletonList(table));
            for (int i = 0; i < 2; i++) {
                AtlasEntity col = entity("hive_column", "-" + (11 + i), "java_" + run + ".t.c" + i + "@cl", "c" + i);
                col.setAttribute("type", "int");
                col.setRelationshipAttribute("table", byGuid("-10"));
                batch.add(col);
            }
            EntityMutationResponse tables = client.createEntities(new AtlasEntitiesWithExtInfo(batch));
            String tableGuid = tables.getGuidAssignments().get("-10");
            AtlasEntityWithExtInfo read = client.getEntityByGuid(tableGuid);
            AtlasEntityWithExtInfo dbRead = client.getEntityByGuid(dbGuid);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("columns", ((List<?>) read.getEntity().getRelationshipAttribute("columns")).size());
            f.put("referred", read.getReferredEntities() == null ? 0 : read.getReferredEntities().size());
            f.put("dbTables", ((List<?>) dbRead.getEntity().getRelationshipAttribute("tables")).size());
            emit("relationships", f);

            // Lineage: t → process → t2.
            AtlasEntity t2 = entity("hive_table", "-20", "java_" + run + ".t2@cl", "t2");
            t2.setRelationshipAttribute("db", byGuid(dbGuid));
            AtlasEntity process = entity("hive_process", "-21", "java_" + run + ".p@cl", "p");
            process.setRelationshipAttribute("inputs", Collections.singletonList(byGuid(tableGuid)));
            process.setRelationshipAttribute("outputs", Collections.singletonList(byGuid("-20")));
            AtlasEntitiesWithExtInfo lineageBatch = new AtlasEntitiesWithExtInfo(new ArrayList<>(Arrays.asList(t2, process)));
            String t2Guid = client.createEntities(lineageBatch).getGuidAssignments().get("-20");
            AtlasLineageInfo lineage = client.getLineageInfo(t2Guid, AtlasLineageInfo.LineageDirection.INPUT, 3);
            f = new LinkedHashMap<>();
            f.put("relations", lineage.getRelations().size());
            f.put("entities", lineage.getGuidEntityMap().size());
            f.put("base", lineage.getBaseEntityGuid().equals(t2Guid));
            emit("lineage", f);

            // Classifications and labels.
            AtlasClassificationDef tag = new AtlasClassificationDef("JAVA_TAG_" + run);
            AtlasTypesDef defs = new AtlasTypesDef();
            defs.setClassificationDefs(Collections.singletonList(tag));
            client.createAtlasTypeDefs(defs);
            client.addClassifications(tableGuid, Collections.singletonList(new AtlasClassification(tag.getName())));
            client.addLabels(tableGuid, new HashSet<>(Arrays.asList("gold", "java")));
            AtlasEntity tagged = client.getEntityByGuid(tableGuid).getEntity();
            f = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            for (AtlasClassification c : tagged.getClassifications()) names.add(c.getTypeName());
            f.put("classifications", names);
            f.put("labels", new ArrayList<>(tagged.getLabels()));
            emit("classifications", f);

            // Delete the table: its columns go with it; by unique attribute it is gone.
            EntityMutationResponse deleted = client.deleteEntityByGuid(tableGuid);
            f = new LinkedHashMap<>();
            f.put("deleted", deleted.getDeletedEntities() == null ? 0 : deleted.getDeletedEntities().size());
            try {
                client.getEntityByAttribute("hive_table", Collections.singletonMap("qualifiedName", "java_" + run + ".t@cl"));
                f.put("byUniqueAfterDelete", 200);
            } catch (AtlasServiceException e) {
                f.put("byUniqueAfterDelete", e.getStatus().getStatusCode());
            }
            emit("delete", f);
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
