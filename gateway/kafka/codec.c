/*
 * The table-driven Kafka message codec: decode, encode, defaults, entity
 * visiting and the API-key entry points (see codec.h). JSON and samples live
 * in codec_json.c and codec_sample.c.
 */
#include "codec.h"

#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "kgw_api.h"

#define KGW_PATH_MAX 32

/* State of one decode or encode: the message, version and the path of
 * fields being processed, kept on failure to name the bad field. */
typedef struct {
    const kgw_message_desc_t *md;
    int16_t version;
    bool flexible;
    kgw_arena_t *arena;
    kgw_codec_error_t *err;
    int depth;
    struct {
        const kgw_field_desc_t *field;
        int32_t index; /* array index, -1 for a plain field */
    } path[KGW_PATH_MAX];
} kgw__ctx_t;

static void
path_push(kgw__ctx_t *c, const kgw_field_desc_t *f, int32_t index)
{
    if (c->depth < KGW_PATH_MAX) {
        c->path[c->depth].field = f;
        c->path[c->depth].index = index;
    }
    c->depth++;
}

static void
path_pop(kgw__ctx_t *c)
{
    c->depth--;
}

static void
path_index(kgw__ctx_t *c, int32_t index)
{
    if (c->depth > 0 && c->depth <= KGW_PATH_MAX) {
        c->path[c->depth - 1].index = index;
    }
}

/* Rewrites c->err->msg as "<Message> v<N>: field <Path>: <leaf message>". */
static void
describe_failure(kgw__ctx_t *c)
{
    kgw_codec_error_t *err = c->err;
    if (err == NULL) {
        return;
    }
    char leaf[sizeof(err->msg)];
    memcpy(leaf, err->msg, sizeof(leaf));
    char path[160];
    size_t n = 0;
    path[0] = '\0';
    int depth = c->depth < KGW_PATH_MAX ? c->depth : KGW_PATH_MAX;
    const char *leaf_field = NULL;
    for (int i = 0; i < depth && n < sizeof(path); i++) {
        const kgw_field_desc_t *f = c->path[i].field;
        int w;
        if (c->path[i].index >= 0) {
            w = snprintf(path + n, sizeof(path) - n, "%s%s[%d]", i ? "." : "", f->name,
                         (int)c->path[i].index);
        } else {
            w = snprintf(path + n, sizeof(path) - n, "%s%s", i ? "." : "", f->name);
        }
        if (w < 0) {
            break;
        }
        n += (size_t)w;
        leaf_field = f->name;
    }
    err->api_key = c->md->api_key;
    err->version = c->version;
    err->field = leaf_field;
    /* Truncation of an overlong message is acceptable; the start matters. */
    int w;
    if (leaf_field != NULL) {
        w = snprintf(err->msg, sizeof(err->msg), "%s v%d: field %s: %s", c->md->name, c->version,
                     path, leaf);
    } else {
        w = snprintf(err->msg, sizeof(err->msg), "%s v%d: %s", c->md->name, c->version, leaf);
    }
    if (w < 0) {
        memcpy(err->msg, leaf, sizeof(err->msg));
    }
}

size_t
kgw__elem_size(const kgw_field_desc_t *f)
{
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        return sizeof(bool);
    case KGW_FT_INT8:
        return sizeof(int8_t);
    case KGW_FT_INT16:
        return sizeof(int16_t);
    case KGW_FT_UINT16:
        return sizeof(uint16_t);
    case KGW_FT_INT32:
        return sizeof(int32_t);
    case KGW_FT_UINT32:
        return sizeof(uint32_t);
    case KGW_FT_INT64:
        return sizeof(int64_t);
    case KGW_FT_FLOAT64:
        return sizeof(double);
    case KGW_FT_STRING:
        return sizeof(kgw_str_t);
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS:
        return sizeof(kgw_bytes_t);
    case KGW_FT_UUID:
        return sizeof(kgw_uuid_t);
    case KGW_FT_STRUCT:
        return f->sub->size;
    }
    return 0;
}

const char *
kgw_entity_kind_name(kgw_entity_kind_t kind)
{
    switch (kind) {
    case KGW_ENTITY_TOPIC_NAME:
        return "topicName";
    case KGW_ENTITY_GROUP_ID:
        return "groupId";
    case KGW_ENTITY_TRANSACTIONAL_ID:
        return "transactionalId";
    case KGW_ENTITY_BROKER_ID:
        return "brokerId";
    case KGW_ENTITY_PRODUCER_ID:
        return "producerId";
    case KGW_ENTITY_NONE:
        break;
    }
    return "none";
}

/* ---- defaults ------------------------------------------------------------ */

static void
scalar_default(const kgw_field_desc_t *f, void *p)
{
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        *(bool *)p = f->default_int != 0;
        break;
    case KGW_FT_INT8:
        *(int8_t *)p = (int8_t)f->default_int;
        break;
    case KGW_FT_INT16:
        *(int16_t *)p = (int16_t)f->default_int;
        break;
    case KGW_FT_UINT16:
        *(uint16_t *)p = (uint16_t)f->default_int;
        break;
    case KGW_FT_INT32:
        *(int32_t *)p = (int32_t)f->default_int;
        break;
    case KGW_FT_UINT32:
        *(uint32_t *)p = (uint32_t)f->default_int;
        break;
    case KGW_FT_INT64:
        *(int64_t *)p = f->default_int;
        break;
    case KGW_FT_FLOAT64:
        *(double *)p = f->default_float;
        break;
    case KGW_FT_STRING: {
        kgw_str_t *s = p;
        if (f->flags & KGW_FIELD_DEFAULT_NULL) {
            s->ptr = NULL;
            s->len = -1;
        } else {
            s->ptr = f->default_str;
            s->len = f->default_str != NULL ? (int32_t)strlen(f->default_str) : 0;
        }
        break;
    }
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS: {
        kgw_bytes_t *b = p;
        b->ptr = NULL;
        b->len = (f->flags & KGW_FIELD_DEFAULT_NULL) ? -1 : 0;
        break;
    }
    case KGW_FT_UUID:
        memset(p, 0, sizeof(kgw_uuid_t));
        break;
    case KGW_FT_STRUCT:
        break;
    }
}

/* Stores the schema default of field f into obj (already zeroed). */
static int
field_default(const kgw_field_desc_t *f, kgw_arena_t *a, void *obj)
{
    void *m = kgw__member(obj, f);
    switch ((kgw_field_layout_t)f->layout) {
    case KGW_FL_ARRAY:
        kgw__array_set(m, (f->flags & KGW_FIELD_DEFAULT_NULL) ? -1 : 0, NULL);
        return 0;
    case KGW_FL_POINTER:
        if (f->flags & KGW_FIELD_DEFAULT_NULL) {
            kgw__pointer_set(m, NULL);
            return 0;
        } else {
            void *sub = a != NULL ? kgw_arena_alloc(a, f->sub->size) : NULL;
            if (sub == NULL || kgw__struct_init(f->sub, a, sub) != 0) {
                return -1;
            }
            kgw__pointer_set(m, sub);
            return 0;
        }
    case KGW_FL_VALUE:
        if (f->type == KGW_FT_STRUCT) {
            return kgw__struct_init(f->sub, a, m);
        }
        scalar_default(f, m);
        return 0;
    }
    return -1;
}

int
kgw__struct_init(const kgw_struct_desc_t *sd, kgw_arena_t *a, void *obj)
{
    memset(obj, 0, sd->size);
    for (uint16_t i = 0; i < sd->nfields; i++) {
        if (field_default(&sd->fields[i], a, obj) != 0) {
            return -1;
        }
    }
    return 0;
}

int
kgw_msg_init(const kgw_message_desc_t *md, kgw_arena_t *a, void *msg)
{
    return kgw__struct_init(md->root, a, msg);
}

static bool struct_is_default(const kgw_struct_desc_t *sd, const void *obj);

static bool
scalar_is_default(const kgw_field_desc_t *f, const void *p)
{
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        return *(const bool *)p == (f->default_int != 0);
    case KGW_FT_INT8:
        return *(const int8_t *)p == (int8_t)f->default_int;
    case KGW_FT_INT16:
        return *(const int16_t *)p == (int16_t)f->default_int;
    case KGW_FT_UINT16:
        return *(const uint16_t *)p == (uint16_t)f->default_int;
    case KGW_FT_INT32:
        return *(const int32_t *)p == (int32_t)f->default_int;
    case KGW_FT_UINT32:
        return *(const uint32_t *)p == (uint32_t)f->default_int;
    case KGW_FT_INT64:
        return *(const int64_t *)p == f->default_int;
    case KGW_FT_FLOAT64:
        return *(const double *)p == f->default_float;
    case KGW_FT_STRING: {
        const kgw_str_t *s = p;
        if (f->flags & KGW_FIELD_DEFAULT_NULL) {
            return s->len < 0;
        }
        size_t dl = f->default_str != NULL ? strlen(f->default_str) : 0;
        return s->len >= 0 && (size_t)s->len == dl &&
               (dl == 0 || memcmp(s->ptr, f->default_str, dl) == 0);
    }
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS: {
        const kgw_bytes_t *b = p;
        return (f->flags & KGW_FIELD_DEFAULT_NULL) ? b->len < 0 : b->len == 0;
    }
    case KGW_FT_UUID: {
        static const kgw_uuid_t zero;
        return memcmp(p, &zero, sizeof(zero)) == 0;
    }
    case KGW_FT_STRUCT:
        return struct_is_default(f->sub, p);
    }
    return false;
}

bool
kgw__field_is_default(const kgw_field_desc_t *f, const void *obj)
{
    const void *m = kgw__cmember(obj, f);
    switch ((kgw_field_layout_t)f->layout) {
    case KGW_FL_ARRAY: {
        int32_t n = kgw__array_count(m);
        return (f->flags & KGW_FIELD_DEFAULT_NULL) ? n < 0 : n == 0;
    }
    case KGW_FL_POINTER: {
        const void *p = kgw__pointer_get(m);
        if (f->flags & KGW_FIELD_DEFAULT_NULL) {
            return p == NULL;
        }
        return p != NULL && struct_is_default(f->sub, p);
    }
    case KGW_FL_VALUE:
        break;
    }
    return scalar_is_default(f, m);
}

/* Kafka compares a struct with a freshly constructed one: every field (of
 * every version) and the unknown tagged fields. */
static bool
struct_is_default(const kgw_struct_desc_t *sd, const void *obj)
{
    for (uint16_t i = 0; i < sd->nfields; i++) {
        if (!kgw__field_is_default(&sd->fields[i], obj)) {
            return false;
        }
    }
    const kgw_tagged_t *t = (const kgw_tagged_t *)((const char *)obj + sd->unknown_tagged_offset);
    return t->count <= 0;
}

/* ---- decode -------------------------------------------------------------- */

static int decode_struct(kgw__ctx_t *c, kgw_wire_reader_t *r, const kgw_struct_desc_t *sd,
                         void *obj);

static int
oom(kgw__ctx_t *c, kgw_wire_reader_t *r, size_t n)
{
    kgw_codec_error_set(r->err, r->off, "out of memory allocating %zu bytes at offset %zu", n,
                        r->off);
    (void)c;
    return -1;
}

static inline uint32_t
load32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Decodes one value (not an array) of f's type into dst. */
static int
decode_value(kgw__ctx_t *c, kgw_wire_reader_t *r, const kgw_field_desc_t *f, void *dst,
             bool nullable, bool compact)
{
    size_t left = r->len - r->off;
    const uint8_t *p = r->p + r->off;
    /* Fast paths when enough bytes remain; the wire readers report errors. */
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        return kgw_wire_read_bool(r, dst);
    case KGW_FT_INT8:
        return kgw_wire_read_int8(r, dst);
    case KGW_FT_INT16:
        if (left >= 2) {
            *(int16_t *)dst = (int16_t)(uint16_t)((p[0] << 8) | p[1]);
            r->off += 2;
            return 0;
        }
        return kgw_wire_read_int16(r, dst);
    case KGW_FT_UINT16:
        return kgw_wire_read_uint16(r, dst);
    case KGW_FT_INT32:
        if (left >= 4) {
            *(int32_t *)dst = (int32_t)load32(p);
            r->off += 4;
            return 0;
        }
        return kgw_wire_read_int32(r, dst);
    case KGW_FT_UINT32:
        return kgw_wire_read_uint32(r, dst);
    case KGW_FT_INT64:
        if (left >= 8) {
            *(int64_t *)dst = (int64_t)(((uint64_t)load32(p) << 32) | load32(p + 4));
            r->off += 8;
            return 0;
        }
        return kgw_wire_read_int64(r, dst);
    case KGW_FT_FLOAT64:
        return kgw_wire_read_float64(r, dst);
    case KGW_FT_STRING:
        return kgw_wire_read_string(r, compact, nullable, dst);
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS:
        return kgw_wire_read_bytes(r, compact, nullable, dst);
    case KGW_FT_UUID:
        return kgw_wire_read_uuid(r, dst);
    case KGW_FT_STRUCT:
        return decode_struct(c, r, f->sub, dst);
    }
    kgw_codec_error_set(r->err, r->off, "field type %d unknown", f->type);
    return -1;
}

/* Fewest wire bytes one array element of f takes at version. */
static size_t
elem_min_wire_size(const kgw_field_desc_t *f, int16_t version, bool compact)
{
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
    case KGW_FT_INT8:
        return 1;
    case KGW_FT_INT16:
    case KGW_FT_UINT16:
        return 2;
    case KGW_FT_INT32:
    case KGW_FT_UINT32:
        return 4;
    case KGW_FT_INT64:
    case KGW_FT_FLOAT64:
        return 8;
    case KGW_FT_UUID:
        return 16;
    case KGW_FT_STRING:
        return compact ? 1 : 2;
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS:
        return compact ? 1 : 4;
    case KGW_FT_STRUCT:
        if (version >= 0 && version < f->sub->nmin_size) {
            return f->sub->min_size[version];
        }
        return 0;
    }
    return 0;
}

static int
decode_field(kgw__ctx_t *c, kgw_wire_reader_t *r, const kgw_field_desc_t *f, void *obj)
{
    void *m = kgw__member(obj, f);
    bool nullable = kgw__nullable(f, c->version);
    bool compact = kgw__compact(f, c->version, c->flexible);
    switch ((kgw_field_layout_t)f->layout) {
    case KGW_FL_VALUE:
        return decode_value(c, r, f, m, nullable, compact);
    case KGW_FL_POINTER: {
        if (nullable) {
            int8_t present;
            if (kgw_wire_read_int8(r, &present) != 0) {
                return -1;
            }
            if (present < 0) {
                kgw__pointer_set(m, NULL);
                return 0;
            }
        }
        void *sub = kgw_arena_alloc(c->arena, f->sub->size);
        if (sub == NULL) {
            return oom(c, r, f->sub->size);
        }
        kgw__pointer_set(m, sub);
        return decode_struct(c, r, f->sub, sub);
    }
    case KGW_FL_ARRAY: {
        int32_t n;
        if (kgw_wire_read_array_len(r, compact, nullable, &n) != 0) {
            return -1;
        }
        if (n <= 0) {
            kgw__array_set(m, n, NULL);
            return 0;
        }
        /* Bound the allocation by what the remaining bytes can hold: each
         * element takes at least min bytes on the wire. */
        size_t min = elem_min_wire_size(f, c->version, compact);
        if (min > 1 && (size_t)n > kgw_wire_remaining(r) / min) {
            kgw_codec_error_set(r->err, r->off,
                                "array length %d of elements of at least %zu bytes exceeds "
                                "remaining %zu bytes at offset %zu",
                                n, min, kgw_wire_remaining(r), r->off);
            return -1;
        }
        size_t es = kgw__elem_size(f);
        char *items = kgw_arena_alloc(c->arena, (size_t)n * es);
        if (items == NULL) {
            return oom(c, r, (size_t)n * es);
        }
        kgw__array_set(m, n, items);
        if (f->type == KGW_FT_INT32 && kgw_wire_remaining(r) / 4 >= (size_t)n) {
            /* Replica and ISR lists: no per-element dispatch. */
            int32_t *out = (int32_t *)(void *)items;
            for (int32_t i = 0; i < n; i++) {
                out[i] = (int32_t)load32(r->p + r->off);
                r->off += 4;
            }
            return 0;
        }
        for (int32_t i = 0; i < n; i++) {
            path_index(c, i);
            /* Array elements are never null. */
            int rc = f->type == KGW_FT_STRUCT
                         ? decode_struct(c, r, f->sub, items + (size_t)i * es)
                         : decode_value(c, r, f, items + (size_t)i * es, false, compact);
            if (rc != 0) {
                return -1;
            }
        }
        path_index(c, -1);
        return 0;
    }
    }
    return -1;
}

static const kgw_field_desc_t *
find_tagged(const kgw_struct_desc_t *sd, uint32_t tag, int16_t version)
{
    for (uint16_t i = 0; i < sd->ntagged; i++) {
        const kgw_field_desc_t *f = &sd->fields[sd->tagged_by_tag[i]];
        if ((uint32_t)f->tag == tag) {
            if (kgw__present(f, version) && kgw__tagged(f, version, true)) {
                return f;
            }
            return NULL;
        }
    }
    return NULL;
}

static int
decode_tagged_section(kgw__ctx_t *c, kgw_wire_reader_t *r, const kgw_struct_desc_t *sd, void *obj)
{
    size_t start = r->off;
    uint32_t n;
    if (kgw_wire_read_uvarint(r, &n) != 0) {
        return -1;
    }
    if (n == 0) {
        return 0;
    }
    if (n > kgw_wire_remaining(r) / 2) {
        kgw_codec_error_set(r->err, start,
                            "tagged field count %u exceeds remaining %zu bytes at offset %zu", n,
                            kgw_wire_remaining(r), start);
        return -1;
    }
    kgw_tagged_t *unknown = (kgw_tagged_t *)((char *)obj + sd->unknown_tagged_offset);
    unknown->count = 0;
    unknown->items = NULL;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = r->off;
        uint32_t tag, size;
        if (kgw_wire_read_uvarint(r, &tag) != 0 || kgw_wire_read_uvarint(r, &size) != 0) {
            return -1;
        }
        if (size > kgw_wire_remaining(r)) {
            kgw_codec_error_set(r->err, at,
                                "tagged field %u size %u exceeds remaining %zu bytes at offset %zu",
                                tag, size, kgw_wire_remaining(r), at);
            return -1;
        }
        const kgw_field_desc_t *f = find_tagged(sd, tag, c->version);
        if (f != NULL) {
            /* Decode the value from exactly its size bytes. */
            kgw_wire_reader_t sub = *r;
            sub.len = r->off + size;
            path_push(c, f, -1);
            if (decode_field(c, &sub, f, obj) != 0) {
                return -1;
            }
            if (sub.off != sub.len) {
                kgw_codec_error_set(r->err, at,
                                    "tagged field %u holds %zu bytes past its value at offset %zu",
                                    tag, sub.len - sub.off, sub.off);
                return -1;
            }
            path_pop(c);
            r->off = sub.off;
            continue;
        }
        if (unknown->items == NULL) {
            unknown->items = kgw_arena_alloc(c->arena, (size_t)n * sizeof(kgw_tagged_field_t));
            if (unknown->items == NULL) {
                return oom(c, r, (size_t)n * sizeof(kgw_tagged_field_t));
            }
        }
        const uint8_t *p;
        if (kgw_wire_read_raw(r, size, &p) != 0) {
            return -1;
        }
        kgw_tagged_field_t *tf = &unknown->items[unknown->count++];
        tf->tag = tag;
        tf->data.ptr = p;
        tf->data.len = (int32_t)size;
    }
    return 0;
}

static int
decode_struct(kgw__ctx_t *c, kgw_wire_reader_t *r, const kgw_struct_desc_t *sd, void *obj)
{
    /* One pass: fields on the wire are decoded, the others (absent in this
     * version, or tagged) get their defaults. */
    memset(obj, 0, sd->size);
    for (uint16_t i = 0; i < sd->nfields; i++) {
        const kgw_field_desc_t *f = &sd->fields[i];
        if (!kgw__present(f, c->version) || kgw__tagged(f, c->version, c->flexible)) {
            if (field_default(f, c->arena, obj) != 0) {
                return oom(c, r, sd->size);
            }
            continue;
        }
        path_push(c, f, -1);
        if (decode_field(c, r, f, obj) != 0) {
            return -1;
        }
        path_pop(c);
    }
    if (c->flexible) {
        return decode_tagged_section(c, r, sd, obj);
    }
    return 0;
}

static void
ctx_init(kgw__ctx_t *c, const kgw_message_desc_t *md, int16_t version, kgw_arena_t *a,
         kgw_codec_error_t *err)
{
    c->md = md;
    c->version = version;
    c->flexible = kgw__msg_flexible(md, version);
    c->arena = a;
    c->err = err;
    c->depth = 0;
}

static int
check_version(const kgw_message_desc_t *md, int16_t version, kgw_codec_error_t *err, size_t offset)
{
    if (version < md->min_version || version > md->max_version) {
        if (err != NULL) {
            kgw_codec_error_set(err, offset, "%s v%d: unsupported version (valid %d-%d)", md->name,
                                version, md->min_version, md->max_version);
            err->api_key = md->api_key;
            err->version = version;
            err->field = NULL;
        }
        return -1;
    }
    return 0;
}

int
kgw_msg_decode(const kgw_message_desc_t *md, kgw_arena_t *a, kgw_wire_reader_t *r, int16_t version,
               void *out)
{
    if (check_version(md, version, r->err, r->off) != 0) {
        return -1;
    }
    kgw__ctx_t c;
    ctx_init(&c, md, version, a, r->err);
    if (decode_struct(&c, r, md->root, out) != 0) {
        describe_failure(&c);
        return -1;
    }
    return 0;
}

/* ---- encode -------------------------------------------------------------- */

static int encode_struct(kgw__ctx_t *c, kgw_wbuf_t *w, const kgw_struct_desc_t *sd,
                         const void *obj);

static int
encode_fail(kgw_wbuf_t *w, const char *what)
{
    w->failed = true;
    kgw_codec_error_set(w->err, w->len, "%s at output offset %zu", what, w->len);
    return -1;
}

static int
encode_value(kgw__ctx_t *c, kgw_wbuf_t *w, const kgw_field_desc_t *f, const void *src,
             bool nullable, bool compact)
{
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        return kgw_wbuf_put_int8(w, *(const bool *)src ? 1 : 0);
    case KGW_FT_INT8:
        return kgw_wbuf_put_int8(w, *(const int8_t *)src);
    case KGW_FT_INT16:
        return kgw_wbuf_put_int16(w, *(const int16_t *)src);
    case KGW_FT_UINT16:
        return kgw_wbuf_put_uint16(w, *(const uint16_t *)src);
    case KGW_FT_INT32:
        if (w->cap - w->len >= 4) {
            uint32_t v = (uint32_t) * (const int32_t *)src;
            uint8_t *o = w->buf + w->len;
            o[0] = (uint8_t)(v >> 24);
            o[1] = (uint8_t)(v >> 16);
            o[2] = (uint8_t)(v >> 8);
            o[3] = (uint8_t)v;
            w->len += 4;
            return 0;
        }
        return kgw_wbuf_put_int32(w, *(const int32_t *)src);
    case KGW_FT_UINT32:
        return kgw_wbuf_put_uint32(w, *(const uint32_t *)src);
    case KGW_FT_INT64:
        return kgw_wbuf_put_int64(w, *(const int64_t *)src);
    case KGW_FT_FLOAT64:
        return kgw_wbuf_put_float64(w, *(const double *)src);
    case KGW_FT_STRING: {
        const kgw_str_t *s = src;
        if (s->len < 0 && !nullable) {
            return encode_fail(w, "null string in a non-nullable field");
        }
        return kgw_wbuf_put_string(w, compact, *s);
    }
    case KGW_FT_BYTES:
    case KGW_FT_RECORDS: {
        const kgw_bytes_t *b = src;
        if (b->len < 0 && !nullable) {
            return encode_fail(w, "null bytes in a non-nullable field");
        }
        return kgw_wbuf_put_bytes(w, compact, *b);
    }
    case KGW_FT_UUID:
        return kgw_wbuf_put_uuid(w, src);
    case KGW_FT_STRUCT:
        return encode_struct(c, w, f->sub, src);
    }
    return encode_fail(w, "unknown field type");
}

static int
encode_field(kgw__ctx_t *c, kgw_wbuf_t *w, const kgw_field_desc_t *f, const void *obj)
{
    const void *m = kgw__cmember(obj, f);
    bool nullable = kgw__nullable(f, c->version);
    bool compact = kgw__compact(f, c->version, c->flexible);
    switch ((kgw_field_layout_t)f->layout) {
    case KGW_FL_VALUE:
        return encode_value(c, w, f, m, nullable, compact);
    case KGW_FL_POINTER: {
        const void *sub = kgw__pointer_get(m);
        if (nullable) {
            if (kgw_wbuf_put_int8(w, sub == NULL ? -1 : 1) != 0) {
                return -1;
            }
            if (sub == NULL) {
                return 0;
            }
        } else if (sub == NULL) {
            return encode_fail(w, "null struct in a non-nullable field");
        }
        return encode_struct(c, w, f->sub, sub);
    }
    case KGW_FL_ARRAY: {
        int32_t n = kgw__array_count(m);
        const char *items = kgw__array_items(m);
        if (n < 0 && !nullable) {
            return encode_fail(w, "null array in a non-nullable field");
        }
        if (n > 0 && items == NULL) {
            return encode_fail(w, "array with elements but no items");
        }
        if (kgw_wbuf_put_array_len(w, compact, n < 0 ? -1 : n) != 0) {
            return -1;
        }
        size_t es = kgw__elem_size(f);
        for (int32_t i = 0; i < n; i++) {
            path_index(c, i);
            if (encode_value(c, w, f, items + (size_t)i * es, false, compact) != 0) {
                return -1;
            }
        }
        path_index(c, -1);
        return 0;
    }
    }
    return encode_fail(w, "unknown field layout");
}

/* Index of the unknown tagged field with the smallest (tag, index) above
 * (*last_tag, *last_idx) and with tag < limit, or -1. */
static int32_t
next_unknown(const kgw_tagged_t *t, int64_t last_tag, int32_t last_idx, int64_t limit)
{
    int32_t best = -1;
    for (int32_t i = 0; i < t->count; i++) {
        int64_t tag = t->items[i].tag;
        if (tag < last_tag || (tag == last_tag && i <= last_idx) || tag >= limit) {
            continue;
        }
        if (best < 0 || tag < (int64_t)t->items[best].tag) {
            best = i;
        }
    }
    return best;
}

static int
write_unknown_below(kgw_wbuf_t *w, const kgw_tagged_t *t, int64_t *last_tag, int32_t *last_idx,
                    int64_t limit)
{
    for (;;) {
        int32_t i = next_unknown(t, *last_tag, *last_idx, limit);
        if (i < 0) {
            return 0;
        }
        const kgw_tagged_field_t *tf = &t->items[i];
        int32_t len = tf->data.len > 0 ? tf->data.len : 0;
        if (kgw_wbuf_put_uvarint(w, tf->tag) != 0 || kgw_wbuf_put_uvarint(w, (uint32_t)len) != 0 ||
            kgw_wbuf_append(w, tf->data.ptr, (size_t)len) != 0) {
            return -1;
        }
        *last_tag = tf->tag;
        *last_idx = i;
    }
}

static int
encode_tagged_section(kgw__ctx_t *c, kgw_wbuf_t *w, const kgw_struct_desc_t *sd, const void *obj)
{
    const kgw_tagged_t *unknown =
        (const kgw_tagged_t *)((const char *)obj + sd->unknown_tagged_offset);
    kgw_tagged_t none = {0, NULL};
    if (unknown->count > 0 && unknown->items == NULL) {
        return encode_fail(w, "unknown tagged fields with a count but no items");
    }
    if (unknown->count <= 0) {
        unknown = &none;
    }
    uint32_t count = (uint32_t)unknown->count;
    for (uint16_t i = 0; i < sd->ntagged; i++) {
        const kgw_field_desc_t *f = &sd->fields[sd->tagged_by_tag[i]];
        if (kgw__present(f, c->version) && kgw__tagged(f, c->version, true) &&
            !kgw__field_is_default(f, obj)) {
            count++;
        }
    }
    if (kgw_wbuf_put_uvarint(w, count) != 0) {
        return -1;
    }
    if (count == 0) {
        return 0;
    }
    int64_t last_tag = -1;
    int32_t last_idx = -1;
    for (uint16_t i = 0; i < sd->ntagged; i++) {
        const kgw_field_desc_t *f = &sd->fields[sd->tagged_by_tag[i]];
        if (!kgw__present(f, c->version) || !kgw__tagged(f, c->version, true) ||
            kgw__field_is_default(f, obj)) {
            continue;
        }
        if (write_unknown_below(w, unknown, &last_tag, &last_idx, f->tag) != 0 ||
            kgw_wbuf_put_uvarint(w, (uint32_t)f->tag) != 0) {
            return -1;
        }
        size_t at = w->len;
        path_push(c, f, -1);
        if (encode_field(c, w, f, obj) != 0) {
            return -1;
        }
        path_pop(c);
        size_t size = w->len - at;
        if (size > UINT32_MAX) {
            return encode_fail(w, "tagged field larger than 4 GiB");
        }
        /* The size precedes the field: encode it as an unsigned varint
         * (at most 5 bytes for 32 bits) and insert it in front. */
        uint8_t tmp[5];
        size_t tlen = 0;
        uint32_t v = (uint32_t)size;
        while (v >= 0x80) {
            tmp[tlen++] = (uint8_t)(v | 0x80);
            v >>= 7;
        }
        tmp[tlen++] = (uint8_t)v;
        if (kgw_wbuf_insert(w, at, tmp, tlen) != 0) {
            return -1;
        }
    }
    return write_unknown_below(w, unknown, &last_tag, &last_idx, INT64_MAX);
}

static int
encode_struct(kgw__ctx_t *c, kgw_wbuf_t *w, const kgw_struct_desc_t *sd, const void *obj)
{
    for (uint16_t i = 0; i < sd->nfields; i++) {
        const kgw_field_desc_t *f = &sd->fields[i];
        if (!kgw__present(f, c->version) || kgw__tagged(f, c->version, c->flexible)) {
            continue;
        }
        path_push(c, f, -1);
        if (encode_field(c, w, f, obj) != 0) {
            return -1;
        }
        path_pop(c);
    }
    if (c->flexible) {
        return encode_tagged_section(c, w, sd, obj);
    }
    return 0;
}

int
kgw_msg_encode(const kgw_message_desc_t *md, kgw_wbuf_t *w, int16_t version, const void *msg)
{
    if (check_version(md, version, w->err, w->len) != 0) {
        w->failed = true;
        return -1;
    }
    kgw__ctx_t c;
    ctx_init(&c, md, version, NULL, w->err);
    if (encode_struct(&c, w, md->root, msg) != 0) {
        w->failed = true;
        describe_failure(&c);
        return -1;
    }
    return 0;
}

/* ---- entity visitor ------------------------------------------------------ */

static int visit_struct(const kgw_struct_desc_t *sd, int16_t version, void *obj, kgw_entity_cb_t cb,
                        void *ctx);

static bool
renameable(uint8_t entity)
{
    return entity == KGW_ENTITY_TOPIC_NAME || entity == KGW_ENTITY_GROUP_ID ||
           entity == KGW_ENTITY_TRANSACTIONAL_ID;
}

static int
visit_struct(const kgw_struct_desc_t *sd, int16_t version, void *obj, kgw_entity_cb_t cb, void *ctx)
{
    for (uint16_t i = 0; i < sd->nfields; i++) {
        const kgw_field_desc_t *f = &sd->fields[i];
        if (!kgw__present(f, version)) {
            continue;
        }
        void *m = kgw__member(obj, f);
        int rc = 0;
        if (f->type == KGW_FT_STRING && renameable(f->entity)) {
            if (f->layout == KGW_FL_ARRAY) {
                int32_t n = kgw__array_count(m);
                kgw_str_t *items = kgw__array_items(m);
                for (int32_t k = 0; k < n && rc == 0; k++) {
                    rc = cb((kgw_entity_kind_t)f->entity, &items[k], ctx);
                }
            } else {
                rc = cb((kgw_entity_kind_t)f->entity, m, ctx);
            }
        } else if (f->type == KGW_FT_STRUCT) {
            if (f->layout == KGW_FL_ARRAY) {
                int32_t n = kgw__array_count(m);
                char *items = kgw__array_items(m);
                for (int32_t k = 0; k < n && rc == 0; k++) {
                    rc = visit_struct(f->sub, version, items + (size_t)k * f->sub->size, cb, ctx);
                }
            } else if (f->layout == KGW_FL_POINTER) {
                void *sub = kgw__pointer_get(m);
                if (sub != NULL) {
                    rc = visit_struct(f->sub, version, sub, cb, ctx);
                }
            } else {
                rc = visit_struct(f->sub, version, m, cb, ctx);
            }
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int
kgw_msg_visit_entities_desc(const kgw_message_desc_t *md, int16_t version, void *msg,
                            kgw_entity_cb_t cb, void *ctx)
{
    return visit_struct(md->root, version, msg, cb, ctx);
}

int
kgw_msg_visit_entities(int16_t api_key, int16_t version, bool is_response, void *msg,
                       kgw_entity_cb_t cb, void *ctx)
{
    const kgw_message_desc_t *md = kgw_message_desc(api_key, is_response);
    if (md == NULL) {
        return -1;
    }
    return kgw_msg_visit_entities_desc(md, version, msg, cb, ctx);
}

/* ---- API-key entry points ------------------------------------------------ */

static const kgw_message_desc_t *
lookup(int16_t api_key, int16_t version, bool is_response, kgw_codec_error_t *err, size_t off)
{
    const kgw_message_desc_t *md = kgw_message_desc(api_key, is_response);
    if (md == NULL) {
        if (err != NULL) {
            kgw_codec_error_set(err, off, "unknown api key %d", api_key);
            err->api_key = api_key;
            err->version = version;
            err->field = NULL;
        }
        return NULL;
    }
    if (check_version(md, version, err, off) != 0) {
        return NULL;
    }
    return md;
}

static int
body_decode(kgw_arena_t *a, int16_t api_key, int16_t version, bool is_response, const uint8_t *body,
            size_t len, void **out, kgw_codec_error_t *err)
{
    const kgw_message_desc_t *md = lookup(api_key, version, is_response, err, 0);
    if (md == NULL) {
        return -1;
    }
    void *msg = kgw_arena_alloc(a, md->root->size);
    if (msg == NULL) {
        kgw_codec_error_set(err, 0, "%s v%d: out of memory", md->name, version);
        return -1;
    }
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, body, len, err);
    if (kgw_msg_decode(md, a, &r, version, msg) != 0) {
        return -1;
    }
    if (r.off != len) {
        if (err != NULL) {
            kgw_codec_error_set(err, r.off,
                                "%s v%d: %zu unexpected bytes after the body at offset %zu",
                                md->name, version, len - r.off, r.off);
            err->api_key = api_key;
            err->version = version;
            err->field = NULL;
        }
        return -1;
    }
    *out = msg;
    return 0;
}

int
kgw_request_body_decode(kgw_arena_t *a, int16_t api_key, int16_t version, const uint8_t *body,
                        size_t len, void **out, kgw_codec_error_t *err)
{
    return body_decode(a, api_key, version, false, body, len, out, err);
}

int
kgw_response_body_decode(kgw_arena_t *a, int16_t api_key, int16_t version, const uint8_t *body,
                         size_t len, void **out, kgw_codec_error_t *err)
{
    return body_decode(a, api_key, version, true, body, len, out, err);
}

static int
body_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version, bool is_response, const void *msg,
            kgw_codec_error_t *err)
{
    kgw_codec_error_t *saved = w->err;
    if (err != NULL) {
        w->err = err;
    }
    const kgw_message_desc_t *md = lookup(api_key, version, is_response, w->err, w->len);
    int rc = md != NULL ? kgw_msg_encode(md, w, version, msg) : -1;
    if (md == NULL) {
        w->failed = true;
    }
    w->err = saved;
    return rc;
}

int
kgw_request_body_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version, const void *msg,
                        kgw_codec_error_t *err)
{
    return body_encode(w, api_key, version, false, msg, err);
}

int
kgw_response_body_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version, const void *msg,
                         kgw_codec_error_t *err)
{
    return body_encode(w, api_key, version, true, msg, err);
}

int
kgw_body_to_json(kgw_wbuf_t *w, int16_t api_key, int16_t version, bool is_response, const void *msg,
                 kgw_codec_error_t *err)
{
    kgw_codec_error_t *saved = w->err;
    if (err != NULL) {
        w->err = err;
    }
    const kgw_message_desc_t *md = lookup(api_key, version, is_response, w->err, w->len);
    int rc = md != NULL ? kgw_msg_to_json(md, w, version, msg) : -1;
    w->err = saved;
    return rc;
}

int
kgw_request_decode(kgw_arena_t *a, const uint8_t *frame, size_t len, kgw_request_t *out,
                   kgw_codec_error_t *err)
{
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, frame, len, err);
    int16_t key, version;
    if (kgw_wire_read_int16(&r, &key) != 0 || kgw_wire_read_int16(&r, &version) != 0) {
        return -1;
    }
    int hv = kgw_api_request_header_version(key, version);
    if (hv < 0) {
        if (err != NULL) {
            kgw_codec_error_set(err, 0, "request api key %d version %d is not supported", key,
                                version);
            err->api_key = key;
            err->version = version;
            err->field = NULL;
        }
        return -1;
    }
    r.off = 0;
    if (kgw_request_header_decode(a, &r, hv, &out->header) != 0) {
        return -1;
    }
    out->header_version = hv;
    return kgw_request_body_decode(a, key, version, frame + r.off, len - r.off, &out->body, err);
}

int
kgw_response_decode(kgw_arena_t *a, int16_t api_key, int16_t version, const uint8_t *frame,
                    size_t len, kgw_response_t *out, kgw_codec_error_t *err)
{
    int hv = kgw_api_response_header_version(api_key, version);
    if (hv < 0) {
        if (err != NULL) {
            kgw_codec_error_set(err, 0, "response api key %d version %d is not supported", api_key,
                                version);
            err->api_key = api_key;
            err->version = version;
            err->field = NULL;
        }
        return -1;
    }
    kgw_wire_reader_t r;
    kgw_wire_reader_init(&r, frame, len, err);
    if (kgw_response_header_decode(a, &r, hv, &out->header) != 0) {
        return -1;
    }
    out->header_version = hv;
    out->api_key = api_key;
    out->api_version = version;
    return kgw_response_body_decode(a, api_key, version, frame + r.off, len - r.off, &out->body,
                                    err);
}

static int
finish_frame(kgw_wbuf_t *w, size_t start)
{
    size_t size = w->len - start - 4;
    if (size > (size_t)INT32_MAX) {
        return encode_fail(w, "frame larger than 2 GiB");
    }
    return kgw_wbuf_put_int32_at(w, start, (int32_t)size);
}

int
kgw_request_encode(kgw_wbuf_t *w, const kgw_request_header_t *h, const void *body,
                   kgw_codec_error_t *err)
{
    kgw_codec_error_t *saved = w->err;
    if (err != NULL) {
        w->err = err;
    }
    int rc = -1;
    int hv = kgw_api_request_header_version(h->api_key, h->api_version);
    size_t start = w->len;
    if (hv < 0) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "request api key %d version %d is not supported",
                            h->api_key, h->api_version);
    } else if (kgw_wbuf_put_int32(w, 0) == 0 && kgw_request_header_encode(w, hv, h) == 0 &&
               kgw_request_body_encode(w, h->api_key, h->api_version, body, NULL) == 0 &&
               finish_frame(w, start) == 0) {
        rc = 0;
    }
    w->err = saved;
    return rc;
}

int
kgw_response_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version, const kgw_response_header_t *h,
                    const void *body, kgw_codec_error_t *err)
{
    kgw_codec_error_t *saved = w->err;
    if (err != NULL) {
        w->err = err;
    }
    int rc = -1;
    int hv = kgw_api_response_header_version(api_key, version);
    size_t start = w->len;
    if (hv < 0) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "response api key %d version %d is not supported",
                            api_key, version);
    } else if (kgw_wbuf_put_int32(w, 0) == 0 && kgw_response_header_encode(w, hv, h) == 0 &&
               kgw_response_body_encode(w, api_key, version, body, NULL) == 0 &&
               finish_frame(w, start) == 0) {
        rc = 0;
    }
    w->err = saved;
    return rc;
}
