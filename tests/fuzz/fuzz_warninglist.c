/*
 * fuzz_warninglist.c — the MISP warninglist loader and its matchers.
 *
 * Any input either loads or fails with a message naming the file. A list
 * that loads is read again with jansson and each of its entries is matched:
 * a cidr entry's own address must hit the list, and so must a string or
 * hostname entry when the list applies to hostnames.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/warninglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hits_list(const struct sk_wl_hit *h, size_t n, size_t max, const struct sk_wl_info *l)
{
    for (size_t i = 0; i < n && i < max; i++)
        if (h[i].list == l)
            return 1;
    return 0;
}

static void check_entries(const struct sk_warninglists *wl, const uint8_t *data, size_t size)
{
    const struct sk_wl_info *info = sk_wl_list(wl, 0);
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    json_t *list = json_object_get(root, "list"), *e;
    struct sk_wl_hit h[8];
    size_t i;

    json_array_foreach(list, i, e) {
        const char *s = json_string_value(e);
        if (!s || i > 2000)
            break;
        if (info->type == SK_WL_CIDR) {
            struct sk_prefix p;
            if (sk_prefix_parse(s, &p, 1) < 0)
                abort(); /* the loader accepted it */
            size_t n = sk_wl_match_addr(wl, &p.addr, SK_WL_ANY, h, 8);
            if ((info->attrs & (SK_WL_ATTR_IP_SRC | SK_WL_ATTR_IP_DST)) && !hits_list(h, n, 8, info))
                abort();
        } else if ((info->type == SK_WL_STRING || info->type == SK_WL_HOSTNAME) &&
                   (info->attrs & SK_WL_ATTR_HOSTNAME) && s[0] != '.' && strlen(s) < 200) {
            size_t len = strlen(s);
            if (len && s[len - 1] != '.') {
                size_t n = sk_wl_match_name(wl, s, h, 8);
                if (!hits_list(h, n, 8, info))
                    abort();
            }
        }
    }
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    const char *p = path;
    struct sk_warninglists *wl;
    struct sk_errinfo ei = {""};
    struct sk_wl_hit h[4];
    struct sk_addr a;

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/sk_fuzz_wl_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (sk_wl_load(&wl, &p, 1, &ei) < 0) {
        if (strncmp(ei.msg, path, strlen(path)) != 0 && !strstr(ei.msg, "out of memory"))
            abort(); /* every error names the file */
        return 0;
    }
    if (sk_wl_count(wl) != 1)
        abort();
    check_entries(wl, data, size);
    sk_addr_parse("192.0.2.1", &a);
    sk_wl_match_addr(wl, &a, SK_WL_ANY, h, 4);
    sk_addr_parse("2001:db8::1", &a);
    sk_wl_match_addr(wl, &a, SK_WL_DST, h, 4);
    sk_wl_match_name(wl, "www.example.com", h, 4);
    sk_wl_match_value(wl, "url", "https://a@b.example:1/x?y#z", h, 4);
    sk_wl_match_value(wl, "url", "http://[2001:db8::1]:8080/", h, 4);
    sk_wl_match_value(wl, "domain|ip", "x.example|192.0.2.1", h, 4);
    sk_wl_match_value(wl, "email-src", "abuse@example.org", h, 4);
    sk_wl_match_value(wl, "filename|md5", "a|d41d8cd98f00b204e9800998ecf8427e", h, 4);
    sk_wl_free(wl);
    return 0;
}
