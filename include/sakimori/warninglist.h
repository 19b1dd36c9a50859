/*
 * warninglist.h — MISP warninglists: well-known benign values (cloud and CDN
 * ranges, public resolvers, top sites, sinkholes, special-use ranges).
 *
 * A warninglist is an allowlist with a reason: a hit does not clear an
 * indicator, it tells the analyst and the safeguards that acting on the value
 * would hit something shared ("dst is in amazon-aws": refuse an IP-level
 * block; "name is in tranco10k": down-weight). Lists are MISP's format
 * (https://github.com/MISP/misp-warninglists, lists/<id>/list.json): name,
 * description, version, type, list, matching_attributes.
 *
 * Matching follows MISP's semantics per list type:
 *   cidr       the value is an address inside one of the prefixes
 *              (a bare address is a host prefix)
 *   string     the value equals an entry (ASCII case-insensitive)
 *   hostname   the name equals an entry or is a subdomain of one
 *              (a URL is matched by its host)
 *   substring  an entry occurs in the value (ASCII case-insensitive)
 *   regex      a PCRE "/pattern/flags" entry matches the value
 * and only lists whose matching_attributes cover what is asked are consulted
 * (a list without matching_attributes applies to everything): ip-src for a
 * source address, ip-dst for a destination, hostname/domain for a name, …
 *
 * The loaded set is immutable and may be shared by threads without locks.
 */
#ifndef SAKIMORI_WARNINGLIST_H
#define SAKIMORI_WARNINGLIST_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/error.h"

enum sk_wl_type {
    SK_WL_CIDR = 1,
    SK_WL_STRING,
    SK_WL_HOSTNAME,
    SK_WL_SUBSTRING,
    SK_WL_REGEX,
};

/* What a list may be matched against, from its matching_attributes. */
enum sk_wl_attr {
    SK_WL_ATTR_IP_SRC = 1u << 0,   /* ip-src, ip-src|port, domain|ip */
    SK_WL_ATTR_IP_DST = 1u << 1,   /* ip-dst, ip-dst|port, domain|ip */
    SK_WL_ATTR_HOSTNAME = 1u << 2, /* hostname, domain, domain|ip, hostname|port */
    SK_WL_ATTR_URL = 1u << 3,      /* url, uri */
    SK_WL_ATTR_HASH = 1u << 4,     /* md5, sha1, sha256, x509-fingerprint-*, … */
    SK_WL_ATTR_EMAIL = 1u << 5,    /* email-src, email-dst, target-email, … */
    SK_WL_ATTR_OTHER = 1u << 6,    /* any other MISP attribute type */
    SK_WL_ATTR_ALL = 0x7f,         /* no matching_attributes: everything */
};

/* Which side of a connection an address is, for sk_wl_match_addr. */
enum sk_wl_role {
    SK_WL_SRC = 1,
    SK_WL_DST = 2,
    SK_WL_ANY = 3, /* either: the list applies to source or destination */
};

/* One loaded list. Strings live as long as the set. */
struct sk_wl_info {
    const char *id;          /* short name: the list's folder ("amazon-aws"),
                                else the file name without ".json" */
    const char *name;        /* "List of known Amazon AWS IP address ranges" */
    const char *description;
    const char *path;        /* the file it was read from */
    uint8_t type;            /* enum sk_wl_type */
    uint32_t attrs;          /* enum sk_wl_attr bits */
    int64_t version;
    size_t nentries;
};

/* A list that matched, and the entry that made it match. One hit per list. */
struct sk_wl_hit {
    const struct sk_wl_info *list;
    const char *entry; /* as written in the list ("52.95.0.0/16", "amazonaws.com") */
};

struct sk_warninglists;

/* Loads warninglists from paths, each one of:
 *   a file                 one list (list.json or any NAME.json)
 *   a directory with list.json      that one list
 *   a directory of lists   every DIR/<id>/list.json, in name order
 * All or nothing: on the first bad file nothing is loaded and ei names the
 * file and the JSON path ("…/amazon-aws/list.json: $.list[17]: …"). */
int sk_wl_load(struct sk_warninglists **out, const char *const *paths, size_t npaths,
               struct sk_errinfo *ei);
/* An empty set (matches nothing), for callers with no lists configured. */
int sk_wl_empty(struct sk_warninglists **out);
void sk_wl_free(struct sk_warninglists *wl);

size_t sk_wl_count(const struct sk_warninglists *wl);
const struct sk_wl_info *sk_wl_list(const struct sk_warninglists *wl, size_t i);
/* The list with this id, or NULL. */
const struct sk_wl_info *sk_wl_find(const struct sk_warninglists *wl, const char *id);
const char *sk_wl_type_name(enum sk_wl_type t);

/* Each function fills out[] with up to max hits (one per list, in load
 * order) and returns how many lists hit in all, possibly more than max.
 *
 * An address against cidr lists that apply to its role. */
size_t sk_wl_match_addr(const struct sk_warninglists *wl, const struct sk_addr *a,
                        enum sk_wl_role role, struct sk_wl_hit *out, size_t max);
/* A prefix against cidr lists that apply to its role: a list entry hits
 * when it shares any address with p (it contains p, or lies inside it).
 * Scans every cidr entry: meant for one-off checks (the safeguards), not
 * for per-event matching. */
size_t sk_wl_match_prefix(const struct sk_warninglists *wl, const struct sk_prefix *p,
                          enum sk_wl_role role, struct sk_wl_hit *out, size_t max);
/* A DNS name (any case, trailing dot allowed) against string, hostname,
 * substring and regex lists that apply to hostnames. */
size_t sk_wl_match_name(const struct sk_warninglists *wl, const char *name,
                        struct sk_wl_hit *out, size_t max);
/* Any value with its MISP attribute type ("ip-dst", "domain", "url", "md5",
 * "x509-fingerprint-sha256", "email-src", …): addresses go to cidr lists,
 * URLs to hostname lists by their host, other values to string, substring
 * and regex lists. -SK_EINVAL-free: an unknown attribute type counts as
 * SK_WL_ATTR_OTHER. */
size_t sk_wl_match_value(const struct sk_warninglists *wl, const char *attr_type,
                         const char *value, struct sk_wl_hit *out, size_t max);

/* The attribute bit for a MISP attribute type name. */
uint32_t sk_wl_attr_of(const char *attr_type);

#endif
