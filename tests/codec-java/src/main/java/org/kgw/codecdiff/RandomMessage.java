package org.kgw.codecdiff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import org.apache.kafka.common.Uuid;

/**
 * Builds a random JSON value for one message version, in the shape that
 * {@code <Name>DataJsonConverter.read(json, version)} accepts: every field valid in the
 * version is present (tagged fields only sometimes), null only where the version allows
 * it, integers within their type's range, arrays of 0..3 elements.
 */
final class RandomMessage {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Strings that exercise escaping and UTF-8: empty, quotes, controls, CJK, emoji. */
    private static final String[] SPECIAL_STRINGS = {
        "", "a", "topic-0", "\"quoted\"", "back\\slash", "tab\tnew\nline\r", "ctl\u0001\u001f\u007f",
        "nul\u0000byte", "caf\u00e9", "\u4e2d\u6587\u4e3b\u9898", "emoji \ud83d\ude00\ud83c\udf89",
        "/slash/", "\u2028\u2029", "<&>'", "\u00ff\u0100\uffff"};

    private final Random rnd;
    private final Batches batches;

    RandomMessage(Random rnd, Batches batches) {
        this.rnd = rnd;
        this.batches = batches;
    }

    /** A random JSON object for {@code s} at {@code version}. */
    ObjectNode struct(Schema.Struct s, int version, boolean flexible, int depth) {
        ObjectNode o = F.objectNode();
        for (Schema.Field f : s.fields) {
            if (!f.versions.contains(version)) {
                continue;
            }
            boolean tagged = f.tagged.contains(version);
            if (tagged && (!flexible || rnd.nextInt(3) == 0)) {
                continue; // absent tagged field: Kafka uses the default
            }
            if (f.nullable.contains(version) && rnd.nextInt(6) == 0) {
                o.set(f.jsonName(), F.nullNode());
                continue;
            }
            o.set(f.jsonName(), value(f, version, flexible, depth));
        }
        return o;
    }

    private JsonNode value(Schema.Field f, int version, boolean flexible, int depth) {
        if (f.isArray()) {
            ArrayNode a = F.arrayNode();
            int n = depth > 6 ? 0 : rnd.nextInt(4);
            if (f.struct == null ? rnd.nextInt(40) == 0 : depth == 0 && rnd.nextInt(100) == 0) {
                n = 130 + rnd.nextInt(40); // a 2-byte (compact) length
            }
            for (int i = 0; i < n; i++) {
                a.add(f.struct != null ? struct(f.struct, version, flexible, depth + 1)
                                       : scalar(f.elementType(), f));
            }
            return a;
        }
        if (f.struct != null) {
            return struct(f.struct, version, flexible, depth + 1);
        }
        return scalar(f.type, f);
    }

    private JsonNode scalar(String type, Schema.Field f) {
        switch (type) {
        case "bool":
            return F.booleanNode(rnd.nextBoolean());
        case "int8":
            return F.numberNode((byte) integer(Byte.MIN_VALUE, Byte.MAX_VALUE));
        case "int16":
            return F.numberNode((short) integer(Short.MIN_VALUE, Short.MAX_VALUE));
        case "uint16":
            return F.numberNode((int) integer(0, 0xffff));
        case "int32":
            return F.numberNode((int) integer(Integer.MIN_VALUE, Integer.MAX_VALUE));
        case "uint32":
            return F.numberNode(integer(0, 0xffffffffL));
        case "int64":
            return F.numberNode(integer(Long.MIN_VALUE, Long.MAX_VALUE));
        case "float64":
            return F.numberNode(float64());
        case "string":
            return F.textNode(string());
        case "bytes":
            return new BinaryNode(bytes(rnd.nextInt(30) == 0 ? 128 + rnd.nextInt(400)
                                                             : rnd.nextInt(17)));
        case "uuid":
            return F.textNode(uuid().toString());
        case "records":
            return new BinaryNode(batches.recordsField(rnd));
        default:
            throw new IllegalStateException("field " + f.name + ": unknown type '" + type + "'");
        }
    }

    /** Mostly small values, sometimes the range's edges, sometimes anything in range. */
    private long integer(long min, long max) {
        switch (rnd.nextInt(8)) {
        case 0:
            return min;
        case 1:
            return max;
        case 2:
            return Math.max(min, -1);
        case 3:
            return 0;
        case 4:
        case 5:
            return Math.min(max, Math.max(min, rnd.nextInt(1000)));
        default:
            long span = max - min; // may overflow for int64: then any long will do
            if (span <= 0) {
                return rnd.nextLong();
            }
            return min + Math.floorMod(rnd.nextLong(), span + 1 == 0 ? span : span + 1);
        }
    }

    /** Finite values of every magnitude, integral values, and the IEEE specials. */
    private double float64() {
        switch (rnd.nextInt(12)) {
        case 0:
            return 0.0;
        case 1:
            return rnd.nextInt(100000) / 4.0;
        case 2:
            return 1.0e300 * rnd.nextDouble();
        case 3:
            return -rnd.nextDouble() * 1.0e-5;
        case 4:
            return rnd.nextInt(2000) - 1000; // integral: Kafka prints 12.0, not 12
        case 5:
            return -0.0;
        case 6:
            return Double.NaN;
        case 7:
            return rnd.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        case 8:
            return rnd.nextBoolean() ? Double.MIN_VALUE : Double.MAX_VALUE;
        case 9:
            return 1.0e21 * (1 + rnd.nextInt(9)); // where Java switches to E notation
        default:
            return (rnd.nextDouble() - 0.5) * 1.0e9;
        }
    }

    String string() {
        if (rnd.nextInt(3) == 0) {
            return SPECIAL_STRINGS[rnd.nextInt(SPECIAL_STRINGS.length)];
        }
        int n = rnd.nextInt(13);
        if (rnd.nextInt(30) == 0) {
            n = 128 + rnd.nextInt(300); // 2-byte compact lengths
        } else if (rnd.nextInt(400) == 0) {
            n = 17000 + rnd.nextInt(2000); // 3-byte compact lengths, < 32767 UTF-8 bytes
        }
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(20);
            if (k < 15) {
                sb.append((char) (0x20 + rnd.nextInt(0x5f))); // printable ASCII
            } else if (k < 17) {
                sb.append((char) (0xa0 + rnd.nextInt(0x700))); // Latin, Greek, Cyrillic...
            } else if (k < 19) {
                sb.append((char) (0x3000 + rnd.nextInt(0x6000))); // CJK
            } else {
                sb.appendCodePoint(0x1f300 + rnd.nextInt(0x300)); // emoji (surrogate pair)
            }
        }
        return sb.toString();
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private Uuid uuid() {
        switch (rnd.nextInt(6)) {
        case 0:
            return Uuid.ZERO_UUID;
        case 1:
            return Uuid.ONE_UUID;
        default:
            return new Uuid(rnd.nextLong(), rnd.nextLong());
        }
    }
}
