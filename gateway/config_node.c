/*
 * The generic YAML tree and its typed accessors (see config_node.h).
 */
#include "config_node.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const kgw_config_node_t *
kgw_config_node_get(const kgw_config_node_t *map, const char *key)
{
    if (map == NULL || map->type != KGW_CONFIG_NODE_MAP || key == NULL)
        return NULL;
    for (size_t i = 0; i < map->n_children; i++)
        if (strcmp(map->children[i].key, key) == 0)
            return &map->children[i];
    return NULL;
}

const char *
kgw_config_node_type_name(const kgw_config_node_t *node)
{
    if (node == NULL)
        return "nothing";
    switch (node->type) {
    case KGW_CONFIG_NODE_NULL:
        return "an empty value";
    case KGW_CONFIG_NODE_SCALAR:
        return "a scalar";
    case KGW_CONFIG_NODE_MAP:
        return "a mapping";
    case KGW_CONFIG_NODE_SEQ:
        return "a list";
    }
    return "?";
}

/* "FILE:LINE: PATH: " then the formatted rest, into err. */
static void
node_err(const kgw_config_node_t *node, char *err, size_t errlen, const char *what)
{
    if (err == NULL || errlen == 0)
        return;
    if (node == NULL) {
        snprintf(err, errlen, "missing value: %s", what);
        return;
    }
    if (node->type == KGW_CONFIG_NODE_SCALAR)
        snprintf(err, errlen, "%s:%u: %s: %s, got \"%.64s%s\"", node->file, node->line, node->path,
                 what, node->value, strlen(node->value) > 64 ? "..." : "");
    else
        snprintf(err, errlen, "%s:%u: %s: %s, got %s", node->file, node->line, node->path, what,
                 kgw_config_node_type_name(node));
}

int
kgw_config_node_as_string(const kgw_config_node_t *node, const char **out, char *err, size_t errlen)
{
    if (node == NULL || node->type != KGW_CONFIG_NODE_SCALAR) {
        node_err(node, err, errlen, "expected a string");
        return -1;
    }
    *out = node->value;
    return 0;
}

int
kgw_config_node_as_int(const kgw_config_node_t *node, int64_t min, int64_t max, int64_t *out,
                       char *err, size_t errlen)
{
    char what[96];
    const char *s;
    char *end = NULL;
    long long v;

    snprintf(what, sizeof(what), "expected an integer in %" PRId64 "..%" PRId64, min, max);
    if (node == NULL || node->type != KGW_CONFIG_NODE_SCALAR) {
        node_err(node, err, errlen, what);
        return -1;
    }
    s = node->value;
    /* Plain decimal only: no leading space, no "0x", no trailing junk. */
    if (s[0] == '\0' || !(s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9'))) {
        node_err(node, err, errlen, what);
        return -1;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        node_err(node, err, errlen, what);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

int
kgw_config_node_as_bool(const kgw_config_node_t *node, bool *out, char *err, size_t errlen)
{
    if (node != NULL && node->type == KGW_CONFIG_NODE_SCALAR) {
        if (strcasecmp(node->value, "true") == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(node->value, "false") == 0) {
            *out = false;
            return 0;
        }
    }
    node_err(node, err, errlen, "expected true or false");
    return -1;
}

void
kgw_config_node_clear(kgw_config_node_t *node)
{
    if (node == NULL)
        return;
    for (size_t i = 0; i < node->n_children; i++)
        kgw_config_node_clear(&node->children[i]);
    free(node->children);
    free(node->key);
    free(node->value);
    free(node->path);
    memset(node, 0, sizeof(*node));
}

void
kgw_config_node_free(kgw_config_node_t *node)
{
    kgw_config_node_clear(node);
    free(node);
}
