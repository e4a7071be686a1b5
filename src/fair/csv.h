/*
 * csv.h: the fairness engine's RFC 4180 CSV reader over a span of memory.
 *
 * Contract:
 * - The reader never copies and never allocates: a field is a span of the input.
 *   A quoted field's span excludes its quotes; when it contains doubled quotes
 *   ("") the field's `escaped` flag is set and fair_csv_unescape() gives its text.
 * - Records end at LF or CRLF outside quotes; the end of the input also ends the last
 *   record (a last line without a newline is a record). A CR not followed by LF is
 *   field data. Inside quotes every byte, including CR and LF, is data.
 * - Broken quoting is an error with the line and column where it was found: a quote
 *   inside an unquoted field, a character after a closing quote other than a comma
 *   or a line end, a quote that is never closed. After an error the reader stops:
 *   record boundaries behind a quoting error cannot be known, so nothing is skipped.
 * - `line` counts physical lines (LF bytes) from 1, so quoted newlines move it too;
 *   a record's line is the line where it starts.
 * - The caller owns the input span and must keep it mapped while it uses fields.
 */
#ifndef AIMS_FAIR_CSV_H
#define AIMS_FAIR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fair_csv_field {
	const char *data;
	size_t len;
	bool quoted;
	bool escaped; /* contains "" pairs; use fair_csv_unescape */
};

struct fair_csv {
	const char *p;   /* next byte to read */
	const char *end; /* one past the last byte */
	uint64_t line;   /* physical line of p, from 1 */
	/* A 64-byte window and the bit mask of its commas, LFs, CRs and quotes, so one
	 * vector pass serves several fields and rows. block NULL: none yet. */
	const char *block;
	uint64_t mask;
};

enum fair_csv_result {
	FAIR_CSV_END = 0,
	FAIR_CSV_RECORD = 1,
	FAIR_CSV_BROKEN = -1, /* broken quoting; see fair_csv_error */
};

struct fair_csv_error {
	uint64_t line;   /* physical line of the problem */
	size_t column;   /* 1-based field number */
	const char *what; /* static English text */
};

/* Starts reading data[0..len); skips a UTF-8 byte order mark when bom is true. */
void fair_csv_init(struct fair_csv *r, const char *data, size_t len, bool bom);

/*
 * Reads one record. Fills fields[0..max_fields) and sets *count to the record's
 * real number of fields (which may exceed max_fields; the extra ones are not
 * stored). *record_line gets the line the record starts on.
 * Returns FAIR_CSV_RECORD, FAIR_CSV_END when no input is left, or FAIR_CSV_BROKEN.
 */
int fair_csv_next(struct fair_csv *r, struct fair_csv_field *fields, size_t max_fields,
		  size_t *count, uint64_t *record_line, struct fair_csv_error *error);

/*
 * Copies the field's text (doubled quotes made single) into out[0..cap) and returns
 * its length, or (size_t)-1 when it does not fit. out is not NUL-terminated.
 */
size_t fair_csv_unescape(const struct fair_csv_field *f, char *out, size_t cap);

#endif
