package atlasha;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.AtlasServiceException;
import org.apache.atlas.type.AtlasType;

/**
 * Posts a Hive hook message (CREATE DATABASE rest_java@rest, as Atlas's Hive hook writes it)
 * with Atlas's Java client's postNotificationToTopic, and one to a topic Atlas refuses.
 * args: url user password run-id
 */
public final class NotifyScenario {
    public static void main(String[] args) {
        AtlasClientV2 client = new AtlasClientV2(new String[] {args[0]}, new String[] {args[1], args[2]});
        Map<String, Object> f = new LinkedHashMap<>();
        try {
            String message = "{\"version\":{\"version\":\"1.0.0\",\"versionParts\":[1]},\"msgCompressionKind\":\"NONE\","
                + "\"msgSplitIdx\":1,\"msgSplitCount\":1,\"msgSourceIP\":\"127.0.0.1\",\"msgCreatedBy\":\"hive\","
                + "\"msgCreationTime\":" + System.currentTimeMillis() + ",\"message\":{\"type\":\"ENTITY_CREATE_V2\",\"user\":\"hive\","
                + "\"entities\":{\"referredEntities\":{},\"entities\":[{\"typeName\":\"hive_db\",\"attributes\":{"
                + "\"qualifiedName\":\"rest_java@rest\",\"clusterName\":\"rest\",\"name\":\"rest_java\",\"owner\":\"hive\"},"
                + "\"guid\":\"-1\",\"isIncomplete\":false,\"provenanceType\":0,\"version\":0,\"proxy\":false}]}}}";
            client.postNotificationToTopic("ATLAS_HOOK", Collections.singletonList(message));
            int unknown = 0;
            try {
                client.postNotificationToTopic("NOT_A_TOPIC", Collections.singletonList(message));
            } catch (AtlasServiceException e) {
                unknown = e.getStatus().getStatusCode();
            }
            f.put("unknownTopic", unknown);
            emit("posted", f);
        } catch (Exception e) {
            f.put("error", e.toString());
            emit("failed", f);
        }
    }

    private static void emit(String step, Map<String, Object> facts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(facts);
        System.out.println(AtlasType.toJson(line));
    }
}
