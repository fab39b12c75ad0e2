/*
 * The list of problems found while loading a configuration. Every message
 * starts with "FILE:LINE:" so editors and CI logs can jump to it.
 */
#include "config_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
kgw_config_errors_init(kgw_config_errors_t *errs)
{
    memset(errs, 0, sizeof(*errs));
}

void
kgw_config_errors_free(kgw_config_errors_t *errs)
{
    if (errs == NULL)
        return;
    for (size_t i = 0; i < errs->count; i++) {
        free(errs->items[i].path);
        free(errs->items[i].text);
    }
    free(errs->items);
    memset(errs, 0, sizeof(*errs));
}

void
kgw_config_errors_print(const kgw_config_errors_t *errs, FILE *out)
{
    for (size_t i = 0; i < errs->count; i++)
        fprintf(out, "%s\n", errs->items[i].text);
    if (errs->out_of_memory)
        fprintf(out, "(out of memory: some errors were not recorded)\n");
}

static void
error_add_v(kgw_config_errors_t *errs, const char *file, unsigned line, unsigned column,
            const char *path, const char *fmt, va_list ap)
{
    char *msg = NULL;
    char *text = NULL;
    char *path_copy = NULL;
    int n;

    if (errs == NULL)
        return;
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
        goto oom;
    }
    if (line == 0)
        n = asprintf(&text, "%s: %s", file, msg);
    else if (path != NULL && path[0] != '\0')
        n = asprintf(&text, "%s:%u: %s: %s", file, line, path, msg);
    else if (column != 0)
        n = asprintf(&text, "%s:%u:%u: %s", file, line, column, msg);
    else
        n = asprintf(&text, "%s:%u: %s", file, line, msg);
    if (n < 0) {
        text = NULL;
        goto oom;
    }
    path_copy = strdup(path != NULL ? path : "");
    if (path_copy == NULL)
        goto oom;
    if (errs->count == errs->cap) {
        size_t cap = errs->cap == 0 ? 8 : errs->cap * 2;
        kgw_config_error_t *items = realloc(errs->items, cap * sizeof(*items));
        if (items == NULL)
            goto oom;
        errs->items = items;
        errs->cap = cap;
    }
    errs->items[errs->count++] =
        (kgw_config_error_t){.line = line, .column = column, .path = path_copy, .text = text};
    free(msg);
    return;
oom:
    errs->out_of_memory = true;
    free(msg);
    free(text);
    free(path_copy);
}

void
kgw__config_error(kgw_config_errors_t *errs, const char *file, unsigned line, unsigned column,
                  const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_add_v(errs, file, line, column, path, fmt, ap);
    va_end(ap);
}

void
kgw__config_node_error(kgw_config_errors_t *errs, const kgw_config_node_t *node, const char *fmt,
                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_add_v(errs, node->file, node->line, 0, node->path, fmt, ap);
    va_end(ap);
}
