/*
 * logsrc.c — helpers shared by the EVE and Zeek sources (see logsrc.h).
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "sakimori/log.h"
#include "sakimori/source.h"
#include "sense/logsrc.h"
#include "sense/textconv.h"

#define MALFORMED_LOGGED 5

size_t sk__probe_text(const uint8_t *head, size_t len, char *out, size_t cap)
{
    if (!cap)
        return 0;
    if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
            return 0;
        z.next_in = (Bytef *)(uintptr_t)head;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)out;
        z.avail_out = (uInt)(cap - 1);
        inflate(&z, Z_SYNC_FLUSH);
        size_t n = cap - 1 - z.avail_out;
        inflateEnd(&z);
        out[n] = '\0';
        return n;
    }
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(out, head, n);
    out[n] = '\0';
    return n;
}

void sk__logsrc_malformed(struct sk_logsrc_report *r, uint64_t line, size_t off,
                          const char *why)
{
    r->src->stats.malformed++;
    if (r->logged < MALFORMED_LOGGED) {
        sk_warn("sense", "%s:%llu: byte %zu: malformed %s: %s%s", r->src->path,
                (unsigned long long)line, off, r->what, why ? "expected " : "",
                why ? why : "not understood");
    } else if (r->logged == MALFORMED_LOGGED) {
        sk_warn("sense", "%s: more malformed lines; counting them without a message",
                r->src->path);
    }
    r->logged++;
}
/* --- names ------------------------------------------------------------------- */

static const struct {
    const char *name;
    uint16_t type;
} rrtypes[] = {
    {"A", 1},       {"NS", 2},        {"CNAME", 5},   {"SOA", 6},    {"NULL", 10},
    {"WKS", 11},    {"PTR", 12},      {"HINFO", 13},  {"MINFO", 14}, {"MX", 15},
    {"TXT", 16},    {"RP", 17},       {"AFSDB", 18},  {"SIG", 24},   {"KEY", 25},
    {"AAAA", 28},   {"LOC", 29},      {"SRV", 33},    {"NAPTR", 35}, {"KX", 36},
    {"CERT", 37},   {"DNAME", 39},    {"OPT", 41},    {"DS", 43},    {"SSHFP", 44},
    {"RRSIG", 46},  {"NSEC", 47},     {"DNSKEY", 48}, {"NSEC3", 50}, {"NSEC3PARAM", 51},
    {"TLSA", 52},   {"HIP", 55},      {"CDS", 59},    {"CDNSKEY", 60}, {"SVCB", 64},
    {"HTTPS", 65},  {"SPF", 99},      {"TKEY", 249},  {"TSIG", 250}, {"IXFR", 251},
    {"AXFR", 252},  {"ANY", 255},     {"URI", 256},   {"CAA", 257},
};

uint16_t sk__dns_type_code(const char *s)
{
    uint64_t v;
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof rrtypes / sizeof rrtypes[0]; i++)
        if (strcmp(s, rrtypes[i].name) == 0)
            return rrtypes[i].type;
    if (strncmp(s, "TYPE", 4) == 0 && sk_tc_u64(s + 4, strlen(s + 4), &v) == 0 && v <= 65535)
        return (uint16_t)v;
    if (sk_tc_u64(s, strlen(s), &v) == 0 && v <= 65535)
        return (uint16_t)v;
    return 0;
}

uint8_t sk__dns_rcode_code(const char *s)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    uint64_t v;
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return (uint8_t)i;
    if (sk_tc_u64(s, strlen(s), &v) == 0 && v <= 255)
        return (uint8_t)v;
    return 0;
}

uint8_t sk__proto_code(const char *s)
{
    static const struct {
        const char *name;
        uint8_t num;
    } protos[] = {{"TCP", 6}, {"UDP", 17}, {"ICMP", 1}, {"IPv6-ICMP", 58}, {"IPV6-ICMP", 58},
                  {"ICMPv6", 58}, {"SCTP", 132}, {"GRE", 47}, {"ESP", 50}, {"AH", 51},
                  {"IGMP", 2}, {"tcp", 6}, {"udp", 17}, {"icmp", 1}};
    uint64_t v;
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (strcmp(s, protos[i].name) == 0)
            return protos[i].num;
    if (sk_tc_u64(s, strlen(s), &v) == 0 && v <= 255)
        return (uint8_t)v;
    return 0;
}

