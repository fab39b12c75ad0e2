/*
 * YAML file -> kgw_config_node_t tree, with `${env:NAME}` substitution in
 * every scalar value. The only file of the gateway that sees libyaml types.
 */
#include "config_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

typedef struct yaml_ctx {
    yaml_document_t *doc;
    const char *file;
    kgw_config_errors_t *errs;
    size_t n_nodes;
    bool failed; /* an error was reported but the tree is still usable */
    bool fatal;  /* out of memory or a limit was hit: give up */
    bool limit_hit;
} yaml_ctx_t;

static bool
is_env_name_char(char c, bool first)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
        return true;
    return !first && c >= '0' && c <= '9';
}

/*
 * Substitutes every `${env:NAME}` of `in` into a new string *out. An unset
 * variable or a malformed reference is reported against `node` (its value
 * is never printed: it may be a secret) and the reference is replaced by "".
 * Returns 0, or -1 when out of memory.
 */
static int
substitute_env(yaml_ctx_t *ctx, kgw_config_node_t *node, const char *in, char **out)
{
    static const char marker[] = "${env:";
    size_t cap = strlen(in) + 1, len = 0;
    char *buf = malloc(cap);
    const char *p = in;

    if (buf == NULL)
        return -1;
    while (*p != '\0') {
        const char *start = strstr(p, marker);
        const char *name, *end, *value;
        size_t chunk, need;

        if (start == NULL)
            start = p + strlen(p);
        chunk = (size_t)(start - p);
        if (len + chunk + 1 > cap) {
            char *nb = realloc(buf, cap = len + chunk + 1);
            if (nb == NULL)
                goto oom;
            buf = nb;
        }
        memcpy(buf + len, p, chunk);
        len += chunk;
        if (*start == '\0')
            break;
        name = start + sizeof(marker) - 1;
        end = strchr(name, '}');
        if (end == NULL) {
            kgw__config_node_error(ctx->errs, node,
                                   "unterminated '${env:' reference (expected ${env:NAME})");
            ctx->failed = true;
            node->failed = true;
            break;
        }
        bool valid = end > name;
        for (const char *q = name; q < end && valid; q++)
            valid = is_env_name_char(*q, q == name);
        if (!valid) {
            kgw__config_node_error(ctx->errs, node,
                                   "invalid environment variable name '%.*s' in ${env:...} "
                                   "(expected letters, digits and '_', not starting with a digit)",
                                   (int)(end - name), name);
            ctx->failed = true;
            node->failed = true;
            p = end + 1;
            continue;
        }
        char *var = strndup(name, (size_t)(end - name));
        if (var == NULL)
            goto oom;
        value = getenv(var);
        if (value == NULL) {
            kgw__config_node_error(ctx->errs, node, "environment variable '%s' is not set", var);
            ctx->failed = true;
            node->failed = true;
            value = "";
        }
        free(var);
        need = strlen(value);
        if (len + need + 1 > cap) {
            char *nb = realloc(buf, cap = len + need + 1 + strlen(end + 1));
            if (nb == NULL)
                goto oom;
            buf = nb;
        }
        memcpy(buf + len, value, need);
        len += need;
        p = end + 1;
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
oom:
    free(buf);
    return -1;
}

static char *
child_path(const char *parent, const char *key, size_t index)
{
    char *s = NULL;
    int n;
    if (key == NULL)
        n = asprintf(&s, "%s[%zu]", parent, index);
    else if (parent[0] == '\0')
        n = asprintf(&s, "%s", key);
    else
        n = asprintf(&s, "%s.%s", parent, key);
    return n < 0 ? NULL : s;
}

static bool
is_plain_null(const yaml_node_t *yn)
{
    const char *v = (const char *)yn->data.scalar.value;
    if (yn->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* Fills `out` (already holding key and path) from YAML node `yn`. */
static void
convert(yaml_ctx_t *ctx, yaml_node_t *yn, kgw_config_node_t *out, unsigned depth)
{
    out->file = ctx->file;
    out->line = (unsigned)yn->start_mark.line + 1;
    out->column = (unsigned)yn->start_mark.column + 1;
    if (++ctx->n_nodes > KGW_CONFIG_MAX_NODES || depth > KGW_CONFIG_MAX_DEPTH) {
        if (!ctx->limit_hit)
            kgw__config_error(ctx->errs, ctx->file, out->line, out->column, NULL,
                              "document too large or too deeply nested (limits: %d nodes, "
                              "depth %d; check for recursive aliases)",
                              KGW_CONFIG_MAX_NODES, KGW_CONFIG_MAX_DEPTH);
        ctx->limit_hit = true;
        ctx->fatal = true;
        return;
    }
    switch (yn->type) {
    case YAML_SCALAR_NODE:
        if (strlen((const char *)yn->data.scalar.value) != yn->data.scalar.length) {
            kgw__config_node_error(ctx->errs, out, "value contains a NUL character");
            ctx->failed = true;
            out->type = KGW_CONFIG_NODE_NULL;
            return;
        }
        if (is_plain_null(yn)) {
            out->type = KGW_CONFIG_NODE_NULL;
            return;
        }
        out->type = KGW_CONFIG_NODE_SCALAR;
        out->quoted = yn->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                      yn->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        if (substitute_env(ctx, out, (const char *)yn->data.scalar.value, &out->value) != 0)
            ctx->fatal = true;
        return;
    case YAML_SEQUENCE_NODE: {
        size_t n = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
        out->type = KGW_CONFIG_NODE_SEQ;
        if (n == 0)
            return;
        out->children = calloc(n, sizeof(*out->children));
        if (out->children == NULL) {
            ctx->fatal = true;
            return;
        }
        for (size_t i = 0; i < n && !ctx->fatal; i++) {
            yaml_node_t *item = yaml_document_get_node(ctx->doc, yn->data.sequence.items.start[i]);
            kgw_config_node_t *c = &out->children[out->n_children++];
            c->path = child_path(out->path, NULL, i);
            if (c->path == NULL || item == NULL) {
                ctx->fatal = true;
                return;
            }
            convert(ctx, item, c, depth + 1);
        }
        return;
    }
    case YAML_MAPPING_NODE: {
        size_t n = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
        out->type = KGW_CONFIG_NODE_MAP;
        if (n == 0)
            return;
        out->children = calloc(n, sizeof(*out->children));
        if (out->children == NULL) {
            ctx->fatal = true;
            return;
        }
        for (size_t i = 0; i < n && !ctx->fatal; i++) {
            yaml_node_pair_t *pair = &yn->data.mapping.pairs.start[i];
            yaml_node_t *k = yaml_document_get_node(ctx->doc, pair->key);
            yaml_node_t *v = yaml_document_get_node(ctx->doc, pair->value);
            if (k == NULL || v == NULL) {
                ctx->fatal = true;
                return;
            }
            if (k->type != YAML_SCALAR_NODE) {
                kgw__config_error(ctx->errs, ctx->file, (unsigned)k->start_mark.line + 1, 0,
                                  out->path[0] ? out->path : "(top level)",
                                  "keys must be plain strings, got a %s",
                                  k->type == YAML_MAPPING_NODE ? "mapping" : "list");
                ctx->failed = true;
                continue;
            }
            const char *key = (const char *)k->data.scalar.value;
            const kgw_config_node_t *dup = kgw_config_node_get(out, key);
            if (dup != NULL) {
                kgw__config_error(ctx->errs, ctx->file, (unsigned)k->start_mark.line + 1, 0,
                                  dup->path, "duplicate key '%s' (first given at line %u)", key,
                                  dup->line);
                ctx->failed = true;
                continue;
            }
            kgw_config_node_t *c = &out->children[out->n_children++];
            c->key = strdup(key);
            c->path = c->key ? child_path(out->path, key, 0) : NULL;
            if (c->path == NULL) {
                ctx->fatal = true;
                return;
            }
            convert(ctx, v, c, depth + 1);
            /* A value is reported at its key's line, where the user looks (a block
             * mapping or list value starts on the next line). */
            c->line = (unsigned)k->start_mark.line + 1;
            c->column = (unsigned)k->start_mark.column + 1;
        }
        return;
    }
    case YAML_NO_NODE:
        out->type = KGW_CONFIG_NODE_NULL;
        return;
    }
}

static void
report_parser_error(const yaml_parser_t *parser, const char *file, kgw_config_errors_t *errs)
{
    const char *problem = parser->problem ? parser->problem : "unknown YAML error";
    switch (parser->error) {
    case YAML_MEMORY_ERROR:
        kgw__config_error(errs, file, 0, 0, NULL, "out of memory while parsing YAML");
        return;
    case YAML_READER_ERROR:
        kgw__config_error(errs, file, 0, 0, NULL, "YAML syntax error: %s at byte offset %zu",
                          problem, parser->problem_offset);
        return;
    default:
        if (parser->context != NULL)
            kgw__config_error(errs, file, (unsigned)parser->problem_mark.line + 1,
                              (unsigned)parser->problem_mark.column + 1, NULL,
                              "YAML syntax error: %s (%s at line %zu)", problem, parser->context,
                              parser->context_mark.line + 1);
        else
            kgw__config_error(errs, file, (unsigned)parser->problem_mark.line + 1,
                              (unsigned)parser->problem_mark.column + 1, NULL,
                              "YAML syntax error: %s", problem);
        return;
    }
}

int
kgw__config_yaml_load(const char *path, const char *file_label, kgw_config_node_t **root,
                      kgw_config_errors_t *errs)
{
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    yaml_ctx_t ctx = {.doc = &doc, .file = file_label, .errs = errs};
    kgw_config_node_t *tree = NULL;
    struct stat st;
    FILE *f;
    int rc = -1;

    *root = NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        kgw__config_error(errs, file_label, 0, 0, NULL, "cannot open configuration file: %s",
                          strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        kgw__config_error(errs, file_label, 0, 0, NULL,
                          "cannot read configuration file: not a regular file");
        fclose(f);
        return -1;
    }
    if (!yaml_parser_initialize(&parser)) {
        kgw__config_error(errs, file_label, 0, 0, NULL, "out of memory initialising libyaml");
        fclose(f);
        return -1;
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        report_parser_error(&parser, file_label, errs);
        goto out_parser;
    }
    tree = calloc(1, sizeof(*tree));
    if (tree == NULL || (tree->path = strdup("")) == NULL) {
        kgw__config_error(errs, file_label, 0, 0, NULL, "out of memory");
        goto out_doc;
    }
    yaml_node_t *top = yaml_document_get_root_node(&doc);
    if (top == NULL) {
        tree->type = KGW_CONFIG_NODE_NULL;
        tree->file = file_label;
        tree->line = 1;
    } else {
        convert(&ctx, top, tree, 0);
    }
    if (ctx.fatal) {
        if (!ctx.limit_hit)
            kgw__config_error(errs, file_label, 0, 0, NULL, "out of memory while reading the file");
        goto out_doc;
    }
    /* A second document would be silently ignored: refuse it. */
    if (!yaml_parser_load(&parser, &extra)) {
        report_parser_error(&parser, file_label, errs);
        goto out_doc;
    }
    if (yaml_document_get_root_node(&extra) != NULL) {
        kgw__config_error(errs, file_label, (unsigned)extra.start_mark.line + 1, 0, NULL,
                          "more than one YAML document (expected exactly one)");
        yaml_document_delete(&extra);
        goto out_doc;
    }
    yaml_document_delete(&extra);
    *root = tree;
    tree = NULL;
    rc = ctx.failed ? -1 : 0;
out_doc:
    yaml_document_delete(&doc);
out_parser:
    kgw_config_node_free(tree);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
