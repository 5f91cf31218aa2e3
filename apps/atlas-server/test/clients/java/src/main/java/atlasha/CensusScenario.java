package atlasha;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.atlas.AtlasBaseClient.API;
import org.apache.atlas.AtlasClientV2;
import org.apache.atlas.type.AtlasType;

/**
 * A census of the v2 API as Atlas's Java client defines it: every API_V2 constant is called
 * once with its own method and path (placeholders filled with values that name nothing) and
 * its status and Atlas error code printed, one JSON line each ({"step": "api", …}).
 * args: url user password run-id
 */
public final class CensusScenario {
    private static final String GUID = "00000000-0000-4000-8000-000000000000";

    public static void main(String[] args) throws Exception {
        String base = args[0].replaceAll("/+$", "");
        String auth = "Basic " + Base64.getEncoder().encodeToString((args[1] + ":" + args[2]).getBytes(StandardCharsets.UTF_8));
        for (Field f : AtlasClientV2.API_V2.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !API.class.isAssignableFrom(f.getType())) continue;
            API api = (API) f.get(null);
            String method = api.getMethod();
            String path = api.getPath();
            if (path.contains("uniqueAttribute/type/%s")) path = path.replaceFirst("%s", "DataSet");
            path = path.replace("%s", GUID).replaceAll("/+$", "");
            String query = "";
            if (path.endsWith("uniqueAttribute/type")) {
                path += "/DataSet";
                query = "?attr:qualifiedName=census%40nowhere";
            } else if (path.endsWith("/guid") || path.endsWith("/lineage")
                    || !method.equals("POST") && (path.endsWith("glossary/term") || path.endsWith("glossary/category"))) {
                path += "/" + GUID;
            } else if (path.endsWith("typedef/name")) {
                path += "/census_no_such_type";
            }
            HttpURLConnection c = (HttpURLConnection) new URL(base + "/" + path + query).openConnection();
            c.setRequestMethod(method);
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("Authorization", auth);
            c.setRequestProperty("Accept", "application/json");
            if (method.equals("POST") || method.equals("PUT")) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write("{}".getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            String body = "";
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (in != null) try (InputStream s = in) { body = new String(s.readAllBytes(), StandardCharsets.UTF_8); }
            String code = null;
            try {
                Object parsed = AtlasType.fromJson(body, Map.class);
                if (parsed instanceof Map) code = (String) ((Map<?, ?>) parsed).get("errorCode");
            } catch (RuntimeException e) {
                // not JSON: no code
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", "api:" + f.getName());
            line.put("method", method);
            line.put("path", path);
            line.put("status", status);
            line.put("errorCode", code);
            System.out.println(AtlasType.toJson(line));
        }
    }
}
