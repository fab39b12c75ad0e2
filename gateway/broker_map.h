/*
 * kgw_broker_map: the port_mapping rule of one listener, i.e. the two-way
 * map between backend broker ids and the gateway addresses clients see.
 *
 *   bootstrap_port: at_start -> ports[0] is the bootstrap port and the
 *                               broker ports start at ports[1];
 *   bootstrap_port: none     -> the broker ports start at ports[0].
 *   broker id  <->  first_broker_port + (id - min_broker_id)
 *
 * A broker whose computed port is not one of the listener's broker ports has
 * no gateway address: callers log and count it and never show the backend
 * address instead. Immutable after creation, so any thread may read it.
 */
#ifndef KGW_BROKER_MAP_H
#define KGW_BROKER_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kgw_broker_map {
    char *advertised_host;      /* what clients see as host */
    uint16_t bootstrap_port;    /* 0: no bootstrap port */
    uint16_t first_broker_port; /* 0: no broker ports at all */
    int32_t min_broker_id;
    uint16_t *broker_ports; /* the listener's ports minus the bootstrap port */
    size_t n_broker_ports;
} kgw_broker_map_t;

/* What a listener port stands for. */
typedef enum kgw_port_role {
    KGW_PORT_UNMAPPED = 0, /* not a port of this map */
    KGW_PORT_BOOTSTRAP,
    KGW_PORT_BROKER,
} kgw_port_role_t;

/*
 * Builds a map from a listener's ports (as given, in order, n_ports >= 1),
 * whether ports[0] is the bootstrap port, the advertised host (copied) and
 * min_broker_id (>= 0). Returns NULL when out of memory.
 */
kgw_broker_map_t *kgw_broker_map_new(const uint16_t *ports, size_t n_ports, bool bootstrap_at_start,
                                     const char *advertised_host, int32_t min_broker_id)
    __attribute__((warn_unused_result));

/* Frees the map; NULL is a no-op. */
void kgw_broker_map_free(kgw_broker_map_t *map);

/*
 * The gateway port serving broker `id`. Returns true and sets *port, or
 * false when the broker has no port (id below min_broker_id, or the computed
 * port is not one of the listener's broker ports).
 */
bool kgw_broker_map_port_for(const kgw_broker_map_t *map, int32_t id, uint16_t *port);

/* What `port` is: the bootstrap port, a broker port (*id set), or neither. */
kgw_port_role_t kgw_broker_map_role_of(const kgw_broker_map_t *map, uint16_t port, int32_t *id);

#endif
