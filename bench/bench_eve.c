/*
 * bench_eve.c — Suricata EVE JSON into sk_events, against a plain jansson
 * parse of the same lines (bench_eve.sh adds jq).
 *
 *   bench_eve gen FILE MB          write about MB megabytes of EVE lines
 *   bench_eve sakimori FILE        the EVE source (file → sk_events)
 *   bench_eve jansson FILE         json_loadb per line + the same fields
 *
 * The generated mix follows a real sensor's (the reference capture's
 * proportions): about 70 % flow, 14 % dns (queries, and answers with answer
 * arrays), 15 % alert (with rule metadata), 1 % http, tls and anomaly, with
 * varied addresses, ports, names and counters. Rates are given per CPU
 * second of the reading thread (the machine is shared) and per wall second.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "sakimori/conf.h"
#include "sakimori/event.h"
#include "sakimori/source.h"

static uint64_t rng = 0x853c49e6748fea9bULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void ts(char *out, size_t n, uint32_t t)
{
    snprintf(out, n, "2021-06-%02uT%02u:%02u:%02u.%06u+0200", 6 + t / 86400 % 20, t / 3600 % 24,
             t / 60 % 60, t % 60, rnd() % 1000000);
}

static int gen(const char *path, unsigned mb)
{
    FILE *f = fopen(path, "w");
    static const char *const names[] = {"www.google.com", "update.example.org", "cdn.example.net",
                                        "c2-panel.example", "api.telemetry.example.com",
                                        "mail.example.jp"};
    char t1[64], t2[64], t3[64], src[32], dst[32];
    uint64_t written = 0, limit = (uint64_t)mb << 20;
    uint32_t clock = 3600;

    if (!f) {
        perror(path);
        return 1;
    }
    while (written < limit) {
        unsigned k = rnd() % 1000;
        clock += rnd() % 3;
        ts(t1, sizeof t1, clock);
        ts(t2, sizeof t2, clock > 30 ? clock - 30 : clock);
        ts(t3, sizeof t3, clock + 1);
        snprintf(src, sizeof src, "%u.%u.%u.%u", 1 + rnd() % 220, rnd() % 256, rnd() % 256, 1 + rnd() % 254);
        snprintf(dst, sizeof dst, "192.168.%u.%u", rnd() % 4, 1 + rnd() % 254);
        uint64_t fid = ((uint64_t)rnd() << 20) ^ rnd();
        int n;
        if (k < 700) {
            int tcp = rnd() % 10 < 6;
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"event_type\":\"flow\",\"src_ip\":\"%s\","
                        "\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,\"proto\":\"%s\","
                        "\"app_proto\":\"%s\",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,"
                        "\"bytes_toserver\":%u,\"bytes_toclient\":%u,\"start\":\"%s\",\"end\":\"%s\","
                        "\"age\":%u,\"state\":\"%s\",\"reason\":\"timeout\",\"alerted\":false}%s,"
                        "\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, src, 1024 + rnd() % 60000, dst,
                        tcp ? 445 : 1900, tcp ? "TCP" : "UDP", tcp ? "failed" : "dns",
                        1 + rnd() % 40, rnd() % 40, 60 + rnd() % 50000, rnd() % 90000, t2, t3,
                        rnd() % 60, tcp ? "closed" : "new",
                        tcp ? ",\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\","
                              "\"tcp_flags_tc\":\"1a\",\"syn\":true,\"fin\":true,\"psh\":true,"
                              "\"ack\":true,\"state\":\"closed\"}" : "");
        } else if (k < 770) {
            const char *name = names[rnd() % 6];
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"pcap_cnt\":%u,\"event_type\":\"dns\","
                        "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"192.168.1.1\",\"dest_port\":53,"
                        "\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":%u,\"rrname\":\"%s\","
                        "\"rrtype\":\"A\",\"tx_id\":0},\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, rnd() % 100000, dst, 1024 + rnd() % 60000,
                        rnd() % 65536, name);
        } else if (k < 840) {
            const char *name = names[rnd() % 6];
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"pcap_cnt\":%u,\"event_type\":\"dns\","
                        "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"192.168.1.1\",\"dest_port\":53,"
                        "\"proto\":\"UDP\",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":%u,"
                        "\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":\"%s\","
                        "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"%s\","
                        "\"rrtype\":\"CNAME\",\"ttl\":%u,\"rdata\":\"edge.%s\"},{\"rrname\":\"edge.%s\","
                        "\"rrtype\":\"A\",\"ttl\":%u,\"rdata\":\"%u.%u.%u.%u\"}],\"grouped\":{\"A\":"
                        "[\"%u.%u.%u.%u\"],\"CNAME\":[\"edge.%s\"]}},\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, rnd() % 100000, dst, 1024 + rnd() % 60000,
                        rnd() % 65536, name, name, rnd() % 3600, name, name, rnd() % 300,
                        rnd() % 224, rnd() % 256, rnd() % 256, rnd() % 256, rnd() % 224,
                        rnd() % 256, rnd() % 256, rnd() % 256, name);
        } else if (k < 990) {
            unsigned group = rnd() % 100;
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"pcap_cnt\":%u,\"event_type\":\"alert\","
                        "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":445,"
                        "\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
                        "\"signature_id\":%u,\"rev\":66418,\"signature\":\"ET CINS Active Threat "
                        "Intelligence Poor Reputation IP group %u\",\"category\":\"Misc Attack\","
                        "\"severity\":2,\"metadata\":{\"affected_product\":[\"Any\"],"
                        "\"attack_target\":[\"Any\"],\"created_at\":[\"2013_10_08\"],"
                        "\"deployment\":[\"Perimeter\"],\"signature_severity\":[\"Major\"],"
                        "\"tag\":[\"CINS\"],\"updated_at\":[\"2021_06_07\"]}},\"flow\":"
                        "{\"pkts_toserver\":1,\"pkts_toclient\":0,\"bytes_toserver\":60,"
                        "\"bytes_toclient\":0,\"start\":\"%s\"},\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, rnd() % 100000, src, 1024 + rnd() % 60000, dst,
                        2403300 + group, group, t1);
        } else if (k < 996) {
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"event_type\":\"http\",\"src_ip\":\"%s\","
                        "\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":80,\"proto\":\"TCP\","
                        "\"tx_id\":0,\"http\":{\"hostname\":\"%s\",\"http_port\":80,\"url\":\"/%x/index.php?q=%u\","
                        "\"http_user_agent\":\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 "
                        "(KHTML, like Gecko) Chrome/52.0.2743.116 Safari/537.36\",\"http_method\":\"GET\","
                        "\"protocol\":\"HTTP/1.1\",\"status\":%u,\"length\":%u},\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, src, 1024 + rnd() % 60000, dst,
                        names[rnd() % 6], rnd(), rnd() % 1000, rnd() % 2 ? 200 : 404, rnd() % 5000);
        } else if (k < 999) {
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"event_type\":\"tls\",\"src_ip\":\"%s\","
                        "\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":\"TCP\","
                        "\"tls\":{\"subject\":\"CN=%s\",\"issuerdn\":\"C=BE, O=GlobalSign nv-sa, CN=AlphaSSL "
                        "CA - SHA256 - G2\",\"serial\":\"17:8E:1E:D7:BD:75:EF:CD:3D:8F:FF:D3\","
                        "\"fingerprint\":\"2d:d1:9f:80:99:86:fc:ac:5f:2a:2a:fd:a3:f3:7e:96:7c:dd:24:%02x\","
                        "\"sni\":\"%s\",\"version\":\"TLS 1.2\",\"notbefore\":\"2020-03-19T09:44:08\","
                        "\"notafter\":\"2022-03-20T09:44:08\",\"ja3\":{\"hash\":\"b7202231ff2db28363c109cedc6d16%02x\","
                        "\"string\":\"770,51-57-69-136-22-53-132-47-65-10-5-4,0,,\"},\"ja3s\":{\"hash\":"
                        "\"ad90cab724fafab2660fbf61673c91a9\",\"string\":\"770,51,0\"}},\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, dst, 1024 + rnd() % 60000, src,
                        names[rnd() % 6], rnd() % 256, names[rnd() % 6], rnd() % 256);
        } else {
            n = fprintf(f,
                        "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"pcap_cnt\":%u,\"event_type\":\"anomaly\","
                        "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":554,"
                        "\"proto\":\"TCP\",\"anomaly\":{\"app_proto\":\"http\",\"type\":\"applayer\","
                        "\"event\":\"APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION\",\"layer\":\"proto_detect\"},"
                        "\"host\":\"stratosphere.org\"}\n",
                        t1, (unsigned long long)fid, rnd() % 100000, src, 1024 + rnd() % 60000, dst);
        }
        if (n < 0) {
            perror(path);
            fclose(f);
            return 1;
        }
        written += (uint64_t)n;
    }
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

struct sink {
    uint64_t events, acc;
};

static int sink(void *ctx, const struct sk_event *ev)
{
    struct sink *s = ctx;
    s->events++;
    s->acc += ev->ts + ev->sport + ev->src.b[15];
    const char *name = sk_event_name(ev);
    if (name)
        s->acc += (unsigned char)name[0];
    return 0;
}

static void report(const char *who, uint64_t bytes, uint64_t events, uint64_t cpu, uint64_t wall)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-10s %8.1f MB/s/core (%7.1f MB/s wall), %6.2f M events/s/core, %llu events, "
           "%.2f s CPU, %.2f s wall, peak RSS %ld KiB\n",
           who, (double)bytes / ((double)cpu / 1e9) / 1e6, (double)bytes / ((double)wall / 1e9) / 1e6,
           (double)events / ((double)cpu / 1e9) / 1e6, (unsigned long long)events,
           (double)cpu / 1e9, (double)wall / 1e9, ru.ru_maxrss);
}

static int run_sakimori(const char *path)
{
    struct sk_conf conf;
    struct sk_source_opts opts = {.conf = &conf};
    struct sk_source *src;
    struct sk_errinfo ei = {""};
    struct sink s = {0, 0};

    sk_conf_defaults(&conf);
    uint64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    if (sk_source_open(&src, "eve", path, &opts, &ei) < 0) {
        fprintf(stderr, "%s\n", ei.msg);
        return 1;
    }
    int rc = src->ops->run(src, sink, &s);
    uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0, wall = clock_ns(CLOCK_MONOTONIC) - w0;
    uint64_t bytes = src->stats.bytes, malformed = src->stats.malformed;
    sk_source_close(src);
    report("sakimori", bytes, s.events, cpu, wall);
    if (malformed)
        fprintf(stderr, "bench_eve: %llu malformed lines\n", (unsigned long long)malformed);
    return rc < 0 || malformed;
}

/* The same fields sakimori takes, through jansson's tree. */
static int run_jansson(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t bytes = 0, events = 0, acc = 0;

    if (!f) {
        perror(path);
        return 1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    uint64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t err;
        bytes += (uint64_t)n;
        json_t *o = json_loadb(line, (size_t)n, 0, &err);
        if (!o)
            continue;
        const char *type = json_string_value(json_object_get(o, "event_type"));
        const char *t = json_string_value(json_object_get(o, "timestamp"));
        const char *s = json_string_value(json_object_get(o, "src_ip"));
        const char *d = json_string_value(json_object_get(o, "dest_ip"));
        acc += (uint64_t)json_integer_value(json_object_get(o, "src_port")) +
               (uint64_t)json_integer_value(json_object_get(o, "dest_port"));
        acc += json_string_value(json_object_get(o, "proto")) ? 1 : 0;
        if (type && t && s && d) {
            json_t *x;
            if ((x = json_object_get(o, "flow")))
                acc += (uint64_t)json_integer_value(json_object_get(x, "pkts_toserver")) +
                       (uint64_t)json_integer_value(json_object_get(x, "bytes_toserver")) +
                       (uint64_t)json_integer_value(json_object_get(x, "pkts_toclient")) +
                       (uint64_t)json_integer_value(json_object_get(x, "bytes_toclient")) +
                       (json_string_value(json_object_get(x, "start")) ? 1 : 0);
            if ((x = json_object_get(o, "dns"))) {
                acc += json_string_value(json_object_get(x, "rrname")) ? 1 : 0;
                json_t *a = json_object_get(x, "answers"), *v;
                size_t i;
                json_array_foreach(a, i, v) acc += json_string_value(json_object_get(v, "rdata")) ? 1 : 0;
            }
            if ((x = json_object_get(o, "alert")))
                acc += (uint64_t)json_integer_value(json_object_get(x, "signature_id")) +
                       (json_string_value(json_object_get(x, "signature")) ? 1 : 0);
            if ((x = json_object_get(o, "http")))
                acc += json_string_value(json_object_get(x, "hostname")) ? 1 : 0;
            if ((x = json_object_get(o, "tls")))
                acc += json_string_value(json_object_get(x, "sni")) ? 1 : 0;
            events++;
        }
        json_decref(o);
    }
    uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0, wall = clock_ns(CLOCK_MONOTONIC) - w0;
    free(line);
    fclose(f);
    report("jansson", bytes, events, cpu, wall);
    return acc == 42;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "gen"))
        return gen(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
    if (argc == 3 && !strcmp(argv[1], "sakimori"))
        return run_sakimori(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "jansson"))
        return run_jansson(argv[2]);
    fprintf(stderr, "usage: bench_eve gen FILE MB | sakimori FILE | jansson FILE\n");
    return 2;
}
