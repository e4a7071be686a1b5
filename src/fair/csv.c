/*
 * csv.c: the RFC 4180 reader of csv.h, written for speed on large prediction files.
 *
 * Why our own reader rather than libcsv (which the inventory import uses): libcsv
 * copies every field into a growing buffer and calls back per field; this reader
 * hands out spans of a memory-mapped file and lets the caller look only at the
 * columns it needs. docs/internals/fair.md has the measured difference.
 *
 * Invariants: r->p only moves forward and never passes r->end; r->line is the number
 * of LF bytes before r->p, plus one. No allocation, no I/O.
 */
#include "fair/csv.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum byte_class { DATA = 0, COMMA = 1, LF = 2, QUOTE = 3, CR = 4 };

static const unsigned char byte_class[256] = {
	[','] = COMMA, ['\n'] = LF, ['"'] = QUOTE, ['\r'] = CR,
};

void fair_csv_init(struct fair_csv *r, const char *data, size_t len, bool bom)
{
	r->p = data;
	r->end = data + len;
	r->line = 1;
	r->block = NULL;
	r->mask = 0;
	if (bom && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

/* Bit i set when block[i] is a comma, LF, CR or quote; block has 64 bytes. */
static uint64_t special_mask(const char *block)
{
#if defined(__SSE2__)
	const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n');
	const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	uint64_t mask = 0;
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(block + 16 * k));
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, lf)),
					   _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, cr)));
		mask |= (uint64_t)(unsigned)_mm_movemask_epi8(hit) << (16 * k);
	}
	return mask;
#else
	uint64_t mask = 0;
	for (int i = 0; i < 64; i++)
		if (byte_class[(unsigned char)block[i]] != DATA)
			mask |= (uint64_t)1 << i;
	return mask;
#endif
}

/* The first byte at or after p that is a comma, LF, CR or quote; end if none. */
static const char *next_special(struct fair_csv *r, const char *p, const char *end)
{
	for (;;) {
		if (r->block && p >= r->block && p < r->block + 64) {
			uint64_t m = r->mask >> (p - r->block);
			if (m)
				return p + __builtin_ctzll(m);
			p = r->block + 64;
			continue;
		}
		if (end - p < 64)
			break;
		r->block = p;
		r->mask = special_mask(p);
	}
	while (p < end && byte_class[(unsigned char)*p] == DATA)
		p++;
	return p;
}

static uint64_t count_lf(const char *p, const char *end)
{
	uint64_t n = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

static int broken(struct fair_csv *r, struct fair_csv_error *error, uint64_t line, size_t column,
		  const char *what)
{
	error->line = line;
	error->column = column;
	error->what = what;
	r->p = r->end; /* stop: nothing after a quoting error can be trusted */
	return FAIR_CSV_BROKEN;
}

int fair_csv_next(struct fair_csv *r, struct fair_csv_field *fields, size_t max_fields,
		  size_t *count, uint64_t *record_line, struct fair_csv_error *error)
{
	const char *p = r->p, *end = r->end;
	size_t n = 0;

	*count = 0;
	*record_line = r->line;
	if (p >= end)
		return FAIR_CSV_END;
	for (;;) {
		struct fair_csv_field f = { p, 0, false, false };
		if (p < end && *p == '"') {
			/* Quoted field: runs to the next quote that is not doubled. */
			const char *q, *start = p + 1;
			p = start;
			for (;;) {
				q = memchr(p, '"', (size_t)(end - p));
				if (!q)
					return broken(r, error, *record_line, n + 1,
						      "a quoted field is not closed before the end of the file");
				if (q + 1 < end && q[1] == '"') {
					f.escaped = true;
					p = q + 2;
					continue;
				}
				break;
			}
			r->line += count_lf(start, q);
			f.data = start;
			f.len = (size_t)(q - start);
			f.quoted = true;
			p = q + 1;
			if (p < end && *p != ',' && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n'))
				return broken(r, error, r->line, n + 1,
					      "a closing quote must be followed by a comma or the end of the line");
		} else {
			for (;;) {
				p = next_special(r, p, end);
				if (p >= end)
					break;
				unsigned char c = byte_class[(unsigned char)*p];
				if (c == QUOTE)
					return broken(r, error, r->line, n + 1,
						      "a quote inside an unquoted field (quote the whole field and double the quote)");
				if (c == CR && !(p + 1 < end && p[1] == '\n')) {
					p++;
					continue;
				}
				break;
			}
			f.len = (size_t)(p - f.data);
		}
		if (n < max_fields)
			fields[n] = f;
		n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		/* End of the record: LF, CRLF or the end of the input. */
		if (p < end && *p == '\r')
			p++;
		if (p < end) {
			p++; /* the LF */
			r->line++;
		}
		break;
	}
	r->p = p;
	*count = n;
	return FAIR_CSV_RECORD;
}

size_t fair_csv_unescape(const struct fair_csv_field *f, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < f->len; i++) {
		if (o >= cap)
			return (size_t)-1;
		out[o++] = f->data[i];
		if (f->escaped && f->data[i] == '"')
			i++; /* the second quote of a pair */
	}
	return o;
}
