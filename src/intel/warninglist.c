/*
 * warninglist.c — loading and matching MISP warninglists.
 *
 * Everything is read into one set: an array of list descriptors and four
 * indexes over the entries, built once and then only read:
 *   prefixes    open-addressing hash of (family, length, masked address) →
 *               chain of entries; an address is probed once per prefix length
 *               present in its family, longest first (≤ 33 / 129 probes, in
 *               practice the 20–40 lengths the lists use);
 *   strings     open-addressing hash of the lower-cased entry → chain of
 *               (list, kind) where kind says "exact" (string lists) or
 *               "and subdomains" (hostname lists); a name is probed as itself
 *               and then once per parent;
 *   substrings  a flat array scanned with memmem (lists are short: the
 *               largest that applies to names has 141 entries);
 *   regexes     compiled PCRE2 codes, matched one by one (MISP's regex lists
 *               apply to e-mail addresses and phone numbers).
 * One hit per list: a per-call bitmap of lists already reported. Lists are
 * capped at SK_WL_MAX_LISTS and files at WL_FILE_CAP bytes.
 *
 * Loading is all or nothing over all the paths of one call, and validates
 * against MISP's schema.json: the five required keys, no unknown key, the
 * type one of the five, every entry a string, every cidr entry an address or
 * prefix (host bits are cleared, as MISP's own matcher does), every regex
 * compiling. Errors name the file and the JSON path.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/file.h"
#include "sakimori/hash.h"
#include "sakimori/warninglist.h"

#define SK_WL_MAX_LISTS 4096
#define WL_FILE_CAP (64u << 20)
#define NIL UINT32_MAX

enum { KIND_EXACT = 1, KIND_HOST = 2 };

struct wl_pfx {
    struct sk_prefix p;
    uint32_t list;
    uint32_t next; /* next entry with the same key */
    const char *entry;
};

struct wl_str {
    const char *key; /* lower-case */
    uint32_t keylen;
    uint32_t list;
    uint32_t next;
    uint8_t kind;
    const char *entry;
};

struct wl_sub {
    const char *needle; /* lower-case */
    size_t len;
    uint32_t list;
    const char *entry;
};

struct wl_re {
    pcre2_code *code;
    uint32_t list;
    const char *entry;
};

struct index {
    uint32_t *slots; /* entry index + 1 of a chain head */
    uint32_t mask;
};

struct sk_warninglists {
    struct sk_arena arena;
    struct sk_wl_info *lists;
    size_t nlists, caplists;
    struct wl_pfx *pfx;
    size_t npfx, cappfx;
    struct wl_str *str;
    size_t nstr, capstr;
    struct wl_sub *sub;
    size_t nsub, capsub;
    struct wl_re *re;
    size_t nre, capre;
    struct index pfx_ix, str_ix;
    uint64_t seed;
    uint8_t lens4[33], nlens4, lens6[129], nlens6;
};

static const char *const type_names[] = {
    [SK_WL_CIDR] = "cidr", [SK_WL_STRING] = "string", [SK_WL_HOSTNAME] = "hostname",
    [SK_WL_SUBSTRING] = "substring", [SK_WL_REGEX] = "regex",
};

const char *sk_wl_type_name(enum sk_wl_type t)
{
    return t >= SK_WL_CIDR && t <= SK_WL_REGEX ? type_names[t] : "unknown";
}

uint32_t sk_wl_attr_of(const char *a)
{
    static const struct {
        const char *name;
        uint32_t bits;
    } map[] = {
        {"ip-src", SK_WL_ATTR_IP_SRC},
        {"ip-src|port", SK_WL_ATTR_IP_SRC},
        {"ip-dst", SK_WL_ATTR_IP_DST},
        {"ip-dst|port", SK_WL_ATTR_IP_DST},
        {"domain|ip", SK_WL_ATTR_IP_SRC | SK_WL_ATTR_IP_DST | SK_WL_ATTR_HOSTNAME},
        {"hostname", SK_WL_ATTR_HOSTNAME},
        {"domain", SK_WL_ATTR_HOSTNAME},
        {"hostname|port", SK_WL_ATTR_HOSTNAME},
        {"url", SK_WL_ATTR_URL},
        {"uri", SK_WL_ATTR_URL},
        {"email", SK_WL_ATTR_EMAIL},
        {"email-src", SK_WL_ATTR_EMAIL},
        {"email-dst", SK_WL_ATTR_EMAIL},
        {"target-email", SK_WL_ATTR_EMAIL},
        {"whois-registrant-email", SK_WL_ATTR_EMAIL},
        {"dns-soa-email", SK_WL_ATTR_EMAIL},
    };
    static const char *const hashes[] = {"md5", "sha1", "sha224", "sha256", "sha384",
                                         "sha512", "ssdeep", "imphash", "tlsh", NULL};

    if (!a)
        return SK_WL_ATTR_OTHER;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(a, map[i].name) == 0)
            return map[i].bits;
    const char *h = a;
    if (strncmp(h, "filename|", 9) == 0)
        h += 9;
    else if (strncmp(h, "x509-fingerprint-", 17) == 0)
        h += 17;
    for (size_t i = 0; hashes[i]; i++)
        if (strcmp(h, hashes[i]) == 0)
            return SK_WL_ATTR_HASH;
    return SK_WL_ATTR_OTHER;
}

/* --- growing arrays -------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *nv = realloc(*v, ncap * elem);
    if (!nv)
        return -SK_ENOMEM;
    *v = nv;
    *cap = ncap;
    return 0;
}
#define GROW(arr, n, cap) grow((void **)&(arr), &(cap), (n), sizeof *(arr))

static char *lower_dup(struct sk_arena *ar, const char *s, size_t len)
{
    char *d = sk_arena_strndup(ar, s, len);
    if (d)
        for (size_t i = 0; i < len; i++)
            d[i] = (char)tolower((unsigned char)d[i]);
    return d;
}

/* --- loading ---------------------------------------------------------------- */

static int add_regex(struct sk_warninglists *wl, uint32_t list, const char *entry,
                     const char *path, size_t idx, struct sk_errinfo *ei)
{
    const char *pat = entry, *end = entry + strlen(entry);
    uint32_t opts = 0;
    size_t plen = strlen(entry);

    /* MISP writes PHP-style "/pattern/flags" */
    if (plen >= 2 && (entry[0] == '/' || entry[0] == '#' || entry[0] == '~')) {
        const char *close = strrchr(entry + 1, entry[0]);
        if (!close)
            return sk_fail(ei, -SK_EPARSE, "%s: $.list[%zu]: regex '%s' has no closing '%c'",
                           path, idx, entry, entry[0]);
        for (const char *f = close + 1; f < end; f++) {
            switch (*f) {
            case 'i': opts |= PCRE2_CASELESS; break;
            case 'm': opts |= PCRE2_MULTILINE; break;
            case 's': opts |= PCRE2_DOTALL; break;
            case 'x': opts |= PCRE2_EXTENDED; break;
            case 'u': opts |= PCRE2_UTF; break;
            case 'g': break; /* "global": meaningless for a yes/no match */
            default:
                return sk_fail(ei, -SK_EPARSE,
                               "%s: $.list[%zu]: regex flag '%c' unknown (expected i, m, s, x, u or g)",
                               path, idx, *f);
            }
        }
        pat = entry + 1;
        plen = (size_t)(close - pat);
    }
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof msg);
        return sk_fail(ei, -SK_EPARSE, "%s: $.list[%zu]: regex does not compile at offset %zu: %s",
                       path, idx, (size_t)off, (const char *)msg);
    }
    if (GROW(wl->re, wl->nre, wl->capre) < 0) {
        pcre2_code_free(code);
        return -SK_ENOMEM;
    }
    wl->re[wl->nre++] = (struct wl_re){.code = code, .list = list, .entry = entry};
    return 0;
}

static int add_entry(struct sk_warninglists *wl, uint32_t list, enum sk_wl_type type,
                     const char *entry, const char *path, size_t idx, struct sk_errinfo *ei)
{
    size_t len = strlen(entry);

    switch (type) {
    case SK_WL_CIDR: {
        struct sk_prefix p;
        if (sk_prefix_parse(entry, &p, 1) < 0)
            return sk_fail(ei, -SK_EPARSE,
                           "%s: $.list[%zu]: '%s': expected an IP address or CIDR prefix",
                           path, idx, entry);
        if (GROW(wl->pfx, wl->npfx, wl->cappfx) < 0)
            return -SK_ENOMEM;
        wl->pfx[wl->npfx++] = (struct wl_pfx){.p = p, .list = list, .next = NIL, .entry = entry};
        return 0;
    }
    case SK_WL_STRING:
    case SK_WL_HOSTNAME: {
        const char *k = entry;
        size_t klen = len;
        if (type == SK_WL_HOSTNAME) {
            /* ".example.com" and "example.com." mean example.com */
            while (klen && *k == '.')
                k++, klen--;
            while (klen && k[klen - 1] == '.')
                klen--;
        }
        if (klen == 0)
            return 0; /* an empty entry matches nothing */
        if (GROW(wl->str, wl->nstr, wl->capstr) < 0)
            return -SK_ENOMEM;
        const char *key = lower_dup(&wl->arena, k, klen);
        if (!key)
            return -SK_ENOMEM;
        wl->str[wl->nstr++] = (struct wl_str){
            .key = key, .keylen = (uint32_t)klen, .list = list, .next = NIL,
            .kind = type == SK_WL_HOSTNAME ? KIND_HOST : KIND_EXACT, .entry = entry};
        return 0;
    }
    case SK_WL_SUBSTRING: {
        if (len == 0)
            return 0;
        if (GROW(wl->sub, wl->nsub, wl->capsub) < 0)
            return -SK_ENOMEM;
        const char *n = lower_dup(&wl->arena, entry, len);
        if (!n)
            return -SK_ENOMEM;
        wl->sub[wl->nsub++] = (struct wl_sub){.needle = n, .len = len, .list = list, .entry = entry};
        return 0;
    }
    case SK_WL_REGEX:
        return add_regex(wl, list, entry, path, idx, ei);
    }
    return -SK_EINVAL;
}

/* The list's short id: its folder for ".../<id>/list.json", else the file
 * name without ".json". */
static const char *list_id(struct sk_arena *ar, const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t blen = strlen(base);

    if (strcmp(base, "list.json") == 0 && base > path) {
        const char *end = base - 1, *start = end;
        while (start > path && start[-1] != '/')
            start--;
        if (end > start)
            return sk_arena_strndup(ar, start, (size_t)(end - start));
    }
    if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
        blen -= 5;
    return sk_arena_strndup(ar, base, blen);
}

static int load_file(struct sk_warninglists *wl, const char *path, struct sk_errinfo *ei)
{
    static const char *const required[] = {"list", "description", "version", "name", "type"};
    char *text = NULL;
    size_t len;
    json_t *root = NULL;
    json_error_t jerr;
    int rc;

    if ((rc = sk_read_file(path, WL_FILE_CAP, &text, &len, ei)) < 0)
        return rc;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = sk_fail(ei, -SK_EPARSE, "%s:%d:%d: JSON syntax: %s", path, jerr.line, jerr.column,
                     jerr.text);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = sk_fail(ei, -SK_EPARSE, "%s: $: expected a JSON object (a MISP warninglist)", path);
        goto out;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!json_object_get(root, required[i])) {
            rc = sk_fail(ei, -SK_EPARSE, "%s: $: missing required key '%s'", path, required[i]);
            goto out;
        }
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "list") && strcmp(key, "description") && strcmp(key, "version") &&
            strcmp(key, "name") && strcmp(key, "type") && strcmp(key, "matching_attributes")) {
            rc = sk_fail(ei, -SK_EPARSE,
                         "%s: $.%s: unknown key (expected list, description, version, name, type, matching_attributes)",
                         path, key);
            goto out;
        }
    }
    json_t *jname = json_object_get(root, "name"), *jdesc = json_object_get(root, "description"),
           *jver = json_object_get(root, "version"), *jtype = json_object_get(root, "type"),
           *jlist = json_object_get(root, "list"),
           *jattrs = json_object_get(root, "matching_attributes");
    if (!json_is_string(jname) || !json_is_string(jdesc)) {
        rc = sk_fail(ei, -SK_EPARSE, "%s: $.%s: expected a string", path,
                     json_is_string(jname) ? "description" : "name");
        goto out;
    }
    if (!json_is_integer(jver)) {
        rc = sk_fail(ei, -SK_EPARSE, "%s: $.version: expected an integer", path);
        goto out;
    }
    enum sk_wl_type type = 0;
    for (int t = SK_WL_CIDR; t <= SK_WL_REGEX; t++)
        if (json_is_string(jtype) && strcmp(json_string_value(jtype), type_names[t]) == 0)
            type = (enum sk_wl_type)t;
    if (!type) {
        rc = sk_fail(ei, -SK_EPARSE,
                     "%s: $.type: expected one of cidr, string, hostname, substring, regex", path);
        goto out;
    }
    if (!json_is_array(jlist)) {
        rc = sk_fail(ei, -SK_EPARSE, "%s: $.list: expected an array of strings", path);
        goto out;
    }
    uint32_t attrs = 0;
    if (jattrs) {
        size_t i;
        json_t *a;
        if (!json_is_array(jattrs)) {
            rc = sk_fail(ei, -SK_EPARSE, "%s: $.matching_attributes: expected an array of strings",
                         path);
            goto out;
        }
        json_array_foreach(jattrs, i, a) {
            if (!json_is_string(a)) {
                rc = sk_fail(ei, -SK_EPARSE, "%s: $.matching_attributes[%zu]: expected a string",
                             path, i);
                goto out;
            }
            attrs |= sk_wl_attr_of(json_string_value(a));
        }
    }
    if (!attrs)
        attrs = SK_WL_ATTR_ALL;
    if (wl->nlists >= SK_WL_MAX_LISTS) {
        rc = sk_fail(ei, -SK_ETOOBIG, "%s: more than %d warninglists", path, SK_WL_MAX_LISTS);
        goto out;
    }
    if ((rc = GROW(wl->lists, wl->nlists, wl->caplists)) < 0)
        goto out;
    struct sk_wl_info *info = &wl->lists[wl->nlists];
    memset(info, 0, sizeof *info);
    info->id = list_id(&wl->arena, path);
    info->name = sk_arena_strdup(&wl->arena, json_string_value(jname));
    info->description = sk_arena_strdup(&wl->arena, json_string_value(jdesc));
    info->path = sk_arena_strdup(&wl->arena, path);
    if (!info->id || !info->name || !info->description || !info->path) {
        rc = -SK_ENOMEM;
        goto out;
    }
    info->type = (uint8_t)type;
    info->attrs = attrs;
    info->version = (int64_t)json_integer_value(jver);
    size_t i;
    json_t *e;
    json_array_foreach(jlist, i, e) {
        if (!json_is_string(e)) {
            rc = sk_fail(ei, -SK_EPARSE, "%s: $.list[%zu]: expected a string", path, i);
            goto out;
        }
        const char *entry = sk_arena_strndup(&wl->arena, json_string_value(e), json_string_length(e));
        if (!entry) {
            rc = -SK_ENOMEM;
            goto out;
        }
        if (strlen(entry) != json_string_length(e)) {
            rc = sk_fail(ei, -SK_EPARSE, "%s: $.list[%zu]: NUL character in an entry", path, i);
            goto out;
        }
        if ((rc = add_entry(wl, (uint32_t)wl->nlists, type, entry, path, i, ei)) < 0)
            goto out;
    }
    info->nentries = json_array_size(jlist);
    wl->nlists++;
out:
    json_decref(root);
    free(text);
    return rc;
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int only_dirs(const struct dirent *d) { return d->d_name[0] != '.'; }

static int load_path(struct sk_warninglists *wl, const char *path, struct sk_errinfo *ei)
{
    char sub[4096];
    struct dirent **ents = NULL;
    int n, rc = 0;

    if (!is_dir(path))
        return load_file(wl, path, ei);
    snprintf(sub, sizeof sub, "%s/list.json", path);
    if (access(sub, F_OK) == 0)
        return load_file(wl, sub, ei);
    if ((n = scandir(path, &ents, only_dirs, alphasort)) < 0)
        return sk_fail(ei, -errno, "%s: cannot read directory: %s", path, strerror(errno));
    size_t before = wl->nlists;
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            int w = snprintf(sub, sizeof sub, "%s/%s/list.json", path, ents[i]->d_name);
            if (w > 0 && (size_t)w < sizeof sub && access(sub, F_OK) == 0)
                rc = load_file(wl, sub, ei);
        }
        free(ents[i]);
    }
    free(ents);
    if (rc == 0 && wl->nlists == before)
        rc = sk_fail(ei, -SK_ENOTFOUND, "%s: no warninglists (expected %s/<name>/list.json)", path,
                     path);
    return rc;
}

/* --- indexes ---------------------------------------------------------------- */

static uint64_t pfx_hash(const struct sk_warninglists *wl, uint8_t family, uint8_t len,
                         const uint8_t b[16])
{
    uint8_t k[18];
    k[0] = family;
    k[1] = len;
    memcpy(k + 2, b, 16);
    return sk_hash64(k, sizeof k, wl->seed);
}

static int index_init(struct index *ix, size_t n)
{
    size_t nslots = 16;
    while (nslots < 2 * n + 1)
        nslots *= 2;
    if (!(ix->slots = calloc(nslots, sizeof *ix->slots)))
        return -SK_ENOMEM;
    ix->mask = (uint32_t)(nslots - 1);
    return 0;
}

static int build_indexes(struct sk_warninglists *wl)
{
    int seen4[33] = {0}, seen6[129] = {0}, rc;

    if ((rc = index_init(&wl->pfx_ix, wl->npfx)) < 0 || (rc = index_init(&wl->str_ix, wl->nstr)) < 0)
        return rc;
    /* chains keep load order: insert from the back, prepend */
    for (size_t i = wl->npfx; i-- > 0;) {
        struct wl_pfx *e = &wl->pfx[i];
        uint32_t s = (uint32_t)pfx_hash(wl, e->p.addr.family, e->p.len, e->p.addr.b) & wl->pfx_ix.mask;
        for (;; s = (s + 1) & wl->pfx_ix.mask) {
            uint32_t v = wl->pfx_ix.slots[s];
            if (!v) {
                wl->pfx_ix.slots[s] = (uint32_t)i + 1;
                break;
            }
            struct wl_pfx *h = &wl->pfx[v - 1];
            if (h->p.len == e->p.len && sk_addr_eq(&h->p.addr, &e->p.addr)) {
                e->next = v - 1;
                wl->pfx_ix.slots[s] = (uint32_t)i + 1;
                break;
            }
        }
        if (e->p.addr.family == SK_AF_INET)
            seen4[e->p.len] = 1;
        else
            seen6[e->p.len] = 1;
    }
    for (size_t i = wl->nstr; i-- > 0;) {
        struct wl_str *e = &wl->str[i];
        uint32_t s = (uint32_t)sk_hash64(e->key, e->keylen, wl->seed) & wl->str_ix.mask;
        for (;; s = (s + 1) & wl->str_ix.mask) {
            uint32_t v = wl->str_ix.slots[s];
            if (!v) {
                wl->str_ix.slots[s] = (uint32_t)i + 1;
                break;
            }
            struct wl_str *h = &wl->str[v - 1];
            if (h->keylen == e->keylen && memcmp(h->key, e->key, e->keylen) == 0) {
                e->next = v - 1;
                wl->str_ix.slots[s] = (uint32_t)i + 1;
                break;
            }
        }
    }
    for (int l = 32; l >= 0; l--)
        if (seen4[l])
            wl->lens4[wl->nlens4++] = (uint8_t)l;
    for (int l = 128; l >= 0; l--)
        if (seen6[l])
            wl->lens6[wl->nlens6++] = (uint8_t)l;
    return 0;
}

int sk_wl_empty(struct sk_warninglists **out)
{
    return sk_wl_load(out, NULL, 0, NULL);
}

int sk_wl_load(struct sk_warninglists **out, const char *const *paths, size_t npaths,
               struct sk_errinfo *ei)
{
    struct sk_warninglists *wl = calloc(1, sizeof *wl);
    int rc = 0;

    *out = NULL;
    if (!wl)
        return -SK_ENOMEM;
    sk_arena_init(&wl->arena, 1 << 20, 0);
    wl->seed = sk_hash_seed();
    for (size_t i = 0; i < npaths && rc == 0; i++)
        rc = load_path(wl, paths[i], ei);
    if (rc == 0)
        rc = build_indexes(wl);
    if (rc < 0) {
        if (rc == -SK_ENOMEM && ei && !ei->msg[0])
            sk_errinfo_set(ei, "out of memory loading warninglists");
        sk_wl_free(wl);
        return rc;
    }
    *out = wl;
    return 0;
}

void sk_wl_free(struct sk_warninglists *wl)
{
    if (!wl)
        return;
    for (size_t i = 0; i < wl->nre; i++)
        pcre2_code_free(wl->re[i].code);
    free(wl->re);
    free(wl->sub);
    free(wl->str);
    free(wl->pfx);
    free(wl->lists);
    free(wl->pfx_ix.slots);
    free(wl->str_ix.slots);
    sk_arena_free(&wl->arena);
    free(wl);
}

size_t sk_wl_count(const struct sk_warninglists *wl) { return wl ? wl->nlists : 0; }

const struct sk_wl_info *sk_wl_list(const struct sk_warninglists *wl, size_t i)
{
    return wl && i < wl->nlists ? &wl->lists[i] : NULL;
}

const struct sk_wl_info *sk_wl_find(const struct sk_warninglists *wl, const char *id)
{
    for (size_t i = 0; wl && i < wl->nlists; i++)
        if (strcmp(wl->lists[i].id, id) == 0)
            return &wl->lists[i];
    return NULL;
}

/* --- matching --------------------------------------------------------------- */

/* Hits of one call: one per list, reported in list order. */
struct hits {
    const struct sk_warninglists *wl;
    uint64_t seen[SK_WL_MAX_LISTS / 64];
    const char *entry_of[SK_WL_MAX_LISTS]; /* valid where seen */
    size_t n;
};

static void hits_init(struct hits *h, const struct sk_warninglists *wl)
{
    h->wl = wl;
    memset(h->seen, 0, ((wl->nlists + 63) / 64) * sizeof h->seen[0]);
    h->n = 0;
}

static void hit(struct hits *h, uint32_t list, const char *entry)
{
    if (h->seen[list / 64] & (1ULL << (list % 64)))
        return;
    h->seen[list / 64] |= 1ULL << (list % 64);
    h->entry_of[list] = entry;
    h->n++;
}

static size_t hits_out(const struct hits *h, struct sk_wl_hit *out, size_t max)
{
    size_t k = 0;
    for (size_t w = 0; w < (h->wl->nlists + 63) / 64 && k < max && k < h->n; w++) {
        uint64_t bits = h->seen[w];
        while (bits && k < max) {
            size_t list = w * 64 + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            out[k].list = &h->wl->lists[list];
            out[k].entry = h->entry_of[list];
            k++;
        }
    }
    return h->n;
}

static uint32_t role_attrs(enum sk_wl_role role)
{
    uint32_t a = 0;
    if (role & SK_WL_SRC)
        a |= SK_WL_ATTR_IP_SRC;
    if (role & SK_WL_DST)
        a |= SK_WL_ATTR_IP_DST;
    return a;
}

static void match_addr(const struct sk_warninglists *wl, const struct sk_addr *a,
                       uint32_t want, struct hits *h)
{
    const uint8_t *lens = a->family == SK_AF_INET ? wl->lens4 : wl->lens6;
    size_t nlens = a->family == SK_AF_INET ? wl->nlens4 : wl->nlens6;

    if (a->family != SK_AF_INET && a->family != SK_AF_INET6)
        return;
    for (size_t i = 0; i < nlens; i++) {
        struct sk_addr m = *a;
        sk_addr_mask(&m, lens[i]);
        uint32_t s = (uint32_t)pfx_hash(wl, m.family, lens[i], m.b) & wl->pfx_ix.mask;
        for (uint32_t v; (v = wl->pfx_ix.slots[s]); s = (s + 1) & wl->pfx_ix.mask) {
            const struct wl_pfx *e = &wl->pfx[v - 1];
            if (e->p.len != lens[i] || !sk_addr_eq(&e->p.addr, &m))
                continue;
            for (uint32_t j = v - 1; j != NIL; j = wl->pfx[j].next)
                if (wl->lists[wl->pfx[j].list].attrs & want)
                    hit(h, wl->pfx[j].list, wl->pfx[j].entry);
            break;
        }
    }
}

size_t sk_wl_match_addr(const struct sk_warninglists *wl, const struct sk_addr *a,
                        enum sk_wl_role role, struct sk_wl_hit *out, size_t max)
{
    struct hits h;

    if (!wl || !wl->npfx)
        return 0;
    hits_init(&h, wl);
    match_addr(wl, a, role_attrs(role), &h);
    return hits_out(&h, out, max);
}

size_t sk_wl_match_prefix(const struct sk_warninglists *wl, const struct sk_prefix *p,
                          enum sk_wl_role role, struct sk_wl_hit *out, size_t max)
{
    uint32_t want = role_attrs(role);
    struct hits h;

    if (!wl || !wl->npfx)
        return 0;
    hits_init(&h, wl);
    /* list prefixes that contain p: those containing its first address
     * with a length no longer than p's */
    match_addr(wl, &p->addr, want, &h);
    for (size_t i = 0; i < wl->npfx; i++) {
        const struct wl_pfx *e = &wl->pfx[i];
        if (e->p.addr.family != p->addr.family || !(wl->lists[e->list].attrs & want))
            continue;
        if (e->p.len <= p->len ? sk_prefix_contains(&e->p, &p->addr)
                               : sk_prefix_contains(p, &e->p.addr))
            hit(&h, e->list, e->entry);
    }
    return hits_out(&h, out, max);
}

/* Exact probe of the string index; kinds is a mask of KIND_*. */
static void probe_str(const struct sk_warninglists *wl, const char *k, size_t len, int kinds,
                      uint32_t want, struct hits *h)
{
    if (!wl->nstr)
        return;
    uint32_t s = (uint32_t)sk_hash64(k, len, wl->seed) & wl->str_ix.mask;
    for (uint32_t v; (v = wl->str_ix.slots[s]); s = (s + 1) & wl->str_ix.mask) {
        const struct wl_str *e = &wl->str[v - 1];
        if (e->keylen != len || memcmp(e->key, k, len) != 0)
            continue;
        for (uint32_t j = v - 1; j != NIL; j = wl->str[j].next)
            if ((wl->str[j].kind & kinds) && (wl->lists[wl->str[j].list].attrs & want))
                hit(h, wl->str[j].list, wl->str[j].entry);
        return;
    }
}

static void match_sub_re(const struct sk_warninglists *wl, const char *lower, const char *orig,
                         size_t len, uint32_t want, struct hits *h)
{
    for (size_t i = 0; i < wl->nsub; i++) {
        const struct wl_sub *e = &wl->sub[i];
        if ((wl->lists[e->list].attrs & want) && memmem(lower, len, e->needle, e->len))
            hit(h, e->list, e->entry);
    }
    if (!wl->nre)
        return;
    pcre2_match_data *md = NULL;
    for (size_t i = 0; i < wl->nre; i++) {
        const struct wl_re *e = &wl->re[i];
        if (!(wl->lists[e->list].attrs & want))
            continue;
        if (!md && !(md = pcre2_match_data_create(1, NULL)))
            return;
        if (pcre2_match(e->code, (PCRE2_SPTR)orig, len, 0, 0, md, NULL) >= 0)
            hit(h, e->list, e->entry);
    }
    pcre2_match_data_free(md);
}

/* A name as a hostname: itself against string and hostname lists, each
 * parent against hostname lists, and the whole name against substring and
 * regex lists. */
static void match_host(const struct sk_warninglists *wl, const char *name, size_t len,
                       uint32_t want, int in_url, struct hits *h)
{
    char lower[256];

    while (len && name[len - 1] == '.')
        len--;
    if (len == 0 || len >= sizeof lower)
        return;
    for (size_t i = 0; i < len; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[len] = '\0';
    /* the host of a URL meets hostname lists only: string, substring and
     * regex lists see the whole URL */
    probe_str(wl, lower, len, in_url ? KIND_HOST : KIND_EXACT | KIND_HOST, want, h);
    for (size_t i = 0; i < len; i++)
        if (lower[i] == '.' && i + 1 < len)
            probe_str(wl, lower + i + 1, len - i - 1, KIND_HOST, want, h);
    if (!in_url)
        match_sub_re(wl, lower, lower, len, want, h);
}

size_t sk_wl_match_name(const struct sk_warninglists *wl, const char *name,
                        struct sk_wl_hit *out, size_t max)
{
    struct hits h;

    if (!wl || !name)
        return 0;
    hits_init(&h, wl);
    match_host(wl, name, strlen(name), SK_WL_ATTR_HOSTNAME, 0, &h);
    return hits_out(&h, out, max);
}

/* The host part of a URL: after "scheme://" and any "user@", before the
 * port, path, query or fragment; a URL without "//" starts with its host. */
static const char *url_host(const char *url, size_t *len)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at)
        p = at + 1;
    if (*p == '[') { /* IPv6 literal */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close) {
            *len = (size_t)(close - p - 1);
            return p + 1;
        }
    }
    const char *colon = memchr(p, ':', (size_t)(end - p));
    *len = (size_t)((colon ? colon : end) - p);
    return p;
}

size_t sk_wl_match_value(const struct sk_warninglists *wl, const char *attr_type,
                         const char *value, struct sk_wl_hit *out, size_t max)
{
    struct hits h;
    uint32_t want = sk_wl_attr_of(attr_type);
    char buf[1024];
    struct sk_addr a;

    if (!wl || !value)
        return 0;
    hits_init(&h, wl);
    /* composite "x|y" attributes: "domain|ip" → both parts, "ip-dst|port" → the address */
    if (attr_type && strchr(attr_type, '|') && strchr(value, '|') &&
        strncmp(attr_type, "filename|", 9) != 0) {
        size_t l1 = strcspn(value, "|");
        if (strcmp(attr_type, "domain|ip") == 0) {
            match_host(wl, value, l1, SK_WL_ATTR_HOSTNAME, 0, &h);
            if (sk_addr_parse(value + l1 + 1, &a) == 0)
                match_addr(wl, &a, SK_WL_ATTR_IP_SRC | SK_WL_ATTR_IP_DST, &h);
        } else if (want & (SK_WL_ATTR_IP_SRC | SK_WL_ATTR_IP_DST)) {
            if (sk_addr_parsen(value, l1, &a) == 0)
                match_addr(wl, &a, want, &h);
        } else if (want & SK_WL_ATTR_HOSTNAME) {
            match_host(wl, value, l1, want, 0, &h);
        }
        return hits_out(&h, out, max);
    }
    if (strncmp(attr_type ? attr_type : "", "filename|", 9) == 0 && strchr(value, '|'))
        value = strchr(value, '|') + 1;
    if (want & (SK_WL_ATTR_IP_SRC | SK_WL_ATTR_IP_DST)) {
        if (sk_addr_parse(value, &a) == 0)
            match_addr(wl, &a, want, &h);
        else
            probe_str(wl, value, strlen(value), KIND_EXACT, want, &h);
        return hits_out(&h, out, max);
    }
    if (want & SK_WL_ATTR_HOSTNAME) {
        match_host(wl, value, strlen(value), want, 0, &h);
        return hits_out(&h, out, max);
    }
    size_t len = strlen(value);
    if (want & SK_WL_ATTR_URL) {
        size_t hl;
        const char *host = url_host(value, &hl);
        if (sk_addr_parsen(host, hl, &a) == 0)
            match_addr(wl, &a, SK_WL_ATTR_ALL, &h);
        else
            match_host(wl, host, hl, SK_WL_ATTR_URL, 1, &h);
    }
    if (len < sizeof buf) {
        for (size_t i = 0; i <= len; i++)
            buf[i] = (char)tolower((unsigned char)value[i]);
        probe_str(wl, buf, len, KIND_EXACT, want, &h);
        match_sub_re(wl, buf, value, len, want, &h);
    }
    return hits_out(&h, out, max);
}
