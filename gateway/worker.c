/*
 * kgw_worker: a thread, its event base, its listeners and its sessions.
 */
#include "worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "log.h"
#include "session.h"

struct kgw_worker {
    unsigned id;
    struct event_base *base;
    struct evdns_base *dns;
    pthread_t thread;
    bool started;
    kgw_listener_t **listeners;
    size_t n_listeners;
    struct kgw_session *sessions; /* doubly linked through the session */
    size_t n_sessions;
    size_t rotation;
    struct event *drain_ev;
    struct event *deadline_ev;
    _Atomic unsigned grace_seconds;
    bool draining;
};

kgw_worker_t *
kgw_worker_new(unsigned id, char *err, size_t errlen)
{
    kgw_worker_t *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        snprintf(err, errlen, "worker %u: out of memory", id);
        return NULL;
    }
    w->id = id;
    w->base = event_base_new();
    if (w->base == NULL) {
        snprintf(err, errlen, "worker %u: cannot create an event loop", id);
        kgw_worker_free(w);
        return NULL;
    }
    w->dns = evdns_base_new(w->base,
                            EVDNS_BASE_INITIALIZE_NAMESERVERS | EVDNS_BASE_DISABLE_WHEN_INACTIVE);
    if (w->dns == NULL) {
        /* No resolv.conf (containers): numeric addresses and /etc/hosts
         * still work with an empty resolver. */
        w->dns = evdns_base_new(w->base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
    }
    if (w->dns == NULL) {
        snprintf(err, errlen, "worker %u: cannot create a DNS resolver", id);
        kgw_worker_free(w);
        return NULL;
    }
    return w;
}

int
kgw_worker_listen(kgw_worker_t *w, const kgw_listener_def_t *def, char *err, size_t errlen)
{
    return kgw_listener_open_all(w, def, &w->listeners, &w->n_listeners, err, errlen);
}

static void
kgw__worker_close_listeners(kgw_worker_t *w)
{
    for (size_t i = 0; i < w->n_listeners; i++)
        kgw_listener_free(w->listeners[i]);
    free(w->listeners);
    w->listeners = NULL;
    w->n_listeners = 0;
}

static void
kgw__worker_maybe_exit(kgw_worker_t *w)
{
    if (w->draining && w->n_sessions == 0)
        event_base_loopexit(w->base, NULL);
}

static void
kgw__worker_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kgw_worker_t *w = arg;
    if (w->n_sessions > 0)
        kgw_log_warn("worker %u: drain grace period over, closing %zu connections", w->id,
                     w->n_sessions);
    while (w->sessions != NULL)
        kgw_session_close(w->sessions, "gateway shutting down");
    event_base_loopexit(w->base, NULL);
}

static void
kgw__worker_drain_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kgw_worker_t *w = arg;
    if (w->draining)
        return;
    w->draining = true;
    kgw__worker_close_listeners(w);
    struct timeval tv = {.tv_sec = atomic_load(&w->grace_seconds)};
    if (evtimer_add(w->deadline_ev, &tv) < 0)
        event_base_loopexit(w->base, NULL);
    /* Draining a session may free it: walk with a saved next pointer. */
    struct kgw_session *s = w->sessions;
    while (s != NULL) {
        struct kgw_session *next = kgw_session_links(s)->next;
        kgw_session_drain(s);
        s = next;
    }
    kgw__worker_maybe_exit(w);
}

static void *
kgw__worker_main(void *arg)
{
    kgw_worker_t *w = arg;
    /* Signals are handled by the main thread's loop. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* NO_EXIT_ON_EMPTY: a worker without connections waits for them. */
    if (event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY) < 0)
        kgw_log_error("worker %u: event loop failed", w->id);
    return NULL;
}

int
kgw_worker_start(kgw_worker_t *w)
{
    w->drain_ev = event_new(w->base, -1, 0, kgw__worker_drain_cb, w);
    w->deadline_ev = evtimer_new(w->base, kgw__worker_deadline_cb, w);
    if (w->drain_ev == NULL || w->deadline_ev == NULL)
        return -1;
    if (pthread_create(&w->thread, NULL, kgw__worker_main, w) != 0)
        return -1;
    w->started = true;
    return 0;
}

void
kgw_worker_drain(kgw_worker_t *w, unsigned grace_seconds)
{
    atomic_store(&w->grace_seconds, grace_seconds);
    if (w->drain_ev != NULL)
        event_active(w->drain_ev, EV_READ, 0);
}

void
kgw_worker_join(kgw_worker_t *w)
{
    if (w->started) {
        pthread_join(w->thread, NULL);
        w->started = false;
    }
}

void
kgw_worker_free(kgw_worker_t *w)
{
    if (w == NULL)
        return;
    while (w->sessions != NULL)
        kgw_session_close(w->sessions, "gateway stopped");
    kgw__worker_close_listeners(w);
    if (w->drain_ev != NULL)
        event_free(w->drain_ev);
    if (w->deadline_ev != NULL)
        event_free(w->deadline_ev);
    if (w->dns != NULL)
        evdns_base_free(w->dns, 0);
    if (w->base != NULL)
        event_base_free(w->base);
    free(w);
}

struct event_base *
kgw_worker_base(kgw_worker_t *w)
{
    return w->base;
}

struct evdns_base *
kgw_worker_dns(kgw_worker_t *w)
{
    return w->dns;
}

unsigned
kgw_worker_id(const kgw_worker_t *w)
{
    return w->id;
}

size_t
kgw_worker_next_rotation(kgw_worker_t *w)
{
    return w->rotation++;
}

bool
kgw_worker_draining(const kgw_worker_t *w)
{
    return w->draining;
}

void
kgw_worker_add_session(kgw_worker_t *w, struct kgw_session *s)
{
    kgw_session_links_t *l = kgw_session_links(s);
    l->prev = NULL;
    l->next = w->sessions;
    if (w->sessions != NULL)
        kgw_session_links(w->sessions)->prev = s;
    w->sessions = s;
    w->n_sessions++;
}

void
kgw_worker_remove_session(kgw_worker_t *w, struct kgw_session *s)
{
    kgw_session_links_t *l = kgw_session_links(s);
    if (l->prev != NULL)
        kgw_session_links(l->prev)->next = l->next;
    else
        w->sessions = l->next;
    if (l->next != NULL)
        kgw_session_links(l->next)->prev = l->prev;
    l->prev = l->next = NULL;
    w->n_sessions--;
    kgw__worker_maybe_exit(w);
}
