/*
 * kgw_transport: how a connection's bytes are carried, as a small table of
 * functions (plain TCP now; TLS later adds a second table that wraps the
 * same socket in an OpenSSL bufferevent). Sessions and backend connections
 * only ever see a bufferevent, so nothing above this layer changes when TLS
 * arrives.
 */
#ifndef KGW_TRANSPORT_H
#define KGW_TRANSPORT_H

#include <stdbool.h>

#include <event2/util.h>

struct event_base;
struct bufferevent;

typedef struct kgw_transport {
    const char *name; /* "plain", later "tls" */
    /* True when the bytes on the bufferevent's socket are the stream itself
     * (no TLS record layer): the session may then read and write that
     * socket directly on its hot path (see session.c, kgw__topup and
     * kgw__relay). A transport that transforms bytes leaves it false. */
    bool direct_fd_io;
    /* Wraps an accepted client socket (takes ownership of fd, closed with
     * the bufferevent). Returns NULL on failure (fd is then closed). */
    struct bufferevent *(*accept)(const struct kgw_transport *t, struct event_base *base,
                                  evutil_socket_t fd, void *ctx);
    /* A bufferevent for an outgoing connection, not yet connected. Returns
     * NULL on failure. */
    struct bufferevent *(*outgoing)(const struct kgw_transport *t, struct event_base *base,
                                    void *ctx);
} kgw_transport_t;

/* Plain TCP. */
extern const kgw_transport_t kgw_transport_plain;

#endif
