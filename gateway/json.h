/*
 * kgw_json: a small, strict JSON (RFC 8259) parser into a read-only tree
 * allocated from a kgw_arena. It exists for JWT headers and claims and for
 * JWKS files (OAUTHBEARER), which are small documents from untrusted peers.
 *
 * Why our own parser: none of kgw's dependencies parses JSON. OpenSSL,
 * libevent, zlib, lz4, zstd and snappy have no JSON reader, and libyaml reads
 * YAML 1.1, which is not a strict superset of JSON for our purpose: it accepts
 * documents JSON rejects (unquoted scalars, comments, tags, anchors, single
 * quotes), resolves scalars by YAML rules and does not reject duplicate keys.
 * A validator of security tokens must reject exactly what JSON rejects, so a
 * lenient parser is the wrong tool. Debian ships JSON libraries (json-c,
 * cJSON, jansson) but adding a dependency for ~500 lines was not worth it.
 *
 * Strictness: one value with optional surrounding whitespace (space, tab, CR,
 * LF) and nothing after it; no comments, no trailing commas, no leading zeros,
 * no NaN/Infinity; strings must be valid UTF-8 with no raw control characters;
 * \u escapes must pair surrogates correctly; duplicate object keys are
 * rejected (a JWT with two "exp" claims is ambiguous, so it is refused);
 * nesting is limited to KGW_JSON_MAX_DEPTH.
 *
 * Numbers: integers that fit int64 are exact (is_integer/integer); all
 * numbers also get a double through strtod, which assumes the "C" numeric
 * locale (kgw never calls setlocale).
 */
#ifndef KGW_JSON_H
#define KGW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define KGW_JSON_MAX_DEPTH 64

typedef enum kgw_json_type {
    KGW_JSON_NULL = 0,
    KGW_JSON_BOOL,
    KGW_JSON_NUMBER,
    KGW_JSON_STRING,
    KGW_JSON_ARRAY,
    KGW_JSON_OBJECT,
} kgw_json_type_t;

typedef struct kgw_json kgw_json_t;

/* A node. Strings are NUL-terminated copies in the arena; `len` is their
 * length (a string may contain "\u0000", so use len, not strlen, when it
 * matters). Arrays and objects chain their children through `next`; object
 * members carry their key in key/key_len. */
struct kgw_json {
    kgw_json_type_t type;
    bool boolean;    /* KGW_JSON_BOOL */
    double number;   /* KGW_JSON_NUMBER */
    bool is_integer; /* number written without fraction/exponent, fits int64 */
    int64_t integer; /* valid when is_integer */
    const char *str; /* KGW_JSON_STRING */
    size_t len;      /* KGW_JSON_STRING: bytes; ARRAY/OBJECT: children */
    const char *key; /* set on object members */
    size_t key_len;
    kgw_json_t *child; /* first child of an array or object */
    kgw_json_t *next;  /* next sibling */
};

/* Parses text[0..len) into a tree allocated from arena. Returns 0 and sets
 * *out, or -1 with a message naming the byte offset and what was expected in
 * err (the message never quotes the document, which may hold a token). */
int kgw_json_parse(kgw_arena_t *arena, const char *text, size_t len, kgw_json_t **out, char *err,
                   size_t errlen) __attribute__((warn_unused_result));

/* Returns the member `key` of an object, or NULL when obj is not an object or
 * has no such member. */
const kgw_json_t *kgw_json_get(const kgw_json_t *obj, const char *key);

/* Returns the member's string when it exists and is a string without NUL
 * bytes, else NULL. */
const char *kgw_json_get_string(const kgw_json_t *obj, const char *key);

/* Returns the name of a type ("string", "object", ...) for error messages. */
const char *kgw_json_type_name(kgw_json_type_t type);

/* True when p[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code point above U+10FFFF). Shared by the SASL parsers. */
bool kgw_json_utf8_valid(const uint8_t *p, size_t n);

#endif
