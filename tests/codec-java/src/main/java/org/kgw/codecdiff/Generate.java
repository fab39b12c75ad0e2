package org.kgw.codecdiff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Writes the Java side of kgw's differential codec test.
 *
 * <pre>
 * java -Xmx512m -cp 'target/kgw-codec-java.jar:target/lib/*' org.kgw.codecdiff.Generate \
 *     --out DIR [--count 20] [--batches 8] [--seed 1]
 * </pre>
 *
 * DIR/messages.tsv, one line per message, tab-separated:
 * {@code seq apiKey version request|response Name base64(body) canonicalJson
 * base64(frame) headerJson}
 * where body is Kafka's serialisation of the message (no header), canonicalJson is
 * {@code <Name>DataJsonConverter.write(msg, version, true)}, frame is int32 size +
 * header + body and headerJson what that header holds.
 *
 * DIR/batches.tsv, one line per record batch:
 * {@code seq codec kind base64(batch) dumpJson} (see {@link Batches#dump}).
 *
 * DIR/java-summary.txt: counts, and skips per API key with their reasons.
 * Exits 0 when every message Kafka produced also read back identically, 1 otherwise.
 */
public final class Generate {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final int ATTEMPTS = 20;

    private final int count;
    private final long seed;
    private final Batches batches = new Batches();
    private final Map<String, Integer> skips = new TreeMap<>();
    private final Map<String, Integer> selfCheckFailures = new TreeMap<>();
    private int messages;
    private int combos;
    private int withUnknownTags;
    private final java.util.Set<Integer> keys = new java.util.TreeSet<>();
    private final java.util.List<String> removed = new java.util.ArrayList<>();

    private Generate(int count, long seed) {
        this.count = count;
        this.seed = seed;
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        int count = 20;
        int batchCount = 8;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("option " + a + " needs a value");
            }
            switch (a) {
            case "--out":
                out = Path.of(args[++i]);
                break;
            case "--count":
                count = Integer.parseInt(args[++i]);
                break;
            case "--batches":
                batchCount = Integer.parseInt(args[++i]);
                break;
            case "--seed":
                seed = Long.parseLong(args[++i]);
                break;
            default:
                usage("unknown option '" + a + "'");
            }
        }
        if (out == null) {
            usage("--out DIR is required");
        }
        Files.createDirectories(out);
        Generate g = new Generate(count, seed);
        boolean ok;
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("messages.tsv"),
                                                        StandardCharsets.UTF_8)) {
            ok = g.messages(w);
        }
        int batchLines;
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("batches.tsv"),
                                                        StandardCharsets.UTF_8)) {
            batchLines = g.batches(w, batchCount);
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format("java: %d messages across %d api keys and %d (key,version,direction)"
                                   + " combos; %d carry unknown tagged fields; %d record batches%n",
                               g.messages, g.keys.size(), g.combos, g.withUnknownTags, batchLines));
        s.append("java: schemas with validVersions \"none\" (removed APIs, not covered): "
                 + g.removed + "\n");
        int skipTotal = g.skips.values().stream().mapToInt(Integer::intValue).sum();
        s.append(String.format("java: %d random values rejected by Kafka and retried%n", skipTotal));
        g.skips.forEach((k, v) -> s.append(String.format("  skip %5d  %s%n", v, k)));
        g.selfCheckFailures.forEach(
            (k, v) -> s.append(String.format("  SELF-CHECK FAILED %5d  %s%n", v, k)));
        Files.writeString(out.resolve("java-summary.txt"), s.toString());
        System.out.print(s);
        System.exit(ok ? 0 : 1);
    }

    private static void usage(String why) {
        System.err.println("Generate: " + why);
        System.err.println("usage: Generate --out DIR [--count N] [--batches N] [--seed S]");
        System.exit(2);
    }

    /** Every api message type, both directions, every valid version. */
    private boolean messages(BufferedWriter w) throws Exception {
        boolean ok = true;
        int seq = 0;
        for (ApiMessageType t : ApiMessageType.values()) {
            if (!ApiKeys.hasId(t.apiKey())) {
                System.err.println("note: api key " + t.apiKey() + " (" + t.name
                                   + ") has a schema but no ApiKeys entry; covered anyway");
            }
            for (String dir : new String[] {"request", "response"}) {
                String name = t.name + (dir.equals("request") ? "Request" : "Response");
                Schema schema = Schema.load(name);
                if (schema == null) {
                    throw new IllegalStateException("no schema common/message/" + name + ".json");
                }
                if (schema.valid.lo() > schema.valid.hi()) {
                    removed.add(name); // validVersions "none": removed from Kafka, no class
                    continue;
                }
                Class<?> data = Class.forName("org.apache.kafka.common.message." + name + "Data");
                Class<?> conv =
                    Class.forName("org.apache.kafka.common.message." + name + "DataJsonConverter");
                Method read = conv.getMethod("read", JsonNode.class, short.class);
                Method write = conv.getMethod("write", data, short.class, boolean.class);
                Constructor<?> fromBytes = data.getConstructor(Readable.class, short.class);
                for (int v = schema.valid.lo(); v <= schema.valid.hi(); v++) {
                    combos++;
                    keys.add(schema.apiKey);
                    for (int i = 0; i < count; i++) {
                        String line = one(schema, (short) v, i, read, write, fromBytes);
                        if (line == null) {
                            ok = false;
                            continue;
                        }
                        w.write(seq++ + "\t" + schema.apiKey + "\t" + v + "\t" + dir + "\t"
                                + name + "\t" + line + "\n");
                        messages++;
                    }
                }
            }
        }
        return ok;
    }

    /**
     * One random message: "base64\tjson", or null when Kafka failed to read back its own
     * bytes (a self-check failure, counted). Random values Kafka rejects are retried.
     */
    private String one(Schema schema, short v, int i, Method read, Method write,
                       Constructor<?> fromBytes) throws Exception {
        boolean flexible = schema.flexible.contains(v);
        String where = schema.name + " v" + v;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Random rnd = new Random(Arrays.hashCode(
                new long[] {seed, schema.apiKey, schema.type.hashCode(), v, i, attempt}));
            RandomMessage gen = new RandomMessage(rnd, batches);
            ObjectNode json = gen.struct(schema.root, v, flexible, 0);
            Message msg;
            byte[] body;
            JsonNode canonical;
            boolean unknown = false;
            try {
                msg = (Message) read.invoke(null, json, v);
                if (flexible && rnd.nextInt(4) == 0) {
                    unknown = addUnknownTags(msg, schema.root, v, rnd, gen);
                }
                body = serialize(msg, v);
                canonical = (JsonNode) write.invoke(null, msg, v, true);
            } catch (InvocationTargetException | RuntimeException e) {
                Throwable c = e instanceof InvocationTargetException ? e.getCause() : e;
                String reason = c.getClass().getSimpleName() + ": " + firstLine(c.getMessage());
                skips.merge(where + ": " + reason, 1, Integer::sum);
                continue;
            }
            // Kafka must read its own bytes back to the same value and the same bytes.
            ByteBuffer buf = ByteBuffer.wrap(body);
            String failure = null;
            try {
                Message back = (Message) fromBytes.newInstance(new ByteBufferAccessor(buf), v);
                JsonNode canonical2 = (JsonNode) write.invoke(null, back, v, true);
                if (buf.hasRemaining()) {
                    failure = buf.remaining() + " bytes left after reading";
                } else if (!canonical2.equals(canonical)) {
                    failure = "JSON differs after reading back";
                } else if (!Arrays.equals(serialize(back, v), body)) {
                    failure = "bytes differ after reading back";
                }
            } catch (InvocationTargetException e) {
                failure = "read back threw " + e.getCause();
            }
            if (failure != null) {
                selfCheckFailures.merge(where + ": " + failure, 1, Integer::sum);
                return null;
            }
            if (unknown) {
                withUnknownTags++;
            }
            String[] frame = frame(schema, v, body, rnd, gen);
            return B64.encodeToString(body) + "\t" + MAPPER.writeValueAsString(canonical) + "\t"
                + frame[0] + "\t" + frame[1];
        }
        throw new IllegalStateException(where + ": " + ATTEMPTS
                                        + " random values in a row were rejected; see skips "
                                        + skips);
    }

    /**
     * The whole frame as a Kafka client or broker sends it: int32 size, the header at
     * the version Kafka picks for this API version (ApiKeys.request/responseHeaderVersion:
     * ApiVersions responses always use v0), then the body. Returns {base64(frame),
     * headerJson}; headerJson holds what the header carries.
     */
    private static String[] frame(Schema schema, short v, byte[] body, Random rnd,
                                  RandomMessage gen) throws Exception {
        ApiKeys key = ApiKeys.forId(schema.apiKey);
        ObjectNode h = MAPPER.createObjectNode();
        int correlationId = rnd.nextInt(4) == 0 ? rnd.nextInt(100) : rnd.nextInt();
        Message header;
        short hv;
        if (schema.type.equals("request")) {
            hv = key.requestHeaderVersion(v);
            String clientId = hv == 0 || rnd.nextInt(6) == 0 ? null : gen.string();
            header = new RequestHeaderData()
                         .setRequestApiKey((short) schema.apiKey)
                         .setRequestApiVersion(v)
                         .setCorrelationId(correlationId)
                         .setClientId(clientId);
            h.put("headerVersion", hv);
            h.put("apiKey", schema.apiKey);
            h.put("apiVersion", v);
            h.put("correlationId", correlationId);
            h.put("clientId", clientId);
        } else {
            hv = key.responseHeaderVersion(v);
            header = new ResponseHeaderData().setCorrelationId(correlationId);
            h.put("headerVersion", hv);
            h.put("correlationId", correlationId);
        }
        boolean flexibleHeader = schema.type.equals("request") ? hv >= 2 : hv >= 1;
        if (flexibleHeader && rnd.nextInt(5) == 0) {
            header.unknownTaggedFields().add(new RawTaggedField(rnd.nextInt(300),
                                                                gen.bytes(rnd.nextInt(9))));
        }
        byte[] hb = serialize(header, hv);
        ByteBuffer f = ByteBuffer.allocate(4 + hb.length + body.length);
        f.putInt(hb.length + body.length).put(hb).put(body);
        return new String[] {B64.encodeToString(f.array()), MAPPER.writeValueAsString(h)};
    }

    private static byte[] serialize(Message msg, short v) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = msg.size(cache, v);
        ByteBuffer buf = ByteBuffer.allocate(size);
        msg.write(new ByteBufferAccessor(buf), cache, v);
        if (buf.hasRemaining()) {
            throw new IllegalStateException("size() said " + size + " but write() left "
                                            + buf.remaining() + " bytes unwritten");
        }
        return buf.array();
    }

    /**
     * Adds tagged fields unknown to the schema (tags above the struct's known ones) to
     * {@code msg} and, at random, to its nested structs, as a newer peer would send them.
     * Returns whether any was added.
     */
    private static boolean addUnknownTags(Message msg, Schema.Struct s, short v, Random rnd,
                                          RandomMessage gen) throws Exception {
        boolean added = false;
        if (rnd.nextInt(2) == 0) {
            // Tags the schema does not use, ascending: in the gaps between known tags
            // (Kafka interleaves them with the known ones on write) or above them.
            java.util.TreeSet<Integer> tags = new java.util.TreeSet<>();
            int n = 1 + rnd.nextInt(2);
            for (int guard = 0; tags.size() < n && guard < 100; guard++) {
                int tag = rnd.nextInt(s.maxTag() + 250);
                if (!s.usesTag(tag)) {
                    tags.add(tag);
                }
            }
            List<RawTaggedField> list = msg.unknownTaggedFields();
            for (int tag : tags) {
                int size = rnd.nextInt(10) == 0 ? 128 + rnd.nextInt(200) : rnd.nextInt(9);
                list.add(new RawTaggedField(tag, gen.bytes(size)));
            }
            added = !tags.isEmpty();
        }
        for (Schema.Field f : s.fields) {
            if (f.struct == null || !f.versions.contains(v)) {
                continue;
            }
            Object child = msg.getClass().getMethod(f.jsonName()).invoke(msg);
            if (child instanceof Message) {
                added |= addUnknownTags((Message) child, f.struct, v, rnd, gen);
            } else if (child instanceof Iterable) {
                for (Object e : (Iterable<?>) child) {
                    added |= addUnknownTags((Message) e, f.struct, v, rnd, gen);
                }
            }
        }
        return added;
    }

    /** Per codec and per batch kind, {@code n} batches (control batches only uncompressed). */
    private int batches(BufferedWriter w, int n) throws IOException {
        int seq = 0;
        for (CompressionType codec : Batches.CODECS) {
            for (Batches.Kind kind : Batches.Kind.values()) {
                if (kind == Batches.Kind.CONTROL && codec != CompressionType.NONE) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    Random rnd = new Random(Arrays.hashCode(
                        new long[] {seed, codec.id, kind.ordinal(), i, 0x8a7c4}));
                    MemoryRecords r = Batches.build(rnd, codec, kind);
                    ArrayNode dump = Batches.dump(r);
                    ByteBuffer b = r.buffer().duplicate();
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    w.write(seq++ + "\t" + codec.name + "\t" + kind.name().toLowerCase() + "\t"
                            + B64.encodeToString(bytes) + "\t" + MAPPER.writeValueAsString(dump)
                            + "\n");
                }
            }
        }
        return seq;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
