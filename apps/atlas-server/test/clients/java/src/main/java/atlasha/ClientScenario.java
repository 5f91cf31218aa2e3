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
import org.apache.atlas.model.SearchFilter;
import org.apache.atlas.model.typedef.AtlasClassificationDef;
import org.apache.atlas.model.typedef.AtlasEntityDef;
import org.apache.atlas.model.typedef.AtlasEnumDef;
import org.apache.atlas.model.typedef.AtlasEnumDef.AtlasEnumElementDef;
import org.apache.atlas.model.typedef.AtlasStructDef;
import org.apache.atlas.model.typedef.AtlasStructDef.AtlasAttributeDef;
import org.apache.atlas.model.typedef.AtlasStructDef.AtlasAttributeDef.Cardinality;
import org.apache.atlas.model.typedef.AtlasTypesDef;
import org.apache.atlas.type.AtlasType;

/**
 * Drives atlas-server with Apache Atlas's own Java client: relationships from a guid alone,
 * both ends on GET, lineage, classifications, labels, cascade delete, a deleted entity by
 * unique attribute; and the typedef calls (create, read per kind, headers, update, deletes).
 * Prints one JSON line per step: {"step": …, …facts} or {"step": …, "error": …}.
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

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (RuntimeException e) {
            Throwable cause = e.getCause();
            return cause instanceof AtlasServiceException ? ((AtlasServiceException) cause).getStatus().getStatusCode() : -1;
        }
    }

    private interface Call {
        void run() throws AtlasServiceException;
    }

    private static Runnable unchecked(Call call) {
        return () -> {
            try {
                call.run();
            } catch (AtlasServiceException e) {
                throw new RuntimeException(e);
            }
        };
    }

    /** The Types API as the Java client calls it (TypesREST). */
    private static void types(AtlasClientV2 client, String run) throws AtlasServiceException {
        AtlasEnumDef state = new AtlasEnumDef("java_state_" + run);
        state.setElementDefs(new ArrayList<>(Collections.singletonList(new AtlasEnumElementDef("ON", null, 0))));
        AtlasStructDef conf = new AtlasStructDef("java_conf_" + run);
        conf.setAttributeDefs(new ArrayList<>(Collections.singletonList(new AtlasAttributeDef("key", "string", true, Cardinality.SINGLE))));
        AtlasEntityDef app = new AtlasEntityDef("java_app_" + run);
        app.setServiceType("java_" + run);
        app.setSuperTypes(new HashSet<>(Collections.singletonList("DataSet")));
        app.setAttributeDefs(new ArrayList<>(Arrays.asList(
                new AtlasAttributeDef("state", state.getName(), true, Cardinality.SINGLE),
                new AtlasAttributeDef("conf", conf.getName(), true, Cardinality.SINGLE))));
        AtlasTypesDef defs = new AtlasTypesDef();
        defs.setEnumDefs(Collections.singletonList(state));
        defs.setStructDefs(Collections.singletonList(conf));
        defs.setEntityDefs(Collections.singletonList(app));
        AtlasTypesDef created = client.createAtlasTypeDefs(defs);
        AtlasEntityDef createdApp = created.getEntityDefs().get(0);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("created", created.getEnumDefs().size() + created.getStructDefs().size() + created.getEntityDefs().size());
        f.put("version", createdApp.getVersion());
        f.put("createdBy", createdApp.getCreatedBy());
        f.put("again", status(unchecked(() -> client.createAtlasTypeDefs(defs))));
        emit("typesCreate", f);

        f = new LinkedHashMap<>();
        AtlasEntityDef byName = client.getEntityDefByName(app.getName());
        f.put("entityByName", byName.getName());
        f.put("entityByGuid", client.getEntityDefByGuid(byName.getGuid()).getName());
        f.put("superTypes", new ArrayList<>(byName.getSuperTypes()));
        f.put("enumByName", client.getEnumDefByName(state.getName()).getElementDefs().size());
        f.put("enumByGuid", client.getEnumDefByGuid(client.getEnumDefByName(state.getName()).getGuid()).getName());
        f.put("structByName", client.getStructDefByName(conf.getName()).getAttributeDefs().size());
        f.put("wrongKind", status(unchecked(() -> client.getEnumDefByName(app.getName()))));
        f.put("unknown", status(unchecked(() -> client.getEntityDefByName("java_nope_" + run))));
        f.put("existsByName", client.typeWithNameExists(app.getName()));
        f.put("existsByGuid", client.typeWithGuidExists(byName.getGuid()));
        SearchFilter filter = new SearchFilter();
        filter.setParam("type", "ENTITY");
        filter.setParam("servicetype", "java_" + run);
        f.put("filtered", client.getAllTypeDefs(filter).getEntityDefs().size());
        f.put("headers", client.getAllTypeDefHeaders(filter).size());
        emit("typesRead", f);

        f = new LinkedHashMap<>();
        byName.getAttributeDefs().add(new AtlasAttributeDef("queue", "string", true, Cardinality.SINGLE));
        AtlasTypesDef update = new AtlasTypesDef();
        update.setEntityDefs(Collections.singletonList(byName));
        f.put("updatedVersion", client.updateAtlasTypeDefs(update).getEntityDefs().get(0).getVersion());
        AtlasEntityDef retyped = client.getEntityDefByName(app.getName());
        retyped.getAttributeDefs().get(0).setTypeName("string");
        AtlasTypesDef bad = new AtlasTypesDef();
        bad.setEntityDefs(Collections.singletonList(retyped));
        f.put("retyped", status(unchecked(() -> client.updateAtlasTypeDefs(bad))));
        emit("typesUpdate", f);

        f = new LinkedHashMap<>();
        AtlasEntity instance = entity(app.getName(), "-1", "java_" + run + ".app@cl", "app");
        client.createEntity(new AtlasEntityWithExtInfo(instance));
        f.put("inUse", status(unchecked(() -> client.deleteTypeByName(app.getName()))));
        AtlasEntityDef other = new AtlasEntityDef("java_other_" + run);
        other.setSuperTypes(new HashSet<>(Collections.singletonList("DataSet")));
        AtlasTypesDef otherDefs = new AtlasTypesDef();
        otherDefs.setEntityDefs(Collections.singletonList(other));
        client.createAtlasTypeDefs(otherDefs);
        f.put("byName", status(unchecked(() -> client.deleteTypeByName(other.getName()))));
        f.put("afterDelete", status(unchecked(() -> client.getEntityDefByName(other.getName()))));
        AtlasTypesDef bulk = new AtlasTypesDef();
        bulk.setStructDefs(Collections.singletonList(new AtlasStructDef(conf.getName())));
        f.put("bulkInUse", status(unchecked(() -> client.deleteAtlasTypeDefs(bulk))));
        emit("typesDelete", f);
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
            // What Atlas's Hive model requires of a hive_process (isOptional false).
            for (String a : new String[] {"operationType", "queryText", "queryPlan", "queryId", "userName"}) {
                process.setAttribute(a, a);
            }
            process.setAttribute("startTime", 1767225600000L);
            process.setAttribute("endTime", 1767225600100L);
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
            types(client, run);
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
