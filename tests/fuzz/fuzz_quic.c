/*
 * fuzz_quic.c — QUIC client Initial packets: header parsing, header
 * protection and AEAD (arbitrary bytes essentially never pass the tag, so
 * the decryption path is driven by seeds that are real encrypted packets),
 * and the CRYPTO frame gatherer fed plaintext directly.
 *
 * Input: byte 0 bit 0 — 0: the rest is a sequence of datagrams [2 bytes
 * length][bytes] fed to one connection; 1: the rest is a sequence of
 * decrypted payloads, same framing, fed to the frame parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/quic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_quic_conn *q;
    struct sk_tls_client_hello *ch;
    char ja3[33], ja4[40];

    if (size < 1 || !(q = sk_quic_conn_new()))
        return 0;
    ch = malloc(sizeof *ch);
    int plain = data[0] & 1;
    data++;
    size--;
    while (size >= 2) {
        size_t len = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        uint8_t *d = malloc(len ? len : 1);
        memcpy(d, data, len);
        int rc = plain ? sk_quic_conn_frames(q, d, len, ch) : sk_quic_conn_feed(q, d, len, ch);
        free(d);
        data += len;
        size -= len;
        if (rc == 1)
            sk_tls_client_fingerprints(ch, 'q', ja3, ja4);
        if (rc != 0)
            break;
    }
    free(ch);
    sk_quic_conn_free(q);
    return 0;
}
