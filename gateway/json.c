/* Strict JSON parser: recursive descent with a depth limit; see json.h. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    kgw_arena_t *arena;
    const char *p;
    const char *start;
    const char *end;
    char *err;
    size_t errlen;
} parser_t;

static int fail(parser_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(parser_t *ps, const char *fmt, ...)
{
    if (ps->err != NULL && ps->errlen > 0) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(ps->err, ps->errlen, "invalid JSON at byte %zu: %s", (size_t)(ps->p - ps->start),
                 msg);
    }
    return -1;
}

static void
skip_ws(parser_t *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* Length of the UTF-8 sequence at p (1..4) or 0 when it is malformed. */
static size_t
utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool
kgw_json_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static int
hex4(parser_t *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return fail(ps, "\\u escape needs 4 hex digits");
    }
    ps->p += 4;
    *out = v;
    return 0;
}

static size_t
put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string at ps->p (on the opening quote). The decoded form is never
 * longer than the source, so one allocation of the source length suffices. */
static int
parse_string(parser_t *ps, const char **out, size_t *out_len)
{
    ps->p++; /* opening quote */
    const char *q = ps->p;
    while (q < ps->end && *q != '"') {
        if (*q == '\\' && q + 1 < ps->end)
            q++;
        q++;
    }
    if (q >= ps->end)
        return fail(ps, "unterminated string");
    char *buf = kgw_arena_alloc(ps->arena, (size_t)(q - ps->p) + 1);
    if (buf == NULL)
        return fail(ps, "out of memory");
    size_t n = 0;
    while (*ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20)
            return fail(ps, "raw control character 0x%02x in string", c);
        if (c != '\\') {
            size_t k = utf8_seq((const uint8_t *)ps->p, (size_t)(ps->end - ps->p));
            if (k == 0)
                return fail(ps, "invalid UTF-8 in string");
            memcpy(buf + n, ps->p, k);
            n += k;
            ps->p += k;
            continue;
        }
        ps->p++;
        char e = *ps->p++;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            buf[n++] = e;
            break;
        case 'b':
            buf[n++] = '\b';
            break;
        case 'f':
            buf[n++] = '\f';
            break;
        case 'n':
            buf[n++] = '\n';
            break;
        case 'r':
            buf[n++] = '\r';
            break;
        case 't':
            buf[n++] = '\t';
            break;
        case 'u': {
            uint32_t cp;
            if (hex4(ps, &cp) != 0)
                return -1;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(ps, "lone low surrogate \\u%04X", (unsigned)cp);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
                    return fail(ps, "high surrogate \\u%04X without a low surrogate", (unsigned)cp);
                ps->p += 2;
                if (hex4(ps, &lo) != 0)
                    return -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(ps, "high surrogate followed by \\u%04X", (unsigned)lo);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            n += put_utf8(buf + n, cp);
            break;
        }
        default:
            ps->p--;
            return fail(ps, "unknown escape \\%c", e >= 0x20 && e < 0x7f ? e : '?');
        }
    }
    ps->p++; /* closing quote */
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

static int
parse_number(parser_t *ps, kgw_json_t *v)
{
    const char *s = ps->p;
    const char *q = s;
    bool integral = true;
    if (q < ps->end && *q == '-')
        q++;
    if (q >= ps->end || *q < '0' || *q > '9')
        return fail(ps, "number needs a digit");
    if (*q == '0') {
        q++;
        if (q < ps->end && *q >= '0' && *q <= '9')
            return fail(ps, "number with a leading zero");
    } else {
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && *q == '.') {
        integral = false;
        q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return fail(ps, "number needs a digit after '.'");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        integral = false;
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return fail(ps, "number needs a digit in its exponent");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    size_t n = (size_t)(q - s);
    char tmp[64];
    if (n >= sizeof(tmp))
        return fail(ps, "number longer than %zu characters", sizeof(tmp) - 1);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    v->type = KGW_JSON_NUMBER;
    errno = 0;
    v->number = strtod(tmp, NULL);
    if (!isfinite(v->number))
        return fail(ps, "number out of range");
    if (integral) {
        errno = 0;
        long long ll = strtoll(tmp, NULL, 10);
        if (errno == 0) {
            v->is_integer = true;
            v->integer = ll;
        }
    }
    ps->p = q;
    return 0;
}

static bool
literal(parser_t *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static int parse_value(parser_t *ps, kgw_json_t *v, int depth);

static int
parse_array(parser_t *ps, kgw_json_t *v, int depth)
{
    v->type = KGW_JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return 0;
    }
    kgw_json_t **tail = &v->child;
    for (;;) {
        kgw_json_t *item = kgw_arena_calloc(ps->arena, 1, sizeof(*item));
        if (item == NULL)
            return fail(ps, "out of memory");
        if (parse_value(ps, item, depth + 1) != 0)
            return -1;
        *tail = item;
        tail = &item->next;
        v->len++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return 0;
        }
        return fail(ps, "expected ',' or ']' in array");
    }
}

static int
parse_object(parser_t *ps, kgw_json_t *v, int depth)
{
    v->type = KGW_JSON_OBJECT;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return 0;
    }
    kgw_json_t **tail = &v->child;
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"')
            return fail(ps, "expected a string key in object");
        const char *key_at = ps->p;
        const char *key;
        size_t key_len;
        if (parse_string(ps, &key, &key_len) != 0)
            return -1;
        for (const kgw_json_t *m = v->child; m != NULL; m = m->next) {
            if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
                ps->p = key_at;
                return fail(ps, "duplicate key \"%.*s\"", (int)(key_len > 64 ? 64 : key_len), key);
            }
        }
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':')
            return fail(ps, "expected ':' after object key");
        ps->p++;
        kgw_json_t *item = kgw_arena_calloc(ps->arena, 1, sizeof(*item));
        if (item == NULL)
            return fail(ps, "out of memory");
        if (parse_value(ps, item, depth + 1) != 0)
            return -1;
        item->key = key;
        item->key_len = key_len;
        *tail = item;
        tail = &item->next;
        v->len++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return 0;
        }
        return fail(ps, "expected ',' or '}' in object");
    }
}

static int
parse_value(parser_t *ps, kgw_json_t *v, int depth)
{
    if (depth > KGW_JSON_MAX_DEPTH)
        return fail(ps, "nesting deeper than %d", KGW_JSON_MAX_DEPTH);
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of input, expected a value");
    switch (*ps->p) {
    case '{':
        return parse_object(ps, v, depth);
    case '[':
        return parse_array(ps, v, depth);
    case '"':
        v->type = KGW_JSON_STRING;
        return parse_string(ps, &v->str, &v->len);
    case 't':
    case 'f':
        v->type = KGW_JSON_BOOL;
        if (literal(ps, "true")) {
            v->boolean = true;
            return 0;
        }
        if (literal(ps, "false"))
            return 0;
        return fail(ps, "unknown literal");
    case 'n':
        v->type = KGW_JSON_NULL;
        if (literal(ps, "null"))
            return 0;
        return fail(ps, "unknown literal");
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps, v);
        return fail(ps, "unexpected character 0x%02x, expected a value",
                    (unsigned)(unsigned char)*ps->p);
    }
}

int
kgw_json_parse(kgw_arena_t *arena, const char *text, size_t len, kgw_json_t **out, char *err,
               size_t errlen)
{
    parser_t ps = {arena, text, text, text + len, err, errlen};
    if (arena == NULL || text == NULL || out == NULL)
        return fail(&ps, "no arena, text or output given");
    kgw_json_t *root = kgw_arena_calloc(arena, 1, sizeof(*root));
    if (root == NULL)
        return fail(&ps, "out of memory");
    if (parse_value(&ps, root, 0) != 0)
        return -1;
    skip_ws(&ps);
    if (ps.p != ps.end)
        return fail(&ps, "trailing data after the value");
    *out = root;
    return 0;
}

const kgw_json_t *
kgw_json_get(const kgw_json_t *obj, const char *key)
{
    if (obj == NULL || obj->type != KGW_JSON_OBJECT || key == NULL)
        return NULL;
    size_t n = strlen(key);
    for (const kgw_json_t *m = obj->child; m != NULL; m = m->next)
        if (m->key_len == n && memcmp(m->key, key, n) == 0)
            return m;
    return NULL;
}

const char *
kgw_json_get_string(const kgw_json_t *obj, const char *key)
{
    const kgw_json_t *v = kgw_json_get(obj, key);
    if (v == NULL || v->type != KGW_JSON_STRING || strlen(v->str) != v->len)
        return NULL;
    return v->str;
}

const char *
kgw_json_type_name(kgw_json_type_t type)
{
    switch (type) {
    case KGW_JSON_NULL:
        return "null";
    case KGW_JSON_BOOL:
        return "boolean";
    case KGW_JSON_NUMBER:
        return "number";
    case KGW_JSON_STRING:
        return "string";
    case KGW_JSON_ARRAY:
        return "array";
    case KGW_JSON_OBJECT:
        return "object";
    }
    return "unknown";
}
