/*
 * fuzz_sniff.c — what the sinkhole reads from a victim's first bytes: the
 * HTTP Host header and the TLS ClientHello's server_name. Any bytes: no
 * crash, and a name found is non-empty, within its buffer, and made only of
 * host-name characters (it goes into the store and into notifications).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "act/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, const char *name)
{
    if (rc != 1)
        return;
    size_t n = strlen(name);
    if (n == 0 || n >= 256 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-._:[]") != n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char name[256];

    for (size_t cut = size > 64 ? size - 64 : 0; cut <= size; cut += 32) {
        name[0] = '\0';
        check(sk__sniff_http_host(data, cut, name, sizeof name), name);
        name[0] = '\0';
        check(sk__sniff_tls_sni(data, cut, name, sizeof name), name);
    }
    name[0] = '\0';
    check(sk__sniff_tls_sni(data, size, name, sizeof name), name);
    return 0;
}
