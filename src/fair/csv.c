/*
 * csv.c: the RFC 4180 reader of csv.h, written for speed on large prediction files.
 *
 * Why our own reader rather than libcsv (which the inventory import uses): libcsv
 * copies every field into a growing buffer and calls back per field; this reader
 * hands out spans of a memory-mapped file and lets the caller look only at the
 * columns it needs. docs/internals/fair.md has the measured difference.
 *
 * Two readers, one contract:
 * - fair_csv_next_bytewise reads byte by byte (memchr for quoted fields). It is the
 *   reference: every error message and line number comes from it.
 * - fair_csv_next reads from a structural index built for a batch of records at a
 *   time (index_batch): 64 bytes at a time are classified into bit masks (AVX2,
 *   SSE2 or plain C), a prefix XOR of the quote mask tells which bytes are inside
 *   quotes (a doubled quote toggles twice, so it needs no special case), and the
 *   offsets of the commas and LFs outside quotes are written out with
 *   count-trailing-zeros, eight at a time without a branch. Records are then cut
 *   from the offsets: no per-byte work, no copy. The index marks as odd every quote
 *   that is not at a field edge (an opening quote right after a separator, a
 *   closing one right before a separator, CRLF or the end), every LF inside quotes
 *   and the end of the input; a record holding an odd byte is read byte-wise, so
 *   both readers always give the same fields, lines and errors.
 *
 * Why the index is right: a batch starts at a record start, which is outside quotes
 * and starts a field, and carries the quote state from window to window. That state
 * is only true as long as every record read so far was well quoted; a badly quoted
 * one holds an odd byte, is read byte-wise and stops the reader with an error, so no
 * later part of the index is ever used.
 *
 * The row index (fair_csv_rows_index, csv.h) is the same classification with a
 * leaner output for the scan's row way: the windows' separator masks kept whole,
 * only record ends and odd bytes flattened. It is right under the same condition.
 *
 * Invariants: r->p only moves forward and never passes r->end; r->line is the number
 * of LF bytes before r->p, plus one; while r->p == r->at, the cursors of the index
 * stand at the first entries at or after r->p. No allocation, no I/O.
 */
#include "fair/csv.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FAIR_CSV_HAVE_AVX2 1
#endif

enum byte_class { DATA = 0, COMMA = 1, LF = 2, QUOTE = 3, CR = 4 };

static const unsigned char byte_class[256] = {
	[','] = COMMA, ['\n'] = LF, ['"'] = QUOTE, ['\r'] = CR,
};

void fair_csv_init(struct fair_csv *r, const char *data, size_t len, bool bom)
{
	memset(r, 0, sizeof *r);
	r->p = data;
	r->end = data + len;
	r->line = 1;
	r->simd = FAIR_CSV_PORTABLE;
#if defined(__SSE2__)
	r->simd = FAIR_CSV_SSE2;
#endif
#if defined(FAIR_CSV_HAVE_AVX2)
	if (__builtin_cpu_supports("avx2"))
		r->simd = FAIR_CSV_AVX2;
#endif
	if (bom && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

/* ---- classifying 64 bytes ---- */

struct masks {
	uint64_t quote, sep, lf, cr; /* sep: comma or LF */
};

static void classify_portable(const char *b, struct masks *m)
{
	memset(m, 0, sizeof *m);
	for (int i = 0; i < 64; i++) {
		uint64_t bit = (uint64_t)1 << i;
		switch (byte_class[(unsigned char)b[i]]) {
		case COMMA: m->sep |= bit; break;
		case LF: m->sep |= bit; m->lf |= bit; break;
		case QUOTE: m->quote |= bit; break;
		case CR: m->cr |= bit; break;
		default: break;
		}
	}
}

#if defined(__SSE2__)
static inline __attribute__((always_inline)) void classify_sse2(const char *b, struct masks *m)
{
	const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n');
	const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	uint64_t q = 0, s = 0, l = 0;
	__m128i any_cr = _mm_setzero_si128();
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
		__m128i is_lf = _mm_cmpeq_epi8(v, lf);
		q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << (16 * k);
		s |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, comma), is_lf)) << (16 * k);
		l |= (uint64_t)(unsigned)_mm_movemask_epi8(is_lf) << (16 * k);
		any_cr = _mm_or_si128(any_cr, _mm_cmpeq_epi8(v, cr));
	}
	m->quote = q;
	m->sep = s;
	m->lf = l;
	m->cr = 0;
	if (_mm_movemask_epi8(any_cr)) /* CR is rare: its mask only when there is one */
		for (int k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
			m->cr |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)) << (16 * k);
		}
}
#endif

#if defined(FAIR_CSV_HAVE_AVX2)
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void classify_avx2(const char *b, struct masks *m)
{
	const __m256i comma = _mm256_set1_epi8(','), lf = _mm256_set1_epi8('\n');
	const __m256i quote = _mm256_set1_epi8('"'), cr = _mm256_set1_epi8('\r');
	__m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)b);
	__m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32));
	__m256i lf_lo = _mm256_cmpeq_epi8(lo, lf), lf_hi = _mm256_cmpeq_epi8(hi, lf);
#define FAIR_MASK64(a, b) ((uint64_t)(uint32_t)_mm256_movemask_epi8(a) | (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << 32)
	m->quote = FAIR_MASK64(_mm256_cmpeq_epi8(lo, quote), _mm256_cmpeq_epi8(hi, quote));
	m->sep = FAIR_MASK64(_mm256_or_si256(_mm256_cmpeq_epi8(lo, comma), lf_lo),
			     _mm256_or_si256(_mm256_cmpeq_epi8(hi, comma), lf_hi));
	m->lf = FAIR_MASK64(lf_lo, lf_hi);
	m->cr = FAIR_MASK64(_mm256_cmpeq_epi8(lo, cr), _mm256_cmpeq_epi8(hi, cr));
#undef FAIR_MASK64
}
#endif

/* Bit i of the result: the XOR of bits 0..i of x (so: "inside quotes" at i). */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/* ---- the structural index ---- */

#define BATCH_BYTES ((size_t)64 << 10) /* most bytes one batch indexes */

struct window {
	uint64_t sep, lf, odd;
};

/*
 * From the masks of the window at b with avail bytes left from b (bytes past the
 * end are zero in the masks) and inside = the prefix XOR of its quotes with the
 * carried state: the separators and record ends outside quotes and the odd bytes.
 * *start_carry: in, whether b starts a field; out, whether the next window does.
 */
static inline __attribute__((always_inline)) void window_of(const struct masks *m, uint64_t inside, const char *b,
							   size_t avail, uint64_t *start_carry, struct window *w)
{
	uint64_t sep = m->sep & ~inside, crlf = 0, after_last = 1;
	/* The byte after the window matters to a CR or a quote in its last byte. */
	char next = avail > 64 ? b[64] : 0;
	if (m->cr) /* rare: CRLF files, or CR in data */
		crlf = m->cr & ~inside & ((m->lf >> 1) | ((uint64_t)(next == '\n') << 63));
	if (m->quote >> 63 && avail > 64)
		after_last = !(inside >> 63) &&
			     (next == ',' || next == '\n' || (next == '\r' && avail > 65 && b[65] == '\n'));
	uint64_t terminator = sep | crlf;
	if (avail < 64)
		terminator |= (uint64_t)1 << avail; /* the end of the input */
	uint64_t field_end_next = (terminator >> 1) | (after_last << 63); /* the next byte ends a field */
	uint64_t field_start = (sep << 1) | *start_carry;
	/* A quote that opens at a field start or closes right before its end is plain;
	 * any other quote (doubled, stray, text after the close) is for the byte-wise
	 * reader, and so is a newline inside quotes (it moves the line count). */
	uint64_t plain_quote = m->quote & ((inside & field_start) | (~inside & field_end_next));
	w->sep = sep;
	w->lf = m->lf & ~inside;
	w->odd = (m->quote & ~plain_quote) | (m->lf & inside);
	*start_carry = sep >> 63;
}

/* Writes base + the position of each set bit of bits to out, in order; returns how
 * many. Writes up to 16 entries past them (FAIR_CSV_SLACK covers that) so that most
 * windows take no branch per bit. bits | 1 << 63 keeps ctz defined once bits run
 * out; those entries are junk past n, overwritten or never read. */
#define FLATTEN_ONE(out, i, bits, base)                                                      \
	do {                                                                                  \
		(out)[i] = (base) + (uint32_t)__builtin_ctzll((bits) | (uint64_t)1 << 63);    \
		(bits) &= (bits) - 1;                                                         \
	} while (0)

static inline __attribute__((always_inline)) uint32_t flatten(uint32_t *out, uint64_t bits, uint32_t base)
{
	uint32_t n = (uint32_t)__builtin_popcountll(bits);
	FLATTEN_ONE(out, 0, bits, base);
	FLATTEN_ONE(out, 1, bits, base);
	FLATTEN_ONE(out, 2, bits, base);
	FLATTEN_ONE(out, 3, bits, base);
	FLATTEN_ONE(out, 4, bits, base);
	FLATTEN_ONE(out, 5, bits, base);
	FLATTEN_ONE(out, 6, bits, base);
	FLATTEN_ONE(out, 7, bits, base);
	if (n > 8) {
		FLATTEN_ONE(out, 8, bits, base);
		FLATTEN_ONE(out, 9, bits, base);
		FLATTEN_ONE(out, 10, bits, base);
		FLATTEN_ONE(out, 11, bits, base);
		FLATTEN_ONE(out, 12, bits, base);
		FLATTEN_ONE(out, 13, bits, base);
		FLATTEN_ONE(out, 14, bits, base);
		FLATTEN_ONE(out, 15, bits, base);
		for (int i = 16; bits; i++)
			FLATTEN_ONE(out, i, bits, base);
	}
	return n;
}

static inline __attribute__((always_inline)) uint32_t flatten_few(uint32_t *out, uint64_t bits, uint32_t base)
{
	uint32_t n = (uint32_t)__builtin_popcountll(bits);
	FLATTEN_ONE(out, 0, bits, base);
	FLATTEN_ONE(out, 1, bits, base);
	for (int i = 2; bits; i++)
		FLATTEN_ONE(out, i, bits, base);
	return n;
}

/*
 * The body of index_batch, one copy per classifier so that each inlines its own.
 * Windows are indexed while the arrays have room for a full window more; the last
 * window reaching the end of the input is classified from a zero-filled copy.
 */
#define INDEX_WINDOWS(CLASSIFY, PREFIX_XOR)                                                           \
	do {                                                                                           \
		uint64_t inside_carry = 0, start_carry = 1;                                            \
		const size_t total = (size_t)(r->end - r->base);                                       \
		const size_t limit = total < BATCH_BYTES ? total : BATCH_BYTES;                        \
		uint32_t *sep = r->sep + r->nsep, *lf = r->lf, *odd = r->odd;                          \
		uint32_t *const sep_cap = r->sep + FAIR_CSV_SEP_CAP - 64;                              \
		uint32_t *const lf_cap = r->lf + FAIR_CSV_LF_CAP - 64;                                 \
		uint32_t *const odd_cap = r->odd + FAIR_CSV_ODD_CAP - 64;                              \
		char copy[128];                                                                        \
		size_t w = 0;                                                                          \
		for (; w < limit && sep <= sep_cap && lf <= lf_cap && odd <= odd_cap; w += 64) {       \
			const char *b = r->base + w;                                                   \
			size_t avail = total - w;                                                      \
			struct masks m;                                                                \
			struct window win;                                                             \
			if (__builtin_expect(avail < 66, 0)) {                                         \
				memset(copy, 0, sizeof copy);                                          \
				memcpy(copy, b, avail);                                                \
				b = copy;                                                              \
			}                                                                              \
			CLASSIFY(b, &m);                                                               \
			uint64_t inside = PREFIX_XOR(m.quote) ^ inside_carry;                          \
			window_of(&m, inside, b, avail, &start_carry, &win);                           \
			inside_carry = (uint64_t)((int64_t)inside >> 63);                              \
			sep += flatten(sep, win.sep, (uint32_t)w);                                     \
			lf += flatten_few(lf, win.lf, (uint32_t)w);                                    \
			if (win.odd)                                                                   \
				odd += flatten_few(odd, win.odd, (uint32_t)w);                         \
		}                                                                                      \
		r->nsep = (uint32_t)(sep - r->sep);                                                    \
		r->nlf = (uint32_t)(lf - r->lf);                                                       \
		r->nodd = (uint32_t)(odd - r->odd);                                                    \
		r->extent = (uint32_t)(w < total ? w : total);                                         \
		if (w >= total)                                                                        \
			r->odd[r->nodd++] = (uint32_t)total; /* the end of the input */                \
		r->odd[r->nodd] = FAIR_CSV_NO_ODD;                                                     \
	} while (0)

static void index_portable(struct fair_csv *r)
{
	INDEX_WINDOWS(classify_portable, prefix_xor);
}

#if defined(__SSE2__)
static void index_sse2(struct fair_csv *r)
{
	INDEX_WINDOWS(classify_sse2, prefix_xor);
}
#endif

#if defined(FAIR_CSV_HAVE_AVX2)
__attribute__((target("avx2,popcnt,bmi,pclmul"))) static inline uint64_t prefix_xor_clmul(uint64_t x)
{
	/* The carry-less product with all ones is the prefix XOR, in one instruction. */
	__m128i p = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8(-1), 0);
	return (uint64_t)_mm_cvtsi128_si64(p);
}

__attribute__((target("avx2,popcnt,bmi,pclmul"))) static void index_avx2(struct fair_csv *r)
{
	INDEX_WINDOWS(classify_avx2, prefix_xor_clmul);
}
#endif

/*
 * The row index (csv.h): the windows' separator masks kept whole, only the record
 * ends and odd bytes flattened. The same window loop as INDEX_WINDOWS.
 */
#define INDEX_ROWS(CLASSIFY, PREFIX_XOR)                                                              \
	do {                                                                                           \
		uint64_t inside_carry = 0, start_carry = 1;                                            \
		const size_t total = (size_t)(r->end - p);                                             \
		const size_t limit = total < (size_t)FAIR_CSV_ROW_WINDOWS * 64                         \
					     ? total : (size_t)FAIR_CSV_ROW_WINDOWS * 64;              \
		uint32_t *lf = x->lf, *odd = x->odd;                                                   \
		uint32_t *const lf_cap = x->lf + FAIR_CSV_LF_CAP - 64;                                 \
		uint32_t *const odd_cap = x->odd + FAIR_CSV_ODD_CAP - 64;                              \
		char copy[128];                                                                        \
		size_t w = 0;                                                                          \
		for (; w < limit && lf <= lf_cap && odd <= odd_cap; w += 64) {                         \
			const char *b = p + w;                                                         \
			size_t avail = total - w;                                                      \
			struct masks m;                                                                \
			struct window win;                                                             \
			if (__builtin_expect(avail < 66, 0)) {                                         \
				memset(copy, 0, sizeof copy);                                          \
				memcpy(copy, b, avail);                                                \
				b = copy;                                                              \
			}                                                                              \
			CLASSIFY(b, &m);                                                               \
			uint64_t inside = PREFIX_XOR(m.quote) ^ inside_carry;                          \
			window_of(&m, inside, b, avail, &start_carry, &win);                           \
			inside_carry = (uint64_t)((int64_t)inside >> 63);                              \
			x->sep[w / 64] = win.sep;                                                      \
			lf += flatten_few(lf, win.lf, (uint32_t)w);                                    \
			if (win.odd)                                                                   \
				odd += flatten_few(odd, win.odd, (uint32_t)w);                         \
		}                                                                                      \
		x->sep[w / 64] = x->sep[w / 64 + 1] = 0;                                               \
		x->nlf = (uint32_t)(lf - x->lf);                                                       \
		x->nodd = (uint32_t)(odd - x->odd);                                                    \
		x->extent = (uint32_t)(w < total ? w : total);                                         \
		if (w >= total)                                                                        \
			x->odd[x->nodd++] = (uint32_t)total; /* the end of the input */                \
		x->odd[x->nodd] = FAIR_CSV_NO_ODD;                                                     \
	} while (0)

static void rows_portable(const struct fair_csv *r, const char *p, struct fair_csv_rows *x)
{
	INDEX_ROWS(classify_portable, prefix_xor);
}

#if defined(__SSE2__)
static void rows_sse2(const struct fair_csv *r, const char *p, struct fair_csv_rows *x)
{
	INDEX_ROWS(classify_sse2, prefix_xor);
}
#endif

#if defined(FAIR_CSV_HAVE_AVX2)
__attribute__((target("avx2,popcnt,bmi,pclmul"))) static void rows_avx2(const struct fair_csv *r, const char *p,
									   struct fair_csv_rows *x)
{
	INDEX_ROWS(classify_avx2, prefix_xor_clmul);
}
#endif

void fair_csv_rows_index(const struct fair_csv *r, const char *p, struct fair_csv_rows *x)
{
	x->base = p;
	switch (r->simd) {
#if defined(FAIR_CSV_HAVE_AVX2)
	case FAIR_CSV_AVX2:
		rows_avx2(r, p, x);
		break;
#endif
#if defined(__SSE2__)
	case FAIR_CSV_SSE2:
		rows_sse2(r, p, x);
		break;
#endif
	default:
		rows_portable(r, p, x);
	}
}

/* Indexes the records from p on; p is a record start. Out of line: the caller's
 * hot path stays small. */
static __attribute__((noinline)) void index_batch(struct fair_csv *r, const char *p)
{
	r->base = r->at = p;
	r->sep[0] = UINT32_MAX; /* the byte before base */
	r->nsep = r->sep_next = 1;
	r->nlf = r->nodd = 0;
	r->lf_next = r->odd_next = 0;
	switch (r->simd) {
#if defined(FAIR_CSV_HAVE_AVX2)
	case FAIR_CSV_AVX2:
		index_avx2(r);
		break;
#endif
#if defined(__SSE2__)
	case FAIR_CSV_SSE2:
		index_sse2(r);
		break;
#endif
	default:
		index_portable(r);
	}
}

/* Moves the cursors to r->p (a record start at or after at), or drops the index
 * when r->p is past it. */
static __attribute__((noinline)) void index_follow(struct fair_csv *r)
{
	if (!r->base || r->p < r->at || (size_t)(r->p - r->base) > r->extent) {
		r->base = r->at = NULL;
		return;
	}
	uint32_t off = (uint32_t)(r->p - r->base);
	while (r->sep_next < r->nsep && r->sep[r->sep_next] < off)
		r->sep_next++;
	while (r->lf_next < r->nlf && r->lf[r->lf_next] < off)
		r->lf_next++;
	while (r->odd[r->odd_next] < off)
		r->odd_next++;
	r->at = r->p;
}

/* ---- the byte-wise reader ---- */

/* The first byte at or after p that is a comma, LF, CR or quote; end if none. */
static const char *next_special(const char *p, const char *end)
{
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

int fair_csv_next_bytewise(struct fair_csv *r, struct fair_csv_field *fields, size_t max_fields,
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
				p = next_special(p, end);
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

/* ---- the structural reader ---- */

bool fair_csv_prepare(struct fair_csv *r)
{
	if (r->p >= r->end)
		return false;
	if (r->p != r->at)
		index_follow(r);
	/* No index, or every complete record in it read: index from here (unless it
	 * was indexed from here: then the record is longer than a batch). */
	if (r->base && (r->lf_next < r->nlf || r->odd[r->odd_next] != FAIR_CSV_NO_ODD || r->base == r->p))
		return false;
	index_batch(r, r->p);
	return true;
}

/* A record the index does not serve: something odd in it, or longer than a batch. */
static __attribute__((noinline)) int next_odd_record(struct fair_csv *r, struct fair_csv_field *fields,
						     size_t max_fields, size_t *count, uint64_t *record_line,
						     struct fair_csv_error *error)
{
	int rc = fair_csv_next_bytewise(r, fields, max_fields, count, record_line, error);
	if (rc == FAIR_CSV_RECORD)
		index_follow(r);
	else
		r->base = r->at = NULL;
	return rc;
}

int fair_csv_next(struct fair_csv *r, struct fair_csv_field *fields, size_t max_fields,
		  size_t *count, uint64_t *record_line, struct fair_csv_error *error)
{
	*count = 0;
	*record_line = r->line;
	if (r->p >= r->end)
		return FAIR_CSV_END;
	fair_csv_prepare(r);
	if (r->lf_next >= r->nlf || r->odd[r->odd_next] <= r->lf[r->lf_next])
		return next_odd_record(r, fields, max_fields, count, record_line, error);
	/* A plain record, complete in the index. */
	uint32_t lf = r->lf[r->lf_next];
	const char *base = r->base, *a = r->p;
	const uint32_t *sep = r->sep + r->sep_next;
	uint32_t e;
	size_t n = 0;
	do {
		e = *sep++;
		if (n < max_fields) {
			const char *fe = base + e;
			if (e == lf && fe > a && fe[-1] == '\r')
				fe--; /* the CR of CRLF */
			/* A plain quoted field starts with a quote and ends with its closing one. */
			size_t quoted = *a == '"';
			struct fair_csv_field f = { a + quoted, (size_t)(fe - a) - 2 * quoted, quoted != 0, false };
			fields[n] = f;
		}
		n++;
		a = base + e + 1;
	} while (e != lf);
	r->p = r->at = a;
	r->line++;
	r->sep_next = (uint32_t)(sep - r->sep);
	r->lf_next++;
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
