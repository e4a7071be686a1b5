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
 * - struct fair_csv holds the structural index of the records ahead (about 14 KB):
 *   keep it off small stacks; it needs no release.
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

/* Which classifier finds the structural bytes of 64-byte windows (csv.c). */
enum fair_csv_simd {
	FAIR_CSV_PORTABLE = 0, /* plain C, any CPU */
	FAIR_CSV_SSE2 = 1,     /* x86-64 baseline */
	FAIR_CSV_AVX2 = 2,     /* chosen at run time where the CPU has it */
};

#define FAIR_CSV_SEP_CAP 2048 /* separators indexed at once */
#define FAIR_CSV_LF_CAP 1024  /* record ends indexed at once */
#define FAIR_CSV_ODD_CAP 128  /* odd bytes indexed at once */
#define FAIR_CSV_SLACK 80     /* room the branch-free index writer may scribble on */
#define FAIR_CSV_NO_ODD UINT32_MAX

struct fair_csv {
	const char *p;   /* next byte to read */
	const char *end; /* one past the last byte */
	uint64_t line;   /* physical line of p, from 1 */
	/* fair_csv_init sets the best classifier this CPU has; tests may lower it. */
	int simd;
	/*
	 * The structural index of the records from base to base + extent (csv.c):
	 * offsets from base of every comma and LF outside quotes (sep), of the LFs
	 * among them (lf: record ends), and of the bytes only the byte-wise reader
	 * handles (odd; then the end of the input if reached; then FAIR_CSV_NO_ODD).
	 * The cursors *_next stand at `at`; the index serves only while p == at.
	 * sep[0] is (uint32_t)-1, "the byte before base", so that the field before
	 * any separator starts one past the entry before it.
	 */
	const char *base; /* NULL: no index */
	const char *at;
	uint32_t extent;
	uint32_t nsep, nlf, nodd;
	uint32_t sep_next, lf_next, odd_next;
	uint32_t sep[FAIR_CSV_SEP_CAP + FAIR_CSV_SLACK];
	uint32_t lf[FAIR_CSV_LF_CAP + FAIR_CSV_SLACK];
	uint32_t odd[FAIR_CSV_ODD_CAP + FAIR_CSV_SLACK];
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
 * The same contract, read byte by byte: the reference that fair_csv_next falls back
 * to for records it does not handle itself (doubled quotes, quoted newlines, broken
 * quoting, the last record when the input does not end in LF), and that the tests
 * and the fuzz target compare it against. Calls of the two may be mixed on one
 * reader.
 */
int fair_csv_next_bytewise(struct fair_csv *r, struct fair_csv_field *fields, size_t max_fields,
			   size_t *count, uint64_t *record_line, struct fair_csv_error *error);

/*
 * Copies the field's text (doubled quotes made single) into out[0..cap) and returns
 * its length, or (size_t)-1 when it does not fit. out is not NUL-terminated.
 */
size_t fair_csv_unescape(const struct fair_csv_field *f, char *out, size_t cap);

/*
 * The hot loop's way in: a look at the next record without building its fields.
 *
 * fair_csv_peek is true when the next record is already indexed, has exactly
 * `columns` fields, ends in LF and holds nothing odd: every quote sits at a field
 * edge and no field has doubled quotes. Then fair_csv_view_raw gives any field's
 * raw bytes (a quoted field with its two quotes) and fair_csv_view_field the field
 * exactly as fair_csv_next would; fair_csv_take consumes the record. When false,
 * call fair_csv_prepare and try again if it indexed something, else read the
 * record with fair_csv_next.
 */

/* Indexes the records from p on when the index holds no complete record there; true
 * when it did. fair_csv_next does this itself. */
bool fair_csv_prepare(struct fair_csv *r);

struct fair_csv_view {
	const char *base;     /* ends are offsets from here */
	const uint32_t *ends; /* ends[i]: the comma or LF after field i; ends[-1]: the
			       * byte before the record, (uint32_t)-1 at base */
	size_t count;
	size_t crlf;          /* 1 when the record ends in CRLF */
};

static inline bool fair_csv_peek(const struct fair_csv *r, size_t columns, struct fair_csv_view *v)
{
	if (r->p != r->at || r->lf_next >= r->nlf || columns == 0)
		return false;
	uint32_t lf = r->lf[r->lf_next];
	size_t last = r->sep_next + columns - 1;
	if (r->odd[r->odd_next] <= lf || last >= r->nsep || r->sep[last] != lf)
		return false;
	v->base = r->base;
	v->ends = r->sep + r->sep_next;
	v->count = columns;
	/* The CR of a CRLF is the last field's last byte; an empty last field has none
	 * (the byte before it is its comma). */
	uint32_t last_start = v->ends[(ptrdiff_t)columns - 2] + 1;
	v->crlf = lf > last_start && r->base[lf - 1] == '\r';
	return true;
}

static inline void fair_csv_view_raw(const struct fair_csv_view *v, size_t i, const char **s, size_t *len)
{
	uint32_t start = v->ends[(ptrdiff_t)i - 1] + 1, end = v->ends[i];
	if (i + 1 == v->count)
		end -= (uint32_t)v->crlf;
	*s = v->base + start;
	*len = end - start;
}

static inline struct fair_csv_field fair_csv_view_field(const struct fair_csv_view *v, size_t i)
{
	const char *s;
	size_t len;
	fair_csv_view_raw(v, i, &s, &len);
	/* A plain quoted field starts with a quote and ends with its closing one. */
	size_t quoted = len && *s == '"';
	struct fair_csv_field f = { s + quoted, len - 2 * quoted, quoted != 0, false };
	return f;
}

static inline void fair_csv_take(struct fair_csv *r, const struct fair_csv_view *v)
{
	r->p = r->at = v->base + v->ends[v->count - 1] + 1;
	r->line++;
	r->sep_next += (uint32_t)v->count;
	r->lf_next++;
}


/*
 * The row index: a leaner index for the scan's fastest way, which looks at whole
 * short records. The same classification as the structural index, but instead of
 * the offset of every separator it keeps one 64-bit mask per 64-byte window (bit i
 * of sep[w]: the byte at base + 64 w + i is a comma or LF outside quotes), and the
 * offsets of the record ends (lf) and odd bytes (odd, then the end of the input if
 * reached, then FAIR_CSV_NO_ODD) as the structural index does. A record's
 * separators are then found in registers, only for the records and columns asked
 * about. It describes only what starts from base, a record start, and is right as
 * long as every record before the one read was well quoted (see csv.c).
 */
#define FAIR_CSV_ROW_WINDOWS 1024 /* 64 KiB a batch */

struct fair_csv_rows {
	const char *base; /* NULL: none */
	uint32_t extent;  /* bytes described */
	uint32_t nlf, nodd;
	uint64_t sep[FAIR_CSV_ROW_WINDOWS + 2]; /* zero past extent */
	uint32_t lf[FAIR_CSV_LF_CAP + FAIR_CSV_SLACK];
	uint32_t odd[FAIR_CSV_ODD_CAP + FAIR_CSV_SLACK];
};

/* Builds the row index of the records from p (a record start, before r->end) with
 * r's classifier. */
void fair_csv_rows_index(const struct fair_csv *r, const char *p, struct fair_csv_rows *x);

#endif
