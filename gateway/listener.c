/*
 * kgw_listener: SO_REUSEPORT sockets per worker, handing accepted
 * connections to kgw_session_new on the same loop.
 */
#include "listener.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/listener.h>

#include "log.h"
#include "session.h"
#include "worker.h"

#define KGW_DEFAULT_MAX_FRAME (100u * 1024 * 1024)
#define KGW_DEFAULT_IDLE_TIMEOUT 600

kgw_listener_def_t *
kgw_listener_def_new(const kgw_config_listener_t *cfg, kgw_virtual_cluster_t *const *vclusters)
{
    kgw_listener_def_t *def = calloc(1, sizeof(*def));
    if (def == NULL)
        return NULL;
    def->cfg = cfg;
    def->transport = &kgw_transport_plain;
    def->max_frame_bytes = KGW_DEFAULT_MAX_FRAME;
    def->idle_timeout_seconds = KGW_DEFAULT_IDLE_TIMEOUT;
    for (size_t i = 0; i < cfg->n_forward; i++) {
        const kgw_config_forward_t *f = &cfg->forward[i];
        if (f->type != KGW_CONFIG_FORWARD_PORT_MAPPING)
            continue;
        def->port_mapping = f;
        def->vcluster = vclusters[f->virtual_cluster_index];
        def->map = kgw_broker_map_new(cfg->ports, cfg->n_ports,
                                      f->bootstrap_port == KGW_CONFIG_BOOTSTRAP_AT_START,
                                      f->advertised_host, f->min_broker_id);
        if (def->map == NULL) {
            free(def);
            return NULL;
        }
        break;
    }
    const char *vc = def->vcluster != NULL ? kgw_virtual_cluster_name(def->vcluster) : "";
    def->accepted = kgw_metrics_connections_accepted(cfg->name, vc);
    def->active = kgw_metrics_connections_active(cfg->name, vc);
    def->rejected_too_large = kgw_metrics_frames_rejected(cfg->name, "too_large");
    def->rejected_malformed = kgw_metrics_frames_rejected(cfg->name, "bad_size");
    def->rejected_unsupported = kgw_metrics_frames_rejected(cfg->name, "unsupported_version");
    return def;
}

void
kgw_listener_def_free(kgw_listener_def_t *def)
{
    if (def == NULL)
        return;
    kgw_broker_map_free(def->map);
    free(def);
}

static void
kgw__listener_accept_cb(struct evconnlistener *evl, evutil_socket_t fd, struct sockaddr *addr,
                        int addrlen, void *arg)
{
    (void)evl;
    kgw_listener_t *l = arg;
    kgw_session_accept(l, fd, addr, addrlen);
}

static void
kgw__listener_error_cb(struct evconnlistener *evl, void *arg)
{
    kgw_listener_t *l = arg;
    int err = EVUTIL_SOCKET_ERROR();
    kgw_log_error("listener '%s' %s:%u: accept failed: %s", l->def->cfg->name, l->address,
                  (unsigned)l->port, evutil_socket_error_to_string(err));
    /* EMFILE and friends: keep listening; the loop retries on the next
     * readiness. Nothing else to do without shedding connections. */
    (void)evl;
}

int
kgw_listener_open_all(struct kgw_worker *worker, const kgw_listener_def_t *def,
                      kgw_listener_t ***list, size_t *n, char *err, size_t errlen)
{
    const kgw_config_listener_t *cfg = def->cfg;
    for (size_t a = 0; a < cfg->n_addresses; a++) {
        struct addrinfo hints = {
            .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
        struct addrinfo *res = NULL;
        int gai = getaddrinfo(cfg->addresses[a], NULL, &hints, &res);
        if (gai != 0) {
            snprintf(err, errlen, "listener '%s': cannot resolve address '%s': %s", cfg->name,
                     cfg->addresses[a], gai_strerror(gai));
            return -1;
        }
        for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
            for (size_t p = 0; p < cfg->n_ports; p++) {
                struct sockaddr_storage ss;
                memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
                char text[64] = "?";
                if (ss.ss_family == AF_INET6) {
                    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
                    s6->sin6_port = htons(cfg->ports[p]);
                    evutil_inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
                } else {
                    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
                    s4->sin_port = htons(cfg->ports[p]);
                    evutil_inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
                }
                kgw_listener_t **grown = realloc(*list, (*n + 1) * sizeof(**list));
                kgw_listener_t *l = calloc(1, sizeof(*l));
                if (grown != NULL)
                    *list = grown;
                if (grown == NULL || l == NULL) {
                    free(l);
                    freeaddrinfo(res);
                    snprintf(err, errlen, "listener '%s': out of memory", cfg->name);
                    return -1;
                }
                l->def = def;
                l->worker = worker;
                l->port = cfg->ports[p];
                snprintf(l->address, sizeof(l->address), "%s", text);
                unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                 LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC;
                if (ss.ss_family == AF_INET6)
                    flags |= LEV_OPT_BIND_IPV6ONLY;
                l->evl = evconnlistener_new_bind(kgw_worker_base(worker), kgw__listener_accept_cb,
                                                 l, flags, 1024, (struct sockaddr *)&ss,
                                                 (int)ai->ai_addrlen);
                if (l->evl == NULL) {
                    int e = errno;
                    snprintf(err, errlen, "listener '%s': cannot listen on %s port %u: %s",
                             cfg->name, text, (unsigned)cfg->ports[p], strerror(e));
                    free(l);
                    freeaddrinfo(res);
                    return -1;
                }
                evconnlistener_set_error_cb(l->evl, kgw__listener_error_cb);
                (*list)[(*n)++] = l;
            }
        }
        freeaddrinfo(res);
    }
    return 0;
}

void
kgw_listener_free(kgw_listener_t *l)
{
    if (l == NULL)
        return;
    if (l->evl != NULL)
        evconnlistener_free(l->evl);
    free(l);
}
