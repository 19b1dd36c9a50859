/*
 * dns.h — DNS message decoding (RFC 1035) into struct sk_ev_dns.
 */
#ifndef SK_SENSE_DNS_H
#define SK_SENSE_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/arena.h"
#include "sakimori/event-t.h"

#define SK_DNS_MAX_ANSWERS 64

/* Parses one DNS message (UDP payload, or TCP payload without the length
 * prefix). Names and answers are allocated in ar. Returns 0, -SK_ETRUNC or
 * -SK_EPARSE (malformed: bad compression pointer, loop, over-long name, …),
 * or -SK_ENOMEM when the arena is exhausted. */
int sk_dns_parse(const uint8_t *msg, size_t len, struct sk_arena *ar,
                 struct sk_ev_dns *out);

/* Reads a possibly compressed name at *off into out (presentation form,
 * lower-case, no trailing dot, bytes outside [a-z0-9-_*] escaped as \DDD).
 * Advances *off past the name at its original position. */
int sk_dns_name(const uint8_t *msg, size_t len, size_t *off, char *out,
                size_t outlen);

#endif
