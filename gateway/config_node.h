/*
 * kgw_config_node: a small generic YAML tree (map / sequence / scalar / null)
 * that outlives the YAML parser. The configuration loader builds the whole
 * file into this tree, then reads its typed model out of it; subtrees that
 * belong to someone else (a policy's `config:`) stay in this form so a plugin
 * loader can read them without any libyaml type leaking.
 *
 * Every node remembers the file, line, column and key path it came from, so
 * every error about it can say "FILE:LINE: PATH: what was wrong".
 *
 * Scalars have already had `${env:NAME}` substituted.
 * A tree is owned by whoever built it (normally a kgw_config_t); nodes are
 * never modified after loading, so readers on any thread may share it.
 */
#ifndef KGW_CONFIG_NODE_H
#define KGW_CONFIG_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kgw_config_node_type {
    KGW_CONFIG_NODE_NULL,   /* `key:` with no value, `~` or `null` (plain) */
    KGW_CONFIG_NODE_SCALAR, /* any other scalar, value is its text */
    KGW_CONFIG_NODE_MAP,    /* children are the entries, each with a key */
    KGW_CONFIG_NODE_SEQ,    /* children are the items, key is NULL */
} kgw_config_node_type_t;

typedef struct kgw_config_node kgw_config_node_t;

struct kgw_config_node {
    kgw_config_node_type_t type;
    char *key;        /* key of this entry when the parent is a map, else NULL */
    char *value;      /* scalar text (after env substitution); NULL otherwise */
    bool quoted;      /* the scalar was written in quotes ('x' or "x") */
    char *path;       /* key path from the root, e.g. "listeners[0].tls.key_file" */
    const char *file; /* file name as given to the loader (borrowed) */
    unsigned line;    /* 1-based; for a map entry, the line of its key */
    unsigned column;  /* 1-based; for a map entry, the column of its key */
    kgw_config_node_t *children;
    size_t n_children;
    /* `${env:...}` substitution failed in this scalar; the error is already
     * reported, so readers should treat the value as unusable, quietly. */
    bool failed;
};

/*
 * Returns the entry `key` of map `map`, or NULL when `map` is NULL, not a
 * map, or has no such key. Never fails otherwise.
 */
const kgw_config_node_t *kgw_config_node_get(const kgw_config_node_t *map, const char *key);

/* Returns a short English name of the node's type ("a mapping", "a list", ...). */
const char *kgw_config_node_type_name(const kgw_config_node_t *node);

/*
 * Typed reads. Each returns 0 and stores the value, or -1 and writes into
 * `err` (capacity `errlen`, always NUL-terminated when errlen > 0) a message
 * "FILE:LINE: PATH: expected ..., got ..." naming the bad value. `node` may be
 * NULL only for as_string/as_int/as_bool of an absent key: they fail with
 * "missing value". `*out` is untouched on failure.
 *
 * as_string: a scalar; `*out` borrows the node's text (lifetime of the tree).
 * as_int:    a decimal integer in [min, max].
 * as_bool:   true or false (case-insensitive).
 */
__attribute__((warn_unused_result)) int kgw_config_node_as_string(const kgw_config_node_t *node,
                                                                  const char **out, char *err,
                                                                  size_t errlen);
__attribute__((warn_unused_result)) int kgw_config_node_as_int(const kgw_config_node_t *node,
                                                               int64_t min, int64_t max,
                                                               int64_t *out, char *err,
                                                               size_t errlen);
__attribute__((warn_unused_result)) int
kgw_config_node_as_bool(const kgw_config_node_t *node, bool *out, char *err, size_t errlen);

/* Frees a node's contents and its children (not the node struct itself). NULL is a no-op. */
void kgw_config_node_clear(kgw_config_node_t *node);

/* Frees a heap-allocated node with its contents. NULL is a no-op. */
void kgw_config_node_free(kgw_config_node_t *node);

#endif
