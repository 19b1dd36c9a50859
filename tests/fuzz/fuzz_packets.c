/*
 * fuzz_packets.c — the packet pipeline (decoder, flow table, DNS) on
 * arbitrary frames.
 *
 * Input: a sequence of records [1 byte link type selector][2 bytes length]
 * [frame]; each frame goes through sk_pktproc as one packet, one
 * millisecond after the previous, so flows form, time out and end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/conf.h"
#include "sakimori/event.h"
#include "sense/pktproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {1, 12, 101, 0, 108, 113, 228, 229, 276};

static int sink(void *ctx, const struct sk_event *ev)
{
    size_t *n = ctx;
    /* touch what consumers read */
    if (ev->kind == SK_EVENT_DNS && ev->u.dns.qname)
        *n += strlen(ev->u.dns.qname);
    for (uint16_t i = 0; ev->kind == SK_EVENT_DNS && i < ev->u.dns.n_answers; i++)
        if (ev->u.dns.answers[i].data)
            *n += strlen(ev->u.dns.answers[i].data);
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sk_conf conf;
    static int ready;
    struct sk_pktproc *pp;
    size_t events = 0;

    if (!ready) {
        sk_conf_defaults(&conf);
        conf.flow.max_flows = 16; /* small, so eviction is exercised */
        conf.flow.idle_timeout = 50 * SK_NS_PER_MS;
        ready = 1;
    }
    struct sk_source_opts opts = {.conf = &conf};
    if (sk_pktproc_new(&pp, &opts, sink, &events) < 0)
        return 0;
    sk_nstime ts = 1000 * SK_NS_PER_SEC;
    while (size >= 3) {
        int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        /* an exact-size copy, so ASan sees any read past the frame */
        uint8_t *frame = malloc(len ? len : 1);
        memcpy(frame, data, len);
        sk_pktproc_packet(pp, lt, ts, frame, (uint32_t)len, (uint32_t)len);
        free(frame);
        data += len;
        size -= len;
        ts += SK_NS_PER_MS;
    }
    sk_pktproc_finish(pp);
    sk_pktproc_free(pp);
    return 0;
}
