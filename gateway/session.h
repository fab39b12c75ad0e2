/*
 * kgw_session: one client connection and the backend connection it is
 * relayed to, on one worker's loop.
 *
 * States (one transition function checks every change):
 *
 *   CONNECTING --> RELAYING --> DRAINING --> CLOSING --> CLOSED
 *        |             |____________|_____________^         ^
 *        |__________________________________________________|
 *
 *   CONNECTING  backend connection being set up; the client is not read.
 *   RELAYING    requests flow to the broker, responses back in order.
 *   DRAINING    shutdown: no new requests are read; in-flight ones finish.
 *   CLOSING     nothing more is read; what is queued for the client is
 *               flushed, then the connection closes.
 *   CLOSED      freed (terminal; never observed from outside).
 *
 * Frames whose API nothing needs to change are relayed as bytes, streamed
 * through evbuffer chains without being reassembled. Responses that carry
 * broker addresses are read whole, rewritten and re-encoded. Both
 * directions stop reading when the other side's output buffer is above a
 * high watermark and resume below a low one, so a slow peer never makes the
 * gateway buffer without bound.
 */
#ifndef KGW_SESSION_H
#define KGW_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/util.h>

struct kgw_listener;
typedef struct kgw_session kgw_session_t;

enum kgw_session_state {
    KGW_SESSION_CONNECTING = 0,
    KGW_SESSION_RELAYING,
    KGW_SESSION_DRAINING,
    KGW_SESSION_CLOSING,
    KGW_SESSION_CLOSED,
};

/* Output buffer watermarks for backpressure (bytes). */
#define KGW_SESSION_HIGH_WATERMARK (1u * 1024 * 1024)
#define KGW_SESSION_LOW_WATERMARK (256u * 1024)

/* Links of the worker's session list. */
typedef struct kgw_session_links {
    kgw_session_t *prev;
    kgw_session_t *next;
} kgw_session_links_t;

/* Takes an accepted socket on listener `l` (worker thread). On failure the
 * socket is closed and the reason logged. */
void kgw_session_accept(struct kgw_listener *l, evutil_socket_t fd, struct sockaddr *addr,
                        int addrlen);

/* Shutdown: stop reading requests, finish in-flight ones, then close. May
 * free the session. */
void kgw_session_drain(kgw_session_t *s);

/* Closes both connections now and frees the session, logging `why`. */
void kgw_session_close(kgw_session_t *s, const char *why);

kgw_session_links_t *kgw_session_links(kgw_session_t *s);

/* The state names used in logs ("connecting", ...). */
const char *kgw_session_state_name(enum kgw_session_state st);

/* True when the state machine allows from -> to. */
bool kgw_session_transition_allowed(enum kgw_session_state from, enum kgw_session_state to);

#endif
