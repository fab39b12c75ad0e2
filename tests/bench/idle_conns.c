/*
 * kgw_idle_conns: opens N idle Kafka client connections for tools/bench.sh.
 *
 * Usage: kgw_idle_conns HOST PORT N HOLD_SECONDS
 *        kgw_idle_conns --serve PORT SECONDS
 *
 * Opens N TCP connections to HOST:PORT, sends one ApiVersions v0 request on
 * each and reads each answer, then prints "connected=N answered=M" on stdout
 * and keeps every connection open (idle) for HOLD_SECONDS or until stdin
 * closes or reads a line, whichever is first; then exits 0. Exits 1 when a
 * connection cannot be made (the message names the count reached and the
 * error), 2 on usage errors. The caller raises `ulimit -n` above N.
 *
 * --serve is a stand-in broker for that measurement (librdkafka's mock
 * cluster does not keep up with thousands of connections): it listens on
 * 127.0.0.1:PORT for SECONDS (bounded) and answers every request frame
 * with an ApiVersions v0 response (error 0, no keys) carrying the request's
 * correlation id. It prints "listening" once ready. Exit codes as above.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define KGW_CLIENT_ID "kgw-idle"

/* ApiVersions v0: size, api key 18, version 0, correlation id, client id. */
static size_t
kgw_api_versions_request(uint8_t *buf, int32_t correlation_id)
{
    size_t id_len = strlen(KGW_CLIENT_ID);
    uint32_t size = (uint32_t)(2 + 2 + 4 + 2 + id_len);
    size_t n = 0;
    buf[n++] = (uint8_t)(size >> 24);
    buf[n++] = (uint8_t)(size >> 16);
    buf[n++] = (uint8_t)(size >> 8);
    buf[n++] = (uint8_t)size;
    buf[n++] = 0;
    buf[n++] = 18;
    buf[n++] = 0;
    buf[n++] = 0;
    buf[n++] = (uint8_t)((uint32_t)correlation_id >> 24);
    buf[n++] = (uint8_t)((uint32_t)correlation_id >> 16);
    buf[n++] = (uint8_t)((uint32_t)correlation_id >> 8);
    buf[n++] = (uint8_t)correlation_id;
    buf[n++] = 0;
    buf[n++] = (uint8_t)id_len;
    memcpy(buf + n, KGW_CLIENT_ID, id_len);
    return n + id_len;
}

/* Reads one whole response frame (size-prefixed) from fd. Returns 0 or -1. */
static int
kgw_read_response(int fd)
{
    uint8_t hdr[4];
    size_t got = 0;
    while (got < 4) {
        ssize_t r = recv(fd, hdr + got, 4 - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    uint32_t size =
        ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
    uint8_t sink[4096];
    while (size > 0) {
        ssize_t r = recv(fd, sink, size < sizeof(sink) ? size : sizeof(sink), 0);
        if (r <= 0)
            return -1;
        size -= (uint32_t)r;
    }
    return 0;
}

/* Per connection: the bytes of a request header read so far. */
typedef struct {
    uint8_t hdr[12];
    size_t have;
    uint32_t skip; /* body bytes still to discard */
} kgw_serve_conn_t;

/* Handles readable bytes on c->fd. Returns -1 when the connection ends. */
static int
kgw_serve_read(int fd, kgw_serve_conn_t *c)
{
    uint8_t buf[4096];
    ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
        return -1;
    for (ssize_t i = 0; i < r;) {
        if (c->skip > 0) {
            size_t n = (size_t)(r - i) < c->skip ? (size_t)(r - i) : c->skip;
            c->skip -= (uint32_t)n;
            i += (ssize_t)n;
            continue;
        }
        c->hdr[c->have++] = buf[i++];
        if (c->have < 12)
            continue;
        uint32_t size = ((uint32_t)c->hdr[0] << 24) | ((uint32_t)c->hdr[1] << 16) |
                        ((uint32_t)c->hdr[2] << 8) | c->hdr[3];
        if (size < 8)
            return -1;
        c->skip = size - 8;
        c->have = 0;
        /* size 10: correlation id, error code 0, empty api key array. */
        uint8_t resp[14] = {0, 0, 0, 10, c->hdr[8], c->hdr[9], c->hdr[10], c->hdr[11]};
        if (send(fd, resp, sizeof(resp), MSG_NOSIGNAL) != (ssize_t)sizeof(resp))
            return -1;
    }
    return 0;
}

static int
kgw_serve(const char *port_arg, const char *seconds_arg)
{
    long port = strtol(port_arg, NULL, 10);
    long seconds = strtol(seconds_arg, NULL, 10);
    if (port < 1 || port > 65535 || seconds < 1 || seconds > 3600) {
        fprintf(stderr,
                "kgw_idle_conns: --serve PORT '%s' must be 1..65535, SECONDS '%s' 1..3600\n",
                port_arg, seconds_arg);
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 4096) != 0) {
        fprintf(stderr, "kgw_idle_conns: cannot listen on 127.0.0.1:%ld: %s\n", port,
                strerror(errno));
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
        fprintf(stderr, "kgw_idle_conns: epoll: %s\n", strerror(errno));
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    struct epoll_event evs[256];
    while (time(NULL) < end) {
        int n = epoll_wait(ep, evs, 256, 1000);
        for (int i = 0; i < n; i++) {
            kgw_serve_conn_t *c = evs[i].data.ptr;
            if (c == NULL) {
                int fd = accept(lfd, NULL, NULL);
                if (fd < 0)
                    continue;
                kgw_serve_conn_t *nc = calloc(1, sizeof(*nc) + sizeof(int));
                struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
                if (nc == NULL) {
                    close(fd);
                    continue;
                }
                memcpy(nc + 1, &fd, sizeof(fd));
                if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) {
                    close(fd);
                    free(nc);
                }
                continue;
            }
            int fd;
            memcpy(&fd, c + 1, sizeof(fd));
            if (kgw_serve_read(fd, c) != 0) {
                close(fd);
                free(c);
            }
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--serve") == 0)
        return kgw_serve(argv[2], argv[3]);
    if (argc != 5) {
        fprintf(stderr, "usage: kgw_idle_conns HOST PORT N HOLD_SECONDS\n");
        return 2;
    }
    long n = strtol(argv[3], NULL, 10);
    long hold = strtol(argv[4], NULL, 10);
    if (n < 1 || n > 100000 || hold < 0 || hold > 3600) {
        fprintf(stderr, "kgw_idle_conns: N '%s' must be 1..100000, HOLD_SECONDS '%s' 0..3600\n",
                argv[3], argv[4]);
        return 2;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(argv[1], argv[2], &hints, &ai);
    if (gai != 0) {
        fprintf(stderr, "kgw_idle_conns: cannot resolve %s:%s: %s\n", argv[1], argv[2],
                gai_strerror(gai));
        return 1;
    }
    int *fds = calloc((size_t)n, sizeof(*fds));
    if (fds == NULL) {
        fprintf(stderr, "kgw_idle_conns: out of memory for %ld sockets\n", n);
        return 1;
    }
    struct timeval tv = {.tv_sec = 10};
    uint8_t req[64];
    long answered = 0;
    for (long i = 0; i < n; i++) {
        fds[i] = socket(ai->ai_family, SOCK_STREAM, 0);
        if (fds[i] < 0 || connect(fds[i], ai->ai_addr, ai->ai_addrlen) != 0) {
            fprintf(stderr, "kgw_idle_conns: connection %ld of %ld to %s:%s: %s\n", i + 1, n,
                    argv[1], argv[2], strerror(errno));
            return 1;
        }
        int one = 1;
        (void)setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        (void)setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        size_t len = kgw_api_versions_request(req, (int32_t)i);
        if (send(fds[i], req, len, 0) != (ssize_t)len) {
            fprintf(stderr, "kgw_idle_conns: send on connection %ld: %s\n", i + 1, strerror(errno));
            return 1;
        }
        /* Reads answers in waves so at most 256 requests are outstanding. */
        if ((i + 1) % 256 == 0 || i + 1 == n) {
            for (long j = answered; j <= i; j++) {
                if (kgw_read_response(fds[j]) != 0) {
                    fprintf(stderr, "kgw_idle_conns: no ApiVersions answer on connection %ld\n",
                            j + 1);
                    return 1;
                }
            }
            answered = i + 1;
        }
    }
    freeaddrinfo(ai);
    printf("connected=%ld answered=%ld\n", n, answered);
    fflush(stdout);
    struct pollfd in = {.fd = 0, .events = POLLIN};
    (void)poll(&in, 1, (int)(hold * 1000));
    for (long i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    return 0;
}
