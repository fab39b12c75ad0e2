package org.kgw.codecdiff;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Record batches (magic 2) built with Kafka's own MemoryRecordsBuilder, and their
 * dump: header fields and, per record, offset, timestamp, key, value and headers.
 */
final class Batches {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Base64.Encoder B64 = Base64.getEncoder();

    /**
     * The kinds of batch generated per codec. DELETE_HORIZON is what log compaction
     * leaves (attribute bit 6, baseTimestamp holding the horizon); CONTROL is an end
     * transaction marker, which Kafka never compresses.
     */
    enum Kind { PLAIN, LOG_APPEND_TIME, IDEMPOTENT, TRANSACTIONAL, DELETE_HORIZON, CONTROL }

    static final CompressionType[] CODECS = {CompressionType.NONE, CompressionType.GZIP,
                                             CompressionType.SNAPPY, CompressionType.LZ4,
                                             CompressionType.ZSTD};

    static Compression compression(CompressionType t) {
        switch (t) {
        case NONE:
            return Compression.NONE;
        case GZIP:
            return Compression.gzip().build();
        case SNAPPY:
            return Compression.snappy().build();
        case LZ4:
            return Compression.lz4().build();
        case ZSTD:
            return Compression.zstd().build();
        default:
            throw new IllegalArgumentException("unknown compression type " + t);
        }
    }

    /** One batch of {@code kind} compressed with {@code codec}, as a standalone buffer. */
    static MemoryRecords build(Random rnd, CompressionType codec, Kind kind) {
        long baseOffset = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1 << 30) * 7L;
        int leaderEpoch = rnd.nextInt(4) == 0 ? RecordBatch.NO_PARTITION_LEADER_EPOCH
                                              : rnd.nextInt(1000);
        long now = 1_700_000_000_000L + rnd.nextInt(1 << 30);
        long pid = RecordBatch.NO_PRODUCER_ID;
        short epoch = RecordBatch.NO_PRODUCER_EPOCH;
        int seq = RecordBatch.NO_SEQUENCE;
        if (kind == Kind.IDEMPOTENT || kind == Kind.TRANSACTIONAL || kind == Kind.CONTROL) {
            pid = rnd.nextInt(1 << 20) + ((long) rnd.nextInt(1 << 20) << 20);
            epoch = (short) rnd.nextInt(Short.MAX_VALUE);
            seq = kind == Kind.CONTROL ? RecordBatch.NO_SEQUENCE : rnd.nextInt(1 << 24);
        }
        if (kind == Kind.CONTROL) {
            ControlRecordType type = rnd.nextBoolean() ? ControlRecordType.COMMIT
                                                       : ControlRecordType.ABORT;
            return MemoryRecords.withEndTransactionMarker(
                baseOffset, now, leaderEpoch, pid, epoch,
                new EndTransactionMarker(type, rnd.nextInt(100)));
        }
        TimestampType tsType =
            kind == Kind.LOG_APPEND_TIME ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        long logAppendTime = kind == Kind.LOG_APPEND_TIME ? now + 5000 : RecordBatch.NO_TIMESTAMP;
        MemoryRecordsBuilder b;
        if (kind == Kind.DELETE_HORIZON) {
            b = new MemoryRecordsBuilder(new ByteBufferOutputStream(256), RecordBatch.MAGIC_VALUE_V2,
                                         compression(codec), tsType, baseOffset, logAppendTime,
                                         pid, epoch, seq, false, false, leaderEpoch,
                                         Integer.MAX_VALUE, now - rnd.nextInt(100000));
        } else {
            b = MemoryRecords.builder(ByteBuffer.allocate(256), RecordBatch.MAGIC_VALUE_V2,
                                      compression(codec), tsType, baseOffset, logAppendTime, pid,
                                      epoch, seq, kind == Kind.TRANSACTIONAL, leaderEpoch);
        }
        int n = 1 + rnd.nextInt(6);
        long offset = baseOffset;
        long ts = now;
        for (int i = 0; i < n; i++) {
            b.appendWithOffset(offset, ts, maybeBytes(rnd), maybeBytes(rnd), headers(rnd));
            // Idempotent batches need contiguous offsets; others may have gaps (compaction).
            offset += (kind == Kind.PLAIN && rnd.nextInt(4) == 0) ? 1 + rnd.nextInt(5) : 1;
            ts += rnd.nextInt(3) == 0 ? -rnd.nextInt(1000) : rnd.nextInt(100000);
        }
        return b.build();
    }

    /** Key or value: null, empty, random bytes, or compressible text. */
    private static byte[] maybeBytes(Random rnd) {
        switch (rnd.nextInt(6)) {
        case 0:
            return null;
        case 1:
            return new byte[0];
        case 2: {
            byte[] b = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(b);
            return b;
        }
        default: {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(40);
            for (int i = 0; i < n; i++) {
                sb.append("value-").append(rnd.nextInt(20)).append(' ');
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        }
    }

    private static Header[] headers(Random rnd) {
        int n = rnd.nextInt(4);
        Header[] h = new Header[n];
        String[] keys = {"", "trace-id", "origin", "caf\u00e9", "\u4e2d", "k\ud83d\ude00"};
        for (int i = 0; i < n; i++) {
            byte[] v = rnd.nextInt(5) == 0 ? null : new byte[rnd.nextInt(20)];
            if (v != null) {
                rnd.nextBytes(v);
            }
            h[i] = new RecordHeader(keys[rnd.nextInt(keys.length)], v);
        }
        return h;
    }

    /**
     * The value of a "records" message field: empty, or one or two real batches (mostly
     * uncompressed, sometimes compressed), as bytes.
     */
    byte[] recordsField(Random rnd) {
        int k = rnd.nextInt(5);
        if (k == 0) {
            return new byte[0];
        }
        int count = k == 4 ? 2 : 1;
        ByteBuffer out = ByteBuffer.allocate(1 << 16);
        for (int i = 0; i < count; i++) {
            CompressionType c = rnd.nextInt(3) == 0 ? CODECS[rnd.nextInt(CODECS.length)]
                                                    : CompressionType.NONE;
            Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
            out.put(build(rnd, c, kind).buffer());
        }
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    /** The dump of every batch in {@code records}: the JSON the C tool must reproduce. */
    static ArrayNode dump(MemoryRecords records) {
        ArrayNode all = F.arrayNode();
        ByteBuffer raw = records.buffer();
        int pos = raw.position();
        for (MutableRecordBatch batch : records.batches()) {
            batch.ensureValid(); // CRC check by Kafka itself
            ObjectNode o = F.objectNode();
            o.put("baseOffset", batch.baseOffset());
            // Raw header fields the RecordBatch interface does not expose.
            o.put("attributes", raw.getShort(pos + 21));
            o.put("baseTimestamp", raw.getLong(pos + 27));
            pos += batch.sizeInBytes();
            o.put("batchLength", batch.sizeInBytes() - 12);
            o.put("partitionLeaderEpoch", batch.partitionLeaderEpoch());
            o.put("magic", batch.magic());
            o.put("crc", batch.checksum());
            o.put("compression", batch.compressionType().name);
            o.put("timestampType", batch.timestampType().name);
            o.put("transactional", batch.isTransactional());
            o.put("control", batch.isControlBatch());
            o.put("lastOffsetDelta", (int) (batch.lastOffset() - batch.baseOffset()));
            o.put("maxTimestamp", batch.maxTimestamp());
            o.put("producerId", batch.producerId());
            o.put("producerEpoch", batch.producerEpoch());
            o.put("baseSequence", batch.baseSequence());
            o.put("recordsCount", batch.countOrNull());
            o.put("deleteHorizonMs", batch.deleteHorizonMs().isPresent()
                                         ? batch.deleteHorizonMs().getAsLong() : null);
            ArrayNode recs = o.putArray("records");
            for (Record r : batch) {
                ObjectNode ro = recs.addObject();
                ro.put("offset", r.offset());
                ro.put("timestamp", r.timestamp());
                ro.put("key", r.hasKey() ? b64(r.key()) : null);
                ro.put("value", r.hasValue() ? b64(r.value()) : null);
                ArrayNode hs = ro.putArray("headers");
                for (Header h : r.headers()) {
                    ObjectNode ho = hs.addObject();
                    ho.put("key", B64.encodeToString(h.key().getBytes(StandardCharsets.UTF_8)));
                    ho.put("value", h.value() == null ? null : B64.encodeToString(h.value()));
                }
            }
            all.add(o);
        }
        return all;
    }

    private static String b64(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return B64.encodeToString(a);
    }
}
