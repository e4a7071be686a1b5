/*
 * mapped.h: the one I/O module of the fairness engine: maps a CSV file into memory
 * and scans it on several threads (fair/scan.h does the pure work).
 *
 * Memory: the mapping is read-only and private; pages behind each thread's position
 * are handed back with MADV_DONTNEED as it goes, so the resident set stays a few
 * windows wide whatever the file size. fair_mapped_close unmaps.
 */
#ifndef AIMS_FAIR_MAPPED_H
#define AIMS_FAIR_MAPPED_H

#include "base/err.h"
#include "fair/scan.h"

#include <stddef.h>

struct fair_mapped {
	const char *data;
	size_t len;
};

/* Maps path (a regular file; empty files are allowed: data NULL, len 0). */
int fair_mapped_open(const char *path, struct fair_mapped *m, struct err *e);
void fair_mapped_close(struct fair_mapped *m);

/* Gives back the pages of [from, to) (rounded inward to pages); a no-op if empty. */
void fair_mapped_release(const struct fair_mapped *m, const char *from, const char *to);

/*
 * Scans records of [begin, m->data + m->len) on `threads` threads (1 to 64) and joins
 * them into *total (fair_scan_join), begin being a record start on line first_line.
 * A thread that runs out of work takes half of what another has left (mapped.c),
 * so the pieces may be more than the threads: *pieces, when not NULL, gets their
 * number. *total must be released by the caller (fair_chunk_release). Returns
 * total->status, or an AIMS_E* code when threads could not be started.
 */
int fair_mapped_scan(const struct fair_mapped *m, const char *begin, uint64_t first_line,
		     const struct fair_scan_config *cfg, size_t threads, struct fair_chunk *total,
		     size_t *pieces, struct err *e);

#endif
