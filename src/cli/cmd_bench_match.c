/*
 * cmd_bench_match.c — `sakimori bench match`: how fast indicators build and
 * match, and how much memory they take.
 *
 * Builds random indicator sets of the sizes asked (deterministic from
 * --seed), shaped like real feeds:
 *   IPv4   80 % hosts, 15 % /24, 4 % /25–/31, 1 % /16–/23, anywhere
 *   IPv6   60 % /128, 20 % /64, 15 % /48, 5 % /32–/47, in 2000::/3
 *   names  registered domains of 6–12 random letters under common TLDs and
 *          public suffixes (co.uk, com.br, …), 30 % with a subdomain;
 *          80 % "domain" (with subdomains), 20 % "fqdn"
 *   URLs   http://<name>/<path>; JA3   random MD5s
 * then times lookups (generated before each timed chunk, so generation is
 * not measured):
 *   uniform   addresses drawn uniformly (IPv4: all 2^32; IPv6: 2000::/3)
 *   skewed    traffic-like: 90 % from a Zipf(1.0) over one million
 *             "popular" destinations, 10 % uniform — caches warm as they do
 *             on a real link
 *   names     half are subdomains of indicators (the parent walk runs),
 *             half random names that match nothing
 * "batch" is the pipelined API the daemon uses (sk_intel_lookup_*), one
 * million keys per call; "single" is one sk_intel_match_* call per key.
 * Build time is adding every value to the builder (parse, canonicalise,
 * merge) plus freezing the snapshot (the matchers). Peak RSS is the
 * process's high-water mark (getrusage).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "sakimori/addr.h"
#include "sakimori/intel.h"
#include "sakimori/nstime.h"

#define CHUNK (1u << 20)

static uint64_t rs; /* splitmix64 state */
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double secs(sk_nstime a, sk_nstime b) { return (double)(b - a) / 1e9; }

/* CPU time of this thread: lookups per second per core, whatever else the
 * machine runs (wall-clock figures are printed beside it). */
static sk_nstime cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (sk_nstime)ts.tv_sec * SK_NS_PER_SEC + (sk_nstime)ts.tv_nsec;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void usage(void)
{
    printf("usage: sakimori bench match [OPTIONS]\n"
           "\n"
           "Builds random indicator sets of the given sizes, then prints build time,\n"
           "lookups per second for each kind of key (batch and single) and peak RSS.\n"
           "\n"
           "options:\n"
           "      --ipv4 N      IPv4 addresses and prefixes (default 1000000)\n"
           "      --ipv6 N      IPv6 addresses and prefixes (default 100000)\n"
           "      --domains N   domain and fqdn names (default 500000)\n"
           "      --urls N      URLs (default 0)\n"
           "      --ja3 N       JA3 fingerprints (default 0)\n"
           "      --lookups N   lookups per measurement (default 10000000)\n"
           "      --seed N      random seed (default 1)\n"
           "      --json        one JSON object with every figure\n"
           "  -h, --help        this help\n");
}

static int parse_n(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v > 1000000000ULL)
        return sk_cli_usage_error("bench match", "%s: expected an integer up to 1e9, got '%s'",
                                  opt, s);
    *out = v;
    return 0;
}

/* --- generators ------------------------------------------------------------ */

static void gen_label(char *out, unsigned minlen, unsigned maxlen)
{
    static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned n = minlen + (unsigned)(rnd() % (maxlen - minlen + 1));
    for (unsigned i = 0; i < n; i++)
        out[i] = al[i == 0 ? rnd() % 26 : rnd() % 36];
    out[n] = '\0';
}

static const char *const tlds[] = {"com", "net", "org", "info", "ru", "cn", "de", "xyz", "top",
                                   "io", "co.uk", "com.br", "co.jp", "biz", "online"};

static void gen_name(char *out, size_t len, int sub)
{
    char a[16], b[16];
    gen_label(a, 6, 12);
    if (sub) {
        gen_label(b, 1, 8);
        snprintf(out, len, "%s.%s.%s", b, a, tlds[rnd() % (sizeof tlds / sizeof tlds[0])]);
    } else {
        snprintf(out, len, "%s.%s", a, tlds[rnd() % (sizeof tlds / sizeof tlds[0])]);
    }
}

struct zipf {
    double *cdf;
    size_t n;
};

static int zipf_init(struct zipf *z, size_t n, double s)
{
    if (!(z->cdf = malloc(n * sizeof *z->cdf)))
        return -1;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += 1.0 / pow((double)(i + 1), s);
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += 1.0 / pow((double)(i + 1), s) / sum;
        z->cdf[i] = acc;
    }
    z->n = n;
    return 0;
}

static size_t zipf_draw(const struct zipf *z)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    size_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* --- the benchmark ------------------------------------------------------------ */

struct result {
    const char *name;
    double mps;      /* million lookups per second of CPU time (per core) */
    double mps_wall; /* million lookups per second of wall-clock time */
    double hit;      /* fraction that matched */
};

struct bench {
    uint64_t n4, n6, nd, nu, nj, lookups;
    struct sk_intel *in;
    char (*names)[80]; /* the name indicators, for lookups under them */
    size_t nnames;
    struct result res[16];
    size_t nres;
    double wall; /* wall-clock time of the current measurement */
};

static void record(struct bench *b, const char *name, uint64_t n, double t, uint64_t hits)
{
    if (b->nres < 16)
        b->res[b->nres++] = (struct result){name, t > 0 ? (double)n / t / 1e6 : 0,
                                            b->wall > 0 ? (double)n / b->wall / 1e6 : 0,
                                            n ? (double)hits / (double)n : 0};
    b->wall = 0;
}

/* Values are generated a chunk at a time into vals (not timed), then added
 * to the builder (timed): add_cpu accumulates the CPU time of the adds. */
#define GEN_CHUNK 65536
#define VAL_LEN 160
static char (*vals)[VAL_LEN];
static uint8_t vtype[GEN_CHUNK], vconf[GEN_CHUNK];
static double add_cpu;

static int add_chunk(struct sk_intel_builder *ib, size_t n)
{
    sk_nstime t0 = cpu_now();
    for (size_t i = 0; i < n; i++) {
        int rc = sk_intel_builder_add(ib, (enum sk_ioc_type)vtype[i], vals[i], "bench", vconf[i]);
        if (rc < 0)
            return rc;
    }
    add_cpu += secs(t0, cpu_now());
    return 0;
}

static int add_ipv4(struct sk_intel_builder *ib, uint64_t n)
{
    for (uint64_t done = 0; done < n; done += GEN_CHUNK) {
        size_t m = n - done < GEN_CHUNK ? (size_t)(n - done) : GEN_CHUNK;
        for (size_t i = 0; i < m; i++) {
            uint32_t a = (uint32_t)rnd();
            unsigned r = (unsigned)(rnd() % 100), len;
            len = r < 80 ? 32 : r < 95 ? 24 : r < 99 ? 25 + (unsigned)(rnd() % 7) : 20 + (unsigned)(rnd() % 4);
            a &= len == 32 ? 0xffffffffu : ~(0xffffffffu >> len);
            snprintf(vals[i], VAL_LEN, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                     a & 255, len);
            vtype[i] = SK_IOC_CIDR4;
            vconf[i] = (uint8_t)(rnd() % 101);
        }
        int rc = add_chunk(ib, m);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void rand_v6(struct sk_addr *a)
{
    uint8_t b[16];
    uint64_t h = 0x2000000000000000ULL | (rnd() >> 3), l = rnd();
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(h >> (56 - 8 * i));
        b[8 + i] = (uint8_t)(l >> (56 - 8 * i));
    }
    sk_addr_from_v6_bytes(a, b);
}

static int add_ipv6(struct sk_intel_builder *ib, uint64_t n)
{
    struct sk_prefix p;
    for (uint64_t done = 0; done < n; done += GEN_CHUNK) {
        size_t m = n - done < GEN_CHUNK ? (size_t)(n - done) : GEN_CHUNK;
        for (size_t i = 0; i < m; i++) {
            unsigned r = (unsigned)(rnd() % 100);
            rand_v6(&p.addr);
            p.len = (uint8_t)(r < 60 ? 128 : r < 80 ? 64 : r < 95 ? 48 : 32 + rnd() % 16);
            sk_addr_mask(&p.addr, p.len);
            sk_prefix_fmt(&p, vals[i], VAL_LEN);
            vtype[i] = SK_IOC_CIDR6;
            vconf[i] = (uint8_t)(rnd() % 101);
        }
        int rc = add_chunk(ib, m);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A sample of the names (at most NAME_SAMPLE, reservoir-sampled) for the
 * lookups under them; none when nothing is looked up, so that the peak RSS
 * measured is the matcher's, not the benchmark's. */
#define NAME_SAMPLE 1000000
static int add_names(struct bench *b, struct sk_intel_builder *ib, uint64_t n)
{
    size_t cap = b->lookups ? (n < NAME_SAMPLE ? n : NAME_SAMPLE) : 0;
    if (cap && !(b->names = malloc(cap * sizeof *b->names)))
        return -SK_ENOMEM;
    b->nnames = 0;
    for (uint64_t done = 0; done < n; done += GEN_CHUNK) {
        size_t m = n - done < GEN_CHUNK ? (size_t)(n - done) : GEN_CHUNK;
        for (size_t i = 0; i < m; i++) {
            uint64_t k = done + i;
            gen_name(vals[i], VAL_LEN, rnd() % 10 < 3);
            if (cap && k < cap) {
                memcpy(b->names[k], vals[i], sizeof b->names[0]);
                b->nnames++;
            } else if (cap && rnd() % (k + 1) < cap) {
                memcpy(b->names[rnd() % cap], vals[i], sizeof b->names[0]);
            }
            vtype[i] = rnd() % 10 < 8 ? SK_IOC_DOMAIN : SK_IOC_FQDN;
            vconf[i] = (uint8_t)(rnd() % 101);
        }
        int rc = add_chunk(ib, m);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_other(struct sk_intel_builder *ib, uint64_t nu, uint64_t nj)
{
    char name[80], path[16];
    for (uint64_t done = 0; done < nu + nj; done += GEN_CHUNK) {
        size_t m = nu + nj - done < GEN_CHUNK ? (size_t)(nu + nj - done) : GEN_CHUNK;
        for (size_t i = 0; i < m; i++) {
            if (done + i < nu) {
                gen_name(name, sizeof name, 1);
                gen_label(path, 4, 12);
                snprintf(vals[i], VAL_LEN, "http://%s/%s.php?id=%u", name, path,
                         (unsigned)(rnd() % 1000));
                vtype[i] = SK_IOC_URL;
            } else {
                snprintf(vals[i], VAL_LEN, "%016llx%016llx", (unsigned long long)rnd(),
                         (unsigned long long)rnd());
                vtype[i] = SK_IOC_JA3;
            }
            vconf[i] = 50;
        }
        int rc = add_chunk(ib, m);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int run_v4(struct bench *b, uint32_t *q, uint32_t *hits)
{
    const struct sk_indicator *m[8];
    struct zipf z;
    uint32_t *popular;
    uint64_t done, nhit;
    double t;

    /* uniform, batch */
    for (done = 0, nhit = 0, t = 0; done < b->lookups; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++)
            q[i] = (uint32_t)rnd();
        sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
        sk_intel_lookup_v4(b->in, q, CHUNK, hits);
        t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
        for (size_t i = 0; i < CHUNK; i++)
            nhit += hits[i] != 0;
    }
    record(b, "ipv4 uniform batch", done, t, nhit);
    /* uniform, one call per lookup (with expansion of the matches) */
    uint64_t ns = b->lookups / 4 > CHUNK ? b->lookups / 4 : CHUNK;
    for (done = 0, nhit = 0, t = 0; done < ns; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++)
            q[i] = (uint32_t)rnd();
        sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
        for (size_t i = 0; i < CHUNK; i++) {
            struct sk_addr a;
            sk_addr_from_v4(&a, q[i]);
            nhit += sk_intel_match_addr(b->in, &a, m, 8) != 0;
        }
        t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
    }
    record(b, "ipv4 uniform single", done, t, nhit);
    /* skewed */
    if (zipf_init(&z, 1000000, 1.0) < 0 || !(popular = malloc(1000000 * sizeof *popular)))
        return -SK_ENOMEM;
    for (size_t i = 0; i < 1000000; i++)
        popular[i] = (uint32_t)rnd();
    for (done = 0, nhit = 0, t = 0; done < b->lookups; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++)
            q[i] = rnd() % 10 ? popular[zipf_draw(&z)] : (uint32_t)rnd();
        sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
        sk_intel_lookup_v4(b->in, q, CHUNK, hits);
        t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
        for (size_t i = 0; i < CHUNK; i++)
            nhit += hits[i] != 0;
    }
    record(b, "ipv4 skewed batch", done, t, nhit);
    free(popular);
    free(z.cdf);
    return 0;
}

static int run_v6_mixed(struct bench *b, uint32_t *hits)
{
    struct sk_addr *q = malloc(CHUNK * sizeof *q), *popular = malloc(1000000 * sizeof *popular);
    struct zipf z;
    uint64_t done, nhit;
    double t;

    if (!q || !popular || zipf_init(&z, 1000000, 1.0) < 0) {
        free(q);
        free(popular);
        return -SK_ENOMEM;
    }
    for (size_t i = 0; i < 1000000; i++)
        rand_v6(&popular[i]);
    for (done = 0, nhit = 0, t = 0; done < b->lookups; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++)
            rand_v6(&q[i]);
        sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
        sk_intel_lookup_addrs(b->in, q, CHUNK, hits);
        t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
        for (size_t i = 0; i < CHUNK; i++)
            nhit += hits[i] != 0;
    }
    record(b, "ipv6 uniform batch", done, t, nhit);
    for (done = 0, nhit = 0, t = 0; done < b->lookups; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++) {
            if (rnd() % 10)
                q[i] = popular[zipf_draw(&z)];
            else
                rand_v6(&q[i]);
        }
        sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
        sk_intel_lookup_addrs(b->in, q, CHUNK, hits);
        t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
        for (size_t i = 0; i < CHUNK; i++)
            nhit += hits[i] != 0;
    }
    record(b, "ipv6 skewed batch", done, t, nhit);
    /* a traffic mix of both families, 80 % IPv4 */
    for (done = 0, nhit = 0, t = 0; done < b->lookups; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++) {
            if (rnd() % 10 < 8)
                sk_addr_from_v4(&q[i], (uint32_t)rnd());
            else
                rand_v6(&q[i]);
        }
        sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
        sk_intel_lookup_addrs(b->in, q, CHUNK, hits);
        t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
        for (size_t i = 0; i < CHUNK; i++)
            nhit += hits[i] != 0;
    }
    record(b, "mixed 80/20 uniform batch", done, t, nhit);
    free(q);
    free(popular);
    free(z.cdf);
    return 0;
}

static int run_names(struct bench *b, uint32_t *hits)
{
    enum { NC = 1 << 18 };
    char (*buf)[96] = malloc((size_t)NC * 96);
    const char **q = malloc(NC * sizeof *q);
    const struct sk_indicator *m[8];
    uint64_t done, nhit;
    double t;

    if (!buf || !q) {
        free(buf);
        free(q);
        return -SK_ENOMEM;
    }
    for (size_t i = 0; i < NC; i++)
        q[i] = buf[i];
    for (int single = 0; single <= 1; single++) {
        uint64_t total = single ? b->lookups / 4 : b->lookups;
        for (done = 0, nhit = 0, t = 0; done < total; done += NC) {
            for (size_t i = 0; i < NC; i++) {
                char l[16];
                if (rnd() % 2) {
                    gen_label(l, 1, 8);
                    snprintf(buf[i], 96, "%s.%s", l, b->names[rnd() % b->nnames]);
                } else {
                    gen_name(buf[i], 96, 1);
                }
            }
            sk_nstime t0 = cpu_now(), w0 = sk_monotonic();
            if (single) {
                for (size_t i = 0; i < NC; i++)
                    nhit += sk_intel_match_name(b->in, q[i], m, 8) != 0;
            } else {
                sk_intel_lookup_names(b->in, q, NC, hits);
            }
            t += secs(t0, cpu_now());
        b->wall += secs(w0, sk_monotonic());
            if (!single)
                for (size_t i = 0; i < NC; i++)
                    nhit += hits[i] != 0;
        }
        record(b, single ? "names single" : "names batch", done, t, nhit);
    }
    free(buf);
    free(q);
    return 0;
}

int sk_cmd_bench_match(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ipv4", required_argument, NULL, '4'},   {"ipv6", required_argument, NULL, '6'},
        {"domains", required_argument, NULL, 'd'}, {"urls", required_argument, NULL, 'u'},
        {"ja3", required_argument, NULL, 'j'},    {"lookups", required_argument, NULL, 'l'},
        {"seed", required_argument, NULL, 's'},   {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    struct bench b = {.n4 = 1000000, .n6 = 100000, .nd = 500000, .lookups = 10000000};
    struct sk_intel_builder *ib = NULL;
    uint64_t seed = 1;
    uint32_t *q = NULL, *hits = NULL;
    int c, json = 0, rc, status = SK_EXIT_ERROR;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case '4': if (parse_n("--ipv4", optarg, &b.n4)) return SK_EXIT_ERROR; break;
        case '6': if (parse_n("--ipv6", optarg, &b.n6)) return SK_EXIT_ERROR; break;
        case 'd': if (parse_n("--domains", optarg, &b.nd)) return SK_EXIT_ERROR; break;
        case 'u': if (parse_n("--urls", optarg, &b.nu)) return SK_EXIT_ERROR; break;
        case 'j': if (parse_n("--ja3", optarg, &b.nj)) return SK_EXIT_ERROR; break;
        case 'l': if (parse_n("--lookups", optarg, &b.lookups)) return SK_EXIT_ERROR; break;
        case 's': if (parse_n("--seed", optarg, &seed)) return SK_EXIT_ERROR; break;
        case 'J': json = 1; break;
        case 'h': usage(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("bench match", "unknown option");
        }
    }
    if (optind < argc)
        return sk_cli_usage_error("bench match", "unexpected argument '%s'", argv[optind]);
    rs = seed;

    if (!(vals = malloc((size_t)GEN_CHUNK * VAL_LEN))) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    sk_nstime t0 = sk_monotonic(), c0 = cpu_now();
    if ((rc = sk_intel_builder_new(&ib)) < 0 || (rc = add_ipv4(ib, b.n4)) < 0 ||
        (rc = add_ipv6(ib, b.n6)) < 0 || (rc = add_names(&b, ib, b.nd)) < 0 ||
        (rc = add_other(ib, b.nu, b.nj)) < 0)
        goto fail;
    sk_nstime t1 = sk_monotonic(), c1 = cpu_now();
    free(vals);
    vals = NULL;
    rc = sk_intel_build(ib, &b.in);
    ib = NULL;
    if (rc < 0)
        goto fail;
    sk_nstime t2 = sk_monotonic(), c2 = cpu_now();
    long rss_build = peak_rss_kb();
    struct sk_intel_stats st;
    sk_intel_stats(b.in, &st);

    if (!(q = malloc(CHUNK * sizeof *q)) || !(hits = malloc(CHUNK * sizeof *hits))) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    if (b.lookups) {
        if ((st.count[SK_IOC_IPV4] + st.count[SK_IOC_CIDR4]) && (rc = run_v4(&b, q, hits)) < 0)
            goto fail;
        if ((st.count[SK_IOC_IPV6] + st.count[SK_IOC_CIDR6]) && (rc = run_v6_mixed(&b, hits)) < 0)
            goto fail;
        if (b.nnames && (rc = run_names(&b, hits)) < 0)
            goto fail;
    }
    long rss_end = peak_rss_kb();

    size_t n4 = st.count[SK_IOC_IPV4] + st.count[SK_IOC_CIDR4];
    size_t n6 = st.count[SK_IOC_IPV6] + st.count[SK_IOC_CIDR6];
    size_t nn = st.count[SK_IOC_DOMAIN] + st.count[SK_IOC_FQDN];
    if (json) {
        json_t *o = json_object(), *r = json_object();
        json_object_set_new(o, "indicators", json_integer((json_int_t)st.indicators));
        json_object_set_new(o, "ipv4", json_integer((json_int_t)n4));
        json_object_set_new(o, "ipv6", json_integer((json_int_t)n6));
        json_object_set_new(o, "names", json_integer((json_int_t)nn));
        json_object_set_new(o, "urls", json_integer((json_int_t)st.count[SK_IOC_URL]));
        json_object_set_new(o, "ja3", json_integer((json_int_t)st.count[SK_IOC_JA3]));
        json_object_set_new(o, "add_s", json_real(secs(t0, t1)));
        json_object_set_new(o, "freeze_s", json_real(secs(t1, t2)));
        json_object_set_new(o, "build_s", json_real(secs(t0, t2)));
        json_object_set_new(o, "build_cpu_s", json_real(add_cpu + secs(c1, c2)));
        json_object_set_new(o, "add_cpu_s", json_real(add_cpu));
        json_object_set_new(o, "freeze_cpu_s", json_real(secs(c1, c2)));
        json_object_set_new(o, "bytes_lpm4", json_integer((json_int_t)st.bytes_lpm4));
        json_object_set_new(o, "bytes_lpm6", json_integer((json_int_t)st.bytes_lpm6));
        json_object_set_new(o, "bytes_names", json_integer((json_int_t)st.bytes_names));
        json_object_set_new(o, "bytes_other", json_integer((json_int_t)st.bytes_other));
        json_object_set_new(o, "peak_rss_build_kb", json_integer(rss_build));
        json_object_set_new(o, "peak_rss_kb", json_integer(rss_end));
        for (size_t i = 0; i < b.nres; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "mlookups_s", json_real(b.res[i].mps));
            json_object_set_new(x, "mlookups_s_wall", json_real(b.res[i].mps_wall));
            json_object_set_new(x, "hit_ratio", json_real(b.res[i].hit));
            json_object_set_new(r, b.res[i].name, x);
        }
        json_object_set_new(o, "lookups", r);
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(o);
    } else {
        printf("indicators: %zu (ipv4/cidr4 %zu, ipv6/cidr6 %zu, names %zu, urls %zu, ja3 %zu)\n",
               st.indicators, n4, n6, nn, st.count[SK_IOC_URL], st.count[SK_IOC_JA3]);
        printf("build: %.2f s CPU (add %.2f s, freeze %.2f s; generating the values %.2f s more)"
               "; %.2f s wall\n", add_cpu + secs(c1, c2), add_cpu, secs(c1, c2),
               secs(c0, c1) - add_cpu, secs(t0, t2));
        printf("matcher memory: ipv4 %.1f MiB, ipv6 %.1f MiB, names %.1f MiB, table+indicators %.1f MiB\n",
               st.bytes_lpm4 / 1048576.0, st.bytes_lpm6 / 1048576.0, st.bytes_names / 1048576.0,
               st.bytes_other / 1048576.0);
        printf("peak RSS: %.1f MiB after build, %.1f MiB at the end\n", rss_build / 1024.0,
               rss_end / 1024.0);
        for (size_t i = 0; i < b.nres; i++)
            printf("%-26s %8.1f M lookups/s per core (%6.1f M/s wall)   %.2f %% matched\n",
                   b.res[i].name, b.res[i].mps, b.res[i].mps_wall, 100 * b.res[i].hit);
    }
    status = SK_EXIT_OK;
    goto out;
fail:
    sk_cli_fail("bench match", rc, NULL);
out:
    free(vals);
    vals = NULL;
    sk_intel_builder_free(ib);
    sk_intel_free(b.in);
    free(b.names);
    free(q);
    free(hits);
    return status;
}
