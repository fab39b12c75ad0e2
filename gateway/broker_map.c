/*
 * kgw_broker_map: broker id <-> gateway port arithmetic for port mapping.
 */
#include "broker_map.h"

#include <stdlib.h>
#include <string.h>

kgw_broker_map_t *
kgw_broker_map_new(const uint16_t *ports, size_t n_ports, bool bootstrap_at_start,
                   const char *advertised_host, int32_t min_broker_id)
{
    kgw_broker_map_t *map = calloc(1, sizeof(*map));
    if (map == NULL)
        return NULL;
    map->advertised_host = strdup(advertised_host);
    map->broker_ports = calloc(n_ports > 0 ? n_ports : 1, sizeof(uint16_t));
    if (map->advertised_host == NULL || map->broker_ports == NULL) {
        kgw_broker_map_free(map);
        return NULL;
    }
    map->min_broker_id = min_broker_id;
    size_t first = 0;
    if (bootstrap_at_start && n_ports > 0) {
        map->bootstrap_port = ports[0];
        first = 1;
    }
    for (size_t i = first; i < n_ports; i++) {
        if (ports[i] == map->bootstrap_port && map->bootstrap_port != 0)
            continue;
        map->broker_ports[map->n_broker_ports++] = ports[i];
    }
    map->first_broker_port = map->n_broker_ports > 0 ? map->broker_ports[0] : 0;
    return map;
}

void
kgw_broker_map_free(kgw_broker_map_t *map)
{
    if (map == NULL)
        return;
    free(map->advertised_host);
    free(map->broker_ports);
    free(map);
}

static bool
kgw__broker_map_has_port(const kgw_broker_map_t *map, uint16_t port)
{
    for (size_t i = 0; i < map->n_broker_ports; i++) {
        if (map->broker_ports[i] == port)
            return true;
    }
    return false;
}

bool
kgw_broker_map_port_for(const kgw_broker_map_t *map, int32_t id, uint16_t *port)
{
    if (map->first_broker_port == 0 || id < map->min_broker_id)
        return false;
    int64_t p = (int64_t)map->first_broker_port + ((int64_t)id - map->min_broker_id);
    if (p < 1 || p > 65535 || !kgw__broker_map_has_port(map, (uint16_t)p))
        return false;
    *port = (uint16_t)p;
    return true;
}

kgw_port_role_t
kgw_broker_map_role_of(const kgw_broker_map_t *map, uint16_t port, int32_t *id)
{
    if (map->bootstrap_port != 0 && port == map->bootstrap_port)
        return KGW_PORT_BOOTSTRAP;
    if (map->first_broker_port == 0 || !kgw__broker_map_has_port(map, port))
        return KGW_PORT_UNMAPPED;
    int64_t v = (int64_t)map->min_broker_id + ((int64_t)port - map->first_broker_port);
    if (v < 0 || v > INT32_MAX)
        return KGW_PORT_UNMAPPED;
    *id = (int32_t)v;
    return KGW_PORT_BROKER;
}
