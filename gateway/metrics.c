/*
 * kgw metrics registry: see metrics.h for the contract.
 *
 * A registry is a mutex, a list of families and a hash table of series keyed
 * by (family name, canonical labels). Each series is allocated on its own
 * cache line so that counters bumped by different workers never share one;
 * the handle given out is the address of the series' value, so updates touch
 * nothing else.
 */
#include "metrics.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KGW_VERSION
#define KGW_VERSION "unknown"
#endif

#define KGW__METRICS_CACHE_LINE 64
#define KGW__METRICS_MAX_LABELS 16

struct kgw_counter {
    _Atomic uint64_t value;
};

struct kgw_gauge {
    _Atomic int64_t value;
};

struct kgw_histogram {
    /* Non-cumulative: buckets[i] counts observations in (bound[i-1], bound[i]];
     * the last one is (bound[N-1], +Inf). Render makes them cumulative. */
    _Atomic uint64_t buckets[KGW_METRICS_LATENCY_BUCKET_COUNT + 1];
    _Atomic uint64_t sum_ns;
};

enum metric_type {
    METRIC_COUNTER,
    METRIC_GAUGE,
    METRIC_HISTOGRAM,
};

struct family;

struct series {
    /* First, on its own cache line: the handle points here. */
    _Alignas(KGW__METRICS_CACHE_LINE) union {
        struct kgw_counter counter;
        struct kgw_gauge gauge;
        struct kgw_histogram histogram;
    } v;
    struct family *family;
    char *labels; /* canonical, "" for none */
    uint64_t hash;
    kgw_metrics_value_fn fn; /* set: value computed at scrape */
    void *fn_ctx;
    struct series *next_in_family;
    struct series *next_in_bucket;
};

struct family {
    char *name;
    char *help;
    enum metric_type type;
    size_t nseries;
    struct series *series;
    struct family *next;
};

struct kgw_metrics_registry {
    pthread_mutex_t lock;
    struct family *families;
    size_t nfamilies;
    struct series **buckets; /* hash table, nbuckets a power of two */
    size_t nbuckets;
    size_t nseries;
};

static const uint64_t bucket_bounds_ns[KGW_METRICS_LATENCY_BUCKET_COUNT] = {
    500000ull,     1000000ull,    2500000ull,    5000000ull,     10000000ull,
    25000000ull,   50000000ull,   100000000ull,  250000000ull,   500000000ull,
    1000000000ull, 2500000000ull, 5000000000ull, 10000000000ull,
};
static const double bucket_bounds_s[KGW_METRICS_LATENCY_BUCKET_COUNT] = {
    KGW_METRICS_LATENCY_BUCKETS};

/* ---- Errors ------------------------------------------------------------ */

static _Thread_local char last_error[512];

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

const char *
kgw_metrics_error(void)
{
    return last_error;
}

/* ---- Names and labels -------------------------------------------------- */

static bool
valid_metric_name(const char *name)
{
    if (name == NULL || strncmp(name, "kgw_", 4) != 0)
        return false;
    for (const char *p = name; *p != '\0'; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == ':'))
            return false;
    }
    return true;
}

static size_t
label_name_length(const char *s)
{
    size_t n = 0;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

static bool
valid_label_name(const char *name)
{
    size_t n = label_name_length(name);
    return n > 0 && name[n] == '\0' && strncmp(name, "__", 2) != 0;
}

size_t
kgw_metrics_escape_label_value(char *out, size_t outlen, const char *value)
{
    size_t start = 0, need = 0;
    if (out != NULL && outlen > 0)
        start = strnlen(out, outlen - 1);
    for (const char *p = value != NULL ? value : ""; *p != '\0'; p++) {
        char esc[2] = {*p, '\0'};
        size_t n = 1;
        if (*p == '\\' || *p == '"' || *p == '\n') {
            esc[0] = '\\';
            esc[1] = *p == '\n' ? 'n' : *p;
            n = 2;
        }
        for (size_t i = 0; i < n; i++, need++) {
            if (out != NULL && start + need + 1 < outlen)
                out[start + need] = esc[i];
        }
    }
    if (out != NULL && outlen > 0)
        out[start + need + 1 < outlen ? start + need : outlen - 1] = '\0';
    return need;
}

int
kgw_metrics_labels(char *out, size_t outlen, ...)
{
    va_list ap;
    size_t used = 0;
    int rc = 0;

    if (out == NULL || outlen == 0) {
        set_error("label buffer is empty");
        return -1;
    }
    out[0] = '\0';
    va_start(ap, outlen);
    for (const char *name = va_arg(ap, const char *); name != NULL;
         name = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        if (!valid_label_name(name)) {
            set_error("invalid label name '%s'", name);
            rc = -1;
            break;
        }
        int n = snprintf(out + used, outlen - used, "%s%s=\"", used > 0 ? "," : "", name);
        if (n < 0 || (size_t)n >= outlen - used) {
            set_error("label set too long for %zu bytes at label '%s'", outlen, name);
            rc = -1;
            break;
        }
        used += (size_t)n;
        size_t vlen = kgw_metrics_escape_label_value(out, outlen, value);
        if (used + vlen + 1 >= outlen) {
            set_error("label set too long for %zu bytes at label '%s'", outlen, name);
            rc = -1;
            break;
        }
        used += vlen;
        out[used++] = '"';
        out[used] = '\0';
    }
    va_end(ap);
    if (rc != 0)
        out[0] = '\0';
    return rc;
}

struct label_pair {
    const char *name;
    size_t name_len;
    const char *value; /* escaped, as written */
    size_t value_len;
};

static int
compare_label_pairs(const void *a, const void *b)
{
    const struct label_pair *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c != 0)
        return c;
    return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* Parses `labels` (exposition syntax, NULL or "" for none), checks it and
 * returns a new canonical copy with pairs sorted by name; NULL on error
 * (set_error) or out of memory. `reserved` is a label name callers may not
 * use (NULL for none). */
static char *
canonical_labels(const char *labels, const char *reserved)
{
    struct label_pair pairs[KGW__METRICS_MAX_LABELS];
    size_t npairs = 0;
    const char *p = labels != NULL ? labels : "";

    while (*p != '\0') {
        struct label_pair *lp = &pairs[npairs];
        if (npairs == KGW__METRICS_MAX_LABELS) {
            set_error("label set '%s' has more than %d labels", labels, KGW__METRICS_MAX_LABELS);
            return NULL;
        }
        lp->name = p;
        lp->name_len = label_name_length(p);
        if (lp->name_len == 0 || strncmp(p, "__", 2) == 0) {
            set_error("label set '%s': invalid label name at '%s'", labels, p);
            return NULL;
        }
        p += lp->name_len;
        if (p[0] != '=' || p[1] != '"') {
            set_error("label set '%s': expected =\" after label '%.*s'", labels, (int)lp->name_len,
                      lp->name);
            return NULL;
        }
        p += 2;
        lp->value = p;
        while (*p != '"') {
            if (*p == '\0' || *p == '\n') {
                set_error("label set '%s': unterminated value of label '%.*s'", labels,
                          (int)lp->name_len, lp->name);
                return NULL;
            }
            if (*p == '\\') {
                if (p[1] != '\\' && p[1] != '"' && p[1] != 'n') {
                    set_error("label set '%s': bad escape in value of label '%.*s'", labels,
                              (int)lp->name_len, lp->name);
                    return NULL;
                }
                p++;
            }
            p++;
        }
        lp->value_len = (size_t)(p - lp->value);
        p++;
        if (reserved != NULL && strlen(reserved) == lp->name_len &&
            memcmp(reserved, lp->name, lp->name_len) == 0) {
            set_error("label set '%s': label name '%s' is reserved", labels, reserved);
            return NULL;
        }
        npairs++;
        if (*p == ',') {
            p++;
            if (*p == '\0') {
                set_error("label set '%s': trailing comma", labels);
                return NULL;
            }
        } else if (*p != '\0') {
            set_error("label set '%s': expected ',' after label '%.*s'", labels, (int)lp->name_len,
                      lp->name);
            return NULL;
        }
    }

    qsort(pairs, npairs, sizeof pairs[0], compare_label_pairs);
    size_t total = 1;
    for (size_t i = 0; i < npairs; i++) {
        if (i > 0 && compare_label_pairs(&pairs[i - 1], &pairs[i]) == 0) {
            set_error("label set '%s': label '%.*s' appears twice", labels, (int)pairs[i].name_len,
                      pairs[i].name);
            return NULL;
        }
        total += pairs[i].name_len + pairs[i].value_len + 4;
    }
    char *out = malloc(total);
    if (out == NULL) {
        set_error("out of memory copying label set '%s'", labels);
        return NULL;
    }
    size_t used = 0;
    for (size_t i = 0; i < npairs; i++) {
        if (i > 0)
            out[used++] = ',';
        memcpy(out + used, pairs[i].name, pairs[i].name_len);
        used += pairs[i].name_len;
        out[used++] = '=';
        out[used++] = '"';
        memcpy(out + used, pairs[i].value, pairs[i].value_len);
        used += pairs[i].value_len;
        out[used++] = '"';
    }
    out[used] = '\0';
    return out;
}

/* ---- Registry ---------------------------------------------------------- */

static uint64_t
hash_series(const char *name, const char *labels)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = name; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull; /* separator no name contains */
    for (const char *p = labels; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

kgw_metrics_registry_t *
kgw_metrics_registry_new(void)
{
    kgw_metrics_registry_t *reg = calloc(1, sizeof *reg);
    if (reg == NULL)
        return NULL;
    reg->nbuckets = 64;
    reg->buckets = calloc(reg->nbuckets, sizeof reg->buckets[0]);
    if (reg->buckets == NULL || pthread_mutex_init(&reg->lock, NULL) != 0) {
        free(reg->buckets);
        free(reg);
        return NULL;
    }
    return reg;
}

void
kgw_metrics_registry_free(kgw_metrics_registry_t *reg)
{
    if (reg == NULL)
        return;
    struct family *f = reg->families;
    while (f != NULL) {
        struct family *next_family = f->next;
        struct series *s = f->series;
        while (s != NULL) {
            struct series *next = s->next_in_family;
            free(s->labels);
            free(s);
            s = next;
        }
        free(f->name);
        free(f->help);
        free(f);
        f = next_family;
    }
    free(reg->buckets);
    pthread_mutex_destroy(&reg->lock);
    free(reg);
}

static const char *
type_name(enum metric_type type)
{
    switch (type) {
    case METRIC_COUNTER:
        return "counter";
    case METRIC_GAUGE:
        return "gauge";
    case METRIC_HISTOGRAM:
        return "histogram";
    }
    return "untyped";
}

/* Called with reg->lock held. Doubles the hash table; on allocation failure
 * keeps the old one (lookups stay correct, only slower). */
static void
grow_table(kgw_metrics_registry_t *reg)
{
    size_t n = reg->nbuckets * 2;
    struct series **b = calloc(n, sizeof b[0]);
    if (b == NULL)
        return;
    for (size_t i = 0; i < reg->nbuckets; i++) {
        struct series *s = reg->buckets[i];
        while (s != NULL) {
            struct series *next = s->next_in_bucket;
            s->next_in_bucket = b[s->hash & (n - 1)];
            b[s->hash & (n - 1)] = s;
            s = next;
        }
    }
    free(reg->buckets);
    reg->buckets = b;
    reg->nbuckets = n;
}

/* Finds or creates the series (name, labels) of the given type. Called with
 * reg->lock held. */
static struct series *
find_or_add_locked(kgw_metrics_registry_t *reg, const char *name, const char *help,
                   enum metric_type type, const char *canon, bool *created)
{
    uint64_t h = hash_series(name, canon);
    *created = false;
    for (struct series *s = reg->buckets[h & (reg->nbuckets - 1)]; s != NULL;
         s = s->next_in_bucket) {
        if (s->hash == h && strcmp(s->family->name, name) == 0 && strcmp(s->labels, canon) == 0)
            return s; /* the family's type was checked by the caller */
    }

    struct family *f = reg->families;
    while (f != NULL && strcmp(f->name, name) != 0)
        f = f->next;
    bool new_family = f == NULL;
    if (new_family) {
        f = calloc(1, sizeof *f);
        if (f == NULL || (f->name = strdup(name)) == NULL || (f->help = strdup(help)) == NULL) {
            if (f != NULL) {
                free(f->name);
                free(f);
            }
            set_error("out of memory registering metric '%s'", name);
            return NULL;
        }
        f->type = type;
    }

    size_t size = (sizeof(struct series) + KGW__METRICS_CACHE_LINE - 1) / KGW__METRICS_CACHE_LINE *
                  KGW__METRICS_CACHE_LINE;
    struct series *s = aligned_alloc(KGW__METRICS_CACHE_LINE, size);
    char *labels_copy = strdup(canon);
    if (s == NULL || labels_copy == NULL) {
        free(s);
        free(labels_copy);
        if (new_family) {
            free(f->name);
            free(f->help);
            free(f);
        }
        set_error("out of memory registering metric '%s{%s}'", name, canon);
        return NULL;
    }
    memset(s, 0, size);
    s->family = f;
    s->labels = labels_copy;
    s->hash = h;
    s->next_in_family = f->series;
    f->series = s;
    f->nseries++;
    s->next_in_bucket = reg->buckets[h & (reg->nbuckets - 1)];
    reg->buckets[h & (reg->nbuckets - 1)] = s;
    if (new_family) {
        f->next = reg->families;
        reg->families = f;
        reg->nfamilies++;
    }
    if (++reg->nseries > reg->nbuckets)
        grow_table(reg);
    *created = true;
    return s;
}

/* Validates and registers; returns the series or NULL (set_error). */
static struct series *
register_series(kgw_metrics_registry_t *reg, const char *name, const char *help, const char *labels,
                enum metric_type type, bool callback, kgw_metrics_value_fn fn, void *ctx)
{
    if (reg == NULL) {
        set_error("no metrics registry (out of memory at start-up?) for metric '%s'",
                  name != NULL ? name : "(null)");
        return NULL;
    }
    if (!valid_metric_name(name)) {
        set_error("invalid metric name '%s': must start with kgw_ and hold only "
                  "letters, digits, '_' and ':'",
                  name != NULL ? name : "(null)");
        return NULL;
    }
    if (help == NULL) {
        set_error("metric '%s' has no help text", name);
        return NULL;
    }
    char *canon = canonical_labels(labels, type == METRIC_HISTOGRAM ? "le" : NULL);
    if (canon == NULL)
        return NULL;

    struct series *s = NULL;
    bool created = false;
    pthread_mutex_lock(&reg->lock);
    struct family *f = reg->families;
    while (f != NULL && strcmp(f->name, name) != 0)
        f = f->next;
    if (f != NULL && f->type != type) {
        set_error("metric '%s' is already registered as a %s, not a %s", name, type_name(f->type),
                  type_name(type));
        goto out;
    }
    s = find_or_add_locked(reg, name, help, type, canon, &created);
    if (s == NULL)
        goto out;
    if (!created && (s->fn != NULL) != callback) {
        set_error("metric '%s{%s}' is already registered %s a scrape-time callback", name, canon,
                  callback ? "without" : "with");
        s = NULL;
        goto out;
    }
    if (callback) {
        s->fn = fn;
        s->fn_ctx = ctx;
    }
out:
    pthread_mutex_unlock(&reg->lock);
    free(canon);
    return s;
}

kgw_counter_t *
kgw_metrics_registry_counter(kgw_metrics_registry_t *reg, const char *name, const char *help,
                             const char *labels)
{
    struct series *s = register_series(reg, name, help, labels, METRIC_COUNTER, false, NULL, NULL);
    return s != NULL ? &s->v.counter : NULL;
}

kgw_gauge_t *
kgw_metrics_registry_gauge(kgw_metrics_registry_t *reg, const char *name, const char *help,
                           const char *labels)
{
    struct series *s = register_series(reg, name, help, labels, METRIC_GAUGE, false, NULL, NULL);
    return s != NULL ? &s->v.gauge : NULL;
}

kgw_histogram_t *
kgw_metrics_registry_histogram(kgw_metrics_registry_t *reg, const char *name, const char *help,
                               const char *labels)
{
    struct series *s =
        register_series(reg, name, help, labels, METRIC_HISTOGRAM, false, NULL, NULL);
    return s != NULL ? &s->v.histogram : NULL;
}

int
kgw_metrics_registry_callback(kgw_metrics_registry_t *reg, const char *name, const char *help,
                              const char *labels, bool is_counter, kgw_metrics_value_fn fn,
                              void *ctx)
{
    if (fn == NULL) {
        set_error("metric '%s' registered with a NULL callback", name != NULL ? name : "(null)");
        return -1;
    }
    struct series *s = register_series(reg, name, help, labels,
                                       is_counter ? METRIC_COUNTER : METRIC_GAUGE, true, fn, ctx);
    return s != NULL ? 0 : -1;
}

/* ---- Global registry --------------------------------------------------- */

static kgw_metrics_registry_t *global_registry;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
    kgw_metrics_registry_t *reg = kgw_metrics_registry_new();
    if (reg == NULL)
        return;
    if (kgw_metrics_register_process(reg) != 0) {
        /* The registry still works without process metrics; the failure is
         * out of memory, and the next failure will say so again. */
    }
    global_registry = reg;
}

kgw_metrics_registry_t *
kgw_metrics_global(void)
{
    pthread_once(&global_once, global_init);
    return global_registry;
}

kgw_counter_t *
kgw_metrics_counter(const char *name, const char *help, const char *labels)
{
    return kgw_metrics_registry_counter(kgw_metrics_global(), name, help, labels);
}

kgw_gauge_t *
kgw_metrics_gauge(const char *name, const char *help, const char *labels)
{
    return kgw_metrics_registry_gauge(kgw_metrics_global(), name, help, labels);
}

kgw_histogram_t *
kgw_metrics_histogram(const char *name, const char *help, const char *labels)
{
    return kgw_metrics_registry_histogram(kgw_metrics_global(), name, help, labels);
}

/* ---- Updates ----------------------------------------------------------- */

void
kgw_counter_add(kgw_counter_t *c, uint64_t n)
{
    if (c != NULL)
        atomic_fetch_add_explicit(&c->value, n, memory_order_relaxed);
}

void
kgw_counter_inc(kgw_counter_t *c)
{
    kgw_counter_add(c, 1);
}

uint64_t
kgw_counter_value(const kgw_counter_t *c)
{
    if (c == NULL)
        return 0;
    return atomic_load_explicit(&((kgw_counter_t *)c)->value, memory_order_relaxed);
}

void
kgw_gauge_set(kgw_gauge_t *g, int64_t v)
{
    if (g != NULL)
        atomic_store_explicit(&g->value, v, memory_order_relaxed);
}

void
kgw_gauge_add(kgw_gauge_t *g, int64_t n)
{
    if (g != NULL)
        atomic_fetch_add_explicit(&g->value, n, memory_order_relaxed);
}

void
kgw_gauge_sub(kgw_gauge_t *g, int64_t n)
{
    if (g != NULL)
        atomic_fetch_sub_explicit(&g->value, n, memory_order_relaxed);
}

void
kgw_gauge_inc(kgw_gauge_t *g)
{
    kgw_gauge_add(g, 1);
}

void
kgw_gauge_dec(kgw_gauge_t *g)
{
    kgw_gauge_sub(g, 1);
}

int64_t
kgw_gauge_value(const kgw_gauge_t *g)
{
    if (g == NULL)
        return 0;
    return atomic_load_explicit(&((kgw_gauge_t *)g)->value, memory_order_relaxed);
}

void
kgw_histogram_observe_ns(kgw_histogram_t *h, uint64_t ns)
{
    if (h == NULL)
        return;
    size_t i = 0;
    while (i < KGW_METRICS_LATENCY_BUCKET_COUNT && ns > bucket_bounds_ns[i])
        i++;
    atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

uint64_t
kgw_histogram_count(const kgw_histogram_t *h)
{
    uint64_t n = 0;
    if (h == NULL)
        return 0;
    for (size_t i = 0; i <= KGW_METRICS_LATENCY_BUCKET_COUNT; i++)
        n += atomic_load_explicit(&((kgw_histogram_t *)h)->buckets[i], memory_order_relaxed);
    return n;
}

/* ---- Rendering --------------------------------------------------------- */

struct text {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
};

static void
text_put(struct text *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap > 0 ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (p == NULL) {
            t->oom = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void
text_puts(struct text *t, const char *s)
{
    text_put(t, s, strlen(s));
}

/* Writes a float the way Prometheus reads it: shortest text that parses
 * back to the same double, integral values without an exponent; NaN, +Inf,
 * -Inf spelled out. */
static void
format_double(char *buf, size_t len, double v)
{
    if (isnan(v)) {
        snprintf(buf, len, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* integral: no exponent */
        snprintf(buf, len, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static void
put_help(struct text *t, const struct family *f)
{
    text_puts(t, "# HELP ");
    text_puts(t, f->name);
    text_puts(t, " ");
    for (const char *p = f->help; *p != '\0'; p++) {
        if (*p == '\\')
            text_puts(t, "\\\\");
        else if (*p == '\n')
            text_puts(t, "\\n");
        else
            text_put(t, p, 1);
    }
    text_puts(t, "\n# TYPE ");
    text_puts(t, f->name);
    text_puts(t, " ");
    text_puts(t, type_name(f->type));
    text_puts(t, "\n");
}

/* Writes "<name><suffix>{<labels>[,<extra>]} <value>\n". */
static void
put_sample(struct text *t, const char *name, const char *suffix, const char *labels,
           const char *extra, const char *value)
{
    text_puts(t, name);
    text_puts(t, suffix);
    if (labels[0] != '\0' || extra != NULL) {
        text_puts(t, "{");
        text_puts(t, labels);
        if (extra != NULL) {
            if (labels[0] != '\0')
                text_puts(t, ",");
            text_puts(t, extra);
        }
        text_puts(t, "}");
    }
    text_puts(t, " ");
    text_puts(t, value);
    text_puts(t, "\n");
}

static void
put_series(struct text *t, const struct family *f, struct series *s)
{
    char value[64];

    if (s->fn != NULL) {
        format_double(value, sizeof value, s->fn(s->fn_ctx));
        put_sample(t, f->name, "", s->labels, NULL, value);
        return;
    }
    switch (f->type) {
    case METRIC_COUNTER:
        snprintf(value, sizeof value, "%" PRIu64,
                 atomic_load_explicit(&s->v.counter.value, memory_order_relaxed));
        put_sample(t, f->name, "", s->labels, NULL, value);
        break;
    case METRIC_GAUGE:
        snprintf(value, sizeof value, "%" PRId64,
                 atomic_load_explicit(&s->v.gauge.value, memory_order_relaxed));
        put_sample(t, f->name, "", s->labels, NULL, value);
        break;
    case METRIC_HISTOGRAM: {
        uint64_t cumulative = 0;
        char le[64], bound[32];
        for (size_t i = 0; i <= KGW_METRICS_LATENCY_BUCKET_COUNT; i++) {
            cumulative += atomic_load_explicit(&s->v.histogram.buckets[i], memory_order_relaxed);
            if (i < KGW_METRICS_LATENCY_BUCKET_COUNT)
                format_double(bound, sizeof bound, bucket_bounds_s[i]);
            else
                snprintf(bound, sizeof bound, "+Inf");
            snprintf(le, sizeof le, "le=\"%s\"", bound);
            snprintf(value, sizeof value, "%" PRIu64, cumulative);
            put_sample(t, f->name, "_bucket", s->labels, le, value);
        }
        uint64_t sum_ns = atomic_load_explicit(&s->v.histogram.sum_ns, memory_order_relaxed);
        format_double(value, sizeof value, (double)sum_ns / 1e9);
        put_sample(t, f->name, "_sum", s->labels, NULL, value);
        snprintf(value, sizeof value, "%" PRIu64, cumulative);
        put_sample(t, f->name, "_count", s->labels, NULL, value);
        break;
    }
    }
}

static int
compare_families(const void *a, const void *b)
{
    const struct family *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static int
compare_series(const void *a, const void *b)
{
    const struct series *const *x = a, *const *y = b;
    return strcmp((*x)->labels, (*y)->labels);
}

int
kgw_metrics_registry_render(kgw_metrics_registry_t *reg, char **out, size_t *len)
{
    struct text t = {0};
    struct family **families = NULL;
    struct series **series = NULL;
    size_t series_cap = 0;

    *out = NULL;
    *len = 0;
    if (reg == NULL) {
        set_error("no metrics registry to render");
        return -1;
    }
    pthread_mutex_lock(&reg->lock);
    if (reg->nfamilies > 0) {
        families = malloc(reg->nfamilies * sizeof families[0]);
        if (families == NULL) {
            t.oom = true;
            goto out;
        }
    }
    size_t nf = 0;
    for (struct family *f = reg->families; f != NULL; f = f->next)
        families[nf++] = f;
    if (nf > 0)
        qsort(families, nf, sizeof families[0], compare_families);

    for (size_t i = 0; i < nf && !t.oom; i++) {
        struct family *f = families[i];
        if (f->nseries > series_cap) {
            struct series **p = realloc(series, f->nseries * sizeof series[0]);
            if (p == NULL) {
                t.oom = true;
                break;
            }
            series = p;
            series_cap = f->nseries;
        }
        size_t ns = 0;
        for (struct series *s = f->series; s != NULL; s = s->next_in_family)
            series[ns++] = s;
        qsort(series, ns, sizeof series[0], compare_series);
        put_help(&t, f);
        for (size_t j = 0; j < ns; j++)
            put_series(&t, f, series[j]);
    }
    if (!t.oom && t.p == NULL)
        text_put(&t, "", 0); /* an empty registry renders as "" */
out:
    pthread_mutex_unlock(&reg->lock);
    free(families);
    free(series);
    if (t.oom) {
        free(t.p);
        set_error("out of memory rendering metrics");
        return -1;
    }
    *out = t.p;
    *len = t.len;
    return 0;
}

int
kgw_metrics_render(char **out, size_t *len)
{
    return kgw_metrics_registry_render(kgw_metrics_global(), out, len);
}

/* ---- Process metrics --------------------------------------------------- */

/* Reads /proc/self/stat field `field` (1-based as in proc(5)); fields from 3
 * on are counted after the parenthesised command name. NaN on failure. */
static double
proc_stat_field(int field)
{
    char buf[2048];
    FILE *f = fopen("/proc/self/stat", "r");
    if (f == NULL)
        return NAN;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL)
        return NAN;
    p++;
    for (int i = 3; i <= field; i++) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return NAN;
        if (i == field) {
            errno = 0;
            char *end;
            unsigned long long v = strtoull(p, &end, 10);
            return end == p || errno != 0 ? NAN : (double)v;
        }
        while (*p != ' ' && *p != '\0')
            p++;
    }
    return NAN;
}

static double
process_cpu_seconds(void *ctx)
{
    (void)ctx;
    long ticks = sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        return NAN;
    return (proc_stat_field(14) + proc_stat_field(15)) / (double)ticks;
}

static double
process_resident_bytes(void *ctx)
{
    (void)ctx;
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? proc_stat_field(24) * (double)page : NAN;
}

static double
process_virtual_bytes(void *ctx)
{
    (void)ctx;
    return proc_stat_field(23);
}

static double
process_open_fds(void *ctx)
{
    (void)ctx;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return NAN;
    double n = 0;
    int own = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (atoi(e->d_name) != own)
            n++;
    }
    closedir(d);
    return n;
}

static double
process_start_time(void *ctx)
{
    (void)ctx;
    char line[256];
    double btime = NAN;
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return NAN;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long v;
        if (sscanf(line, "btime %llu", &v) == 1) {
            btime = (double)v;
            break;
        }
    }
    fclose(f);
    long ticks = sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        return NAN;
    return btime + proc_stat_field(22) / (double)ticks;
}

int
kgw_metrics_register_process(kgw_metrics_registry_t *reg)
{
    static const struct {
        const char *name;
        const char *help;
        bool is_counter;
        kgw_metrics_value_fn fn;
    } process[] = {
        {"kgw_process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", true,
         process_cpu_seconds},
        {"kgw_process_resident_memory_bytes", "Resident memory size in bytes.", false,
         process_resident_bytes},
        {"kgw_process_virtual_memory_bytes", "Virtual memory size in bytes.", false,
         process_virtual_bytes},
        {"kgw_process_open_fds", "Number of open file descriptors.", false, process_open_fds},
        {"kgw_process_start_time_seconds",
         "Start time of the process since the Unix epoch in "
         "seconds.",
         false, process_start_time},
    };
    for (size_t i = 0; i < sizeof process / sizeof process[0]; i++) {
        if (kgw_metrics_registry_callback(reg, process[i].name, process[i].help, NULL,
                                          process[i].is_counter, process[i].fn, NULL) != 0)
            return -1;
    }
    char labels[128];
    if (kgw_metrics_labels(labels, sizeof labels, "version", KGW_VERSION, NULL) != 0)
        return -1;
    kgw_gauge_t *info = kgw_metrics_registry_gauge(
        reg, "kgw_build_info", "The kgw version this process runs; the value is always 1.", labels);
    if (info == NULL)
        return -1;
    kgw_gauge_set(info, 1);
    return 0;
}

/* ---- Standard gateway metrics ----------------------------------------- */

/* Writes the api_key label value: the API name, or the decimal key. */
static const char *
api_label(char *buf, size_t len, int api_key, const char *api_name)
{
    if (api_name != NULL)
        return api_name;
    snprintf(buf, len, "%d", api_key);
    return buf;
}

#define KGW__LABELS_MAX 1024

kgw_counter_t *
kgw_metrics_connections_accepted(const char *listener, const char *virtual_cluster)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "listener", listener, "virtual_cluster", virtual_cluster,
                           NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_CONNECTIONS_ACCEPTED, "Client TCP connections accepted.",
                               l);
}

kgw_gauge_t *
kgw_metrics_connections_active(const char *listener, const char *virtual_cluster)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "listener", listener, "virtual_cluster", virtual_cluster,
                           NULL) != 0)
        return NULL;
    return kgw_metrics_gauge(KGW_METRIC_CONNECTIONS_ACTIVE, "Client connections currently open.",
                             l);
}

kgw_counter_t *
kgw_metrics_requests(const char *virtual_cluster, int api_key, const char *api_name)
{
    char l[KGW__LABELS_MAX], key[16];
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "api_key",
                           api_label(key, sizeof key, api_key, api_name), NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_REQUESTS, "Client requests received.", l);
}

kgw_counter_t *
kgw_metrics_responses(const char *virtual_cluster, int api_key, const char *api_name)
{
    char l[KGW__LABELS_MAX], key[16];
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "api_key",
                           api_label(key, sizeof key, api_key, api_name), NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_RESPONSES,
                               "Responses sent to clients, relayed or made by the gateway.", l);
}

kgw_histogram_t *
kgw_metrics_request_duration(const char *virtual_cluster, int api_key, const char *api_name)
{
    char l[KGW__LABELS_MAX], key[16];
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "api_key",
                           api_label(key, sizeof key, api_key, api_name), NULL) != 0)
        return NULL;
    return kgw_metrics_histogram(KGW_METRIC_REQUEST_DURATION,
                                 "Time from a client request to its response, in seconds.", l);
}

kgw_counter_t *
kgw_metrics_bytes_received(const char *virtual_cluster, const char *direction)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "direction", direction,
                           NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_BYTES_RECEIVED,
                               "Bytes read from clients (direction=client) or brokers "
                               "(direction=backend).",
                               l);
}

kgw_counter_t *
kgw_metrics_bytes_sent(const char *virtual_cluster, const char *direction)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "direction", direction,
                           NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_BYTES_SENT,
                               "Bytes written to clients (direction=client) or brokers "
                               "(direction=backend).",
                               l);
}

kgw_counter_t *
kgw_metrics_frames_rejected(const char *listener, const char *reason)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "listener", listener, "reason", reason, NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_FRAMES_REJECTED, "Client frames refused.", l);
}

kgw_counter_t *
kgw_metrics_broker_unmapped(const char *virtual_cluster, int32_t broker_id)
{
    char l[KGW__LABELS_MAX], id[16];
    snprintf(id, sizeof id, "%" PRId32, broker_id);
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "broker_id", id,
                           NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_BROKER_UNMAPPED,
                               "Brokers removed from a response because they have no gateway "
                               "address.",
                               l);
}

kgw_counter_t *
kgw_metrics_backend_connect_failures(const char *backend_cluster)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "backend_cluster", backend_cluster, NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_BACKEND_CONNECT_FAILURES,
                               "Failed connections to backend brokers.", l);
}

kgw_counter_t *
kgw_metrics_backend_metadata_refresh(const char *backend_cluster, bool ok)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "backend_cluster", backend_cluster, "result",
                           ok ? "success" : "failure", NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_BACKEND_METADATA_REFRESH,
                               "Backend cluster metadata refreshes.", l);
}

kgw_counter_t *
kgw_metrics_config_reloads(bool ok)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "result", ok ? "success" : "failure", NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_CONFIG_RELOADS, "Configuration reloads.", l);
}

kgw_counter_t *
kgw_metrics_policy_invocations(const char *virtual_cluster, const char *policy, const char *result)
{
    char l[KGW__LABELS_MAX];
    if (kgw_metrics_labels(l, sizeof l, "virtual_cluster", virtual_cluster, "policy", policy,
                           "result", result, NULL) != 0)
        return NULL;
    return kgw_metrics_counter(KGW_METRIC_POLICY_INVOCATIONS, "Policy hook invocations.", l);
}
