/*
 * Helpers shared by the codec engine files (codec.c, codec_json.c,
 * codec_sample.c): version checks on field descriptors and member access.
 * Internal to gateway/kafka; not part of the codec API.
 */
#ifndef KGW_KAFKA_CODEC_INTERNAL_H
#define KGW_KAFKA_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec.h"

static inline bool
kgw__in(int16_t v, int16_t lo, int16_t hi)
{
    return v >= lo && v <= hi;
}

/* The field exists at version v. */
static inline bool
kgw__present(const kgw_field_desc_t *f, int16_t v)
{
    return kgw__in(v, f->ver_min, f->ver_max);
}

/* The field travels in the tagged section at v (only in flexible versions). */
static inline bool
kgw__tagged(const kgw_field_desc_t *f, int16_t v, bool flexible)
{
    return flexible && f->tag >= 0 && kgw__in(v, f->tagged_min, f->tagged_max);
}

static inline bool
kgw__nullable(const kgw_field_desc_t *f, int16_t v)
{
    return kgw__in(v, f->null_min, f->null_max);
}

/* Compact (flexible) encoding for this field's strings, bytes and arrays. */
static inline bool
kgw__compact(const kgw_field_desc_t *f, int16_t v, bool flexible)
{
    if (f->flags & KGW_FIELD_FLEX_OVERRIDE) {
        return kgw__in(v, f->flex_min, f->flex_max);
    }
    return flexible;
}

static inline bool
kgw__msg_flexible(const kgw_message_desc_t *md, int16_t v)
{
    return md->flex_min >= 0 && v >= md->flex_min;
}

static inline void *
kgw__member(void *obj, const kgw_field_desc_t *f)
{
    return (char *)obj + f->offset;
}

static inline const void *
kgw__cmember(const void *obj, const kgw_field_desc_t *f)
{
    return (const char *)obj + f->offset;
}

/* Array members share the layout struct { int32_t count; T *items; }. */
typedef struct {
    int32_t count;
    void *items;
} kgw__array_layout_t;

static inline int32_t
kgw__array_count(const void *member)
{
    int32_t n;
    memcpy(&n, member, sizeof(n));
    return n;
}

static inline void *
kgw__array_items(const void *member)
{
    void *items;
    memcpy(&items, (const char *)member + offsetof(kgw__array_layout_t, items), sizeof(items));
    return items;
}

static inline void
kgw__array_set(void *member, int32_t count, void *items)
{
    memcpy(member, &count, sizeof(count));
    memcpy((char *)member + offsetof(kgw__array_layout_t, items), &items, sizeof(items));
}

static inline void *
kgw__pointer_get(const void *member)
{
    void *p;
    memcpy(&p, member, sizeof(p));
    return p;
}

static inline void
kgw__pointer_set(void *member, void *p)
{
    memcpy(member, &p, sizeof(p));
}

/* Size of one value of a primitive type (or of the struct for KGW_FT_STRUCT). */
size_t kgw__elem_size(const kgw_field_desc_t *f);
/* Writes the schema defaults of every field of sd into obj. */
int kgw__struct_init(const kgw_struct_desc_t *sd, kgw_arena_t *a, void *obj);
/* True when the value of f in obj equals its default (deep for structs). */
bool kgw__field_is_default(const kgw_field_desc_t *f, const void *obj);

#endif
