/*
 * kgw_transport_plain: bufferevents over plain TCP sockets.
 */
#include "transport.h"

#include <event2/bufferevent.h>
#include <event2/event.h>

static struct bufferevent *
kgw__plain_accept(const kgw_transport_t *t, struct event_base *base, evutil_socket_t fd, void *ctx)
{
    (void)t;
    (void)ctx;
    struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL)
        evutil_closesocket(fd);
    return bev;
}

static struct bufferevent *
kgw__plain_outgoing(const kgw_transport_t *t, struct event_base *base, void *ctx)
{
    (void)t;
    (void)ctx;
    return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

const kgw_transport_t kgw_transport_plain = {
    .name = "plain",
    .direct_fd_io = true,
    .accept = kgw__plain_accept,
    .outgoing = kgw__plain_outgoing,
};
