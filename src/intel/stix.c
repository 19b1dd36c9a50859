/*
 * stix.c — STIX 2.1 bundles: indicator objects with STIX patterns.
 *
 * Two passes over the bundle's objects. The first collects what indicators
 * refer to: TLP marking definitions (the TLP 1.0 ones predefined by STIX
 * 2.1, the TLP 2.0 extension's, and any in the bundle), and the names of
 * the malware, intrusion sets, campaigns, threat actors and tools an
 * indicator "indicates" (relationship objects) — these become labels, with
 * the kill-chain phases and the indicator's own labels and indicator_types.
 * The second turns each indicator's pattern (pattern.c) into records that
 * carry its id, confidence, validity, TLP and labels.
 *
 * A syntax error in a pattern, or a property of the wrong type, is malformed
 * input: the import stops with the JSON path ("$.objects[3].pattern: offset
 * 12: expected …"). A valid pattern that cannot be enforced exactly, a
 * revoked indicator, or another pattern language is reported and skipped.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/feed-int.h"

#define MAX_LABELS 32

static const struct {
    const char *id;
    enum sk_ioc_tlp tlp;
} tlp_ids[] = {
    /* TLP 1.0, predefined by STIX 2.1 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", SK_IOC_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", SK_IOC_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", SK_IOC_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", SK_IOC_TLP_RED},
    /* TLP 2.0 (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d) */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", SK_IOC_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", SK_IOC_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", SK_IOC_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", SK_IOC_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", SK_IOC_TLP_RED},
};

struct ctx {
    const struct sk__feed *im;
    json_t *objects;
    json_t *tlp_by_id;    /* marking id → integer tlp */
    json_t *name_by_id;   /* SDO id → name (malware, intrusion-set, …) */
    json_t *labels_by_id; /* indicator id → array of names it indicates */
};

static int jfail(const struct ctx *c, const char *path, const char *what)
{
    return sk_fail(c->im->ei, -SK_EPARSE, "%s: %s: %s", c->im->name, path, what);
}

/* The TLP a marking definition object declares, or 0. */
static enum sk_ioc_tlp marking_tlp(json_t *o)
{
    enum sk_ioc_tlp t;
    json_t *def = json_object_get(o, "definition");
    const char *dtype = json_string_value(json_object_get(o, "definition_type"));
    const char *dtlp = json_string_value(json_object_get(def, "tlp"));
    if (dtype && strcmp(dtype, "tlp") == 0 && dtlp && sk_ioc_tlp_parse(dtlp, &t) == 0)
        return t;
    json_t *ext = json_object_get(o, "extensions"), *e;
    const char *key;
    json_object_foreach(ext, key, e) {
        const char *v = json_string_value(json_object_get(e, "tlp_2_0"));
        if (v && sk_ioc_tlp_parse(v, &t) == 0)
            return t;
    }
    const char *name = json_string_value(json_object_get(o, "name"));
    if (name && strncasecmp(name, "TLP:", 4) == 0 && sk_ioc_tlp_parse(name, &t) == 0)
        return t;
    return SK_IOC_TLP_UNMARKED;
}

static int first_pass(struct ctx *c)
{
    size_t i;
    json_t *o;
    char path[64];

    json_array_foreach(c->objects, i, o) {
        snprintf(path, sizeof path, "$.objects[%zu]", i);
        if (!json_is_object(o))
            return jfail(c, path, "expected a STIX object");
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!type)
            return jfail(c, path, "expected a \"type\" string");
        if (strcmp(type, "marking-definition") == 0 && id) {
            enum sk_ioc_tlp t = marking_tlp(o);
            if (t)
                json_object_set_new(c->tlp_by_id, id, json_integer(t));
        } else if (id && (!strcmp(type, "malware") || !strcmp(type, "intrusion-set") ||
                          !strcmp(type, "campaign") || !strcmp(type, "threat-actor") ||
                          !strcmp(type, "tool") || !strcmp(type, "attack-pattern"))) {
            const char *name = json_string_value(json_object_get(o, "name"));
            if (name)
                json_object_set_new(c->name_by_id, id, json_string(name));
        }
    }
    json_array_foreach(c->objects, i, o) {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *rt = json_string_value(json_object_get(o, "relationship_type"));
        if (!type || strcmp(type, "relationship") != 0 || !rt || strcmp(rt, "indicates") != 0)
            continue;
        const char *src = json_string_value(json_object_get(o, "source_ref"));
        const char *dst = json_string_value(json_object_get(o, "target_ref"));
        const char *name = dst ? json_string_value(json_object_get(c->name_by_id, dst)) : NULL;
        if (!src || !name || strncmp(src, "indicator--", 11) != 0)
            continue;
        json_t *arr = json_object_get(c->labels_by_id, src);
        if (!arr) {
            arr = json_array();
            json_object_set_new(c->labels_by_id, src, arr);
        }
        json_array_append_new(arr, json_string(name));
    }
    return 0;
}

static int get_time(const struct ctx *c, json_t *o, const char *key, const char *path,
                    sk_nstime *out)
{
    json_t *v = json_object_get(o, key);
    char p[160];
    if (!v)
        return 0;
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!json_is_string(v) || sk_rfc3339_parse(json_string_value(v), out) < 0)
        return jfail(c, p, "expected an RFC 3339 timestamp");
    return 0;
}

static void add_label(const char **labels, size_t *n, const char *l)
{
    if (!l || !*l || *n >= MAX_LABELS)
        return;
    for (size_t k = 0; k < *n; k++)
        if (strcmp(labels[k], l) == 0)
            return;
    labels[(*n)++] = l;
}

static int indicator(struct ctx *c, json_t *o, size_t i)
{
    const struct sk__feed *im = c->im;
    char path[64], where[600], why[1024], warn[2048];
    const char *labels[MAX_LABELS + 1];
    char kc[MAX_LABELS][160];
    size_t nl = 0, nkc = 0;
    struct sk_ioc_source src = {.confidence = im->o->confidence, .tlp = im->o->tlp};
    int rc;

    snprintf(path, sizeof path, "$.objects[%zu]", i);
    snprintf(where, sizeof where, "%s: %s", im->name, path);
    const char *id = json_string_value(json_object_get(o, "id"));
    json_t *jpat = json_object_get(o, "pattern");
    if (!id)
        return jfail(c, path, "an indicator needs an \"id\" string");
    if (!json_is_string(jpat)) {
        char p[80];
        snprintf(p, sizeof p, "%s.pattern", path);
        return jfail(c, p, "expected a STIX pattern string");
    }
    const char *ptype = json_string_value(json_object_get(o, "pattern_type"));
    if (json_object_get(o, "pattern_type") && !ptype) {
        char p[80];
        snprintf(p, sizeof p, "%s.pattern_type", path);
        return jfail(c, p, "expected a string");
    }
    if (ptype && strcmp(ptype, "stix") != 0) {
        snprintf(why, sizeof why, "%s: pattern_type '%s' is not STIX patterning; skipped", id, ptype);
        sk__feed_skip(im, where, why);
        return 0;
    }
    json_t *rev = json_object_get(o, "revoked");
    if (json_is_true(rev)) {
        snprintf(why, sizeof why, "%s is revoked; skipped", id);
        sk__feed_skip(im, where, why);
        return 0;
    }
    json_t *conf = json_object_get(o, "confidence");
    if (conf) {
        if (!json_is_integer(conf) || json_integer_value(conf) < 0 || json_integer_value(conf) > 100) {
            char p[80];
            snprintf(p, sizeof p, "%s.confidence", path);
            return jfail(c, p, "expected an integer from 0 to 100");
        }
        src.confidence = (uint8_t)json_integer_value(conf);
    }
    if ((rc = get_time(c, o, "valid_from", path, &src.valid_from)) < 0 ||
        (rc = get_time(c, o, "valid_until", path, &src.valid_until)) < 0 ||
        (rc = get_time(c, o, "created", path, &src.first_seen)) < 0 ||
        (rc = get_time(c, o, "modified", path, &src.last_seen)) < 0)
        return rc;
    if (src.first_seen && !src.last_seen)
        src.last_seen = src.first_seen;
    /* markings: the most restrictive TLP among them */
    json_t *refs = json_object_get(o, "object_marking_refs"), *r;
    size_t k;
    enum sk_ioc_tlp marked = SK_IOC_TLP_UNMARKED;
    json_array_foreach(refs, k, r) {
        const char *mid = json_string_value(r);
        enum sk_ioc_tlp t = SK_IOC_TLP_UNMARKED;
        for (size_t m = 0; mid && m < sizeof tlp_ids / sizeof tlp_ids[0]; m++)
            if (strcmp(mid, tlp_ids[m].id) == 0)
                t = tlp_ids[m].tlp;
        if (!t && mid)
            t = (enum sk_ioc_tlp)json_integer_value(json_object_get(c->tlp_by_id, mid));
        if (t > marked)
            marked = t;
    }
    if (marked)
        src.tlp = (uint8_t)marked;
    /* labels: what it indicates, its kill-chain phases, labels, indicator_types */
    json_t *ind = json_object_get(c->labels_by_id, id), *l;
    json_array_foreach(ind, k, l)
        add_label(labels, &nl, json_string_value(l));
    json_array_foreach(json_object_get(o, "kill_chain_phases"), k, l) {
        const char *phase = json_string_value(json_object_get(l, "phase_name"));
        if (phase && nkc < MAX_LABELS) {
            snprintf(kc[nkc], sizeof kc[nkc], "kill-chain:%s", phase);
            add_label(labels, &nl, kc[nkc++]);
        }
    }
    json_array_foreach(json_object_get(o, "labels"), k, l)
        add_label(labels, &nl, json_string_value(l));
    json_array_foreach(json_object_get(o, "indicator_types"), k, l)
        add_label(labels, &nl, json_string_value(l));
    labels[nl] = NULL;
    src.labels = labels;
    src.stix_id = id;
    src.description = json_string_value(json_object_get(o, "name"));

    struct sk_stix_ioc *iocs;
    size_t n;
    rc = sk_stix_pattern_compile(json_string_value(jpat), &iocs, &n, why, sizeof why, warn,
                                 sizeof warn);
    if (rc == -SK_EPARSE || rc == -SK_ETOOBIG) {
        char p[80];
        snprintf(p, sizeof p, "%s.pattern", path);
        return jfail(c, p, why);
    }
    if (rc == -SK_EUNSUP) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s: pattern %s cannot be enforced exactly: %s; skipped", id,
                 json_string_value(jpat), why);
        sk__feed_skip(im, where, msg);
        return 0;
    }
    if (rc < 0)
        return sk_fail(im->ei, rc, "%s: %s", where, sk_strerror(rc));
    if (warn[0]) {
        char msg[2200];
        snprintf(msg, sizeof msg, "%s: %s", id, warn);
        sk__feed_skip(im, where, msg);
    }
    for (size_t j = 0; j < n && rc >= 0; j++)
        rc = sk__feed_emit(im, iocs[j].type, iocs[j].value, &src, where);
    sk_stix_iocs_free(iocs, n);
    return rc < 0 ? rc : 0;
}

int sk__feed_stix(const struct sk__feed *im, const char *data, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    struct ctx c = {.im = im};
    int rc = 0;

    if (!root)
        return sk_fail(im->ei, -SK_EPARSE, "%s:%d:%d: JSON syntax: %s", im->name, jerr.line,
                       jerr.column, jerr.text);
    c.tlp_by_id = json_object();
    c.name_by_id = json_object();
    c.labels_by_id = json_object();
    if (json_is_array(root)) {
        c.objects = json_incref(root);
    } else if (json_is_object(root)) {
        const char *type = json_string_value(json_object_get(root, "type"));
        if (!type) {
            rc = sk_fail(im->ei, -SK_EPARSE, "%s: $: expected a STIX bundle or object (no \"type\")",
                         im->name);
            goto out;
        }
        if (strcmp(type, "bundle") == 0) {
            c.objects = json_incref(json_object_get(root, "objects"));
            if (!c.objects)
                c.objects = json_array(); /* an empty bundle */
            if (!json_is_array(c.objects)) {
                rc = sk_fail(im->ei, -SK_EPARSE, "%s: $.objects: expected an array", im->name);
                goto out;
            }
        } else {
            /* a single object: the objects of a one-element bundle */
            c.objects = json_array();
            json_array_append(c.objects, root);
        }
    } else {
        rc = sk_fail(im->ei, -SK_EPARSE, "%s: $: expected a STIX bundle (a JSON object)", im->name);
        goto out;
    }
    if ((rc = first_pass(&c)) < 0)
        goto out;
    size_t i;
    json_t *o;
    json_array_foreach(c.objects, i, o) {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (type && strcmp(type, "indicator") == 0 && (rc = indicator(&c, o, i)) < 0)
            goto out;
    }
out:
    json_decref(c.objects);
    json_decref(c.tlp_by_id);
    json_decref(c.name_by_id);
    json_decref(c.labels_by_id);
    json_decref(root);
    return rc;
}
