/*
 * kgw admin HTTP endpoint: /metrics, /healthz, /readyz on libevent's evhttp.
 * See admin.h for the contract.
 *
 * The listening socket is made here rather than by evhttp_bind_socket so that
 * a failure names the exact step (resolve, socket, bind, listen) and errno,
 * and so that port 0 can be read back with getsockname.
 */
#include "admin.h"

#include "log.h"
#include "metrics.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

/* Limits for a small, local, read-only endpoint. */
#define KGW__ADMIN_BACKLOG 64
#define KGW__ADMIN_TIMEOUT_SECONDS 30
#define KGW__ADMIN_MAX_HEADERS 8192
#define KGW__ADMIN_MAX_BODY 4096
#define KGW__ADMIN_REASON_MAX 2048

struct kgw_admin {
    struct evhttp *http;
    kgw_admin_ready_fn ready;
    void *ctx;
    uint16_t port;
};

static const char *
method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_TRACE:
        return "TRACE";
    case EVHTTP_REQ_CONNECT:
        return "CONNECT";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    }
    return "unknown";
}

/* Sends `code` with `body` (len bytes) of `content_type`. On allocation
 * failure answers a bodiless 500 (evhttp_send_error needs no buffer). */
static void
reply(struct evhttp_request *req, int code, const char *reason, const char *content_type,
      const char *body, size_t len)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    struct evbuffer *buf = evbuffer_new();
    bool head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
    char length[32];
    snprintf(length, sizeof length, "%zu", len);
    /* HEAD: the headers of GET, no body (evhttp would send one). */
    if (buf == NULL || (!head && evbuffer_add(buf, body, len) != 0) ||
        (head && evhttp_add_header(headers, "Content-Length", length) != 0) ||
        evhttp_add_header(headers, "Content-Type", content_type) != 0 ||
        evhttp_add_header(headers, "Cache-Control", "no-store") != 0) {
        kgw_log_error("admin: out of memory answering %d %s", code, reason);
        if (buf != NULL)
            evbuffer_free(buf);
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        return;
    }
    evhttp_send_reply(req, code, reason, buf);
    evbuffer_free(buf);
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason, const char *text)
{
    reply(req, code, reason, "text/plain; charset=utf-8", text, strlen(text));
}

static void
serve_metrics(struct evhttp_request *req)
{
    char *text;
    size_t len;
    if (kgw_metrics_render(&text, &len) != 0) {
        kgw_log_error("admin: /metrics: %s", kgw_metrics_error());
        reply_text(req, HTTP_INTERNAL, "Internal Server Error", "cannot render metrics\n");
        return;
    }
    reply(req, HTTP_OK, "OK", KGW_METRICS_CONTENT_TYPE, text, len);
    free(text);
}

static void
serve_readyz(struct kgw_admin *admin, struct evhttp_request *req)
{
    char reason[KGW__ADMIN_REASON_MAX];
    reason[0] = '\0';
    if (admin->ready == NULL || admin->ready(admin->ctx, reason, sizeof reason)) {
        reply_text(req, HTTP_OK, "OK", "ready\n");
        return;
    }
    reason[sizeof reason - 1] = '\0';
    char body[KGW__ADMIN_REASON_MAX + 2];
    snprintf(body, sizeof body, "%s\n", reason[0] != '\0' ? reason : "not ready");
    reply_text(req, 503, "Service Unavailable", body);
}

static void
handle_request(struct evhttp_request *req, void *arg)
{
    struct kgw_admin *admin = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

    if (path == NULL || path[0] == '\0')
        path = "/";
    bool known = strcmp(path, "/metrics") == 0 || strcmp(path, "/healthz") == 0 ||
                 strcmp(path, "/readyz") == 0;
    if (!known) {
        reply_text(req, HTTP_NOTFOUND, "Not Found",
                   "not found; try /metrics, /healthz or /readyz\n");
        return;
    }
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        char body[64];
        snprintf(body, sizeof body, "method %s not allowed; use GET\n", method_name(cmd));
        if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD") != 0) {
            evhttp_send_error(req, HTTP_INTERNAL, NULL);
            return;
        }
        reply_text(req, HTTP_BADMETHOD, "Method Not Allowed", body);
        return;
    }
    if (strcmp(path, "/metrics") == 0)
        serve_metrics(req);
    else if (strcmp(path, "/healthz") == 0)
        reply_text(req, HTTP_OK, "OK", "ok\n");
    else
        serve_readyz(admin, req);
}

/* Formats host:port, bracketing IPv6 literals. */
static void
format_address(char *out, size_t len, const char *host, uint16_t port)
{
    if (strchr(host, ':') != NULL)
        snprintf(out, len, "[%s]:%u", host, (unsigned)port);
    else
        snprintf(out, len, "%s:%u", host, (unsigned)port);
}

/* Resolves host:port and returns a listening, non-blocking socket, or -1
 * with err set. *bound_port receives the port actually bound. */
static int
open_listener(const char *host, uint16_t port, uint16_t *bound_port, char *err, size_t errlen)
{
    char address[300], service[8];
    struct addrinfo hints = {0}, *list = NULL;
    const char *step = "bind";
    int fd = -1, saved = 0;

    format_address(address, sizeof address, host, port);
    snprintf(service, sizeof service, "%u", (unsigned)port);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        snprintf(err, errlen, "admin listen %s: cannot resolve host '%s': %s", address, host,
                 gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            step = "socket";
            saved = errno;
            continue;
        }
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
            step = "setsockopt(SO_REUSEADDR)";
        } else if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            step = "bind";
        } else if (listen(fd, KGW__ADMIN_BACKLOG) != 0) {
            step = "listen";
        } else {
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        snprintf(err, errlen, "admin listen %s: %s: %s", address, step, strerror(saved));
        return -1;
    }

    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
        snprintf(err, errlen, "admin listen %s: getsockname: %s", address, strerror(errno));
        close(fd);
        return -1;
    }
    if (ss.ss_family == AF_INET6)
        *bound_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    else
        *bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

kgw_admin_t *
kgw_admin_start(struct event_base *base, const char *host, uint16_t port, kgw_admin_ready_fn ready,
                void *ctx, char *err, size_t errlen)
{
    char scratch[1];
    if (err == NULL || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (base == NULL || host == NULL) {
        snprintf(err, errlen, "admin listen: %s is NULL", base == NULL ? "event base" : "host");
        return NULL;
    }

    kgw_admin_t *admin = calloc(1, sizeof *admin);
    if (admin == NULL) {
        snprintf(err, errlen, "admin listen: out of memory");
        return NULL;
    }
    admin->ready = ready;
    admin->ctx = ctx;
    admin->http = evhttp_new(base);
    if (admin->http == NULL) {
        snprintf(err, errlen, "admin listen: cannot create the HTTP server (out of memory?)");
        free(admin);
        return NULL;
    }
    /* Let every method reach handle_request, which answers 405 itself with an
     * Allow header. */
    evhttp_set_allowed_methods(admin->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                                EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                                EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                                EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(admin->http, KGW__ADMIN_TIMEOUT_SECONDS);
    evhttp_set_max_headers_size(admin->http, KGW__ADMIN_MAX_HEADERS);
    evhttp_set_max_body_size(admin->http, KGW__ADMIN_MAX_BODY);
    evhttp_set_gencb(admin->http, handle_request, admin);

    int fd = open_listener(host, port, &admin->port, err, errlen);
    if (fd < 0) {
        evhttp_free(admin->http);
        free(admin);
        return NULL;
    }
    struct evconnlistener *listener =
        evconnlistener_new(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
    if (listener == NULL)
        close(fd);
    /* On success the bound socket owns the listener, which owns fd. */
    if (listener == NULL || evhttp_bind_listener(admin->http, listener) == NULL) {
        char address[300];
        format_address(address, sizeof address, host, port);
        snprintf(err, errlen, "admin listen %s: cannot attach the socket to the event loop",
                 address);
        if (listener != NULL)
            evconnlistener_free(listener);
        evhttp_free(admin->http);
        free(admin);
        return NULL;
    }
    return admin;
}

uint16_t
kgw_admin_port(const kgw_admin_t *admin)
{
    return admin != NULL ? admin->port : 0;
}

void
kgw_admin_stop(kgw_admin_t *admin)
{
    if (admin == NULL)
        return;
    evhttp_free(admin->http); /* closes the listener and open connections */
    free(admin);
}
