/*
 * misp.c — MISP event JSON and MISP feeds (manifest.json + one file per
 * event, as MISP publishes them and as `misp-feed` tools write them).
 *
 * An event's attributes — and those of its objects — become records when
 * their type is one of the network indicators:
 *   ip-src, ip-dst (address or CIDR), ip-src|port, ip-dst|port   ipv4/ipv6/cidr
 *   domain → domain (with subdomains); hostname, hostname|port → fqdn;
 *   domain|ip → both; url → url; ja3-fingerprint-md5 → ja3;
 *   ja4-fingerprint → ja4; x509-fingerprint-sha1/-sha256 → cert-sha1/-sha256
 * to_ids is honoured: an attribute not meant for detection is not
 * imported. Deleted attributes are not imported. Other attribute types
 * (file hashes, e-mail addresses, …) are not network indicators. Each of
 * these is counted and reported once per event, not per attribute.
 *
 * Tags become labels and TLP: "tlp:amber" (event or attribute; the
 * attribute's wins), galaxy clusters misp-galaxy:…="Name" → "Name", any
 * other tag as written. Times: the attribute's first_seen/last_seen, else
 * its timestamp (epoch seconds) for last seen, else the event's date.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/feed-int.h"
#include "sakimori/file.h"

#define MAX_LABELS 32
#define EVENT_CAP (512u << 20)

struct ev {
    const struct sk__feed *im;
    const char *name; /* file in messages */
    const char *event_labels[MAX_LABELS + 1];
    char galaxy[2 * MAX_LABELS][128];
    size_t ngalaxy;
    size_t nlabels;
    uint8_t event_tlp;
    sk_nstime event_time;
    const char *info;
    size_t not_ids, not_network, deleted;
};

static int jfail(const struct ev *e, const char *path, const char *what)
{
    return sk_fail(e->im->ei, -SK_EPARSE, "%s: %s: %s", e->name, path, what);
}

/* A tag: TLP or a label (a galaxy's cluster name when it is one). */
static void tag(struct ev *e, const char *t, uint8_t *tlp, const char **labels, size_t *nl)
{
    enum sk_ioc_tlp tl;
    if (!t || !*t)
        return;
    if (strncasecmp(t, "tlp:", 4) == 0 && sk_ioc_tlp_parse(t, &tl) == 0) {
        *tlp = (uint8_t)tl;
        return;
    }
    const char *label = t;
    const char *q = strstr(t, "=\"");
    if (strncmp(t, "misp-galaxy:", 12) == 0 && q && e->ngalaxy < 2 * MAX_LABELS) {
        size_t n = strlen(q + 2);
        if (n && q[2 + n - 1] == '"')
            n--;
        if (n >= sizeof e->galaxy[0])
            n = sizeof e->galaxy[0] - 1;
        memcpy(e->galaxy[e->ngalaxy], q + 2, n);
        e->galaxy[e->ngalaxy][n] = '\0';
        label = e->galaxy[e->ngalaxy++];
    }
    for (size_t k = 0; k < *nl; k++)
        if (strcmp(labels[k], label) == 0)
            return;
    if (*nl < MAX_LABELS)
        labels[(*nl)++] = label;
}

static int tags_of(struct ev *e, json_t *o, const char *path, uint8_t *tlp, const char **labels,
                   size_t *nl)
{
    json_t *tags = json_object_get(o, "Tag"), *t;
    size_t i;
    char p[200];
    if (!tags)
        return 0;
    if (!json_is_array(tags)) {
        snprintf(p, sizeof p, "%s.Tag", path);
        return jfail(e, p, "expected an array of tags");
    }
    json_array_foreach(tags, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!name) {
            snprintf(p, sizeof p, "%s.Tag[%zu].name", path, i);
            return jfail(e, p, "expected a string");
        }
        tag(e, name, tlp, labels, nl);
    }
    labels[*nl] = NULL;
    return 0;
}

/* to_ids as MISP writes it over the versions: true/false, "1"/"0", 1/0. */
static int truthy(json_t *v)
{
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_string(v))
        return strcmp(json_string_value(v), "1") == 0 || strcasecmp(json_string_value(v), "true") == 0;
    return 0;
}

static int epoch(json_t *v, sk_nstime *out)
{
    char *end;
    long long s;
    if (json_is_integer(v))
        s = json_integer_value(v);
    else if (json_is_string(v) && *json_string_value(v))
        s = strtoll(json_string_value(v), &end, 10);
    else
        return -1;
    if (json_is_string(v) && *end)
        return -1;
    if (s <= 0)
        return -1;
    *out = (sk_nstime)s * SK_NS_PER_SEC;
    return 0;
}

static int emit_one(struct ev *e, uint8_t type, const char *value, size_t vlen,
                    const struct sk_ioc_source *src, const char *where)
{
    char buf[8192];
    if (vlen >= sizeof buf)
        return sk_fail(e->im->ei, -SK_EPARSE, "%s: value longer than %zu bytes", where, sizeof buf - 1);
    memcpy(buf, value, vlen);
    buf[vlen] = '\0';
    if (type == SK_IOC_IPV4)
        type = strchr(buf, ':') ? (strchr(buf, '/') ? SK_IOC_CIDR6 : SK_IOC_IPV6)
                                : (strchr(buf, '/') ? SK_IOC_CIDR4 : SK_IOC_IPV4);
    return sk__feed_emit(e->im, type, buf, src, where);
}

static int attribute(struct ev *e, json_t *a, const char *path)
{
    char p[256], where[700];
    const char *labels[MAX_LABELS + 1];
    size_t nl = 0;
    int rc;

    snprintf(where, sizeof where, "%s: %s", e->name, path);
    if (!json_is_object(a))
        return jfail(e, path, "expected an attribute object");
    const char *type = json_string_value(json_object_get(a, "type"));
    const char *value = json_string_value(json_object_get(a, "value"));
    if (!type) {
        snprintf(p, sizeof p, "%s.type", path);
        return jfail(e, p, "expected a string");
    }
    if (!value) {
        snprintf(p, sizeof p, "%s.value", path);
        return jfail(e, p, "expected a string");
    }
    if (truthy(json_object_get(a, "deleted"))) {
        e->deleted++;
        return 0;
    }
    /* which of ours, and which part of a composite value */
    static const struct {
        const char *misp;
        uint8_t type, type2; /* type2: the part after '|' (0: ignored) */
    } map[] = {
        {"ip-src", SK_IOC_IPV4, 0}, {"ip-dst", SK_IOC_IPV4, 0},
        {"ip-src|port", SK_IOC_IPV4, 0}, {"ip-dst|port", SK_IOC_IPV4, 0},
        {"domain", SK_IOC_DOMAIN, 0}, {"hostname", SK_IOC_FQDN, 0},
        {"hostname|port", SK_IOC_FQDN, 0}, {"domain|ip", SK_IOC_DOMAIN, SK_IOC_IPV4},
        {"url", SK_IOC_URL, 0}, {"ja3-fingerprint-md5", SK_IOC_JA3, 0},
        {"ja4-fingerprint", SK_IOC_JA4, 0}, {"x509-fingerprint-sha1", SK_IOC_CERT_SHA1, 0},
        {"x509-fingerprint-sha256", SK_IOC_CERT_SHA256, 0},
    };
    size_t m = 0;
    while (m < sizeof map / sizeof map[0] && strcmp(map[m].misp, type) != 0)
        m++;
    if (m == sizeof map / sizeof map[0]) {
        e->not_network++;
        return 0;
    }
    if (!truthy(json_object_get(a, "to_ids"))) {
        e->not_ids++;
        return 0;
    }
    struct sk_ioc_source src = {.confidence = e->im->o->confidence, .tlp = e->event_tlp};
    for (size_t k = 0; k < e->nlabels; k++)
        labels[nl++] = e->event_labels[k];
    uint8_t tlp = e->event_tlp;
    if ((rc = tags_of(e, a, path, &tlp, labels, &nl)) < 0)
        return rc;
    labels[nl] = NULL;
    src.labels = labels;
    src.tlp = tlp ? tlp : e->im->o->tlp;
    json_t *fs = json_object_get(a, "first_seen"), *ls = json_object_get(a, "last_seen");
    if (json_is_string(fs) && sk_rfc3339_parse(json_string_value(fs), &src.first_seen) < 0) {
        snprintf(p, sizeof p, "%s.first_seen", path);
        return jfail(e, p, "expected an RFC 3339 timestamp");
    }
    if (json_is_string(ls) && sk_rfc3339_parse(json_string_value(ls), &src.last_seen) < 0) {
        snprintf(p, sizeof p, "%s.last_seen", path);
        return jfail(e, p, "expected an RFC 3339 timestamp");
    }
    if (!src.last_seen)
        epoch(json_object_get(a, "timestamp"), &src.last_seen);
    if (!src.first_seen)
        src.first_seen = e->event_time ? e->event_time : src.last_seen;
    if (!src.last_seen)
        src.last_seen = src.first_seen;
    src.description = e->info;
    size_t vlen = strlen(value);
    const char *bar = strchr(type, '|') ? strchr(value, '|') : NULL;
    if (strchr(type, '|') && !bar) {
        snprintf(p, sizeof p, "%s.value", path);
        return jfail(e, p, "a composite attribute needs 'a|b'");
    }
    if ((rc = emit_one(e, map[m].type, value, bar ? (size_t)(bar - value) : vlen, &src, where)) < 0)
        return rc;
    if (map[m].type2)
        rc = emit_one(e, map[m].type2, bar + 1, strlen(bar + 1), &src, where);
    return rc;
}

static int event(struct ev *e, json_t *root)
{
    json_t *ev = json_object_get(root, "Event"), *a, *o;
    size_t i, j;
    char p[128];
    int rc;

    if (!json_is_object(root) || !json_is_object(ev))
        return jfail(e, "$", "expected a MISP event ({\"Event\": {…}})");
    e->info = json_string_value(json_object_get(ev, "info"));
    const char *date = json_string_value(json_object_get(ev, "date"));
    if (date && sk__feed_time(date, &e->event_time) < 0)
        return jfail(e, "$.Event.date", "expected a date (YYYY-MM-DD)");
    if ((rc = tags_of(e, ev, "$.Event", &e->event_tlp, e->event_labels, &e->nlabels)) < 0)
        return rc;
    json_t *attrs = json_object_get(ev, "Attribute");
    if (attrs && !json_is_array(attrs))
        return jfail(e, "$.Event.Attribute", "expected an array");
    json_array_foreach(attrs, i, a) {
        snprintf(p, sizeof p, "$.Event.Attribute[%zu]", i);
        if ((rc = attribute(e, a, p)) < 0)
            return rc;
    }
    json_t *objs = json_object_get(ev, "Object");
    if (objs && !json_is_array(objs))
        return jfail(e, "$.Event.Object", "expected an array");
    json_array_foreach(objs, i, o) {
        json_t *oattrs = json_object_get(o, "Attribute");
        if (oattrs && !json_is_array(oattrs)) {
            snprintf(p, sizeof p, "$.Event.Object[%zu].Attribute", i);
            return jfail(e, p, "expected an array");
        }
        json_array_foreach(oattrs, j, a) {
            snprintf(p, sizeof p, "$.Event.Object[%zu].Attribute[%zu]", i, j);
            if ((rc = attribute(e, a, p)) < 0)
                return rc;
        }
    }
    char why[256];
    if (e->not_ids) {
        snprintf(why, sizeof why, "%zu network attribute(s) with to_ids false not imported", e->not_ids);
        sk__feed_skip(e->im, e->name, why);
    }
    if (e->not_network) {
        snprintf(why, sizeof why, "%zu attribute(s) of types that are not network indicators "
                                  "(file hashes, e-mail, …) not imported", e->not_network);
        sk__feed_skip(e->im, e->name, why);
    }
    return 0;
}

static int event_buf(const struct sk__feed *im, const char *name, const char *data, size_t len)
{
    json_error_t jerr;
    struct ev e = {.im = im, .name = name};
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sk_fail(im->ei, -SK_EPARSE, "%s:%d:%d: JSON syntax: %s", name, jerr.line,
                       jerr.column, jerr.text);
    int rc = event(&e, root);
    json_decref(root);
    return rc;
}

int sk__feed_misp_event(const struct sk__feed *im, const char *data, size_t len)
{
    return event_buf(im, im->name, data, len);
}

static int is_uuid(const char *s)
{
    size_t n = strlen(s);
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int sk__feed_misp_feed(const struct sk__feed *im, const char *path)
{
    char dir[4096], manifest[4200], file[4200];
    char *text = NULL;
    size_t len;
    json_error_t jerr;
    json_t *root = NULL, *v;
    const char *key;
    int rc;

    /* the directory, or its manifest.json */
    size_t pl = strlen(path);
    if (pl >= 13 && strcmp(path + pl - 13, "manifest.json") == 0)
        snprintf(dir, sizeof dir, "%.*s", (int)(pl - 13 > 0 ? pl - 14 : 0), path);
    else
        snprintf(dir, sizeof dir, "%s", path);
    if (!dir[0])
        snprintf(dir, sizeof dir, ".");
    snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
    if ((rc = sk_read_file(manifest, EVENT_CAP, &text, &len, im->ei)) < 0)
        return rc;
    if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr))) {
        rc = sk_fail(im->ei, -SK_EPARSE, "%s:%d:%d: JSON syntax: %s", manifest, jerr.line,
                     jerr.column, jerr.text);
        goto out;
    }
    free(text);
    text = NULL;
    if (!json_is_object(root)) {
        rc = sk_fail(im->ei, -SK_EPARSE, "%s: $: expected an object of events by UUID", manifest);
        goto out;
    }
    json_object_foreach(root, key, v) {
        if (!is_uuid(key)) {
            rc = sk_fail(im->ei, -SK_EPARSE, "%s: $.%s: expected an event UUID as the key", manifest, key);
            goto out;
        }
        if (!json_is_object(v)) {
            rc = sk_fail(im->ei, -SK_EPARSE, "%s: $['%s']: expected an event summary object",
                         manifest, key);
            goto out;
        }
        snprintf(file, sizeof file, "%s/%s.json", dir, key);
        if ((rc = sk_read_file(file, EVENT_CAP, &text, &len, im->ei)) < 0)
            goto out;
        rc = event_buf(im, file, text, len);
        free(text);
        text = NULL;
        if (rc < 0)
            goto out;
    }
    rc = 0;
out:
    free(text);
    json_decref(root);
    return rc;
}
