/*
 * fuzz_netflow.c — the NetFlow v5/v9/IPFIX decoder on arbitrary datagrams.
 *
 * Input: records [1 byte: exporter (low 2 bits) and time step][2 bytes
 * length][datagram]. Datagrams go to one decoder with small bounds, from
 * one of four exporters, so templates, options, pending data, eviction and
 * withdrawal interact across datagrams as they do at a collector. Each
 * datagram is copied to an exact-size buffer so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/event.h"
#include "sense/netflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const struct sk_event *ev)
{
    uint64_t *acc = ctx;
    /* touch every field a consumer reads */
    *acc += ev->u.flow.pkts_out + ev->u.flow.bytes_out + ev->u.flow.pkts_in +
            ev->u.flow.bytes_in + ev->sport + ev->dport + ev->proto + ev->ts + ev->ts_end +
            ev->src.b[15] + ev->dst.b[0] + ev->u.flow.sampling;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_nf_limits lim = {.max_domains = 3, .max_templates = 32, .pending_bytes = 8192,
                               .pending_age = 5 * SK_NS_PER_SEC};
    struct sk_nf *nf;
    struct sk_addr exporters[4];
    uint64_t acc = 0;
    sk_nstime t = 1700000000 * SK_NS_PER_SEC;

    sk_addr_from_v4(&exporters[0], 0xc0000201);
    sk_addr_from_v4(&exporters[1], 0xc0000202);
    sk_addr_from_v4(&exporters[2], 0xc0000203);
    sk_addr_parse("2001:db8::1", &exporters[3]);
    if (sk_nf_new(&nf, &lim, sink, &acc) < 0)
        return 0;
    while (size >= 3) {
        uint8_t sel = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        uint8_t *dg = malloc(len ? len : 1);
        if (!dg)
            break;
        memcpy(dg, data, len);
        t += (sk_nstime)(sel >> 2) * SK_NS_PER_SEC;
        sk_nf_datagram(nf, &exporters[sel & 3], t, dg, len);
        free(dg);
        data += len;
        size -= len;
    }
    sk_nf_finish(nf);
    sk_nf_free(nf);
    return acc == 42 ? 0 : 0;
}
