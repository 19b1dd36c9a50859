/*
 * privacy.h — what sakimori may keep of an event, applied before anything
 * is stored, shown or shared.
 *
 * Two profiles (enum sk_privacy):
 *   operator  every field: the operator's own network.
 *   metadata  addresses, ports, protocol, times, packet/byte counts and TCP
 *             flags only. DNS names and answers, SNI, ALPN, fingerprints,
 *             HTTP fields and alert texts are removed; a communication whose
 *             two ends are both inside privacy.domestic is dropped whole; a
 *             domestic address is replaced by a keyed, prefix-preserving
 *             pseudonym (Crypto-PAn) that keeps the domestic prefix it lies
 *             in, so analysts see the network's structure, not who is who.
 *
 * The profile of an input comes from the first `sources:` entry whose input
 * matches it, else privacy.profile (sk_privacy_profile_for).
 */
#ifndef SAKIMORI_PRIVACY_H
#define SAKIMORI_PRIVACY_H

#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/error.h"
#include "sakimori/event-t.h"

struct sk_conf;
struct sk_conf_source;
struct sk_privacy_filter;
struct sk_cryptopan;

struct sk_privacy_stats {
    uint64_t events;           /* events given */
    uint64_t stripped;         /* events whose content fields were removed */
    uint64_t dropped_domestic; /* dropped: both ends domestic */
    uint64_t pseudonymized;    /* addresses replaced */
};

/* Builds the filter from conf (domestic prefixes, key). Fails, naming the
 * setting, when the metadata profile is configured with domestic prefixes
 * but without a key, or when the key is malformed. */
int sk_privacy_new(struct sk_privacy_filter **out, const struct sk_conf *conf, struct sk_errinfo *ei);
void sk_privacy_free(struct sk_privacy_filter *p);

/* Applies a profile to one event. The stricter of `profile` and the event's
 * own ev->privacy wins. Returns ev when nothing changes, tmp (filled with
 * the filtered copy; its strings still point into ev) when fields were
 * removed or replaced, or NULL when the event must go no further. */
const struct sk_event *sk_privacy_apply(struct sk_privacy_filter *p, uint8_t profile,
                                        const struct sk_event *ev, struct sk_event *tmp);
void sk_privacy_stats(const struct sk_privacy_filter *p, struct sk_privacy_stats *out);
/* Is the address inside a domestic prefix? Sets *plen to that prefix's
 * length when it is. */
int sk_privacy_domestic(const struct sk_privacy_filter *p, const struct sk_addr *a, unsigned *plen);

/* The configured source entry an input falls under (input glob matched
 * against the path as given, or against its base name when the glob has no
 * '/'), or NULL. */
const struct sk_conf_source *sk_conf_source_for(const struct sk_conf *conf, const char *input);
/* The profile for an input: its sources: entry's, else privacy.profile. */
uint8_t sk_privacy_profile_for(const struct sk_conf *conf, const char *input);

/* Crypto-PAn (Xu, Fan, Ammar, Moon 2002) with AES-128, over IPv4 or IPv6.
 * key: 16 bytes of AES key, then 16 bytes whose encryption is the pad. The
 * first `keep` bits (in the family's own numbering) are left as they are;
 * keep = 0 is the original scheme. */
int sk_cryptopan_new(struct sk_cryptopan **out, const uint8_t key[32]);
void sk_cryptopan_free(struct sk_cryptopan *cp);
void sk_cryptopan_map(const struct sk_cryptopan *cp, const struct sk_addr *in, unsigned keep,
                      struct sk_addr *out);

#endif
