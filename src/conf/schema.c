/*
 * schema.c — every configuration key, its type and range, and the embedded
 * defaults. A new setting: a field in conf-t.h, a line here, a default below,
 * and a line in docs/configuration.md.
 */
#include <stddef.h>
#include <string.h>

#include "conf/schema.h"
#include "sakimori/addr.h"
#include "sakimori/govern.h"
#include "sakimori/key.h"
#include "sakimori/conf.h"
#include "sakimori/log.h"
#include "sakimori/nstime.h"

#define SEC SK_NS_PER_SEC

static const char *const log_levels[] = {"debug", "info", "warn", "error", "off", NULL};
static const char *const roles[] = {"node", "hub", NULL};
static const char *const privacy_profiles[] = {"operator", "metadata", NULL};

static const struct sk_conf_field log_fields[] = {
    {.key = "level", .type = SK_CT_ENUM, .offset = offsetof(struct sk_conf_log, level), .names = log_levels},
    {.key = "json", .type = SK_CT_BOOL, .offset = offsetof(struct sk_conf_log, json)},
    {0},
};

static const struct sk_conf_field node_fields[] = {
    {.key = "name", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_node, name)},
    {.key = "role", .type = SK_CT_ENUM, .offset = offsetof(struct sk_conf_node, role), .names = roles},
    {0},
};

static const struct sk_conf_field store_fields[] = {
    {.key = "path", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_store, path)},
    {0},
};

static const struct sk_conf_field flow_fields[] = {
    {.key = "idle_timeout", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_flow, idle_timeout), .min = 1 * SEC, .max = 86400 * SEC},
    {.key = "active_timeout", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_flow, active_timeout), .min = 1 * SEC, .max = 7 * 86400 * SEC},
    {.key = "max_flows", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_flow, max_flows), .min = 1024, .max = 100000000},
    {0},
};

static const struct sk_conf_field sense_fields[] = {
    {.key = "telemetry", .type = SK_CT_BOOL, .offset = offsetof(struct sk_conf_sense, telemetry)},
    {.key = "frag_memory", .type = SK_CT_SIZE,
     .offset = offsetof(struct sk_conf_sense, frag_memory), .min = 65536, .max = 1LL << 34},
    {.key = "frag_timeout", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_sense, frag_timeout), .min = SEC / 10, .max = 600 * SEC},
    {.key = "stream_memory", .type = SK_CT_SIZE,
     .offset = offsetof(struct sk_conf_sense, stream_memory), .min = 65536, .max = 1LL << 36},
    {.key = "stream_depth", .type = SK_CT_SIZE,
     .offset = offsetof(struct sk_conf_sense, stream_depth), .min = 1024, .max = 1 << 24},
    {0},
};

static const struct sk_conf_field intel_fields[] = {
    {.key = "lists", .type = SK_CT_STRLIST, .offset = offsetof(struct sk_conf_intel, lists)},
    {.key = "warninglists", .type = SK_CT_STRLIST, .offset = offsetof(struct sk_conf_intel, warninglists)},
    {.key = "use_store", .type = SK_CT_BOOL, .offset = offsetof(struct sk_conf_intel, use_store)},
    {.key = "decay_half_life", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_intel, decay_half_life), .min = 0, .max = 3650 * 86400 * SEC},
    {.key = "max_age", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_intel, max_age), .min = 0, .max = 3650 * 86400 * SEC},
    {.key = "min_confidence", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_intel, min_confidence), .min = 0, .max = 100},
    {0},
};

static const struct sk_conf_field privacy_fields[] = {
    {.key = "profile", .type = SK_CT_ENUM, .offset = offsetof(struct sk_conf_privacy, profile),
     .names = privacy_profiles},
    {.key = "domestic", .type = SK_CT_PREFIXES, .offset = offsetof(struct sk_conf_privacy, domestic)},
    {.key = "key", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_privacy, key)},
    {.key = "key_file", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_privacy, key_file)},
    {0},
};

static const struct sk_conf_field source_fields[] = {
    {.key = "name", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_source, name)},
    {.key = "input", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_source, input)},
    {.key = "format", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_source, format)},
    {.key = "privacy", .type = SK_CT_ENUM, .offset = offsetof(struct sk_conf_source, privacy),
     .names = privacy_profiles},
    {.key = "follow", .type = SK_CT_BOOL, .offset = offsetof(struct sk_conf_source, follow)},
    {0},
};

static void source_init(void *elem)
{
    struct sk_conf_source *s = elem;
    s->privacy = -1;
}

static const struct sk_conf_field netflow_fields[] = {
    {.key = "max_domains", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_netflow, max_domains), .min = 1, .max = 1000000},
    {.key = "max_templates", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_netflow, max_templates), .min = 16, .max = 10000000},
    {.key = "pending_bytes", .type = SK_CT_SIZE,
     .offset = offsetof(struct sk_conf_netflow, pending_bytes), .min = 4096, .max = 1LL << 32},
    {.key = "pending_age", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_netflow, pending_age), .min = 1 * SEC, .max = 86400 * SEC},
    {.key = "socket_buffer", .type = SK_CT_SIZE,
     .offset = offsetof(struct sk_conf_netflow, socket_buffer), .min = 65536, .max = 1LL << 31},
    {0},
};

/* act: how actions are carried out (docs/actions.md). */
#define RPZ(f) offsetof(struct sk_conf_act_rpz, f)
static const struct sk_conf_field act_rpz_primary_fields[] = {
    {.key = "listen", .type = SK_CT_STRLIST, .offset = RPZ(primary_listen)},
    {.key = "allow", .type = SK_CT_PREFIXES, .offset = RPZ(primary_allow)},
    {0},
};
static const struct sk_conf_field act_rpz_unbound_fields[] = {
    {.key = "servers", .type = SK_CT_STRLIST, .offset = RPZ(unbound_servers)},
    {.key = "control", .type = SK_CT_STRLIST, .offset = RPZ(unbound_control)},
    {0},
};
static const struct sk_conf_field act_rpz_bind_fields[] = {
    {.key = "servers", .type = SK_CT_STRLIST, .offset = RPZ(bind_servers)},
    {.key = "tsig_key_file", .type = SK_CT_STRING, .offset = RPZ(bind_tsig_key)},
    {.key = "fold_settle", .type = SK_CT_DURATION, .offset = RPZ(fold_settle),
     .min = 0, .max = 3600 * SEC},
    {0},
};
/* Sub-sections share the rpz struct: their offsets are relative to it, so
 * the section entries below sit at offset 0. */
static const struct sk_conf_field act_rpz_fields[] = {
    {.key = "zone_allow", .type = SK_CT_STRING, .offset = RPZ(zone_allow)},
    {.key = "zone_delta", .type = SK_CT_STRING, .offset = RPZ(zone_delta)},
    {.key = "zone_base", .type = SK_CT_STRING, .offset = RPZ(zone_base)},
    {.key = "sinkhole", .type = SK_CT_STRLIST, .offset = RPZ(sinkhole)},
    {.key = "sinkhole_cname", .type = SK_CT_STRING, .offset = RPZ(sinkhole_cname)},
    {.key = "ttl", .type = SK_CT_DURATION, .offset = RPZ(ttl), .min = 1 * SEC, .max = 86400 * SEC},
    {.key = "base_file", .type = SK_CT_STRING, .offset = RPZ(base_file)},
    {.key = "fold_above", .type = SK_CT_U32, .offset = RPZ(fold_above), .min = 10, .max = 10000000},
    {.key = "verify_timeout", .type = SK_CT_DURATION, .offset = RPZ(verify_timeout),
     .min = SK_NS_PER_MS * 100, .max = 600 * SEC},
    {.key = "primary", .type = SK_CT_SECTION, .offset = 0, .fields = act_rpz_primary_fields},
    {.key = "unbound", .type = SK_CT_SECTION, .offset = 0, .fields = act_rpz_unbound_fields},
    {.key = "bind", .type = SK_CT_SECTION, .offset = 0, .fields = act_rpz_bind_fields},
    {0},
};
#undef RPZ

static const struct sk_conf_field act_nft_fields[] = {
    {.key = "table", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_nft, table)},
    {.key = "priority", .type = SK_CT_INT, .offset = offsetof(struct sk_conf_act_nft, priority),
     .min = -400, .max = 400},
    {0},
};

static const struct sk_conf_field act_bgp_fields[] = {
    {.key = "bird_socket", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_bgp, bird_socket)},
    {.key = "include_file", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_bgp, include_file)},
    {.key = "protocol", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_bgp, protocol)},
    {.key = "timeout", .type = SK_CT_DURATION, .offset = offsetof(struct sk_conf_act_bgp, timeout),
     .min = SK_NS_PER_MS * 100, .max = 600 * SEC},
    {0},
};

static const struct sk_conf_field act_takedown_fields[] = {
    {.key = "contacts", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_takedown, contacts)},
    {.key = "outbox", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_takedown, outbox)},
    {.key = "from", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_takedown, from)},
    {.key = "reporter", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_takedown, reporter)},
    {0},
};

static const struct sk_conf_field act_sinkhole_fields[] = {
    {.key = "listen", .type = SK_CT_STRLIST, .offset = offsetof(struct sk_conf_act_sinkhole, listen)},
    {.key = "read_timeout", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_act_sinkhole, read_timeout), .min = SK_NS_PER_MS * 100,
     .max = 300 * SEC},
    {.key = "max_clients", .type = SK_CT_U32, .offset = offsetof(struct sk_conf_act_sinkhole, max_clients),
     .min = 1, .max = 65536},
    {0},
};

static const struct sk_conf_field act_notify_fields[] = {
    {.key = "registry", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_notify, registry)},
    {.key = "outbox", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_notify, outbox)},
    {.key = "from", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_act_notify, from)},
    {0},
};

static const struct sk_conf_field act_fields[] = {
    {.key = "rpz", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_act, rpz), .fields = act_rpz_fields},
    {.key = "nft", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_act, nft), .fields = act_nft_fields},
    {.key = "bgp", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_act, bgp), .fields = act_bgp_fields},
    {.key = "takedown", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_act, takedown),
     .fields = act_takedown_fields},
    {.key = "sinkhole", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_act, sinkhole),
     .fields = act_sinkhole_fields},
    {.key = "notify", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_act, notify),
     .fields = act_notify_fields},
    {.key = "dryrun_window", .type = SK_CT_DURATION, .offset = offsetof(struct sk_conf_act, dryrun_window),
     .min = 60 * SEC, .max = 366 * 86400 * SEC},
    {0},
};

/* govern and audit (src/govern, src/audit; docs/governance.md). */
static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red", NULL};

static int check_approver(const char *item, struct sk_errinfo *why)
{
    char name[SK_KEY_NAME_MAX];
    uint8_t pub[SK_KEY_PUBLIC_BYTES];
    return sk_key_parse_named_public(item, name, pub, why);
}

static int check_action(const char *item, struct sk_errinfo *why)
{
    if (sk_govern_action_parse(item) < 0)
        return sk_fail(why, -SK_ECONF,
                       "not an action type (expected monitor, sinkhole, block, blackhole or takedown_request)");
    return 0;
}

#define DUR(f) offsetof(struct sk_conf_per_action_dur, f)
static const struct sk_conf_field govern_ttl_fields[] = {
    {.key = "monitor", .type = SK_CT_DURATION, .offset = DUR(monitor), .min = 60 * SEC, .max = 366 * 86400 * SEC},
    {.key = "sinkhole", .type = SK_CT_DURATION, .offset = DUR(sinkhole), .min = 60 * SEC, .max = 366 * 86400 * SEC},
    {.key = "block", .type = SK_CT_DURATION, .offset = DUR(block), .min = 60 * SEC, .max = 366 * 86400 * SEC},
    {.key = "blackhole", .type = SK_CT_DURATION, .offset = DUR(blackhole), .min = 60 * SEC, .max = 366 * 86400 * SEC},
    {.key = "takedown_request", .type = SK_CT_DURATION, .offset = DUR(takedown_request), .min = 60 * SEC,
     .max = 366 * 86400 * SEC},
    {0},
};
#undef DUR

#define TLP(f) offsetof(struct sk_conf_per_action_tlp, f)
static const struct sk_conf_field govern_tlp_fields[] = {
    {.key = "monitor", .type = SK_CT_ENUM, .offset = TLP(monitor), .names = tlp_names},
    {.key = "sinkhole", .type = SK_CT_ENUM, .offset = TLP(sinkhole), .names = tlp_names},
    {.key = "block", .type = SK_CT_ENUM, .offset = TLP(block), .names = tlp_names},
    {.key = "blackhole", .type = SK_CT_ENUM, .offset = TLP(blackhole), .names = tlp_names},
    {.key = "takedown_request", .type = SK_CT_ENUM, .offset = TLP(takedown_request), .names = tlp_names},
    {0},
};
#undef TLP

#define GOV(f) offsetof(struct sk_conf_govern, f)
static const struct sk_conf_field govern_fields[] = {
    {.key = "approvers", .type = SK_CT_STRLIST, .offset = GOV(approvers), .item_check = check_approver},
    {.key = "approvals", .type = SK_CT_U32, .offset = GOV(approvals), .min = 1, .max = 64},
    {.key = "foreign_extra_approvals", .type = SK_CT_U32, .offset = GOV(foreign_extra), .min = 0, .max = 16},
    {.key = "exigent", .type = SK_CT_BOOL, .offset = GOV(exigent)},
    {.key = "exigent_window", .type = SK_CT_DURATION, .offset = GOV(exigent_window), .min = 60 * SEC,
     .max = 7 * 86400 * SEC},
    {.key = "allowed_actions", .type = SK_CT_STRLIST, .offset = GOV(allowed_actions), .item_check = check_action},
    {.key = "ttl_max", .type = SK_CT_SECTION, .offset = GOV(ttl_max), .fields = govern_ttl_fields},
    {.key = "min_prefix_v4", .type = SK_CT_U32, .offset = GOV(min_prefix4), .min = 16, .max = 32},
    {.key = "min_prefix_v6", .type = SK_CT_U32, .offset = GOV(min_prefix6), .min = 32, .max = 128},
    {.key = "warninglists", .type = SK_CT_STRLIST, .offset = GOV(warninglists)},
    {.key = "protected_assets", .type = SK_CT_STRING, .offset = GOV(protected_assets)},
    {.key = "collateral_max", .type = SK_CT_U32, .offset = GOV(collateral_max), .min = 0, .max = 1000000},
    {.key = "collateral_window", .type = SK_CT_DURATION, .offset = GOV(collateral_window),
     .min = 3600 * SEC, .max = 3660ULL * 86400 * SEC},
    {.key = "evidence_confidence", .type = SK_CT_U32, .offset = GOV(evidence_confidence), .min = 0, .max = 100},
    {.key = "tlp_max", .type = SK_CT_SECTION, .offset = GOV(tlp_max), .fields = govern_tlp_fields},
    {.key = "tlp_default", .type = SK_CT_ENUM, .offset = GOV(tlp_default), .names = tlp_names},
    {0},
};
#undef GOV

#define RET(f) offsetof(struct sk_conf_retention, f)
static const struct sk_conf_field retention_fields[] = {
    {.key = "events", .type = SK_CT_DURATION, .offset = RET(events), .min = 0, .max = 3660 * 86400 * SEC},
    {.key = "detections", .type = SK_CT_DURATION, .offset = RET(detections), .min = 0, .max = 3660 * 86400 * SEC},
    {.key = "pdns", .type = SK_CT_DURATION, .offset = RET(pdns), .min = 0, .max = 3660 * 86400 * SEC},
    {.key = "audit", .type = SK_CT_DURATION, .offset = RET(audit), .min = 0, .max = 36600ULL * 86400 * SEC},
    {0},
};
#undef RET

static const struct sk_conf_field audit_fields[] = {
    {.key = "key", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_audit, key)},
    {.key = "public_key", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_audit, public_key)},
    {.key = "retention", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_audit, retention),
     .fields = retention_fields},
    {0},
};

static const struct sk_conf_field detect_beacon_fields[] = {
    {.key = "threshold", .type = SK_CT_DOUBLE,
     .offset = offsetof(struct sk_conf_detect_beacon, threshold), .dmin = 0, .dmax = 1},
    {.key = "min_connections", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_detect_beacon, min_connections), .min = 4, .max = 1000000},
    {.key = "strobe_rate", .type = SK_CT_DOUBLE,
     .offset = offsetof(struct sk_conf_detect_beacon, strobe_rate), .dmin = 0.001, .dmax = 1e6},
    {.key = "strobe_min_span", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_detect_beacon, strobe_min_span), .min = 1 * SEC, .max = 86400 * SEC},
    {0},
};

static const struct sk_conf_field detect_longconn_fields[] = {
    {.key = "min_duration", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_detect_longconn, min_duration), .min = 1 * SEC, .max = 30 * 86400 * SEC},
    {0},
};

static const struct sk_conf_field detect_dga_fields[] = {
    {.key = "model", .type = SK_CT_STRING, .offset = offsetof(struct sk_conf_detect_dga, model)},
    {.key = "threshold", .type = SK_CT_DOUBLE,
     .offset = offsetof(struct sk_conf_detect_dga, threshold), .dmin = 0, .dmax = 1},
    {.key = "nxdomain_burst", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_detect_dga, nxdomain_burst), .min = 2, .max = 1000},
    {.key = "burst_window", .type = SK_CT_DURATION,
     .offset = offsetof(struct sk_conf_detect_dga, burst_window), .min = 1 * SEC, .max = 86400 * SEC},
    {0},
};

static const struct sk_conf_field detect_dnstunnel_fields[] = {
    {.key = "threshold", .type = SK_CT_DOUBLE,
     .offset = offsetof(struct sk_conf_detect_dnstunnel, threshold), .dmin = 0, .dmax = 1},
    {.key = "min_subdomains", .type = SK_CT_U32,
     .offset = offsetof(struct sk_conf_detect_dnstunnel, min_subdomains), .min = 2, .max = 10000000},
    {0},
};

static const struct sk_conf_field detect_fields[] = {
    {.key = "internal", .type = SK_CT_PREFIXES, .offset = offsetof(struct sk_conf_detect, internal)},
    {.key = "internal_to_internal", .type = SK_CT_BOOL,
     .offset = offsetof(struct sk_conf_detect, internal_to_internal)},
    {.key = "max_pairs", .type = SK_CT_U32, .offset = offsetof(struct sk_conf_detect, max_pairs),
     .min = 1024, .max = 100000000},
    {.key = "beacon", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_detect, beacon),
     .fields = detect_beacon_fields},
    {.key = "longconn", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_detect, longconn),
     .fields = detect_longconn_fields},
    {.key = "dga", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_detect, dga),
     .fields = detect_dga_fields},
    {.key = "dnstunnel", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf_detect, dnstunnel),
     .fields = detect_dnstunnel_fields},
    {0},
};

/* RFC 1918 and ULA (fc00::/7), IPv4 stored IPv4-mapped as sk_addr does. */
static struct sk_prefix default_internal[] = {
    {.addr = {.b = {[10] = 0xff, [11] = 0xff, [12] = 10}, .family = SK_AF_INET}, .len = 8},
    {.addr = {.b = {[10] = 0xff, [11] = 0xff, [12] = 172, [13] = 16}, .family = SK_AF_INET}, .len = 12},
    {.addr = {.b = {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 168}, .family = SK_AF_INET}, .len = 16},
    {.addr = {.b = {[0] = 0xfc}, .family = SK_AF_INET6}, .len = 7},
};

const struct sk_conf_field sk__conf_root[] = {
    {.key = "log", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, log), .fields = log_fields},
    {.key = "node", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, node), .fields = node_fields},
    {.key = "store", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, store), .fields = store_fields},
    {.key = "flow", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, flow), .fields = flow_fields},
    {.key = "sense", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, sense), .fields = sense_fields},
    {.key = "intel", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, intel), .fields = intel_fields},
    {.key = "privacy", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, privacy), .fields = privacy_fields},
    {.key = "act", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, act), .fields = act_fields},
    {.key = "sources", .type = SK_CT_SECTLIST, .offset = offsetof(struct sk_conf, sources),
     .fields = source_fields, .elem_size = sizeof(struct sk_conf_source), .elem_init = source_init},
    {.key = "netflow", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, netflow), .fields = netflow_fields},
    {.key = "govern", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, govern), .fields = govern_fields},
    {.key = "audit", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, audit), .fields = audit_fields},
    {.key = "detect", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, detect), .fields = detect_fields},
    {0},
};

static void act_defaults(struct sk_conf_act *a)
{
    /* Everything on loopback or in ./sakimori-act until the operator says
     * otherwise; no resolver, router or contact database is assumed. */
    static char *sinkhole[] = {"127.0.0.1", "::1"};
    static char *listen[] = {"127.0.0.1@8080/tcp", "127.0.0.1@8443/tcp", "127.0.0.1@8053/udp"};
    static struct sk_prefix loopback[2];

    sk_prefix_parse("127.0.0.0/8", &loopback[0], 0);
    sk_prefix_parse("::1/128", &loopback[1], 0);
    memset(a, 0, sizeof *a);
    a->rpz.zone_allow = "allow.sakimori.rpz";
    a->rpz.zone_delta = "delta.sakimori.rpz";
    a->rpz.zone_base = "base.sakimori.rpz";
    a->rpz.sinkhole.v = sinkhole;
    a->rpz.sinkhole.n = 2;
    a->rpz.sinkhole_cname = "";
    a->rpz.ttl = 60 * SEC;
    a->rpz.base_file = "./sakimori-act/base.rpz";
    a->rpz.fold_above = 5000;
    a->rpz.fold_settle = 30 * SEC;
    a->rpz.verify_timeout = 3 * SEC;
    a->rpz.primary_allow.v = loopback;
    a->rpz.primary_allow.n = 2;
    a->rpz.bind_tsig_key = "";
    a->nft.table = "sakimori";
    a->nft.priority = -10;
    a->bgp.bird_socket = "/run/bird/bird.ctl";
    a->bgp.include_file = "./sakimori-act/rtbh.conf";
    a->bgp.protocol = "sakimori_rtbh";
    a->bgp.timeout = 10 * SEC;
    a->takedown.contacts = "";
    a->takedown.outbox = "./sakimori-act/takedown";
    a->takedown.from = "abuse-reports@localhost";
    a->takedown.reporter = "sakimori";
    a->sinkhole.listen.v = listen;
    a->sinkhole.listen.n = 3;
    a->sinkhole.read_timeout = 5 * SEC;
    a->sinkhole.max_clients = 512;
    a->notify.registry = "";
    a->notify.outbox = "./sakimori-act/notify";
    a->notify.from = "notifications@localhost";
    a->dryrun_window = 7 * 86400 * SEC;
}

static void govern_defaults(struct sk_conf_govern *g, struct sk_conf_audit *a)
{
    /* Every action type allowed, two approvals, one more for a foreign
     * target, a 24 h exigent window, TTLs at most 7 days (a monitor 30),
     * host-level blocks no wider than /24 and /48. */
    static char *actions[] = {"monitor", "sinkhole", "block", "blackhole", "takedown_request"};
    const uint64_t day = 86400 * SEC;

    memset(g, 0, sizeof *g);
    g->approvals = 2;
    g->foreign_extra = 1;
    g->exigent = 1;
    g->exigent_window = 1 * day;
    g->allowed_actions.v = actions;
    g->allowed_actions.n = sizeof actions / sizeof actions[0];
    g->ttl_max.monitor = 30 * day;
    g->ttl_max.sinkhole = 7 * day;
    g->ttl_max.block = 7 * day;
    g->ttl_max.blackhole = 7 * day;
    g->ttl_max.takedown_request = 7 * day;
    g->min_prefix4 = 24;
    g->min_prefix6 = 48;
    g->collateral_window = 30 * day;
    g->protected_assets = "";
    g->collateral_max = 5;
    g->evidence_confidence = 70;
    /* TLP 2.0: what the action discloses, and to whom (docs/governance.md) */
    g->tlp_max.monitor = 4;          /* red: nothing leaves the node */
    g->tlp_max.sinkhole = 3;         /* amber+strict: the operator's own resolvers */
    g->tlp_max.block = 3;            /* amber+strict: the operator's own firewalls */
    g->tlp_max.blackhole = 2;        /* amber: announced to the operator's BGP peers */
    g->tlp_max.takedown_request = 1; /* green: sent to a hosting provider */
    g->tlp_default = 2;              /* amber */
    memset(a, 0, sizeof *a);
    a->key = "";
    a->public_key = "";
    a->retention.events = 30 * day;
    a->retention.detections = 365 * day;
    a->retention.pdns = 90 * day;
    a->retention.audit = 0; /* keep */
}

void sk_conf_defaults(struct sk_conf *c)
{
    sk_arena_init(&c->arena, 4096, 0);
    c->path = NULL;
    c->log.level = SK_LOG_INFO;
    c->log.json = 0;
    c->node.name = "node";
    c->node.role = 0;
    c->store.path = "./sakimori.db";
    /* nfdump/softflowd-like defaults: 60 s idle (15 s was too eager for
     * beacons that keep one TCP connection), 30 min active. */
    c->flow.idle_timeout = 60 * SEC;
    c->flow.active_timeout = 1800 * SEC;
    c->flow.max_flows = 1000000;
    c->sense.telemetry = 1;
    c->sense.frag_memory = 16u << 20;
    c->sense.frag_timeout = 30 * SEC;
    c->sense.stream_memory = 64u << 20;
    c->sense.stream_depth = 64u << 10;
    c->intel.lists.v = NULL;
    c->intel.lists.n = 0;
    c->intel.warninglists.v = NULL;
    c->intel.warninglists.n = 0;
    c->intel.use_store = 1;
    c->intel.decay_half_life = 0;
    c->intel.max_age = 0;
    c->intel.min_confidence = 0;
    c->privacy.profile = 0;
    c->privacy.domestic.v = NULL;
    c->privacy.domestic.n = 0;
    act_defaults(&c->act);
    c->privacy.key = NULL;
    c->privacy.key_file = NULL;
    c->sources.v = NULL;
    c->sources.n = 0;
    c->netflow.max_domains = 4096;
    c->netflow.max_templates = 65536;
    c->netflow.pending_bytes = 4u << 20;
    c->netflow.pending_age = 600 * SEC;
    c->netflow.socket_buffer = 64u << 20;
    govern_defaults(&c->govern, &c->audit);
    c->detect.internal.v = default_internal;
    c->detect.internal.n = sizeof default_internal / sizeof default_internal[0];
    c->detect.internal_to_internal = 0;
    c->detect.max_pairs = 4000000;
    c->detect.beacon.threshold = 0.75;
    c->detect.beacon.min_connections = 4;
    c->detect.beacon.strobe_rate = 1.0;
    c->detect.beacon.strobe_min_span = 60 * SEC;
    c->detect.longconn.min_duration = 3600 * SEC;
    c->detect.dga.model = "";
    c->detect.dga.threshold = 0;
    c->detect.dga.nxdomain_burst = 10;
    c->detect.dga.burst_window = 60 * SEC;
    c->detect.dnstunnel.threshold = 0.7;
    c->detect.dnstunnel.min_subdomains = 50;
}
