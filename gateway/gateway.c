/*
 * kgw_gateway: wiring the configuration to runtime objects, and the main
 * thread's loop.
 */
#include "gateway.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "admin.h"
#include "backend_cluster.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "virtual_cluster.h"
#include "worker.h"

struct kgw_gateway {
    kgw_config_t *cfg;
    struct event_base *base;
    struct evdns_base *dns;
    kgw_backend_cluster_t **backends;
    kgw_virtual_cluster_t **vclusters;
    kgw_listener_def_t **defs;
    kgw_worker_t **workers;
    size_t n_workers;
    kgw_admin_t *admin;
    struct event *sig_term;
    struct event *sig_int;
    struct event *sig_hup;
    bool stopping;
};

static void
kgw__gateway_apply_log(const kgw_config_t *cfg)
{
    kgw_log_configure((kgw_log_level_t)cfg->log_level,
                      cfg->log_format == KGW_CONFIG_LOG_JSON ? KGW_LOG_JSON : KGW_LOG_TEXT);
}

kgw_gateway_t *
kgw_gateway_new(kgw_config_t *cfg, char *err, size_t errlen)
{
    kgw_gateway_t *gw = calloc(1, sizeof(*gw));
    if (gw == NULL) {
        kgw_config_free(cfg);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    gw->cfg = cfg;
    kgw__gateway_apply_log(cfg);
    gw->base = event_base_new();
    if (gw->base == NULL) {
        snprintf(err, errlen, "cannot create the main event loop");
        goto fail;
    }
    gw->dns = evdns_base_new(gw->base,
                             EVDNS_BASE_INITIALIZE_NAMESERVERS | EVDNS_BASE_DISABLE_WHEN_INACTIVE);
    if (gw->dns == NULL)
        gw->dns = evdns_base_new(gw->base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
    gw->backends = calloc(cfg->n_backend_clusters, sizeof(*gw->backends));
    gw->vclusters = calloc(cfg->n_virtual_clusters, sizeof(*gw->vclusters));
    gw->defs = calloc(cfg->n_listeners, sizeof(*gw->defs));
    gw->workers = calloc(cfg->workers, sizeof(*gw->workers));
    if (gw->dns == NULL || gw->backends == NULL || gw->vclusters == NULL || gw->defs == NULL ||
        gw->workers == NULL) {
        snprintf(err, errlen, "out of memory creating the gateway");
        goto fail;
    }
    for (size_t i = 0; i < cfg->n_backend_clusters; i++) {
        gw->backends[i] = kgw_backend_cluster_new(&cfg->backend_clusters[i], gw->base, gw->dns);
        if (gw->backends[i] == NULL) {
            snprintf(err, errlen, "out of memory creating backend cluster '%s'",
                     cfg->backend_clusters[i].name);
            goto fail;
        }
        if (cfg->backend_clusters[i].tls.enabled ||
            cfg->backend_clusters[i].authentication.type != KGW_CONFIG_BACKEND_AUTH_ANONYMOUS)
            kgw_log_warn("backend cluster '%s': TLS and SASL to backends are not implemented "
                         "yet; connecting in plain text without authentication",
                         cfg->backend_clusters[i].name);
    }
    for (size_t i = 0; i < cfg->n_virtual_clusters; i++) {
        const kgw_config_virtual_cluster_t *vc = &cfg->virtual_clusters[i];
        gw->vclusters[i] = kgw_virtual_cluster_new(vc, gw->backends[vc->destination_index]);
        if (gw->vclusters[i] == NULL) {
            snprintf(err, errlen, "out of memory creating virtual cluster '%s'", vc->name);
            goto fail;
        }
    }
    for (size_t i = 0; i < cfg->n_listeners; i++) {
        gw->defs[i] = kgw_listener_def_new(&cfg->listeners[i], gw->vclusters);
        if (gw->defs[i] == NULL) {
            snprintf(err, errlen, "out of memory creating listener '%s'", cfg->listeners[i].name);
            goto fail;
        }
        if (gw->defs[i]->port_mapping == NULL)
            kgw_log_warn("listener '%s': only SNI forward rules, which need TLS (not implemented "
                         "yet): its connections will be closed",
                         cfg->listeners[i].name);
        if (cfg->listeners[i].tls.enabled)
            kgw_log_warn("listener '%s': TLS termination is not implemented yet; the listener "
                         "serves plain TCP",
                         cfg->listeners[i].name);
    }
    for (unsigned w = 0; w < cfg->workers; w++) {
        gw->workers[w] = kgw_worker_new(w, err, errlen);
        if (gw->workers[w] == NULL)
            goto fail;
        gw->n_workers++;
        for (size_t i = 0; i < cfg->n_listeners; i++) {
            if (kgw_worker_listen(gw->workers[w], gw->defs[i], err, errlen) != 0)
                goto fail;
        }
    }
    return gw;
fail:
    kgw_gateway_free(gw);
    return NULL;
}

static bool
kgw__gateway_ready(void *ctx, char *reason, size_t reasonlen)
{
    kgw_gateway_t *gw = ctx;
    bool ready = true;
    size_t off = 0;
    reason[0] = '\0';
    for (size_t i = 0; i < gw->cfg->n_backend_clusters; i++) {
        if (kgw_backend_cluster_ready(gw->backends[i]))
            continue;
        ready = false;
        int n = snprintf(reason + off, reasonlen - off, "%sbackend cluster '%s': no metadata yet",
                         off > 0 ? "\n" : "", gw->cfg->backend_clusters[i].name);
        if (n < 0 || (size_t)n >= reasonlen - off)
            break;
        off += (size_t)n;
    }
    return ready;
}

static void
kgw__gateway_stop_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    kgw_gateway_t *gw = arg;
    if (gw->stopping) {
        kgw_log_info("signal %d again: still draining", (int)sig);
        return;
    }
    gw->stopping = true;
    kgw_log_info("signal %d: no longer accepting connections; draining in-flight requests for "
                 "up to %d s",
                 (int)sig, KGW_GATEWAY_DRAIN_SECONDS);
    for (size_t i = 0; i < gw->n_workers; i++)
        kgw_worker_drain(gw->workers[i], KGW_GATEWAY_DRAIN_SECONDS);
    event_base_loopexit(gw->base, NULL);
}

static void
kgw__gateway_reload_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    kgw_gateway_t *gw = arg;
    kgw_config_t *next = NULL;
    kgw_config_errors_t errs;
    kgw_config_errors_init(&errs);
    if (kgw_config_load(gw->cfg->path, &next, &errs) != 0) {
        kgw_log_error("SIGHUP: configuration %s rejected (%zu errors); the previous "
                      "configuration keeps serving",
                      gw->cfg->path, errs.count);
        for (size_t i = 0; i < errs.count; i++)
            kgw_log_error("%s", errs.items[i].text);
        kgw_config_errors_free(&errs);
        kgw_counter_inc(kgw_metrics_config_reloads(false));
        return;
    }
    kgw_config_errors_free(&errs);
    kgw__gateway_apply_log(next);
    kgw_log_info("SIGHUP: configuration %s is valid; log settings applied, listener and cluster "
                 "changes take effect at the next restart",
                 next->path);
    kgw_config_free(next);
    kgw_counter_inc(kgw_metrics_config_reloads(true));
}

int
kgw_gateway_run(kgw_gateway_t *gw)
{
    gw->sig_term = evsignal_new(gw->base, SIGTERM, kgw__gateway_stop_cb, gw);
    gw->sig_int = evsignal_new(gw->base, SIGINT, kgw__gateway_stop_cb, gw);
    gw->sig_hup = evsignal_new(gw->base, SIGHUP, kgw__gateway_reload_cb, gw);
    if (gw->sig_term == NULL || gw->sig_int == NULL || gw->sig_hup == NULL ||
        event_add(gw->sig_term, NULL) < 0 || event_add(gw->sig_int, NULL) < 0 ||
        event_add(gw->sig_hup, NULL) < 0) {
        kgw_log_error("cannot install signal handlers");
        return 1;
    }
    for (size_t i = 0; i < gw->cfg->n_backend_clusters; i++) {
        if (kgw_backend_cluster_start(gw->backends[i]) != 0) {
            kgw_log_error("backend cluster '%s': cannot start metadata refresh",
                          gw->cfg->backend_clusters[i].name);
            return 1;
        }
    }
    if (gw->cfg->admin_enabled) {
        char err[256] = "";
        gw->admin = kgw_admin_start(gw->base, gw->cfg->admin_host, gw->cfg->admin_port,
                                    kgw__gateway_ready, gw, err, sizeof(err));
        if (gw->admin == NULL) {
            kgw_log_error("%s", err);
            return 1;
        }
    }
    size_t started = 0;
    for (; started < gw->n_workers; started++) {
        if (kgw_worker_start(gw->workers[started]) != 0) {
            kgw_log_error("cannot start worker thread %zu", started);
            break;
        }
    }
    int code = 0;
    if (started < gw->n_workers) {
        code = 1;
    } else {
        kgw_log_info("kgw %s ready: %u workers, %zu listeners, %zu virtual clusters", KGW_VERSION,
                     gw->cfg->workers, gw->cfg->n_listeners, gw->cfg->n_virtual_clusters);
        if (event_base_dispatch(gw->base) < 0) {
            kgw_log_error("main event loop failed");
            code = 1;
        }
    }
    for (size_t i = 0; i < started; i++)
        kgw_worker_drain(gw->workers[i], KGW_GATEWAY_DRAIN_SECONDS);
    for (size_t i = 0; i < started; i++)
        kgw_worker_join(gw->workers[i]);
    kgw_log_info("kgw stopped");
    return code;
}

void
kgw_gateway_free(kgw_gateway_t *gw)
{
    if (gw == NULL)
        return;
    for (size_t i = 0; i < gw->n_workers; i++)
        kgw_worker_free(gw->workers[i]);
    free(gw->workers);
    kgw_admin_stop(gw->admin);
    if (gw->sig_term != NULL)
        event_free(gw->sig_term);
    if (gw->sig_int != NULL)
        event_free(gw->sig_int);
    if (gw->sig_hup != NULL)
        event_free(gw->sig_hup);
    if (gw->cfg != NULL) {
        for (size_t i = 0; gw->defs != NULL && i < gw->cfg->n_listeners; i++)
            kgw_listener_def_free(gw->defs[i]);
        for (size_t i = 0; gw->vclusters != NULL && i < gw->cfg->n_virtual_clusters; i++)
            kgw_virtual_cluster_free(gw->vclusters[i]);
        for (size_t i = 0; gw->backends != NULL && i < gw->cfg->n_backend_clusters; i++)
            kgw_backend_cluster_free(gw->backends[i]);
    }
    free(gw->defs);
    free(gw->vclusters);
    free(gw->backends);
    if (gw->dns != NULL)
        evdns_base_free(gw->dns, 0);
    if (gw->base != NULL)
        event_base_free(gw->base);
    kgw_config_free(gw->cfg);
    free(gw);
}
