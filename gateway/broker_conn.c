/*
 * kgw_broker_conn: a backend connection and its in-flight ring buffer.
 */
#include "broker_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>

#define KGW_BROKER_CONNECT_TIMEOUT_SECONDS 10

struct kgw_broker_conn {
    struct bufferevent *bev;
    int32_t broker_id;
    char target[300];
    kgw_inflight_t *ring;
    size_t head;
    size_t count;
    size_t cap;
    struct {
        int32_t correlation_id;
        bool valid;
    } unanswered[KGW_BROKER_CONN_UNANSWERED_MAX]; /* a ring, oldest overwritten */
    size_t next_unanswered;
};

kgw_broker_conn_t *
kgw_broker_conn_connect(struct event_base *base, struct evdns_base *dns,
                        const kgw_transport_t *transport, const char *host, uint16_t port,
                        int32_t broker_id, const kgw_broker_conn_cbs_t *cbs, void *ctx,
                        const char **why)
{
    *why = "";
    kgw_broker_conn_t *bc = calloc(1, sizeof(*bc));
    if (bc == NULL) {
        *why = "out of memory";
        return NULL;
    }
    bc->broker_id = broker_id;
    snprintf(bc->target, sizeof(bc->target), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
             (unsigned)port);
    bc->bev = transport->outgoing(transport, base, ctx);
    if (bc->bev == NULL) {
        *why = "cannot create a socket buffer";
        free(bc);
        return NULL;
    }
    bufferevent_setcb(bc->bev, cbs->on_read, cbs->on_write, cbs->on_event, ctx);
    /* The write timeout bounds the connect; the owner clears it once up. */
    struct timeval tv = {.tv_sec = KGW_BROKER_CONNECT_TIMEOUT_SECONDS};
    bufferevent_set_timeouts(bc->bev, NULL, &tv);
    if (bufferevent_enable(bc->bev, EV_READ | EV_WRITE) < 0 ||
        bufferevent_socket_connect_hostname(bc->bev, dns, AF_UNSPEC, host, port) < 0) {
        *why = "cannot start connecting";
        bufferevent_free(bc->bev);
        free(bc);
        return NULL;
    }
    return bc;
}

void
kgw_broker_conn_free(kgw_broker_conn_t *bc)
{
    if (bc == NULL)
        return;
    if (bc->bev != NULL)
        bufferevent_free(bc->bev);
    free(bc->ring);
    free(bc);
}

struct bufferevent *
kgw_broker_conn_bev(kgw_broker_conn_t *bc)
{
    return bc->bev;
}

const char *
kgw_broker_conn_target(const kgw_broker_conn_t *bc)
{
    return bc->target;
}

int32_t
kgw_broker_conn_id(const kgw_broker_conn_t *bc)
{
    return bc->broker_id;
}

int
kgw_broker_conn_push(kgw_broker_conn_t *bc, const kgw_inflight_t *req)
{
    if (bc->count == bc->cap) {
        size_t cap = bc->cap ? bc->cap * 2 : 16;
        kgw_inflight_t *ring = malloc(cap * sizeof(*ring));
        if (ring == NULL)
            return -1;
        for (size_t i = 0; i < bc->count; i++)
            ring[i] = bc->ring[(bc->head + i) % bc->cap];
        free(bc->ring);
        bc->ring = ring;
        bc->cap = cap;
        bc->head = 0;
    }
    bc->ring[(bc->head + bc->count) % bc->cap] = *req;
    bc->count++;
    return 0;
}

bool
kgw_broker_conn_peek(const kgw_broker_conn_t *bc, kgw_inflight_t *out)
{
    if (bc->count == 0)
        return false;
    *out = bc->ring[bc->head];
    return true;
}

bool
kgw_broker_conn_pop(kgw_broker_conn_t *bc, kgw_inflight_t *out)
{
    if (bc->count == 0)
        return false;
    *out = bc->ring[bc->head];
    bc->head = (bc->head + 1) % bc->cap;
    bc->count--;
    return true;
}

size_t
kgw_broker_conn_inflight(const kgw_broker_conn_t *bc)
{
    return bc->count;
}

void
kgw_broker_conn_note_unanswered(kgw_broker_conn_t *bc, int32_t correlation_id)
{
    bc->unanswered[bc->next_unanswered].correlation_id = correlation_id;
    bc->unanswered[bc->next_unanswered].valid = true;
    bc->next_unanswered = (bc->next_unanswered + 1) % KGW_BROKER_CONN_UNANSWERED_MAX;
}

bool
kgw_broker_conn_take_unanswered(kgw_broker_conn_t *bc, int32_t correlation_id)
{
    for (size_t i = 0; i < KGW_BROKER_CONN_UNANSWERED_MAX; i++) {
        if (bc->unanswered[i].valid && bc->unanswered[i].correlation_id == correlation_id) {
            bc->unanswered[i].valid = false;
            return true;
        }
    }
    return false;
}
