/*
 * logsrc.h — what the log sources (EVE, Zeek) share: format detection on a
 * possibly gzip'd head, reporting malformed lines, and the names of DNS
 * types, DNS response codes and IP protocols as the logs write them.
 */
#ifndef SK_SENSE_LOGSRC_H
#define SK_SENSE_LOGSRC_H

#include <stddef.h>
#include <stdint.h>

struct sk_source;
struct sk_event;

/* The head of an input as text: head itself, or its gzip decompression.
 * Returns the bytes written to out (NUL-terminated), 0 if none. */
size_t sk__probe_text(const uint8_t *head, size_t len, char *out, size_t cap);

struct sk_logsrc_report {
    struct sk_source *src;
    const char *what; /* "EVE JSON line", "Zeek conn.log line" */
    unsigned logged;
};
/* Counts a malformed line in src->stats and logs the first few of them as
 * "PATH:LINE: byte OFF: WHAT: expected …". */
void sk__logsrc_malformed(struct sk_logsrc_report *r, uint64_t line, size_t off,
                          const char *why);

/* "A", "AAAA", "TYPE65", "28" → number; 0 when unknown. */
uint16_t sk__dns_type_code(const char *s);
/* "NOERROR", "NXDOMAIN", "3" → number; 0 when unknown. */
uint8_t sk__dns_rcode_code(const char *s);
/* "TCP", "udp", "IPv6-ICMP", "47" → number; 0 when unknown. */
uint8_t sk__proto_code(const char *s);

/* For tests and fuzzing: one line through the EVE or Zeek mapping, with
 * no file around it. line is modified in place; strings of ev point into it
 * (or into the scratch/state). Returns 1 event, 0 nothing (another event
 * type, a header), -1 malformed with *why (what was expected) and *where
 * (byte offset in the line). */
size_t sk__eve_scratch_size(void);
int sk__eve_line(char *line, size_t len, struct sk_event *ev, void *scratch,
                 const char **why, size_t *where);
size_t sk__zeek_state_size(void);
/* path: a file name that may tell the log type ("conn.log"), or NULL. */
void sk__zeek_state_init(void *state, const char *path);
int sk__zeek_line(void *state, char *line, size_t len, struct sk_event *ev, const char **why,
                  size_t *where);

#endif
