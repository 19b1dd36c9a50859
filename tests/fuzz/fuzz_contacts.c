/*
 * fuzz_contacts.c — the abuse-contact database (RDAP-like JSON) and the
 * operator registry. The first byte picks which. A database that loads
 * answers lookups with a plain abuse address; an error names the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "act/contacts.h"
#include "sakimori/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const addrs[] = {"203.0.113.66", "2001:db8::1", "10.20.0.1", "0.0.0.0"};
    static const char *const names[] = {"evil.example", "a.b.example", "example", "x"};
    struct sk_errinfo ei = {""};
    struct sk_addr a;

    if (size < 1)
        return 0;
    if (data[0] & 1) {
        struct sk_operators *o;
        if (sk__operators_parse((const char *)data + 1, size - 1, "reg", &o, &ei) < 0) {
            if (strncmp(ei.msg, "reg", 3) != 0)
                abort();
            return 0;
        }
        for (size_t i = 0; i < 4; i++) {
            sk_addr_parse(addrs[i], &a);
            const struct sk_operator *op = sk__operators_for_addr(o, &a);
            if (op && (!op->id || !op->email || !strchr(op->email, '@')))
                abort();
        }
        sk__operators_free(o);
        return 0;
    }
    struct sk_contacts *c;
    struct sk_contact k;
    if (sk__contacts_parse((const char *)data + 1, size - 1, "db", &c, &ei) < 0) {
        if (strncmp(ei.msg, "db", 2) != 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < 4; i++) {
        sk_addr_parse(addrs[i], &a);
        if (sk__contacts_for_addr(c, &a, &k) == 0 && (!k.email || strpbrk(k.email, "\r\n<>,")))
            abort();
        if (sk__contacts_for_name(c, names[i], &k) == 0 && (!k.email || strpbrk(k.email, "\r\n<>,")))
            abort();
    }
    sk__contacts_free(c);
    return 0;
}
