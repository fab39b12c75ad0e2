package org.kgw.codecdiff;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kafka message schema (common/message/<Name>.json inside kafka-clients), reduced to
 * what a random-message generator needs: fields, their types and the versions in which
 * they exist, are nullable or are tagged.
 */
final class Schema {

    /** An inclusive range of versions; "none" is the empty range (lo > hi). */
    record Versions(int lo, int hi) {
        static final Versions NONE = new Versions(1, 0);

        /** Parses "none", "N", "N+" or "N-M"; throws IllegalArgumentException otherwise. */
        static Versions parse(String s) {
            if (s == null || s.equals("none")) {
                return NONE;
            }
            try {
                if (s.endsWith("+")) {
                    return new Versions(Integer.parseInt(s.substring(0, s.length() - 1)),
                                        Short.MAX_VALUE);
                }
                int dash = s.indexOf('-');
                if (dash > 0) {
                    return new Versions(Integer.parseInt(s.substring(0, dash)),
                                        Integer.parseInt(s.substring(dash + 1)));
                }
                int v = Integer.parseInt(s);
                return new Versions(v, v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad versions string '" + s + "'", e);
            }
        }

        boolean contains(int v) {
            return v >= lo && v <= hi;
        }
    }

    /** One field. {@code struct} is set when the (element) type is a struct. */
    static final class Field {
        String name;
        String type; // as written, e.g. "int32", "[]string", "[]TopicData", "Assignment"
        Versions versions;
        Versions nullable;
        Versions tagged;
        Integer tag;
        String defaultValue;
        Struct struct;

        /** The name Kafka's JSON converters and accessors use: first letter lower-cased. */
        String jsonName() {
            return Character.toLowerCase(name.charAt(0)) + name.substring(1);
        }

        boolean isArray() {
            return type.startsWith("[]");
        }

        String elementType() {
            return isArray() ? type.substring(2) : type;
        }
    }

    /** An ordered list of fields (the message itself, an inline struct or a common struct). */
    static final class Struct {
        String name;
        final List<Field> fields = new ArrayList<>();

        /** Whether a field of this struct uses tag (in any version). */
        boolean usesTag(int tag) {
            for (Field f : fields) {
                if (f.tag != null && f.tag == tag) {
                    return true;
                }
            }
            return false;
        }

        /** Highest tag number a field of this struct uses, -1 if none. */
        int maxTag() {
            int m = -1;
            for (Field f : fields) {
                if (f.tag != null && f.tag > m) {
                    m = f.tag;
                }
            }
            return m;
        }
    }

    final String name;
    final String type; // "request" or "response"
    final int apiKey;
    final Versions valid;
    final Versions flexible;
    final Struct root;

    private Schema(String name, String type, int apiKey, Versions valid, Versions flexible,
                   Struct root) {
        this.name = name;
        this.type = type;
        this.apiKey = apiKey;
        this.valid = valid;
        this.flexible = flexible;
        this.root = root;
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        // The schema files carry // licence and explanation comments.
        MAPPER.configure(JsonParser.Feature.ALLOW_COMMENTS, true);
    }

    /**
     * Loads common/message/{@code name}.json from the classpath (the kafka-clients jar).
     * Returns null when no such resource exists; throws IOException when it does not parse.
     */
    static Schema load(String name) throws IOException {
        String path = "common/message/" + name + ".json";
        try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                return null;
            }
            JsonNode doc = MAPPER.readTree(in);
            Map<String, JsonNode> common = new HashMap<>();
            for (JsonNode s : iter(doc.get("commonStructs"))) {
                common.put(s.get("name").asText(), s);
            }
            Map<String, Struct> built = new HashMap<>();
            Struct root = new Struct();
            root.name = name;
            for (JsonNode f : iter(doc.get("fields"))) {
                root.fields.add(parseField(f, common, built, path));
            }
            return new Schema(name, doc.get("type").asText(),
                              doc.has("apiKey") ? doc.get("apiKey").asInt() : -1,
                              Versions.parse(doc.get("validVersions").asText()),
                              Versions.parse(text(doc, "flexibleVersions")), root);
        }
    }

    private static Field parseField(JsonNode n, Map<String, JsonNode> common,
                                    Map<String, Struct> built, String path) {
        Field f = new Field();
        f.name = n.get("name").asText();
        f.type = n.get("type").asText();
        f.versions = Versions.parse(n.get("versions").asText());
        f.nullable = Versions.parse(text(n, "nullableVersions"));
        f.tagged = Versions.parse(text(n, "taggedVersions"));
        f.tag = n.has("tag") ? n.get("tag").asInt() : null;
        f.defaultValue = text(n, "default");
        String et = f.elementType();
        if (n.has("fields")) {
            Struct s = new Struct();
            s.name = et;
            for (JsonNode c : n.get("fields")) {
                s.fields.add(parseField(c, common, built, path));
            }
            f.struct = s;
        } else if (Character.isUpperCase(et.charAt(0))) {
            f.struct = built.get(et);
            if (f.struct == null) {
                JsonNode def = common.get(et);
                if (def == null) {
                    throw new IllegalStateException(path + ": field " + f.name + " has type "
                                                    + f.type + " but no struct of that name");
                }
                Struct s = new Struct();
                s.name = et;
                built.put(et, s); // before the children: common structs may nest
                for (JsonNode c : def.get("fields")) {
                    s.fields.add(parseField(c, common, built, path));
                }
                f.struct = s;
            }
        }
        return f;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null ? null : v.asText();
    }

    private static Iterable<JsonNode> iter(JsonNode n) {
        return n == null ? List.of() : n;
    }
}
