/*
 * cmd_pdns.c — `sakimori pdns QUERY`: passive DNS from the store.
 *
 * QUERY is an address or a prefix (the names seen resolving into it, with
 * how many distinct names there are: what a block there would also cut
 * off) or a name (the addresses it resolved to; --subdomains for every name
 * under it). The store is opened read-only; rows come from the pdns table
 * that scans fill (sakimori/pdns.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/pdns.h"
#include "sakimori/store.h"

struct out {
    int json;
    uint64_t rows;
};

static void help(void)
{
    printf("usage: sakimori pdns [OPTIONS] ADDRESS|PREFIX|NAME\n"
           "\n"
           "Passive DNS from the store: for an address or prefix, the names seen\n"
           "resolving into it (and how many distinct names: what blocking it would\n"
           "also cut off); for a name, the addresses it resolved to. Each row: name,\n"
           "address, first and last seen, and how many answers carried the pair.\n"
           "\n"
           "options:\n"
           "      --since TIME     only pairs seen since TIME (RFC 3339) or for the\n"
           "                       last DURATION (7d, 24h, …)\n"
           "  -s, --subdomains     for a name: every name under it too\n"
           "  -n, --limit N        at most N rows (default 1000)\n"
           "      --db PATH        store file (default: store.path in the config)\n"
           "      --json           one JSON object per row\n"
           "  -c, --config PATH    configuration file\n"
           "  -h, --help           this help\n"
           "\n"
           "exit status: 0 success (rows or none), 2 usage or input error\n");
}

static int row(void *ctx, const struct sk_pdns_entry *e)
{
    struct out *o = ctx;
    char a[SK_ADDR_STRLEN], t1[SK_RFC3339_LEN], t2[SK_RFC3339_LEN];

    sk_addr_fmt(&e->addr, a, sizeof a);
    sk_rfc3339(e->first_seen, t1, sizeof t1);
    sk_rfc3339(e->last_seen, t2, sizeof t2);
    if (o->json) {
        /* names are escaped by the DNS decoder: no quote, backslash or control byte */
        struct sk_buf b;
        sk_buf_init(&b, 4096);
        sk_buf_printf(&b, "{\"name\":\"");
        for (const char *p = e->name; *p; p++)
            sk_buf_printf(&b, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
        sk_buf_printf(&b, "\",\"addr\":\"%s\",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"count\":%llu}",
                      a, t1, t2, (unsigned long long)e->count);
        printf("%s\n", sk_buf_str(&b));
        sk_buf_free(&b);
    } else {
        printf("%-50s %-39s %s  %s  %llu\n", e->name, a, t1, t2, (unsigned long long)e->count);
    }
    o->rows++;
    return 0;
}

int sk_cmd_pdns(int argc, char **argv)
{
    static const struct option opts[] = {
        {"since", required_argument, NULL, 'S'}, {"subdomains", no_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'n'}, {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},        {0},
    };
    struct sk_cli_common common = {0};
    const char *db = NULL;
    sk_nstime since = 0;
    unsigned long limit = 1000;
    int subdomains = 0, c, rc, status = SK_EXIT_ERROR;
    struct sk_errinfo ei = {""};
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    struct out o = {0};
    char *end;

    optind = 1;
    while ((c = getopt_long(argc, argv, "sn:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'S': {
            uint64_t d;
            if (sk_rfc3339_parse(optarg, &since) == 0)
                break;
            if (sk_duration_parse(optarg, &d) == 0 && d <= sk_now()) {
                since = sk_now() - d;
                break;
            }
            return sk_cli_usage_error("pdns", "--since: expected an RFC 3339 time or a duration "
                                              "like 7d, got '%s'", optarg);
        }
        case 's': subdomains = 1; break;
        case 'n':
            limit = strtoul(optarg, &end, 10);
            if (*end || !*optarg || limit == 0)
                return sk_cli_usage_error("pdns", "--limit: expected a positive number, got '%s'",
                                          optarg);
            break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("pdns", "unknown option");
        }
    }
    if (optind != argc - 1)
        return sk_cli_usage_error("pdns", "expected one address, prefix or name");
    const char *q = argv[optind];
    struct sk_prefix p;
    struct sk_addr a;
    char name[1024];
    int by_addr = 0;
    if (sk_addr_parse(q, &a) == 0) {
        p.addr = a;
        p.len = (uint8_t)sk_addr_bits(&a);
        by_addr = 1;
    } else if (sk_prefix_parse(q, &p, 0) == 0) {
        by_addr = 1;
    } else if (strchr(q, '/')) {
        return sk_cli_usage_error("pdns", "'%s' is not a prefix (host bits set?)", q);
    } else {
        size_t n = strlen(q);
        if (n >= sizeof name)
            return sk_cli_usage_error("pdns", "name too long");
        for (size_t i = 0; i <= n; i++) /* names are stored lower-case, no trailing dot */
            name[i] = (char)(q[i] >= 'A' && q[i] <= 'Z' ? q[i] + 32 : q[i]);
        if (n && name[n - 1] == '.')
            name[n - 1] = '\0';
    }
    if (!(conf = sk_cli_load_conf("pdns", &common)))
        return SK_EXIT_ERROR;
    if (!db)
        db = conf->store.path;
    if ((rc = sk_store_open_ro(&st, db, &ei)) < 0)
        goto fail;
    o.json = common.json;

    if (by_addr) {
        int64_t names = sk_pdns_count_names_in(st, &p, since);
        if (names < 0 || (rc = sk_pdns_names_in(st, &p, since, limit, row, &o)) < 0) {
            rc = names < 0 ? (int)names : rc;
            sk_errinfo_set(&ei, "%s: %s", db, sk_store_errmsg(st));
            goto fail;
        }
        if (!o.json)
            fprintf(stderr, "pdns: %lld distinct names resolved into %s\n", (long long)names, q);
    } else {
        if ((rc = sk_pdns_addrs_for_name(st, name, subdomains, since, limit, row, &o)) < 0) {
            sk_errinfo_set(&ei, "%s: %s", db, sk_store_errmsg(st));
            goto fail;
        }
    }
    status = SK_EXIT_OK;
    goto out;
fail:
    sk_cli_fail("pdns", rc, &ei);
out:
    sk_store_close(st);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}
