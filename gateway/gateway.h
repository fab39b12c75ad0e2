/*
 * kgw_gateway: the running gateway. Owns the loaded configuration, the
 * main thread's loop (signals, metadata refresh, admin HTTP), the backend
 * and virtual clusters, the listener definitions and the workers.
 *
 * Process contract (DESIGN.md section 4): SIGTERM/SIGINT stop accepting,
 * drain in-flight requests for at most KGW_GATEWAY_DRAIN_SECONDS and make
 * kgw_gateway_run return 0. SIGHUP re-reads the configuration: a bad one
 * is rejected (logged, counted) and the old one keeps serving; a good one
 * applies its log settings now, other changes at the next restart.
 */
#ifndef KGW_GATEWAY_H
#define KGW_GATEWAY_H

#include <stddef.h>

#include "config.h"

#define KGW_GATEWAY_DRAIN_SECONDS 5

typedef struct kgw_gateway kgw_gateway_t;

/*
 * Builds the gateway for `cfg` (ownership passes to the gateway, also on
 * failure) and binds every listener. Returns NULL with err naming what
 * failed (e.g. the address and port that could not be bound).
 */
kgw_gateway_t *kgw_gateway_new(kgw_config_t *cfg, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Starts the workers, the metadata refreshes and the admin endpoint, then
 * runs until SIGTERM/SIGINT and the drain. Returns the process exit code. */
int kgw_gateway_run(kgw_gateway_t *gw);

/* Frees everything. NULL is a no-op. */
void kgw_gateway_free(kgw_gateway_t *gw);

#endif
