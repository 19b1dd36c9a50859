/*
 * target.c — what an action is aimed at, parsed and made canonical.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sakimori/action.h"
#include "sakimori/addr.h"

const char *sk_target_kind_name(enum sk_target_kind k)
{
    switch (k) {
    case SK_TARGET_FQDN: return "fqdn";
    case SK_TARGET_DOMAIN: return "domain";
    case SK_TARGET_IP: return "ip";
    case SK_TARGET_PREFIX: return "prefix";
    case SK_TARGET_URL: return "url";
    }
    return "unknown";
}

static int canon_host(const char *in, char *out, size_t len)
{
    size_t n = strlen(in), label = 0;

    if (n && in[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || n >= len)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (!label)
                return -1;
            label = 0;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63)
                return -1;
        } else {
            return -1;
        }
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
    return label ? 0 : -1;
}

int sk_target_parse(const char *s, struct sk_target *out, struct sk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    if (strlen(s) >= SK_TARGET_MAX)
        return sk_fail(ei, -SK_ETOOBIG, "target '%.40s…' is longer than %d bytes", s,
                       SK_TARGET_MAX - 1);
    if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
        out->kind = SK_TARGET_URL;
        snprintf(out->value, sizeof out->value, "%s", s);
        return 0;
    }
    int rc = sk_prefix_parse(s, &out->prefix, 0);
    if (rc == 0) {
        int host = out->prefix.len == sk_addr_bits(&out->prefix.addr);
        out->kind = host ? SK_TARGET_IP : SK_TARGET_PREFIX;
        if (host)
            sk_addr_fmt(&out->prefix.addr, out->value, sizeof out->value);
        else
            sk_prefix_fmt(&out->prefix, out->value, sizeof out->value);
        return 0;
    }
    if (rc == -SK_EINVAL)
        return sk_fail(ei, -SK_EPARSE, "target '%s': prefix has host bits set", s);
    if (strchr(s, '/') || (strchr(s, ':') && !strchr(s, '.')))
        return sk_fail(ei, -SK_EPARSE, "target '%s' is not a valid address or prefix", s);
    const char *name = s;
    out->kind = SK_TARGET_FQDN;
    if (strncmp(s, "*.", 2) == 0) {
        name = s + 2;
        out->kind = SK_TARGET_DOMAIN;
    }
    if (canon_host(name, out->value, sizeof out->value) < 0 || !strchr(out->value, '.'))
        return sk_fail(ei, -SK_EPARSE,
                       "target '%s': expected an IP, a prefix, a host name, *.domain or a URL",
                       s);
    return 0;
}
