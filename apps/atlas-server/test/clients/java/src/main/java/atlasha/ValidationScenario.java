package atlasha;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.AtlasServiceException;
import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntitiesWithExtInfo;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.type.AtlasType;

/**
 * Attribute validation as Apache Atlas's Java client sees it, on the vt_* types the test
 * created (test/support/validation-types.ts): the AtlasServiceException of a refused create
 * (status, Atlas's code and messages in the body), a refused partial update by guid, and the
 * normalised values of an accepted entity.
 * Prints one JSON line per step: {"step": …, …facts} or {"step": "failed", "error": …}.
 * args: url user password run-id
 */
public final class ValidationScenario {
    private static void emit(String step, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(facts);
        System.out.println(AtlasType.toJson(line));
    }

    private static AtlasEntity thing(String guid, String qn) {
        AtlasEntity e = new AtlasEntity("vt_thing");
        e.setGuid(guid);
        e.setAttribute("qualifiedName", qn);
        e.setAttribute("name", qn);
        e.setAttribute("origin", "java");
        return e;
    }

    private interface Call {
        Object run() throws AtlasServiceException;
    }

    /** The status and message of the AtlasServiceException `call` raises (200 and "" when none). */
    private static Map<String, Object> outcome(Call call) {
        Map<String, Object> f = new LinkedHashMap<>();
        try {
            call.run();
            f.put("status", 200);
            f.put("message", "");
        } catch (AtlasServiceException e) {
            f.put("status", e.getStatus() == null ? -1 : e.getStatus().getStatusCode());
            f.put("message", String.valueOf(e.getMessage()));
        }
        return f;
    }

    public static void main(String[] args) throws Exception {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        String run = args[3];
        try {
            AtlasEntity bare = new AtlasEntity("vt_thing");
            bare.setAttribute("qualifiedName", "bare_" + run + "@java");
            emit("missing", outcome(() -> client.createEntity(new AtlasEntityWithExtInfo(bare))));

            AtlasEntity wrong = thing("-2", "wrong_" + run + "@java");
            wrong.setAttribute("i", "abc");
            wrong.setAttribute("tags", Arrays.asList(1, 2, 3, 4));
            AtlasEntitiesWithExtInfo batch = new AtlasEntitiesWithExtInfo(Arrays.asList(thing("-1", "fine_" + run + "@java"), wrong));
            emit("wrongTypes", outcome(() -> client.createEntities(batch)));
            emit("fineAfter", outcome(() -> client.getEntityByAttribute("vt_thing",
                    Collections.singletonMap("qualifiedName", "fine_" + run + "@java"))));

            AtlasEntity norm = thing("-1", "norm_" + run + "@java");
            norm.setAttribute("i", "12");
            norm.setAttribute("level", "high");
            String guid = client.createEntity(new AtlasEntityWithExtInfo(norm)).getGuidAssignments().get("-1");
            Map<String, Object> f = new LinkedHashMap<>();
            AtlasEntity read = client.getEntityByGuid(guid).getEntity();
            f.put("i", read.getAttribute("i"));
            f.put("level", read.getAttribute("level"));
            emit("normalised", f);

            emit("partialBad", outcome(() -> client.partialUpdateEntityByGuid(guid, Boolean.TRUE, "i")));
            emit("partialGood", outcome(() -> client.partialUpdateEntityByGuid(guid, 3, "i")));
            f = new LinkedHashMap<>();
            f.put("i", client.getEntityByGuid(guid).getEntity().getAttribute("i"));
            emit("afterPartial", f);
        } catch (Exception e) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("error", e.toString());
            emit("failed", f);
            System.exit(1);
        }
    }
}
