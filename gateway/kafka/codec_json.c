/*
 * JSON output of decoded messages in the shape of Kafka's generated
 * <Name>JsonConverter.write(data, version, true): field names are the schema
 * names with a lower-case first letter, only fields present in the version,
 * tagged fields only when they differ from their default, int64 as numbers,
 * bytes as base64, uuids as url-safe base64 without padding (Uuid.toString),
 * records as "" (an empty binary node) or null. Unknown tagged fields are not
 * printed (Kafka does not print them either).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "codec_internal.h"

static int json_struct(kgw_wbuf_t *w, const kgw_struct_desc_t *sd, int16_t version, bool flexible,
                       const void *obj);

static int
put_str(kgw_wbuf_t *w, const char *s)
{
    return kgw_wbuf_append(w, s, strlen(s));
}

/*
 * Length of the UTF-8 sequence at p (n > 0 bytes available). Returns the
 * sequence length when valid; otherwise stores in *bad the length of the
 * maximal ill-formed subpart (one U+FFFD each, as Java's UTF-8 decoder
 * does, including its one U+FFFD for a whole encoded surrogate) and returns 0.
 */
static size_t
utf8_seq(const uint8_t *p, size_t n, size_t *bad)
{
    uint8_t c = p[0];
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) {
            lo = 0xa0;
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) {
            lo = 0x90;
        } else if (c == 0xf4) {
            hi = 0x8f;
        }
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        uint8_t min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xbf;
        if (i >= n || p[i] < min || p[i] > max) {
            *bad = i;
            return 0;
        }
    }
    if (c == 0xed && p[1] >= 0xa0) {
        /* An encoded surrogate: Java replaces the three bytes by one U+FFFD. */
        *bad = 3;
        return 0;
    }
    return len;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD as Java's decoder does. */
static int
json_string(kgw_wbuf_t *w, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    if (kgw_wbuf_append(w, "\"", 1) != 0) {
        return -1;
    }
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        int rc;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = kgw_wbuf_append(w, esc, 2);
            i++;
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            rc = kgw_wbuf_append(w, esc, 6);
            i++;
        } else if (c < 0x80) {
            rc = kgw_wbuf_append(w, &p[i], 1);
            i++;
        } else {
            size_t bad = 1;
            size_t len = utf8_seq(p + i, n - i, &bad);
            if (len == 0) {
                rc = kgw_wbuf_append(w, "\xef\xbf\xbd", 3);
                i += bad;
            } else {
                rc = kgw_wbuf_append(w, &p[i], len);
                i += len;
            }
        }
        if (rc != 0) {
            return -1;
        }
    }
    return kgw_wbuf_append(w, "\"", 1);
}

static int
base64(kgw_wbuf_t *w, const uint8_t *p, size_t n, bool url)
{
    static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char urls[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *tab = url ? urls : std;
    if (kgw_wbuf_reserve(w, (n + 2) / 3 * 4 + 2) != 0) {
        return -1;
    }
    char *o = (char *)w->buf + w->len;
    size_t k = 0;
    *o++ = '"';
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t rem = n - i;
        if (rem > 1) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (rem > 2) {
            v |= p[i + 2];
        }
        o[k++] = tab[(v >> 18) & 63];
        o[k++] = tab[(v >> 12) & 63];
        if (rem > 1) {
            o[k++] = tab[(v >> 6) & 63];
        } else if (!url) {
            o[k++] = '=';
        }
        if (rem > 2) {
            o[k++] = tab[v & 63];
        } else if (!url) {
            o[k++] = '=';
        }
    }
    o[k++] = '"';
    w->len += k + 1;
    return 0;
}

static int
json_value(kgw_wbuf_t *w, const kgw_field_desc_t *f, int16_t version, bool flexible,
           const void *src)
{
    char num[40];
    switch ((kgw_field_type_t)f->type) {
    case KGW_FT_BOOL:
        return put_str(w, *(const bool *)src ? "true" : "false");
    case KGW_FT_INT8:
        snprintf(num, sizeof(num), "%d", *(const int8_t *)src);
        return put_str(w, num);
    case KGW_FT_INT16:
        snprintf(num, sizeof(num), "%d", *(const int16_t *)src);
        return put_str(w, num);
    case KGW_FT_UINT16:
        snprintf(num, sizeof(num), "%u", *(const uint16_t *)src);
        return put_str(w, num);
    case KGW_FT_INT32:
        snprintf(num, sizeof(num), "%" PRId32, *(const int32_t *)src);
        return put_str(w, num);
    case KGW_FT_UINT32:
        snprintf(num, sizeof(num), "%" PRIu32, *(const uint32_t *)src);
        return put_str(w, num);
    case KGW_FT_INT64:
        snprintf(num, sizeof(num), "%" PRId64, *(const int64_t *)src);
        return put_str(w, num);
    case KGW_FT_FLOAT64: {
        double d = *(const double *)src;
        if (d != d) {
            return put_str(w, "\"NaN\"");
        }
        if (d > 1.7976931348623157e308) {
            return put_str(w, "\"Infinity\"");
        }
        if (d < -1.7976931348623157e308) {
            return put_str(w, "\"-Infinity\"");
        }
        /* Keep a fraction or exponent so the number reads back as a double,
         * as Jackson's DoubleNode prints it ("5.0", not "5"). */
        snprintf(num, sizeof(num), "%.17g", d);
        if (strpbrk(num, ".e") == NULL) {
            strcat(num, ".0");
        }
        return put_str(w, num);
    }
    case KGW_FT_STRING: {
        const kgw_str_t *s = src;
        if (s->len < 0) {
            return put_str(w, "null");
        }
        return json_string(w, s->ptr, (size_t)s->len);
    }
    case KGW_FT_BYTES: {
        const kgw_bytes_t *b = src;
        if (b->len < 0) {
            return put_str(w, "null");
        }
        return base64(w, b->ptr, (size_t)b->len, false);
    }
    case KGW_FT_RECORDS: {
        /* Kafka prints records as an empty binary node when serializing them. */
        const kgw_bytes_t *b = src;
        return put_str(w, b->len < 0 ? "null" : "\"\"");
    }
    case KGW_FT_UUID:
        return base64(w, ((const kgw_uuid_t *)src)->b, 16, true);
    case KGW_FT_STRUCT:
        return json_struct(w, f->sub, version, flexible, src);
    }
    return -1;
}

static int
json_field(kgw_wbuf_t *w, const kgw_field_desc_t *f, int16_t version, bool flexible,
           const void *obj)
{
    const void *m = kgw__cmember(obj, f);
    switch ((kgw_field_layout_t)f->layout) {
    case KGW_FL_VALUE:
        return json_value(w, f, version, flexible, m);
    case KGW_FL_POINTER: {
        const void *sub = kgw__pointer_get(m);
        if (sub == NULL) {
            return put_str(w, "null");
        }
        return json_struct(w, f->sub, version, flexible, sub);
    }
    case KGW_FL_ARRAY: {
        int32_t n = kgw__array_count(m);
        const char *items = kgw__array_items(m);
        if (n < 0) {
            return put_str(w, "null");
        }
        if (kgw_wbuf_append(w, "[", 1) != 0) {
            return -1;
        }
        size_t es = kgw__elem_size(f);
        for (int32_t i = 0; i < n; i++) {
            if ((i > 0 && kgw_wbuf_append(w, ",", 1) != 0) ||
                json_value(w, f, version, flexible, items + (size_t)i * es) != 0) {
                return -1;
            }
        }
        return kgw_wbuf_append(w, "]", 1);
    }
    }
    return -1;
}

static int
json_struct(kgw_wbuf_t *w, const kgw_struct_desc_t *sd, int16_t version, bool flexible,
            const void *obj)
{
    if (kgw_wbuf_append(w, "{", 1) != 0) {
        return -1;
    }
    bool first = true;
    for (uint16_t i = 0; i < sd->nfields; i++) {
        const kgw_field_desc_t *f = &sd->fields[i];
        if (!kgw__present(f, version)) {
            continue;
        }
        if (f->tag >= 0 && kgw__in(version, f->tagged_min, f->tagged_max) &&
            kgw__field_is_default(f, obj)) {
            continue;
        }
        if ((!first && kgw_wbuf_append(w, ",", 1) != 0) ||
            json_string(w, f->json_name, strlen(f->json_name)) != 0 ||
            kgw_wbuf_append(w, ":", 1) != 0 || json_field(w, f, version, flexible, obj) != 0) {
            return -1;
        }
        first = false;
    }
    return kgw_wbuf_append(w, "}", 1);
}

int
kgw_msg_to_json(const kgw_message_desc_t *md, kgw_wbuf_t *w, int16_t version, const void *msg)
{
    if (version < md->min_version || version > md->max_version) {
        w->failed = true;
        kgw_codec_error_set(w->err, w->len, "%s v%d: unsupported version (valid %d-%d)", md->name,
                            version, md->min_version, md->max_version);
        return -1;
    }
    if (json_struct(w, md->root, version, kgw__msg_flexible(md, version), msg) != 0) {
        w->failed = true;
        return -1;
    }
    return 0;
}
