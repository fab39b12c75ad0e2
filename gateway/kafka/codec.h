/*
 * The Kafka message codec: a table-driven engine that decodes, encodes,
 * prints as JSON, samples and visits every request and response body
 * described by the generated schema tables in gen/, plus the entry points
 * that dispatch on an API key.
 *
 * Memory: decoded messages live in a kgw_arena_t. Strings, bytes and records
 * point into the input buffer (zero copy), so the input must outlive the
 * decoded message; arrays, nested nullable structs and unknown tagged fields
 * are allocated from the arena.
 *
 * Errors: every function returning int returns 0 on success and -1 on failure
 * with a message in the kgw_codec_error_t (the reader's, the writer's or the
 * one passed in) naming the message, version, field path and offset, e.g.
 * "MetadataResponse v12: field Brokers[3].Host: string length 70000 exceeds
 * remaining 12 bytes at offset 431".
 */
#ifndef KGW_KAFKA_CODEC_H
#define KGW_KAFKA_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "header.h"
#include "wire.h"

/* Schema "entityType" annotations kept in the field tables. */
typedef enum {
    KGW_ENTITY_NONE = 0,
    KGW_ENTITY_TOPIC_NAME,
    KGW_ENTITY_GROUP_ID,
    KGW_ENTITY_TRANSACTIONAL_ID,
    KGW_ENTITY_BROKER_ID,
    KGW_ENTITY_PRODUCER_ID,
} kgw_entity_kind_t;

/* Returns "topicName", "groupId", ... or "none". */
const char *kgw_entity_kind_name(kgw_entity_kind_t kind);

typedef enum {
    KGW_FT_BOOL = 0,
    KGW_FT_INT8,
    KGW_FT_INT16,
    KGW_FT_UINT16,
    KGW_FT_INT32,
    KGW_FT_UINT32,
    KGW_FT_INT64,
    KGW_FT_FLOAT64,
    KGW_FT_STRING,
    KGW_FT_BYTES,
    KGW_FT_RECORDS,
    KGW_FT_UUID,
    KGW_FT_STRUCT,
} kgw_field_type_t;

/* Version ranges are inclusive; an empty range ("none") has min > max. */
#define KGW_VERSION_MAX INT16_MAX

typedef struct kgw_struct_desc kgw_struct_desc_t;

/* How a field's C member is laid out. */
typedef enum {
    KGW_FL_VALUE = 0, /* the value itself (scalars, kgw_str_t, inline struct) */
    KGW_FL_ARRAY,     /* struct { int32_t count; T *items; } (count -1 = null) */
    KGW_FL_POINTER,   /* T * for structs that are nullable in some version */
} kgw_field_layout_t;

/* One schema field, as generated from the Kafka JSON schema. */
typedef struct {
    const char *name;               /* schema name, e.g. "NodeId" */
    const char *json_name;          /* Kafka's JSON name, e.g. "nodeId" */
    uint32_t offset;                /* offsetof the member in the C struct */
    uint8_t type;                   /* kgw_field_type_t of the value or array element */
    uint8_t layout;                 /* kgw_field_layout_t */
    uint8_t entity;                 /* kgw_entity_kind_t */
    uint8_t flags;                  /* KGW_FIELD_* */
    int16_t ver_min, ver_max;       /* "versions" */
    int16_t null_min, null_max;     /* "nullableVersions" */
    int16_t tagged_min, tagged_max; /* "taggedVersions" */
    int16_t flex_min, flex_max;     /* "flexibleVersions" override (KGW_FIELD_FLEX_OVERRIDE) */
    int32_t tag;                    /* "tag", -1 if none */
    int64_t default_int;            /* integer and bool defaults */
    double default_float;           /* float64 default */
    const char *default_str;        /* string default; NULL when default is null */
    const kgw_struct_desc_t *sub;   /* struct type of KGW_FT_STRUCT fields */
} kgw_field_desc_t;

#define KGW_FIELD_IGNORABLE 0x01
#define KGW_FIELD_DEFAULT_NULL 0x02 /* default is null (strings, bytes, arrays, structs) */
#define KGW_FIELD_FLEX_OVERRIDE 0x04
#define KGW_FIELD_ZERO_COPY 0x08
#define KGW_FIELD_MAP_KEY 0x10

/* One struct: a message body, a nested struct or a common struct. */
struct kgw_struct_desc {
    const char *name;               /* schema name, e.g. "MetadataResponseBroker" */
    uint32_t size;                  /* sizeof the C struct */
    uint32_t unknown_tagged_offset; /* offsetof(..., unknown_tagged) */
    uint16_t nfields;
    uint16_t ntagged;
    uint16_t nmin_size;             /* entries in min_size (max valid version + 1) */
    const kgw_field_desc_t *fields; /* schema order */
    const uint16_t *tagged_by_tag;  /* indices of tagged fields in ascending tag order */
    const uint16_t *min_size;       /* fewest wire bytes the struct takes, by version */
};

/* One request or response schema. */
typedef struct {
    const char *name; /* e.g. "MetadataResponse" */
    int16_t api_key;
    bool is_response;
    int16_t min_version, max_version; /* validVersions; min > max when "none" */
    int16_t flex_min;                 /* first flexible version, -1 if never */
    const kgw_struct_desc_t *root;
} kgw_message_desc_t;

/* ---- the generic engine, driven by a message descriptor ------------------ */

/* Fills msg (root->size bytes) with the schema defaults of every field. Nested
 * non-nullable pointer structs are allocated from a. */
int kgw_msg_init(const kgw_message_desc_t *md, kgw_arena_t *a, void *msg) KGW_WARN_UNUSED;
/* Decodes one body at version from r into out (root->size bytes). Fields not in
 * version hold their defaults. Does not require r to be exhausted. */
int kgw_msg_decode(const kgw_message_desc_t *md, kgw_arena_t *a, kgw_wire_reader_t *r,
                   int16_t version, void *out) KGW_WARN_UNUSED;
/* Appends the body at version to w. Fields not in version are skipped. */
int kgw_msg_encode(const kgw_message_desc_t *md, kgw_wbuf_t *w, int16_t version,
                   const void *msg) KGW_WARN_UNUSED;
/* Appends the JSON Kafka's <Name>JsonConverter.write(msg, version, true)
 * prints: same names, same value encodings (uuids in url-safe base64 without
 * padding, bytes in base64, records as "" or null, tagged fields only when not
 * default). Unknown tagged fields are not printed, as in Kafka. */
int kgw_msg_to_json(const kgw_message_desc_t *md, kgw_wbuf_t *w, int16_t version,
                    const void *msg) KGW_WARN_UNUSED;
/* Returns a message allocated in a whose every field present in version holds
 * a deterministic pseudo-random value derived from seed (nulls where nullable,
 * nested arrays, known and unknown tagged fields in flexible versions), or
 * NULL when memory runs out. For tests, fuzz corpora and benchmarks. */
void *kgw_msg_sample(const kgw_message_desc_t *md, kgw_arena_t *a, int16_t version, uint64_t seed);

/* Calls cb for every string (or element of a []string) annotated topicName,
 * groupId or transactionalId present in version of msg; cb may replace the
 * string (e.g. point it at arena memory). A non-zero cb result stops the walk
 * and is returned. */
typedef int (*kgw_entity_cb_t)(kgw_entity_kind_t kind, kgw_str_t *field, void *ctx);
int kgw_msg_visit_entities_desc(const kgw_message_desc_t *md, int16_t version, void *msg,
                                kgw_entity_cb_t cb, void *ctx);
/* Same, looking the schema up by API key and direction; -1 for an unknown key. */
int kgw_msg_visit_entities(int16_t api_key, int16_t version, bool is_response, void *msg,
                           kgw_entity_cb_t cb, void *ctx);

/* Returns the request (is_response false) or response schema of api_key, or
 * NULL for an unknown key. Defined in gen/kgw_api.c. */
const kgw_message_desc_t *kgw_message_desc(int16_t api_key, bool is_response);

/* ---- body entry points dispatching on the API key ------------------------ */

/* Decodes a whole body (every byte must be consumed) of api_key at version.
 * *out receives a message allocated in a (cast to the generated type, e.g.
 * kgw_metadata_response_t). Fails on an unknown key or unsupported version. */
int kgw_request_body_decode(kgw_arena_t *a, int16_t api_key, int16_t version, const uint8_t *body,
                            size_t len, void **out, kgw_codec_error_t *err) KGW_WARN_UNUSED;
int kgw_response_body_decode(kgw_arena_t *a, int16_t api_key, int16_t version, const uint8_t *body,
                             size_t len, void **out, kgw_codec_error_t *err) KGW_WARN_UNUSED;
/* Appends the body (no size, no header) to w. */
int kgw_request_body_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version, const void *msg,
                            kgw_codec_error_t *err) KGW_WARN_UNUSED;
int kgw_response_body_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version, const void *msg,
                             kgw_codec_error_t *err) KGW_WARN_UNUSED;
/* JSON of a body by API key and direction (see kgw_msg_to_json). */
int kgw_body_to_json(kgw_wbuf_t *w, int16_t api_key, int16_t version, bool is_response,
                     const void *msg, kgw_codec_error_t *err) KGW_WARN_UNUSED;

/* ---- whole frames (after the int32 size prefix) -------------------------- */

typedef struct {
    kgw_request_header_t header; /* api key, version, correlation id, client id */
    int header_version;          /* 0, 1 or 2 */
    void *body;                  /* the generated request type of header.api_key */
} kgw_request_t;

typedef struct {
    kgw_response_header_t header;
    int header_version; /* 0 or 1 */
    int16_t api_key;
    int16_t api_version;
    void *body; /* the generated response type of api_key */
} kgw_response_t;

/* Decodes a request frame given without its int32 size prefix. */
int kgw_request_decode(kgw_arena_t *a, const uint8_t *frame, size_t len, kgw_request_t *out,
                       kgw_codec_error_t *err) KGW_WARN_UNUSED;
/* Decodes a response frame (without size prefix) to a request of api_key at
 * version (responses do not carry them). */
int kgw_response_decode(kgw_arena_t *a, int16_t api_key, int16_t version, const uint8_t *frame,
                        size_t len, kgw_response_t *out, kgw_codec_error_t *err) KGW_WARN_UNUSED;
/* Appends int32 size + request header (version picked from the API table) +
 * body. h->api_key and h->api_version select the body schema. */
int kgw_request_encode(kgw_wbuf_t *w, const kgw_request_header_t *h, const void *body,
                       kgw_codec_error_t *err) KGW_WARN_UNUSED;
/* Appends int32 size + response header + body of api_key at version. */
int kgw_response_encode(kgw_wbuf_t *w, int16_t api_key, int16_t version,
                        const kgw_response_header_t *h, const void *body,
                        kgw_codec_error_t *err) KGW_WARN_UNUSED;

#endif
