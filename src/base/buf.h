/*
 * buf.h: a growable byte buffer with a hard cap, in the manner of git's strbuf and
 * curl's dynbuf.
 *
 * Contract:
 * - After buf_init(b, limit), b->data is NULL or a NUL-terminated string of b->len
 *   bytes; b->len never exceeds the limit given to buf_init.
 * - Adding past the limit returns AIMS_ETOOBIG and leaves the buffer as it was.
 * - buf_release() frees the storage and makes the buffer empty and reusable;
 *   buf_detach() hands the storage to the caller (free() it) and empties the buffer.
 */
#ifndef AIMS_BASE_BUF_H
#define AIMS_BASE_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t limit;
};

#define BUF_INIT(limit) { NULL, 0, 0, (limit) }

void buf_init(struct buf *b, size_t limit);
int buf_add(struct buf *b, const void *data, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, ", ' replaced by HTML entities. */
int buf_add_html(struct buf *b, const char *s, size_t n);
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
/* Never NULL: "" for an empty buffer. */
const char *buf_str(const struct buf *b);

#endif
