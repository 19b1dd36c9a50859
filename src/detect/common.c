/*
 * common.c — orientation of events and small helpers the analyzers share.
 *
 * Behavioural detection judges what *our* hosts do: the subject of a
 * detection is an internal host (detect.internal, default RFC 1918 + ULA)
 * and the object the outside address or name it reaches. Orientation is
 * decided here once so every analyzer filters the same way (RITA's
 * internal_subnets rule, which drops internal → internal and external →
 * internal). A capture taken outside the configured prefixes (neither end
 * internal) is judged from the initiator's side, so a lab capture works
 * without configuration.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "sakimori/addr.h"
#include "sakimori/intel.h"
#include "sakimori/warninglist.h"

int sk__detect_is_internal(const struct sk_conf_detect *c, const struct sk_addr *a)
{
    for (size_t i = 0; i < c->internal.n; i++)
        if (sk_prefix_contains(&c->internal.v[i], a))
            return 1;
    return 0;
}

int sk__detect_is_special(const struct sk_addr *a)
{
    if (a->family == SK_AF_INET) {
        uint32_t v = sk_addr_v4(a);
        return (v >> 28) == 0xe ||          /* 224/4 multicast */
               (v >> 28) == 0xf ||          /* 240/4 reserved, broadcast */
               (v >> 24) == 0 ||            /* 0/8 */
               (v >> 24) == 127 ||          /* loopback */
               (v >> 16) == 0xa9fe;         /* 169.254/16 link-local */
    }
    if (a->family == SK_AF_INET6) {
        static const uint8_t zero[15] = {0};
        if (a->b[0] == 0xff)                          /* multicast */
            return 1;
        if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80) /* fe80::/10 */
            return 1;
        return memcmp(a->b, zero, 15) == 0 && a->b[15] <= 1; /* :: and ::1 */
    }
    return 1;
}

int sk__detect_orient(const struct sk_conf_detect *c, const struct sk_event *ev,
                      const struct sk_addr **host, const struct sk_addr **peer)
{
    if (!ev->src.family || !ev->dst.family || sk__detect_is_special(&ev->dst))
        return 0;
    int si = sk__detect_is_internal(c, &ev->src), di = sk__detect_is_internal(c, &ev->dst);
    if (di && (!si || !c->internal_to_internal))
        return 0;
    *host = &ev->src;
    *peer = &ev->dst;
    return 1;
}

int sk__intel_hit_addr(const struct sk_intel *in, const struct sk_addr *a)
{
    const struct sk_indicator *m[1];
    return in && sk_intel_count(in) && sk_intel_match_addr(in, a, m, 1) > 0;
}

int sk__intel_hit_name(const struct sk_intel *in, const char *name)
{
    const struct sk_indicator *m[1];
    return in && name && *name && sk_intel_count(in) && sk_intel_match_name(in, name, m, 1) > 0;
}

const char *sk__wl_addr(const struct sk_warninglists *wl, const struct sk_addr *a)
{
    struct sk_wl_hit hit;
    return wl && sk_wl_match_addr(wl, a, SK_WL_DST, &hit, 1) ? hit.list->id : NULL;
}

const char *sk__wl_name(const struct sk_warninglists *wl, const char *name)
{
    struct sk_wl_hit hit;
    return wl && name && sk_wl_match_name(wl, name, &hit, 1) ? hit.list->id : NULL;
}

char *sk__evidence_take(json_t *ev)
{
    char *s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
                                 JSON_REAL_PRECISION(6));
    json_decref(ev);
    return s;
}

void sk__json_time(json_t *o, const char *key, sk_nstime t)
{
    char buf[SK_RFC3339_LEN];
    json_object_set_new(o, key, json_string(sk_rfc3339(t, buf, sizeof buf)));
}
