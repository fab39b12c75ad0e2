/*
 * The YAML spelling of every configuration enum: the loader matches values
 * against these tables, and the name functions turn values back into text
 * for logs, metrics labels and the configuration dump.
 */
#include "config_internal.h"

const char *const kgw__config_log_levels[] = {"error", "warn", "info", "debug", NULL};
const char *const kgw__config_log_formats[] = {"text", "json", NULL};
const char *const kgw__config_backend_auth_types[] = {"anonymous", "sasl_plain", "sasl_scram",
                                                      NULL};
const char *const kgw__config_scram_algorithms[] = {"sha256", "sha512", NULL};
const char *const kgw__config_client_auth_types[] = {
    "anonymous", "sasl_plain", "sasl_scram", "oauth_bearer", "client_certificate", NULL};
const char *const kgw__config_mediations[] = {"terminate", "passthrough", "validate_forward", NULL};
const char *const kgw__config_principal_from[] = {"cn", "dn", NULL};
const char *const kgw__config_acl_modes[] = {"passthrough", "enforce_on_gateway", NULL};
const char *const kgw__config_namespace_modes[] = {"hide_prefix", "enforce_prefix", NULL};
const char *const kgw__config_tls_versions[] = {"tls12", "tls13", NULL};
const char *const kgw__config_client_cert_modes[] = {"required", "requested", NULL};
const char *const kgw__config_forward_types[] = {"port_mapping", "sni", NULL};
const char *const kgw__config_bootstrap_ports[] = {"at_start", "none", NULL};
const char *const kgw__config_broker_host_formats[] = {"per_cluster_suffix", "shared_suffix", NULL};

/* table[v - base], or "?" when v is outside the table. */
static const char *
name_of(const char *const *table, int v, int base)
{
    for (int i = 0; table[i] != NULL; i++)
        if (i == v - base)
            return table[i];
    return "?";
}

const char *
kgw_config_log_level_name(kgw_config_log_level_t v)
{
    return name_of(kgw__config_log_levels, (int)v, 0);
}

const char *
kgw_config_log_format_name(kgw_config_log_format_t v)
{
    return name_of(kgw__config_log_formats, (int)v, 0);
}

const char *
kgw_config_backend_auth_type_name(kgw_config_backend_auth_type_t v)
{
    return name_of(kgw__config_backend_auth_types, (int)v, 0);
}

const char *
kgw_config_scram_algorithm_name(kgw_config_scram_algorithm_t v)
{
    return name_of(kgw__config_scram_algorithms, (int)v, 0);
}

const char *
kgw_config_client_auth_type_name(kgw_config_client_auth_type_t v)
{
    return name_of(kgw__config_client_auth_types, (int)v, 0);
}

const char *
kgw_config_mediation_name(kgw_config_mediation_t v)
{
    return name_of(kgw__config_mediations, (int)v, 0);
}

const char *
kgw_config_principal_from_name(kgw_config_principal_from_t v)
{
    return name_of(kgw__config_principal_from, (int)v, 0);
}

const char *
kgw_config_acl_mode_name(kgw_config_acl_mode_t v)
{
    return name_of(kgw__config_acl_modes, (int)v, 0);
}

const char *
kgw_config_namespace_mode_name(kgw_config_namespace_mode_t v)
{
    if (v == KGW_CONFIG_NAMESPACE_NONE)
        return "none";
    return name_of(kgw__config_namespace_modes, (int)v, 1);
}

const char *
kgw_config_tls_version_name(kgw_config_tls_version_t v)
{
    return name_of(kgw__config_tls_versions, (int)v, 0);
}

const char *
kgw_config_client_cert_mode_name(kgw_config_client_cert_mode_t v)
{
    if (v == KGW_CONFIG_CLIENT_CERT_NONE)
        return "none";
    return name_of(kgw__config_client_cert_modes, (int)v, 1);
}

const char *
kgw_config_forward_type_name(kgw_config_forward_type_t v)
{
    return name_of(kgw__config_forward_types, (int)v, 0);
}

const char *
kgw_config_bootstrap_port_name(kgw_config_bootstrap_port_t v)
{
    return name_of(kgw__config_bootstrap_ports, (int)v, 0);
}

const char *
kgw_config_broker_host_format_name(kgw_config_broker_host_format_t v)
{
    return name_of(kgw__config_broker_host_formats, (int)v, 0);
}
