/*
 * kgw_broker_conn: one connection from the gateway to one backend broker,
 * owned by a client session and living on the session's event loop.
 *
 * It keeps the in-flight queue: for every request sent that the broker will
 * answer, (correlation id, api key, version) in send order. Brokers answer
 * in order on a connection, so the head of the queue describes the next
 * response; responses carry neither api key nor version.
 *
 * The owner drives I/O through the bufferevent (kgw_broker_conn_bev) and
 * receives its events through the callbacks given at creation.
 */
#ifndef KGW_BROKER_CONN_H
#define KGW_BROKER_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>

#include "transport.h"

struct event_base;
struct evdns_base;

typedef struct kgw_inflight {
    int32_t correlation_id;
    int16_t api_key;
    int16_t api_version;
    uint64_t sent_ns; /* CLOCK_MONOTONIC when the request was read */
} kgw_inflight_t;

typedef struct kgw_broker_conn kgw_broker_conn_t;

/* The owner's callbacks; `ctx` is passed back. read/write/event as in
 * bufferevent_setcb (write fires when output drains to the low watermark). */
typedef struct kgw_broker_conn_cbs {
    bufferevent_data_cb on_read;
    bufferevent_data_cb on_write;
    bufferevent_event_cb on_event;
} kgw_broker_conn_cbs_t;

/*
 * Starts connecting to host:port (a name is resolved with `dns`), reporting
 * BEV_EVENT_CONNECTED or an error/timeout through cbs.on_event. `broker_id`
 * is -1 for a bootstrap connection. Returns NULL when the connection cannot
 * even be started (out of memory, bad address); *why then says so.
 */
kgw_broker_conn_t *kgw_broker_conn_connect(struct event_base *base, struct evdns_base *dns,
                                           const kgw_transport_t *transport, const char *host,
                                           uint16_t port, int32_t broker_id,
                                           const kgw_broker_conn_cbs_t *cbs, void *ctx,
                                           const char **why) __attribute__((warn_unused_result));

/* Closes the connection and frees it. NULL is a no-op. */
void kgw_broker_conn_free(kgw_broker_conn_t *bc);

struct bufferevent *kgw_broker_conn_bev(kgw_broker_conn_t *bc);

/* "host:port" of the broker, for log lines (backend addresses are fine in
 * the gateway's own logs; they never go to clients). */
const char *kgw_broker_conn_target(const kgw_broker_conn_t *bc);
int32_t kgw_broker_conn_id(const kgw_broker_conn_t *bc);

/* Appends a request the broker will answer. Returns 0, or -1 out of memory. */
int kgw_broker_conn_push(kgw_broker_conn_t *bc, const kgw_inflight_t *req)
    __attribute__((warn_unused_result));

/* Copies the oldest in-flight request into *out without removing it;
 * false when none. */
bool kgw_broker_conn_peek(const kgw_broker_conn_t *bc, kgw_inflight_t *out);

/* Removes the oldest in-flight request into *out; false when none. */
bool kgw_broker_conn_pop(kgw_broker_conn_t *bc, kgw_inflight_t *out);

/*
 * Requests sent without expecting an answer (Produce acks=0). Real brokers
 * never answer them, but some (librdkafka's mock cluster) do; the last
 * KGW_BROKER_CONN_UNANSWERED_MAX such correlation ids are remembered so an
 * answer can be recognised and dropped instead of breaking the stream.
 */
#define KGW_BROKER_CONN_UNANSWERED_MAX 64
void kgw_broker_conn_note_unanswered(kgw_broker_conn_t *bc, int32_t correlation_id);
/* True (and forgotten) when correlation_id was noted as unanswered. */
bool kgw_broker_conn_take_unanswered(kgw_broker_conn_t *bc, int32_t correlation_id);

/* Number of requests awaiting a response. */
size_t kgw_broker_conn_inflight(const kgw_broker_conn_t *bc);

#endif
