/*
 * Codec micro-benchmark: decode and encode cost of
 *   - a Metadata v12 response with 1000 topics x 10 partitions, and
 *   - a Produce v12 request carrying 1 MiB of records (a bytes field, so
 *     decode is zero copy and encode is one memcpy).
 * Prints CPU ns per message and MB/s of wire bytes per CPU second (CPU time,
 * so a busy machine skews the figures less). Each measurement
 * runs for about a second (bounded by an iteration cap).
 *
 * Usage: bench_codec [SECONDS_PER_CASE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "kgw_api.h"
#include "kgw_messages.h"

#define TOPICS 1000
#define PARTITIONS 10
#define RECORDS_BYTES (1024 * 1024)
#define MAX_ITERATIONS 1000000

static double seconds_per_case = 1.0;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const kgw_codec_error_t *err)
{
    fprintf(stderr, "bench_codec: %s: %s\n", what, err != NULL ? err->msg : "out of memory");
    exit(1);
}

static void
report(const char *name, const char *op, long iterations, double elapsed, size_t wire_bytes)
{
    double ns = elapsed * 1e9 / (double)iterations;
    double mbps = (double)wire_bytes * (double)iterations / elapsed / 1e6;
    printf("%-44s %-7s %12.0f ns/message %10.1f MB/s  (%ld iterations, %zu bytes)\n", name, op, ns,
           mbps, iterations, wire_bytes);
}

/* Times decode and encode of body (api_key/version/direction). */
static void
measure(const char *name, int16_t api_key, int16_t version, bool is_response,
        const kgw_wbuf_t *body)
{
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_arena_t *a = kgw_arena_new(1 << 20);
    if (a == NULL) {
        die("arena", NULL);
    }
    void *msg = NULL;
    long n = 0;
    double t0 = now(), t = t0;
    while (t - t0 < seconds_per_case && n < MAX_ITERATIONS) {
        kgw_arena_reset(a);
        int rc =
            is_response
                ? kgw_response_body_decode(a, api_key, version, body->buf, body->len, &msg, &err)
                : kgw_request_body_decode(a, api_key, version, body->buf, body->len, &msg, &err);
        if (rc != 0) {
            die("decode", &err);
        }
        n++;
        if ((n & 7) == 0) {
            t = now();
        }
    }
    t = now();
    report(name, "decode", n, t - t0, body->len);

    kgw_wbuf_t w;
    kgw_wbuf_init(&w, &err);
    n = 0;
    t0 = now();
    t = t0;
    while (t - t0 < seconds_per_case && n < MAX_ITERATIONS) {
        kgw_wbuf_reset(&w);
        int rc = is_response ? kgw_response_body_encode(&w, api_key, version, msg, &err)
                             : kgw_request_body_encode(&w, api_key, version, msg, &err);
        if (rc != 0) {
            die("encode", &err);
        }
        n++;
        if ((n & 7) == 0) {
            t = now();
        }
    }
    t = now();
    if (w.len != body->len || memcmp(w.buf, body->buf, w.len) != 0) {
        fprintf(stderr, "bench_codec: %s re-encodes to different bytes\n", name);
        exit(1);
    }
    report(name, "encode", n, t - t0, w.len);
    printf("%-44s arena   %12zu bytes after decode\n", name, kgw_arena_footprint(a));
    kgw_wbuf_free(&w);
    kgw_arena_free(a);
}

static void
bench_metadata(void)
{
    const int16_t v = 12;
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_arena_t *a = kgw_arena_new(1 << 20);
    kgw_metadata_response_t m;
    if (a == NULL || kgw_metadata_response_init(a, &m) != 0) {
        die("metadata init", NULL);
    }
    static kgw_metadata_response_broker_t brokers[3];
    static int32_t replicas[3] = {1, 2, 3};
    static char names[TOPICS][16];
    for (int i = 0; i < 3; i++) {
        memset(&brokers[i], 0, sizeof(brokers[i]));
        brokers[i].node_id = i + 1;
        brokers[i].host = (kgw_str_t){"broker.example.com", 18};
        brokers[i].port = 9092;
        brokers[i].rack = (kgw_str_t){"rack-a", 6};
    }
    m.brokers.count = 3;
    m.brokers.items = brokers;
    m.cluster_id = (kgw_str_t){"kgw-bench-cluster", 17};
    m.controller_id = 1;
    kgw_metadata_response_topic_t *topics = kgw_arena_calloc(a, TOPICS, sizeof(*topics));
    kgw_metadata_response_partition_t *parts =
        kgw_arena_calloc(a, (size_t)TOPICS * PARTITIONS, sizeof(*parts));
    if (topics == NULL || parts == NULL) {
        die("metadata alloc", NULL);
    }
    for (int t = 0; t < TOPICS; t++) {
        kgw_metadata_response_topic_t *tp = &topics[t];
        int len = snprintf(names[t], sizeof(names[t]), "topic-%04d", t);
        tp->name = (kgw_str_t){names[t], len};
        for (int b = 0; b < 16; b++) {
            tp->topic_id.b[b] = (uint8_t)(t * 31 + b);
        }
        tp->topic_authorized_operations = INT32_MIN;
        tp->partitions.count = PARTITIONS;
        tp->partitions.items = &parts[t * PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            kgw_metadata_response_partition_t *pp = &parts[t * PARTITIONS + p];
            pp->partition_index = p;
            pp->leader_id = 1 + p % 3;
            pp->leader_epoch = 7;
            pp->replica_nodes.count = 3;
            pp->replica_nodes.items = replicas;
            pp->isr_nodes.count = 3;
            pp->isr_nodes.items = replicas;
            pp->offline_replicas.count = 0;
        }
    }
    m.topics.count = TOPICS;
    m.topics.items = topics;
    kgw_wbuf_t body;
    kgw_wbuf_init(&body, &err);
    if (kgw_metadata_response_encode(&body, v, &m) != 0) {
        die("metadata encode", &err);
    }
    measure("Metadata v12 response, 1000 topics x 10 parts", KGW_API_METADATA, v, true, &body);
    kgw_wbuf_free(&body);
    kgw_arena_free(a);
}

static void
bench_produce(void)
{
    const int16_t v = 12;
    kgw_codec_error_t err;
    kgw_codec_error_clear(&err);
    kgw_arena_t *a = kgw_arena_new(0);
    kgw_produce_request_t m;
    if (a == NULL || kgw_produce_request_init(a, &m) != 0) {
        die("produce init", NULL);
    }
    uint8_t *records = malloc(RECORDS_BYTES);
    if (records == NULL) {
        die("records alloc", NULL);
    }
    for (size_t i = 0; i < RECORDS_BYTES; i++) {
        records[i] = (uint8_t)(i * 131);
    }
    kgw_produce_request_topic_produce_data_t topic;
    kgw_produce_request_partition_produce_data_t part;
    memset(&topic, 0, sizeof(topic));
    memset(&part, 0, sizeof(part));
    part.index = 0;
    part.records = (kgw_bytes_t){records, RECORDS_BYTES};
    topic.name = (kgw_str_t){"bench-topic", 11};
    topic.partition_data.count = 1;
    topic.partition_data.items = &part;
    m.acks = -1;
    m.timeout_ms = 30000;
    m.topic_data.count = 1;
    m.topic_data.items = &topic;
    kgw_wbuf_t body;
    kgw_wbuf_init(&body, &err);
    if (kgw_produce_request_encode(&body, v, &m) != 0) {
        die("produce encode", &err);
    }
    measure("Produce v12 request, 1 MiB records", KGW_API_PRODUCE, v, false, &body);
    kgw_wbuf_free(&body);
    free(records);
    kgw_arena_free(a);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        seconds_per_case = atof(argv[1]);
        if (seconds_per_case <= 0 || seconds_per_case > 60) {
            fprintf(stderr, "usage: %s [SECONDS_PER_CASE (0-60]]\n", argv[0]);
            return 2;
        }
    }
    bench_metadata();
    bench_produce();
    return 0;
}
