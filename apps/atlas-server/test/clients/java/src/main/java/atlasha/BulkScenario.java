package atlasha;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.bulkimport.BulkImportResponse;
import org.apache.atlas.model.instance.AtlasClassification;
import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.model.instance.AtlasEntityHeader;
import org.apache.atlas.model.instance.AtlasEntityHeaders;
import org.apache.atlas.model.typedef.AtlasBusinessMetadataDef;
import org.apache.atlas.model.typedef.AtlasClassificationDef;
import org.apache.atlas.model.typedef.AtlasStructDef.AtlasAttributeDef;
import org.apache.atlas.model.typedef.AtlasStructDef.AtlasAttributeDef.Cardinality;
import org.apache.atlas.model.typedef.AtlasTypesDef;
import org.apache.atlas.type.AtlasType;

/**
 * The entity REST's bulk tools as Atlas's Java client calls them: setClassifications by
 * unique attribute, the business-metadata template, and the CSV upload (a real multipart
 * request from the client). Prints one JSON line per step.
 * args: url user password run-id
 */
public final class BulkScenario {
    private static void emit(String step, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(facts);
        System.out.println(AtlasType.toJson(line));
    }

    private static List<String> names(AtlasEntity e) {
        List<String> out = new ArrayList<>();
        if (e.getClassifications() != null) for (AtlasClassification c : e.getClassifications()) out.add(c.getTypeName());
        Collections.sort(out);
        return out;
    }

    public static void main(String[] args) throws Exception {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        String run = args[3];
        try {
            String tagA = "JB_A_" + run, tagB = "JB_B_" + run, tagC = "JB_C_" + run, bm = "jb_bm_" + run;
            AtlasBusinessMetadataDef bmDef = new AtlasBusinessMetadataDef(bm, "");
            AtlasAttributeDef steward = new AtlasAttributeDef("steward", "string", true, Cardinality.SINGLE);
            steward.setOption("applicableEntityTypes", "[\"DataSet\"]");
            steward.setOption("maxStrLength", "50");
            AtlasAttributeDef rank = new AtlasAttributeDef("rank", "int", true, Cardinality.SINGLE);
            rank.setOption("applicableEntityTypes", "[\"DataSet\"]");
            bmDef.setAttributeDefs(new ArrayList<>(Arrays.asList(steward, rank)));
            AtlasTypesDef defs = new AtlasTypesDef();
            defs.setClassificationDefs(Arrays.asList(new AtlasClassificationDef(tagA), new AtlasClassificationDef(tagB), new AtlasClassificationDef(tagC)));
            defs.setBusinessMetadataDefs(Collections.singletonList(bmDef));
            client.createAtlasTypeDefs(defs);

            String qn = "jb_" + run + "@cl";
            AtlasEntity path = new AtlasEntity("fs_path");
            path.setAttribute("qualifiedName", qn);
            path.setAttribute("name", "jb");
            path.setAttribute("path", "/jb/" + run);
            path.setClassifications(Arrays.asList(new AtlasClassification(tagA), new AtlasClassification(tagB)));
            String guid = client.createEntity(new AtlasEntityWithExtInfo(path)).getGuidAssignments().values().iterator().next();

            // Exactly B and C: A removed, B updated, C added.
            AtlasEntityHeader header = new AtlasEntityHeader("fs_path");
            header.setAttribute("qualifiedName", qn);
            header.setClassifications(Arrays.asList(new AtlasClassification(tagB), new AtlasClassification(tagC)));
            AtlasEntityHeader missing = new AtlasEntityHeader("fs_path");
            missing.setAttribute("qualifiedName", "nowhere_" + run);
            missing.setClassifications(Collections.singletonList(new AtlasClassification(tagC)));
            Map<String, AtlasEntityHeader> map = new HashMap<>();
            map.put("1", header);
            map.put("2", missing);
            String summary = client.setClassifications(new AtlasEntityHeaders(map));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("summary", AtlasType.fromJson(summary, List.class));
            f.put("after", names(client.getEntityByGuid(guid).getEntity()));
            AtlasEntityHeader changed = client.getEntityHeaders(0L).getGuidHeaderMap().get(guid);
            List<String> headerNames = new ArrayList<>(changed == null ? Collections.<String>emptyList() : changed.getClassificationNames());
            Collections.sort(headerNames);
            f.put("headers", headerNames);
            emit("setClassifications", f);

            f = new LinkedHashMap<>();
            f.put("template", client.getTemplateForBulkUpdateBusinessAttributes());
            emit("template", f);

            File csv = File.createTempFile("bm-" + run, ".csv");
            Files.write(csv.toPath(), (
                "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue\n"
                + "fs_path," + qn + "," + bm + ".steward,alice\n"
                + "fs_path," + qn + "," + bm + ".rank,7\n"
                + "fs_path,nowhere_" + run + "," + bm + ".steward,bob\n"
                + "no_such_type_" + run + ",x," + bm + ".steward,carol\n").getBytes(StandardCharsets.UTF_8));
            BulkImportResponse imported = client.bulkUpdateBusinessAttributes(csv.getAbsolutePath());
            f = new LinkedHashMap<>();
            f.put("success", imported.getSuccessImportInfoList().size());
            f.put("successGuid", imported.getSuccessImportInfoList().get(0).getParentObjectName());
            f.put("failed", imported.getFailedImportInfoList().size());
            List<String> remarks = new ArrayList<>();
            for (BulkImportResponse.ImportInfo i : imported.getFailedImportInfoList()) remarks.add(i.getRemarks());
            f.put("remarks", remarks);
            f.put("business", client.getEntityByGuid(guid).getEntity().getBusinessAttributes());
            emit("import", f);

            // The glossary's CSV import, as the client uploads it.
            File terms = File.createTempFile("terms-" + run, ".csv");
            Files.write(terms.toPath(), (
                "GlossaryName,TermName,ShortDescription,LongDescription,Examples,Abbreviation,Usage,AdditionalAttributes,TranslationTerms,ValidValuesFor,Synonyms\n"
                + "jg_" + run + ",alpha,first,,,,,,,,jg_" + run + ":beta\n"
                + "jg_" + run + ",beta,second\n").getBytes(StandardCharsets.UTF_8));
            BulkImportResponse glossary = client.importGlossary(terms.getAbsolutePath());
            f = new LinkedHashMap<>();
            f.put("template", client.getGlossaryImportTemplate().startsWith("GlossaryName, TermName"));
            List<String> created = new ArrayList<>();
            for (BulkImportResponse.ImportInfo i : glossary.getSuccessImportInfoList()) created.add(i.getChildObjectName());
            f.put("created", created);
            f.put("failed", glossary.getFailedImportInfoList().size());
            emit("glossaryImport", f);
        } catch (Exception e) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("error", e.toString());
            f.put("cause", String.valueOf(e.getCause()));
            emit("failed", f);
        }
    }
}
