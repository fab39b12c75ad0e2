/*
 * Deterministic pseudo-random sample messages for tests, fuzz corpora and
 * benchmarks: every field present in the version gets a value (nulls where
 * nullable, nested arrays, known tagged fields, extra unknown tagged fields in
 * flexible versions). The same (schema, version, seed) always gives the same
 * message.
 */
#include <string.h>

#include "codec.h"
#include "codec_internal.h"

#define KGW_SAMPLE_UNKNOWN_TAG_BASE 1000u

typedef struct {
    uint64_t state;
    kgw_arena_t *arena;
    int16_t version;
    bool flexible;
} kgw__sample_t;

/* splitmix64 */
static uint64_t
next(kgw__sample_t *s)
{
    uint64_t z = (s->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t
below(kgw__sample_t *s, uint32_t n)
{
    return (uint32_t)(next(s) % n);
}

static int fill_struct(kgw__sample_t *s, const kgw_struct_desc_t *sd, void *obj, int depth);

static int
fill_bytes(kgw__sample_t *s, uint8_t **out, int32_t len, bool text)
{
    uint8_t *p = kgw_arena_alloc(s->arena, (size_t)len);
    if (p == NULL) {
        return -1;
    }
    for (int32_t i = 0; i < len; i++) {
        uint64_t r = next(s);
        p[i] = text ? (uint8_t)('a' + r % 26) : (uint8_t)r;
    }
    *out = p;
    return 0;
}

static int
fill_value(kgw__sample_t *s, const kgw_field_desc_t *f, void *dst, bool nullable, int depth)
{
    uint64_t r = next(s);
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        *(bool *)dst = (r & 1) != 0;
        return 0;
    case KGW_FT_INT8:
        *(int8_t *)dst = (int8_t)r;
        return 0;
    case KGW_FT_INT16:
        *(int16_t *)dst = (int16_t)r;
        return 0;
    case KGW_FT_UINT16:
        *(uint16_t *)dst = (uint16_t)r;
        return 0;
    case KGW_FT_INT32:
        *(int32_t *)dst = (int32_t)r;
        return 0;
    case KGW_FT_UINT32:
        *(uint32_t *)dst = (uint32_t)r;
        return 0;
    case KGW_FT_INT64:
        *(int64_t *)dst = (int64_t)r;
        return 0;
    case KGW_FT_FLOAT64:
        *(double *)dst = (double)(int32_t)r / 64.0;
        return 0;
    case KGW_FT_STRING: {
        kgw_str_t *str = dst;
        if (nullable && r % 5 == 0) {
            str->ptr = NULL;
            str->len = -1;
            return 0;
        }
        uint8_t *p = NULL;
        str->len = (int32_t)below(s, 13);
        if (fill_bytes(s, &p, str->len, true) != 0) {
            return -1;
        }
        str->ptr = (const char *)p;
        return 0;
    }
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS: {
        kgw_bytes_t *b = dst;
        if (nullable && r % 5 == 0) {
            b->ptr = NULL;
            b->len = -1;
            return 0;
        }
        uint8_t *p = NULL;
        b->len = (int32_t)below(s, 25);
        if (fill_bytes(s, &p, b->len, false) != 0) {
            return -1;
        }
        b->ptr = p;
        return 0;
    }
    case KGW_FT_UUID: {
        kgw_uuid_t *u = dst;
        for (int i = 0; i < 16; i++) {
            u->b[i] = (uint8_t)next(s);
        }
        return 0;
    }
    case KGW_FT_STRUCT:
        return fill_struct(s, f->sub, dst, depth + 1);
    }
    return -1;
}

static int
fill_field(kgw__sample_t *s, const kgw_field_desc_t *f, void *obj, int depth)
{
    void *m = kgw__member(obj, f);
    bool nullable = kgw__nullable(f, s->version);
    switch ((kgw_field_layout_t)f->layout) {
    case KGW_FL_VALUE:
        return fill_value(s, f, m, nullable, depth);
    case KGW_FL_POINTER: {
        if (nullable && below(s, 4) == 0) {
            kgw__pointer_set(m, NULL);
            return 0;
        }
        void *sub = kgw_arena_alloc(s->arena, f->sub->size);
        if (sub == NULL || kgw__struct_init(f->sub, s->arena, sub) != 0) {
            return -1;
        }
        kgw__pointer_set(m, sub);
        return fill_struct(s, f->sub, sub, depth + 1);
    }
    case KGW_FL_ARRAY: {
        if (nullable && below(s, 5) == 0) {
            kgw__array_set(m, -1, NULL);
            return 0;
        }
        /* Keep nested samples small: at most 3 elements near the top. */
        int32_t n = (int32_t)below(s, depth < 2 ? 4 : 3);
        size_t es = kgw__elem_size(f);
        char *items = NULL;
        if (n > 0) {
            items = kgw_arena_alloc(s->arena, (size_t)n * es);
            if (items == NULL) {
                return -1;
            }
        }
        for (int32_t i = 0; i < n; i++) {
            void *item = items + (size_t)i * es;
            if (f->type == KGW_FT_STRUCT && kgw__struct_init(f->sub, s->arena, item) != 0) {
                return -1;
            }
            if (fill_value(s, f, item, false, depth) != 0) {
                return -1;
            }
        }
        kgw__array_set(m, n, items);
        return 0;
    }
    }
    return -1;
}

static int
fill_struct(kgw__sample_t *s, const kgw_struct_desc_t *sd, void *obj, int depth)
{
    for (uint16_t i = 0; i < sd->nfields; i++) {
        const kgw_field_desc_t *f = &sd->fields[i];
        if (!kgw__present(f, s->version)) {
            continue;
        }
        /* Known tagged fields keep their default half of the time. */
        if (kgw__tagged(f, s->version, s->flexible) && (next(s) & 1) == 0) {
            continue;
        }
        if (fill_field(s, f, obj, depth) != 0) {
            return -1;
        }
    }
    if (s->flexible && (next(s) & 1) != 0) {
        /* One or two unknown tagged fields, with tags no schema uses. */
        kgw_tagged_t *t = (kgw_tagged_t *)((char *)obj + sd->unknown_tagged_offset);
        int32_t n = 1 + (int32_t)below(s, 2);
        t->items = kgw_arena_alloc(s->arena, (size_t)n * sizeof(*t->items));
        if (t->items == NULL) {
            return -1;
        }
        uint32_t tag = KGW_SAMPLE_UNKNOWN_TAG_BASE + below(s, 100);
        for (int32_t i = 0; i < n; i++) {
            uint8_t *p = NULL;
            int32_t len = (int32_t)below(s, 7);
            if (fill_bytes(s, &p, len, false) != 0) {
                return -1;
            }
            t->items[i].tag = tag;
            t->items[i].data.ptr = p;
            t->items[i].data.len = len;
            tag += 1 + below(s, 300);
        }
        t->count = n;
    }
    return 0;
}

void *
kgw_msg_sample(const kgw_message_desc_t *md, kgw_arena_t *a, int16_t version, uint64_t seed)
{
    kgw__sample_t s = {
        .state =
            seed ^ ((uint64_t)(uint16_t)md->api_key << 32) ^ ((uint64_t)(uint16_t)version << 48),
        .arena = a,
        .version = version,
        .flexible = kgw__msg_flexible(md, version),
    };
    void *msg = kgw_arena_alloc(a, md->root->size);
    if (msg == NULL || kgw__struct_init(md->root, a, msg) != 0) {
        return NULL;
    }
    if (fill_struct(&s, md->root, msg, 0) != 0) {
        return NULL;
    }
    return msg;
}
