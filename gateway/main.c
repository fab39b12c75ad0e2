/*
 * kgw: the gateway binary.
 *
 *   kgw -c FILE                 run
 *   kgw -c FILE --check-config  validate the configuration, exit 0 or 1
 *   kgw --version               versions of kgw, the SDK ABI, linked libraries
 *
 * Exit codes: 0 success, 1 bad configuration or failure to start, 2 usage.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <lz4.h>
#include <openssl/crypto.h>
#include <yaml.h>
#include <zlib.h>
#include <zstd.h>

#include <kgw/kgw_plugin.h>

#include "config.h"
#include "gateway.h"
#include "log.h"

static void
kgw__usage(FILE *out)
{
    fprintf(out, "usage: kgw -c FILE [--check-config]\n"
                 "       kgw --version\n"
                 "  -c, --config FILE   configuration file (YAML)\n"
                 "      --check-config  validate the configuration and exit (0 valid, 1 not)\n"
                 "      --version       print versions and exit\n"
                 "  -h, --help          this text\n");
}

static void
kgw__print_version(void)
{
    printf("kgw %s\n", KGW_VERSION);
    printf("sdk abi %d.%d\n", KGW_ABI_MAJOR, KGW_ABI_MINOR);
    printf("libevent %s\n", event_get_version());
    printf("openssl %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("libyaml %s\n", yaml_get_version_string());
    printf("zlib %s\n", zlibVersion());
    printf("lz4 %s\n", LZ4_versionString());
    printf("zstd %s\n", ZSTD_versionString());
}

int
main(int argc, char **argv)
{
    enum { OPT_CHECK = 1000, OPT_VERSION };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, OPT_CHECK},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL;
    bool check_only = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case OPT_CHECK:
            check_only = true;
            break;
        case OPT_VERSION:
            kgw__print_version();
            return 0;
        case 'h':
            kgw__usage(stdout);
            return 0;
        default:
            kgw__usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kgw: unexpected argument '%s'\n", argv[optind]);
        kgw__usage(stderr);
        return 2;
    }
    if (path == NULL) {
        fprintf(stderr, "kgw: no configuration file given (-c FILE)\n");
        kgw__usage(stderr);
        return 2;
    }

    kgw_config_t *cfg = NULL;
    kgw_config_errors_t errs;
    kgw_config_errors_init(&errs);
    if (kgw_config_load(path, &cfg, &errs) != 0) {
        kgw_config_errors_print(&errs, stderr);
        if (errs.count == 0)
            fprintf(stderr, "%s: invalid configuration\n", path);
        kgw_config_errors_free(&errs);
        return 1;
    }
    kgw_config_errors_free(&errs);
    if (check_only) {
        printf("%s: configuration is valid\n", path);
        kgw_config_free(cfg);
        return 0;
    }

    /* Worker threads post events to each other's loops. */
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "kgw: libevent has no pthreads support\n");
        kgw_config_free(cfg);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    char err[512] = "";
    kgw_gateway_t *gw = kgw_gateway_new(cfg, err, sizeof(err));
    if (gw == NULL) {
        kgw_log_error("%s", err);
        return 1;
    }
    int code = kgw_gateway_run(gw);
    kgw_gateway_free(gw);
    return code;
}
