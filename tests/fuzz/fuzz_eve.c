/*
 * fuzz_eve.c — Suricata EVE lines through the EVE mapping: JSON scanning
 * in place, every protocol object, and event building. Input: lines
 * separated by '\n'; each is copied to an exact-size buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/event.h"
#include "sense/logsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const struct sk_event *ev)
{
    size_t n = ev->sport + ev->dport + ev->proto + (size_t)ev->ts;
    const char *s[8] = {0};
    switch (ev->kind) {
    case SK_EVENT_DNS:
        s[0] = ev->u.dns.qname;
        for (uint16_t i = 0; i < ev->u.dns.n_answers; i++) {
            if (ev->u.dns.answers[i].name)
                n += strlen(ev->u.dns.answers[i].name);
            if (ev->u.dns.answers[i].data)
                n += strlen(ev->u.dns.answers[i].data);
        }
        break;
    case SK_EVENT_TLS:
        s[0] = ev->u.tls.sni, s[1] = ev->u.tls.ja3, s[2] = ev->u.tls.ja3s;
        s[3] = ev->u.tls.ja4, s[4] = ev->u.tls.cert_sha1, s[5] = ev->u.tls.alpn;
        break;
    case SK_EVENT_HTTP:
        s[0] = ev->u.http.method, s[1] = ev->u.http.host, s[2] = ev->u.http.uri;
        s[3] = ev->u.http.user_agent;
        break;
    case SK_EVENT_ALERT:
        s[0] = ev->u.alert.signature, s[1] = ev->u.alert.category, s[2] = ev->u.alert.action;
        break;
    }
    for (int i = 0; i < 8; i++)
        if (s[i])
            n += strlen(s[i]);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void *scratch = malloc(sk__eve_scratch_size());
    size_t acc = 0;

    while (scratch && size) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t len = nl ? (size_t)(nl - data) : size;
        char *line = malloc(len + 1);
        if (!line)
            break;
        memcpy(line, data, len);
        line[len] = '\0';
        struct sk_event ev;
        const char *why;
        size_t where;
        if (sk__eve_line(line, len, &ev, scratch, &why, &where) == 1)
            acc += touch(&ev);
        free(line);
        data += len + (nl ? 1 : 0);
        size -= len + (nl ? 1 : 0);
    }
    free(scratch);
    return acc == 1 ? 0 : 0;
}
