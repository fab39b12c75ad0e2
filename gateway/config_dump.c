/*
 * kgw_config_dump: a normalised, human-readable view of a loaded
 * configuration (defaults filled in, paths resolved), for --check-config and
 * debugging. Passwords are never written; plugin configs are shown only by
 * shape, since they are opaque here and may hold secrets.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

static void
dump_str(FILE *out, const char *indent, const char *key, const char *v)
{
    if (v != NULL)
        fprintf(out, "%s%s: \"%s\"\n", indent, key, v);
}

static void
dump_policies(FILE *out, const char *key, const kgw_config_policy_t *p, size_t n)
{
    if (n == 0)
        return;
    fprintf(out, "    %s:\n", key);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "      - plugin: %s\n        name: \"%s\"\n", p[i].plugin, p[i].name);
        if (p[i].config != NULL) {
            /* Plugin configs are opaque here and may hold secrets: shape only. */
            fprintf(out, "        config: <%s of %zu entr%s, line %u>\n",
                    kgw_config_node_type_name(p[i].config), p[i].config->n_children,
                    p[i].config->n_children == 1 ? "y" : "ies", p[i].config->line);
        }
    }
}

void
kgw_config_dump(const kgw_config_t *cfg, FILE *out)
{
    fprintf(out, "# %s (normalised; secrets redacted)\n", cfg->path);
    dump_str(out, "", "plugins_dir", cfg->plugins_dir);
    fprintf(out, "workers: %u\n", cfg->workers);
    if (cfg->admin_enabled)
        fprintf(out, "admin:\n  listen: \"%s%s%s:%u\"\n", strchr(cfg->admin_host, ':') ? "[" : "",
                cfg->admin_host, strchr(cfg->admin_host, ':') ? "]" : "", cfg->admin_port);
    fprintf(out, "log:\n  level: %s\n  format: %s\n", kgw_config_log_level_name(cfg->log_level),
            kgw_config_log_format_name(cfg->log_format));
    fprintf(out, "backend_clusters:\n");
    for (size_t i = 0; i < cfg->n_backend_clusters; i++) {
        const kgw_config_backend_cluster_t *b = &cfg->backend_clusters[i];
        fprintf(out, "  - name: \"%s\"\n    bootstrap_servers: [", b->name);
        for (size_t j = 0; j < b->n_bootstrap_servers; j++) {
            const kgw_config_host_port_t *h = &b->bootstrap_servers[j];
            bool v6 = strchr(h->host, ':') != NULL;
            fprintf(out, "%s\"%s%s%s:%u\"", j ? ", " : "", v6 ? "[" : "", h->host, v6 ? "]" : "",
                    h->port);
        }
        fprintf(out, "]\n    metadata_update_interval_seconds: %" PRIu32 "\n",
                b->metadata_update_interval_seconds);
        fprintf(out, "    tls:\n      enabled: %s\n", b->tls.enabled ? "true" : "false");
        dump_str(out, "      ", "ca_file", b->tls.ca_file);
        fprintf(out, "      insecure_skip_verify: %s\n",
                b->tls.insecure_skip_verify ? "true" : "false");
        dump_str(out, "      ", "client_certificate_file", b->tls.client_certificate_file);
        dump_str(out, "      ", "client_key_file", b->tls.client_key_file);
        fprintf(out, "    authentication:\n      type: %s\n",
                kgw_config_backend_auth_type_name(b->authentication.type));
        if (b->authentication.type == KGW_CONFIG_BACKEND_AUTH_SASL_SCRAM)
            fprintf(out, "      algorithm: %s\n",
                    kgw_config_scram_algorithm_name(b->authentication.algorithm));
        dump_str(out, "      ", "username", b->authentication.username);
        if (b->authentication.password != NULL)
            fprintf(out, "      password: <redacted>\n");
    }
    fprintf(out, "virtual_clusters:\n");
    for (size_t i = 0; i < cfg->n_virtual_clusters; i++) {
        const kgw_config_virtual_cluster_t *v = &cfg->virtual_clusters[i];
        fprintf(out, "  - name: \"%s\"\n    destination: \"%s\"\n    dns_label: \"%s\"\n", v->name,
                v->destination_name, v->dns_label);
        fprintf(out, "    authentication:\n");
        for (size_t j = 0; j < v->n_authentication; j++) {
            const kgw_config_client_auth_t *a = &v->authentication[j];
            fprintf(out, "      - type: %s\n", kgw_config_client_auth_type_name(a->type));
            if (a->type == KGW_CONFIG_CLIENT_AUTH_ANONYMOUS)
                continue;
            if (a->type != KGW_CONFIG_CLIENT_AUTH_CLIENT_CERTIFICATE)
                fprintf(out, "        mediation: %s\n", kgw_config_mediation_name(a->mediation));
            if (a->n_principals > 0) {
                fprintf(out, "        principals:\n");
                for (size_t k = 0; k < a->n_principals; k++)
                    fprintf(out, "          - {username: \"%s\", password: <redacted>}\n",
                            a->principals[k].username);
            }
            dump_str(out, "        ", "jwks_file", a->jwks_file);
            dump_str(out, "        ", "issuer", a->issuer);
            for (size_t k = 0; k < a->n_audiences; k++)
                fprintf(out, "%s\"%s\"%s", k ? ", " : "        audiences: [", a->audiences[k],
                        k + 1 == a->n_audiences ? "]\n" : "");
            dump_str(out, "        ", "principal_claim", a->principal_claim);
            if (a->type == KGW_CONFIG_CLIENT_AUTH_CLIENT_CERTIFICATE)
                fprintf(out, "        principal_from: %s\n",
                        kgw_config_principal_from_name(a->principal_from));
        }
        fprintf(out, "    acl_mode: %s\n", kgw_config_acl_mode_name(v->acl_mode));
        if (v->namespace_.mode != KGW_CONFIG_NAMESPACE_NONE)
            fprintf(out, "    namespace:\n      mode: %s\n      prefix: \"%s\"\n",
                    kgw_config_namespace_mode_name(v->namespace_.mode), v->namespace_.prefix);
        dump_policies(out, "cluster_policies", v->cluster_policies, v->n_cluster_policies);
        dump_policies(out, "produce_policies", v->produce_policies, v->n_produce_policies);
        dump_policies(out, "consume_policies", v->consume_policies, v->n_consume_policies);
    }
    fprintf(out, "listeners:\n");
    for (size_t i = 0; i < cfg->n_listeners; i++) {
        const kgw_config_listener_t *l = &cfg->listeners[i];
        fprintf(out, "  - name: \"%s\"\n    addresses: [", l->name);
        for (size_t j = 0; j < l->n_addresses; j++)
            fprintf(out, "%s\"%s\"", j ? ", " : "", l->addresses[j]);
        fprintf(out, "]\n    ports: [");
        for (size_t j = 0; j < l->n_ports; j++)
            fprintf(out, "%s%u", j ? ", " : "", l->ports[j]);
        fprintf(out, "]\n");
        if (l->tls.enabled) {
            fprintf(out, "    tls:\n");
            dump_str(out, "      ", "certificate_file", l->tls.certificate_file);
            dump_str(out, "      ", "key_file", l->tls.key_file);
            fprintf(out, "      min_version: %s\n",
                    kgw_config_tls_version_name(l->tls.min_version));
            if (l->tls.client_auth_mode != KGW_CONFIG_CLIENT_CERT_NONE)
                fprintf(out, "      client_authentication:\n        mode: %s\n",
                        kgw_config_client_cert_mode_name(l->tls.client_auth_mode));
            dump_str(out, "        ", "ca_file", l->tls.client_ca_file);
        }
        fprintf(out, "    forward:\n");
        for (size_t j = 0; j < l->n_forward; j++) {
            const kgw_config_forward_t *f = &l->forward[j];
            fprintf(out, "      - type: %s\n        virtual_cluster: \"%s\"\n",
                    kgw_config_forward_type_name(f->type), f->virtual_cluster_name);
            if (f->type == KGW_CONFIG_FORWARD_PORT_MAPPING)
                fprintf(out,
                        "        advertised_host: \"%s\"\n        bootstrap_port: %s\n"
                        "        min_broker_id: %" PRId32 "\n",
                        f->advertised_host, kgw_config_bootstrap_port_name(f->bootstrap_port),
                        f->min_broker_id);
            else
                fprintf(out,
                        "        sni_suffix: \"%s\"\n        advertised_port: %u\n"
                        "        broker_host_format: %s\n",
                        f->sni_suffix, f->advertised_port,
                        kgw_config_broker_host_format_name(f->broker_host_format));
        }
    }
}
