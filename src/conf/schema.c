/*
 * schema.c — every configuration key, its type and range, and the embedded
 * defaults. A new setting: a field in conf-t.h, a line here, a default below,
 * and a line in docs/configuration.md.
 */
#include <stddef.h>

#include "conf/schema.h"
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
    {0},
};

static const struct sk_conf_field privacy_fields[] = {
    {.key = "profile", .type = SK_CT_ENUM, .offset = offsetof(struct sk_conf_privacy, profile),
     .names = privacy_profiles},
    {.key = "domestic", .type = SK_CT_PREFIXES, .offset = offsetof(struct sk_conf_privacy, domestic)},
    {0},
};

const struct sk_conf_field sk__conf_root[] = {
    {.key = "log", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, log), .fields = log_fields},
    {.key = "node", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, node), .fields = node_fields},
    {.key = "store", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, store), .fields = store_fields},
    {.key = "flow", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, flow), .fields = flow_fields},
    {.key = "sense", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, sense), .fields = sense_fields},
    {.key = "intel", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, intel), .fields = intel_fields},
    {.key = "privacy", .type = SK_CT_SECTION, .offset = offsetof(struct sk_conf, privacy), .fields = privacy_fields},
    {0},
};

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
    c->privacy.profile = 0;
    c->privacy.domestic.v = NULL;
    c->privacy.domestic.n = 0;
}
