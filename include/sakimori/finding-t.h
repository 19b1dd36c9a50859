/*
 * finding-t.h — what detection produces: sightings and detections.
 *
 * A sighting is an indicator (from intel) seen in an event; a detection is an
 * analyzer's behavioural conclusion with a score and its evidence. Both share
 * one shape so they print, store and share the same way. The JSON form
 * (one object per line, `sakimori scan --json`) is a stable interface:
 *   type, ts_first, ts_last, src_ip, src_port, dst_ip, dst_port, proto, name,
 *   indicator{value,type,source,confidence,field,sources}, count,
 *   [analyzer, score, evidence], [warninglists (sightings)], privacy
 */
#ifndef SAKIMORI_FINDING_T_H
#define SAKIMORI_FINDING_T_H

#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/nstime.h"

enum sk_finding_type {
    SK_FINDING_SIGHTING = 1,
    SK_FINDING_DETECTION = 2,
};

struct sk_indicator_ref {
    const char *value;  /* NULL when the finding has no indicator */
    const char *type;   /* "ipv4", "cidr4", "domain", … */
    const char *source; /* feed or list name (the most confident one) */
    uint8_t confidence; /* 0–100 */
    /* additive (intel): where in the event it matched ("src", "dst", "qname",
     * "sni", …, sk_match_field_name) and every source as a JSON array of
     * {name, confidence, tlp, labels, stix_id}; NULL when not known */
    const char *field;
    const char *sources_json;
};

struct sk_finding {
    uint8_t type;    /* enum sk_finding_type */
    uint8_t proto;
    uint8_t privacy; /* enum sk_privacy of the events behind it */
    uint16_t sport, dport;
    sk_nstime ts_first, ts_last;
    struct sk_addr src, dst;
    const char *name; /* DNS/SNI/Host name when relevant, else NULL */
    struct sk_indicator_ref indicator;
    uint64_t count; /* packets (flows) or messages (DNS) behind it */
    const char *analyzer;      /* detections: which analyzer */
    double score;              /* detections: 0–1 */
    const char *evidence_json; /* detections: a JSON object, or NULL */
    /* additive (intel): sightings: the MISP warninglists the sighting's
     * addresses or name are on, a JSON array of {id, name, on, entry}
     * ("on": "src", "dst" or "name"); NULL when none */
    const char *warninglists_json;
};

/* Delivery of findings; strings need only live for the call. */
typedef int (*sk_finding_fn)(void *ctx, const struct sk_finding *f);

#endif
