package org.kgw.codecdiff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Kafka reads back the record batches kgw wrote (rebuilt and header-edited, possibly
 * recompressed): for each line of kgw_codec_dump's batches output, the dumps Kafka
 * makes of columns 7 and 8 (base64 JSON strings, or null).
 *
 * <pre>
 * java -cp ... org.kgw.codecdiff.Verify batches-kgw.tsv batches-kgw-java.tsv
 * </pre>
 *
 * Output, one line per input line: {@code seq rebuiltDump editedDump}, where a dump is
 * Batches.dump's JSON, null when kgw wrote nothing, or {"error": "..."} when Kafka
 * could not read kgw's bytes (bad CRC, bad compression, malformed records).
 */
public final class Verify {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Verify KGW_BATCHES.tsv OUT.tsv");
            System.exit(2);
        }
        int lines = 0;
        try (BufferedReader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(Path.of(args[1]),
                                                        StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t", -1);
                if (f.length != 8) {
                    throw new IllegalArgumentException(args[0] + " line " + (lines + 1)
                                                       + ": expected 8 fields, got " + f.length);
                }
                w.write(f[0] + "\t" + dump(f[6]) + "\t" + dump(f[7]) + "\n");
                lines++;
            }
        }
        System.out.println("java verify: Kafka read back " + lines + " lines of kgw batches");
    }

    /** Kafka's dump of the batch in jsonB64 (a JSON string of base64, or null). */
    private static String dump(String jsonB64) throws Exception {
        JsonNode n = MAPPER.readTree(jsonB64);
        if (n.isNull()) {
            return "null";
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(n.asText());
            return MAPPER.writeValueAsString(
                Batches.dump(MemoryRecords.readableRecords(ByteBuffer.wrap(bytes))));
        } catch (RuntimeException e) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("error", e.toString());
            return MAPPER.writeValueAsString(o);
        }
    }
}
