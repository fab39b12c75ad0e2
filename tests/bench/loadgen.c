/*
 * kgw_loadgen: a librdkafka load generator for tools/bench.sh.
 *
 * Usage:
 *   kgw_loadgen produce -b BOOTSTRAP -t TOPIC [-m MB] [-s RECORD_BYTES]
 *                       [-B BATCH_BYTES] [-l LINGER_MS] [-r RECORDS_PER_S]
 *                       [-a ACKS] [-T MAX_SECONDS]
 *   kgw_loadgen consume -b BOOTSTRAP -t TOPIC [-m MB] [-f FETCH_MAX_BYTES]
 *                       [-T MAX_SECONDS]
 *
 * produce sends MB megabytes (10^6 bytes, default 100) of RECORD_BYTES-byte
 * values (default 100) as fast as it can, or at RECORDS_PER_S records per
 * second when -r is given, and measures each record's latency from
 * rd_kafka_produce() to its delivery report. consume reads the topic's
 * partitions from the beginning until MB megabytes of values arrived or
 * every partition reached its end, whichever is first.
 *
 * Both stop after MAX_SECONDS (default 60) whatever happened. On success the
 * one line on stdout is "key=value ..." pairs: mode, records, bytes (value
 * bytes), seconds, mb_per_s, records_per_s and, for produce, p50_us, p99_us,
 * p999_us. Exit codes: 0 done, 1 a Kafka error (named on stderr), 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

typedef struct {
    const char *mode;
    const char *bootstrap;
    const char *topic;
    double mb;
    long record_bytes;
    long batch_bytes;
    long linger_ms;
    long rate;
    const char *acks;
    long fetch_max_bytes;
    long max_seconds;
} kgw_loadgen_opts_t;

typedef struct {
    uint64_t *lat_ns; /* one per record, by sequence number */
    size_t n;
    size_t delivered;
    size_t failed;
    char first_error[256];
} kgw_loadgen_dr_t;

static uint64_t
kgw_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
kgw_usage(FILE *out)
{
    fprintf(out, "usage: kgw_loadgen produce -b BOOTSTRAP -t TOPIC [-m MB] [-s RECORD_BYTES]\n"
                 "                           [-B BATCH_BYTES] [-l LINGER_MS] [-r RECORDS_PER_S]\n"
                 "                           [-a ACKS] [-T MAX_SECONDS]\n"
                 "       kgw_loadgen consume -b BOOTSTRAP -t TOPIC [-m MB] [-f FETCH_MAX_BYTES]\n"
                 "                           [-T MAX_SECONDS]\n");
}

/* Parses a positive long from s for option `opt`; exits 2 naming the bad value. */
static long
kgw_parse_long(char opt, const char *s, long min, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "kgw_loadgen: -%c '%s': expected an integer in %ld..%ld\n", opt, s, min,
                max);
        exit(2);
    }
    return v;
}

static int
kgw_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char err[256];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kgw_loadgen: %s=%s: %s\n", name, value, err);
        return -1;
    }
    return 0;
}

static void
kgw_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    kgw_loadgen_dr_t *dr = opaque;
    size_t seq = (size_t)(uintptr_t)m->_private;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (dr->failed++ == 0)
            snprintf(dr->first_error, sizeof(dr->first_error), "%s", rd_kafka_err2str(m->err));
        return;
    }
    if (seq < dr->n)
        dr->lat_ns[seq] = kgw_now_ns() - dr->lat_ns[seq];
    dr->delivered++;
}

static int
kgw_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double
kgw_pct_us(const uint64_t *sorted, size_t n, double pct)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
    return (double)sorted[i] / 1000.0;
}

static int
kgw_produce(const kgw_loadgen_opts_t *o)
{
    char num[32];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    size_t n = (size_t)(o->mb * 1e6 / (double)o->record_bytes);
    if (n == 0)
        n = 1;
    kgw_loadgen_dr_t dr = {.n = n};
    dr.lat_ns = calloc(n, sizeof(*dr.lat_ns));
    char *value = malloc((size_t)o->record_bytes);
    if (dr.lat_ns == NULL || value == NULL) {
        fprintf(stderr, "kgw_loadgen: out of memory for %zu records\n", n);
        return 1;
    }
    for (long i = 0; i < o->record_bytes; i++)
        value[i] = (char)('a' + i % 26);
    int bad = kgw_set(conf, "bootstrap.servers", o->bootstrap);
    bad |= kgw_set(conf, "acks", o->acks);
    snprintf(num, sizeof(num), "%ld", o->linger_ms);
    bad |= kgw_set(conf, "linger.ms", num);
    snprintf(num, sizeof(num), "%ld", o->batch_bytes);
    bad |= kgw_set(conf, "batch.size", num);
    bad |= kgw_set(conf, "queue.buffering.max.kbytes", "1048576");
    bad |= kgw_set(conf, "queue.buffering.max.messages", "1000000");
    bad |= kgw_set(conf, "compression.codec", "none");
    bad |= kgw_set(conf, "enable.idempotence", "false");
    bad |= kgw_set(conf, "max.in.flight.requests.per.connection", "5");
    if (bad) {
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, kgw_dr_cb);
    rd_kafka_conf_set_opaque(conf, &dr);
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "kgw_loadgen: cannot create a producer: %s\n", err);
        return 1;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    /* Warm-up outside the measurement: metadata, the broker connections and
     * one delivered record, so start-up does not land in the percentiles. */
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(md);
    if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value,
                         (size_t)o->record_bytes, NULL, 0, (void *)(uintptr_t)SIZE_MAX) == 0)
        rd_kafka_flush(rk, 10000);
    if (dr.failed > 0) {
        fprintf(stderr, "kgw_loadgen: warm-up record to '%s' failed: %s\n", o->topic,
                dr.first_error);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        return 1;
    }
    dr.delivered = 0;
    uint64_t start = kgw_now_ns();
    uint64_t deadline = start + (uint64_t)o->max_seconds * 1000000000u;
    double interval_ns = o->rate > 0 ? 1e9 / (double)o->rate : 0;
    int rc = 0;
    size_t sent = 0;
    for (; sent < n; sent++) {
        if (interval_ns > 0) {
            uint64_t due = start + (uint64_t)((double)sent * interval_ns);
            uint64_t now = kgw_now_ns();
            if (due > now + 50000) {
                rd_kafka_poll(rk, 0);
                struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(due - now)};
                nanosleep(&ts, NULL);
            }
        }
        dr.lat_ns[sent] = kgw_now_ns();
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value,
                                (size_t)o->record_bytes, NULL, 0, (void *)(uintptr_t)sent) != 0) {
            rd_kafka_resp_err_t e = rd_kafka_last_error();
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "kgw_loadgen: produce to '%s' failed: %s\n", o->topic,
                        rd_kafka_err2str(e));
                rc = 1;
                goto out;
            }
            rd_kafka_poll(rk, 5);
            dr.lat_ns[sent] = kgw_now_ns();
        }
        if ((sent & 1023) == 0) {
            rd_kafka_poll(rk, 0);
            if (kgw_now_ns() > deadline)
                break;
        }
    }
    while (dr.delivered + dr.failed < sent && kgw_now_ns() < deadline)
        rd_kafka_poll(rk, 10);
out:;
    uint64_t end = kgw_now_ns();
    if (dr.failed > 0) {
        fprintf(stderr, "kgw_loadgen: %zu of %zu records failed, first: %s\n", dr.failed, sent,
                dr.first_error);
        rc = 1;
    } else if (dr.delivered < n) {
        fprintf(stderr, "kgw_loadgen: only %zu of %zu records delivered within %ld s\n",
                dr.delivered, n, o->max_seconds);
        rc = 1;
    }
    double secs = (double)(end - start) / 1e9;
    if (rc == 0) {
        qsort(dr.lat_ns, n, sizeof(*dr.lat_ns), kgw_cmp_u64);
        double bytes = (double)n * (double)o->record_bytes;
        printf("mode=produce records=%zu bytes=%.0f seconds=%.3f mb_per_s=%.2f records_per_s=%.0f "
               "p50_us=%.0f p99_us=%.0f p999_us=%.0f\n",
               n, bytes, secs, bytes / 1e6 / secs, (double)n / secs, kgw_pct_us(dr.lat_ns, n, 50),
               kgw_pct_us(dr.lat_ns, n, 99), kgw_pct_us(dr.lat_ns, n, 99.9));
    }
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(dr.lat_ns);
    free(value);
    return rc;
}

static int
kgw_consume(const kgw_loadgen_opts_t *o)
{
    char num[32];
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int bad = kgw_set(conf, "bootstrap.servers", o->bootstrap);
    bad |= kgw_set(conf, "group.id", "kgw-loadgen");
    bad |= kgw_set(conf, "enable.auto.commit", "false");
    bad |= kgw_set(conf, "enable.partition.eof", "true");
    snprintf(num, sizeof(num), "%ld", o->fetch_max_bytes);
    bad |= kgw_set(conf, "fetch.max.bytes", num);
    bad |= kgw_set(conf, "max.partition.fetch.bytes", num);
    snprintf(num, sizeof(num), "%ld", o->fetch_max_bytes < 1000000 ? o->fetch_max_bytes : 1000000);
    bad |= kgw_set(conf, "message.max.bytes", num);
    snprintf(num, sizeof(num), "%ld", o->fetch_max_bytes + 1000000);
    bad |= kgw_set(conf, "receive.message.max.bytes", num);
    bad |= kgw_set(conf, "queued.max.messages.kbytes", "262144");
    if (bad) {
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "kgw_loadgen: cannot create a consumer: %s\n", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err != 0 ||
        md->topics[0].partition_cnt == 0) {
        fprintf(stderr, "kgw_loadgen: no partitions for topic '%s': %s\n", o->topic,
                rd_kafka_err2str(e != 0               ? e
                                 : md->topic_cnt == 1 ? md->topics[0].err
                                                      : e));
        if (md != NULL)
            rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        return 1;
    }
    int parts = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++)
        rd_kafka_topic_partition_list_add(tp, o->topic, md->topics[0].partitions[i].id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    e = rd_kafka_assign(rk, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kgw_loadgen: cannot assign '%s': %s\n", o->topic, rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return 1;
    }
    uint64_t want = (uint64_t)(o->mb * 1e6);
    uint64_t bytes = 0, records = 0;
    int eofs = 0;
    int rc = 0;
    uint64_t start = 0;
    uint64_t first_call = kgw_now_ns();
    uint64_t deadline = first_call + (uint64_t)o->max_seconds * 1000000000u;
    while (bytes < want && eofs < parts && kgw_now_ns() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fprintf(stderr, "kgw_loadgen: consume error: %s\n", rd_kafka_message_errstr(m));
            rc = 1;
            rd_kafka_message_destroy(m);
            break;
        } else {
            if (start == 0)
                start = kgw_now_ns();
            bytes += m->len;
            records++;
        }
        rd_kafka_message_destroy(m);
    }
    uint64_t end = kgw_now_ns();
    if (rc == 0 && records == 0) {
        fprintf(stderr, "kgw_loadgen: no records in '%s' within %ld s\n", o->topic, o->max_seconds);
        rc = 1;
    }
    if (rc == 0) {
        double secs = (double)(end - start) / 1e9;
        printf("mode=consume records=%" PRIu64 " bytes=%" PRIu64
               " seconds=%.3f mb_per_s=%.2f records_per_s=%.0f\n",
               records, bytes, secs, (double)bytes / 1e6 / secs, (double)records / secs);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

int
main(int argc, char **argv)
{
    kgw_loadgen_opts_t o = {.mb = 100,
                            .record_bytes = 100,
                            .batch_bytes = 1000000,
                            .linger_ms = 5,
                            .acks = "1",
                            .fetch_max_bytes = 1048576,
                            .max_seconds = 60};
    if (argc < 2) {
        kgw_usage(stderr);
        return 2;
    }
    o.mode = argv[1];
    if (strcmp(o.mode, "produce") != 0 && strcmp(o.mode, "consume") != 0) {
        fprintf(stderr, "kgw_loadgen: unknown mode '%s'\n", o.mode);
        kgw_usage(stderr);
        return 2;
    }
    optind = 2;
    int c;
    while ((c = getopt(argc, argv, "b:t:m:s:B:l:r:a:f:T:h")) != -1) {
        switch (c) {
        case 'b':
            o.bootstrap = optarg;
            break;
        case 't':
            o.topic = optarg;
            break;
        case 'm':
            o.mb = (double)kgw_parse_long(c, optarg, 1, 100000);
            break;
        case 's':
            o.record_bytes = kgw_parse_long(c, optarg, 1, 1000000);
            break;
        case 'B':
            o.batch_bytes = kgw_parse_long(c, optarg, 1, 100000000);
            break;
        case 'l':
            o.linger_ms = kgw_parse_long(c, optarg, 0, 10000);
            break;
        case 'r':
            o.rate = kgw_parse_long(c, optarg, 1, 100000000);
            break;
        case 'a':
            o.acks = optarg;
            break;
        case 'f':
            o.fetch_max_bytes = kgw_parse_long(c, optarg, 1024, 100000000);
            break;
        case 'T':
            o.max_seconds = kgw_parse_long(c, optarg, 1, 3600);
            break;
        case 'h':
            kgw_usage(stdout);
            return 0;
        default:
            kgw_usage(stderr);
            return 2;
        }
    }
    if (o.bootstrap == NULL || o.topic == NULL) {
        fprintf(stderr, "kgw_loadgen: -b BOOTSTRAP and -t TOPIC are required\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    return strcmp(o.mode, "produce") == 0 ? kgw_produce(&o) : kgw_consume(&o);
}
