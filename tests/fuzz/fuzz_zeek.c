/*
 * fuzz_zeek.c — Zeek log lines (TSV headers and records, JSON records)
 * through the Zeek mapping. Input: one byte choosing the file name the
 * lines come from (which can tell the log type), then lines separated by
 * '\n', each copied to an exact-size buffer; header state carries from one
 * line to the next as in a file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/event.h"
#include "sense/logsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"conn.log", "dns.log", "ssl.log.gz", "http.log",
                                        "files.log", NULL};
    void *state;
    size_t acc = 0;

    if (size < 1 || !(state = malloc(sk__zeek_state_size())))
        return 0;
    sk__zeek_state_init(state, names[data[0] % 6]);
    data++;
    size--;
    while (size) {
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
        if (len && sk__zeek_line(state, line, len, &ev, &why, &where) == 1) {
            const char *s = sk_event_name(&ev);
            acc += s ? strlen(s) : 0;
            if (ev.kind == SK_EVENT_DNS)
                for (uint16_t i = 0; i < ev.u.dns.n_answers; i++)
                    acc += ev.u.dns.answers[i].data ? strlen(ev.u.dns.answers[i].data) : 1;
            if (ev.kind == SK_EVENT_TLS && ev.u.tls.cert_sha256)
                acc += strlen(ev.u.tls.cert_sha256);
        }
        free(line);
        data += len + (nl ? 1 : 0);
        size -= len + (nl ? 1 : 0);
    }
    free(state);
    return acc == 1 ? 0 : 0;
}
