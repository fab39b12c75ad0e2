/*
 * kgw-mock-cluster: runs librdkafka's built-in mock Kafka cluster for tests.
 *
 * Usage: kgw-mock-cluster [--brokers N] [--topic NAME:PARTITIONS]...
 *
 * Starts an in-process mock cluster of N brokers (default 3, ids 1..N) on
 * loopback, each on an ephemeral port, optionally creates topics (replication
 * factor min(3, N)), prints the bootstrap servers as one line
 * "127.0.0.1:p1,127.0.0.1:p2,..." on stdout, and serves until SIGTERM or
 * SIGINT, then exits 0. Errors go to stderr with exit code 1 (start-up) or
 * 2 (usage). The mock cluster's limits (protocol versions, 5 MB per
 * partition) are those of the linked librdkafka; see
 * ../shared/KAFKA-PROTOCOL-NOTES.md.
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o kgw-mock-cluster \
 *            tools/kgw-mock-cluster.c $(pkg-config --cflags --libs rdkafka)
 * `tools/kafka-cluster.sh mock ARGS` and tests/integration (kgwtest/cluster.py)
 * do this into ~/.cache/kgw/bin when the binary is missing or older than
 * this file.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define KGW_MOCK_MAX_BROKERS 16
#define KGW_MOCK_MAX_TOPICS 64

typedef struct {
    const char *name;
    int partitions;
} kgw_mock_topic_t;

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: kgw-mock-cluster [--brokers N] [--topic NAME:PARTITIONS]...\n"
            "  N in 1..%d (default 3); PARTITIONS in 1..1000\n",
            KGW_MOCK_MAX_BROKERS);
}

/*
 * Parses a decimal integer in [min, max] from s. Returns 0 and sets *out, or
 * -1 when s is empty, has trailing characters or is out of range.
 */
static int
parse_int(const char *s, int min, int max, int *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/*
 * Splits "NAME:PARTITIONS" in place (arg is modified). Returns 0 and fills
 * *topic, or -1 with a message on stderr naming the bad argument.
 */
static int
parse_topic(char *arg, kgw_mock_topic_t *topic)
{
    char *colon = strrchr(arg, ':');

    if (colon == NULL || colon == arg) {
        fprintf(stderr, "kgw-mock-cluster: --topic '%s': expected NAME:PARTITIONS\n", arg);
        return -1;
    }
    if (parse_int(colon + 1, 1, 1000, &topic->partitions) != 0) {
        fprintf(stderr, "kgw-mock-cluster: --topic '%s': partitions '%s' is not in 1..1000\n", arg,
                colon + 1);
        return -1;
    }
    *colon = '\0';
    topic->name = arg;
    return 0;
}

int
main(int argc, char **argv)
{
    int brokers = 3;
    kgw_mock_topic_t topics[KGW_MOCK_MAX_TOPICS];
    int ntopics = 0;
    char errstr[512];
    sigset_t stop_signals;
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mcluster = NULL;
    const char *bootstraps;
    int sig = 0;
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
            if (parse_int(argv[++i], 1, KGW_MOCK_MAX_BROKERS, &brokers) != 0) {
                fprintf(stderr, "kgw-mock-cluster: --brokers '%s' is not in 1..%d\n", argv[i],
                        KGW_MOCK_MAX_BROKERS);
                return 2;
            }
        } else if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc) {
            if (ntopics == KGW_MOCK_MAX_TOPICS) {
                fprintf(stderr, "kgw-mock-cluster: more than %d --topic arguments\n",
                        KGW_MOCK_MAX_TOPICS);
                return 2;
            }
            if (parse_topic(argv[++i], &topics[ntopics]) != 0)
                return 2;
            ntopics++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kgw-mock-cluster: unknown or incomplete argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    /*
     * Block the stop signals before librdkafka starts its threads, so every
     * thread inherits the mask and sigwait() below is the only receiver.
     */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, NULL) != 0) {
        fprintf(stderr, "kgw-mock-cluster: pthread_sigmask failed\n");
        return 1;
    }

    conf = rd_kafka_conf_new();
    if (conf == NULL) {
        fprintf(stderr, "kgw-mock-cluster: rd_kafka_conf_new: out of memory\n");
        return 1;
    }
    /* The handle only hosts the mock cluster; it never connects anywhere. */
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kgw-mock-cluster: log_level: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "kgw-mock-cluster: rd_kafka_new: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }

    mcluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (mcluster == NULL) {
        fprintf(stderr, "kgw-mock-cluster: rd_kafka_mock_cluster_new(%d brokers) failed\n",
                brokers);
        goto out;
    }
    for (int i = 0; i < ntopics; i++) {
        int rf = brokers < 3 ? brokers : 3;
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mcluster, topics[i].name, topics[i].partitions, rf);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fprintf(stderr, "kgw-mock-cluster: creating topic '%s' (%d partitions): %s\n",
                    topics[i].name, topics[i].partitions, rd_kafka_err2str(err));
            goto out;
        }
    }

    bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
    if (bootstraps == NULL || printf("%s\n", bootstraps) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "kgw-mock-cluster: cannot print the bootstrap servers\n");
        goto out;
    }

    if (sigwait(&stop_signals, &sig) != 0) {
        fprintf(stderr, "kgw-mock-cluster: sigwait failed\n");
        goto out;
    }
    fprintf(stderr, "kgw-mock-cluster: %s received, stopping\n", strsignal(sig));
    rc = 0;

out:
    if (mcluster != NULL)
        rd_kafka_mock_cluster_destroy(mcluster);
    rd_kafka_destroy(rk);
    return rc;
}
