/*
 * event.h — helpers over sk_event.
 */
#ifndef SAKIMORI_EVENT_H
#define SAKIMORI_EVENT_H

#include <stddef.h>

#include "sakimori/event-t.h"

const char *sk_event_kind_name(enum sk_event_kind k);
/* "tcp", "udp", "icmp", "icmp6", or the number as text in buf. */
const char *sk_proto_name(uint8_t proto, char *buf, size_t len);
const char *sk_privacy_name(enum sk_privacy p);
/* The DNS/SNI/Host name an event carries, or NULL. */
const char *sk_event_name(const struct sk_event *ev);

struct sk_buf;
/* Appends the event as one JSON object (no newline) to b
 * (src/sense/event_json.c). */
int sk_event_json(const struct sk_event *ev, struct sk_buf *b);

#endif
