/*
 * scan.c: the per-row hot loop of the fairness engine and the exact join of chunks.
 *
 * Per record: find the fields (csv.c), map y_true and y_pred to 0/1 by comparing
 * with the two labels, find the cell of the sensitive values in an open-addressing
 * table and add one to a confusion count; with a score, add one to the (cell,
 * score) counter. Nothing depends on rows already seen except these counters, which
 * is what bounds memory by groups rather than rows. Three ways do this (see "the
 * row fast path" and "the row way" below, and docs/internals/fair.md): the general
 * way, which checks everything and creates cells; the fast way for rows whose
 * spelling was seen before; and the row way, the fast way for one common layout
 * over a leaner index where the CPU has fast PDEP. They count every row
 * identically (config.general_only and config.no_rows test that).
 *
 * Invariants: table->slots has a power-of-two size at least twice ncells; the score
 * table likewise for nscores; -0.0 is stored as 0.0 so equal scores share a slot.
 * Each bad row is counted once, under the first problem found in it (columns are
 * checked in the order y_true, y_pred, score, sensitive columns), by the general
 * way only. The fast way's table holds only spellings of existing cells. While a
 * scan runs its dense counters are split (a low byte in place, the rest apart; see
 * "split counters"); outside a scan they are whole uint32, and a cell's never sum
 * past its rows.
 * Memory: a chunk's table and its scan state are owned by the chunk and released by
 * fair_chunk_release / before fair_scan_chunk returns.
 */
#include "fair/scan.h"
#include "base/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PENDING 16
#define DENSE_STRIDE ((size_t)(FAIR_DENSE_STEPS + 1) * 2)
#define PROGRESS_BYTES ((size_t)2 << 20)
#define HUGE_PAGE ((size_t)2 << 20)
#define DENSE_ARENA_BYTES \
	((DENSE_STRIDE * FAIR_MAX_DENSE_CELLS * sizeof(uint32_t) + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE)
#define DENSE_HIGH_BYTES (DENSE_STRIDE * FAIR_MAX_DENSE_CELLS * sizeof(uint32_t))
#define KEY_MAX (FAIR_MAX_SENSITIVE * (FAIR_VALUE_MAX + 2))

const char *fair_issue_kind_name(int kind)
{
	switch (kind) {
	case FAIR_BAD_RAGGED: return "ragged_row";
	case FAIR_BAD_MISSING: return "missing_value";
	case FAIR_BAD_LABEL: return "label_not_binary";
	case FAIR_BAD_SCORE: return "bad_score";
	case FAIR_BAD_TEXT: return "bad_group_value";
	case FAIR_FAIL_QUOTING: return "broken_quoting";
	case FAIR_FAIL_CELLS: return "too_many_groups";
	case FAIR_FAIL_SCORES: return "too_many_scores";
	case FAIR_FAIL_NOMEM: return "out_of_memory";
	case FAIR_FAIL_OVERFLOW: return "count_overflow";
	default: return "unknown";
	}
}

/* ---- hashing ---- */

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x100000001b3ULL;
	return mix(h);
}

static uint64_t hash_score(uint32_t cell, double score)
{
	uint64_t bits;
	memcpy(&bits, &score, sizeof bits);
	return mix(bits ^ ((uint64_t)cell * 0x9E3779B97F4A7C15ULL));
}

/* ---- the table ---- */

size_t fair_key_value(const char *key, size_t key_len, size_t index, const char **value)
{
	size_t off = 0;
	for (size_t i = 0; off + 2 <= key_len; i++) {
		size_t len = (unsigned char)key[off] | ((size_t)(unsigned char)key[off + 1] << 8);
		if (i == index) {
			*value = key + off + 2;
			return len;
		}
		off += 2 + len;
	}
	*value = "";
	return 0;
}

void fair_table_release(struct fair_table *t)
{
	if (t->dense_arena)
		munmap(t->dense_arena, DENSE_ARENA_BYTES);
	if (t->dense_high)
		munmap(t->dense_high, DENSE_HIGH_BYTES);
	free(t->cells);
	free(t->slots);
	free(t->keys);
	free(t->scores);
	memset(t, 0, sizeof *t);
}

static int cells_grow(struct fair_table *t)
{
	size_t nslots = t->slots ? (t->slot_mask + 1) * 2 : 256;
	uint32_t *slots = calloc(nslots, sizeof *slots);
	if (!slots)
		return FAIR_FAIL_NOMEM;
	for (size_t i = 0; i < t->ncells; i++) {
		size_t s = t->cells[i].hash & (nslots - 1);
		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = slots;
	t->slot_mask = nslots - 1;
	return 0;
}

/* memcmp(...) == 0 for the short keys of groups, without a library call. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
	while (n >= 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
		a += 8;
		b += 8;
		n -= 8;
	}
	while (n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/* The cell of key, created when absent; *cell_out is its index. */
/* With check_text, a new key whose values are not UTF-8 is refused with FAIR_BAD_TEXT
 * and *bad_value names the value: group names reach JSON and HTML. */
static int cell_find(struct fair_table *t, const struct fair_scan_config *cfg, const char *key,
		     size_t key_len, uint64_t hash, bool check_text, size_t *bad_value, size_t *cell_out)
{
	int rc;
	if (!t->slots && (rc = cells_grow(t)))
		return rc;
	size_t s = hash & t->slot_mask;
	for (;;) {
		uint32_t v = t->slots[s];
		if (!v)
			break;
		const struct fair_cell *c = &t->cells[v - 1];
		if (c->hash == hash && c->key_len == key_len && same_bytes(t->keys + c->key_off, key, key_len)) {
			*cell_out = v - 1;
			return 0;
		}
		s = (s + 1) & t->slot_mask;
	}
	for (size_t i = 0; check_text && i < cfg->nsensitive; i++) {
		const char *v;
		size_t n = fair_key_value(key, key_len, i, &v);
		if (!text_utf8_valid(v, n)) {
			*bad_value = i;
			return FAIR_BAD_TEXT;
		}
	}
	if (t->ncells >= cfg->max_cells)
		return FAIR_FAIL_CELLS;
	if (t->ncells == t->cells_cap) {
		size_t cap = t->cells_cap ? t->cells_cap * 2 : 64;
		struct fair_cell *cells = realloc(t->cells, cap * sizeof *cells);
		if (!cells)
			return FAIR_FAIL_NOMEM;
		t->cells = cells;
		t->cells_cap = cap;
	}
	if (t->keys_len + key_len > t->keys_cap) {
		size_t cap = t->keys_cap ? t->keys_cap : 4096;
		while (cap < t->keys_len + key_len)
			cap *= 2;
		char *keys = realloc(t->keys, cap);
		if (!keys)
			return FAIR_FAIL_NOMEM;
		t->keys = keys;
		t->keys_cap = cap;
	}
	memcpy(t->keys + t->keys_len, key, key_len);
	struct fair_cell *c = &t->cells[t->ncells];
	memset(c, 0, sizeof *c);
	c->hash = hash;
	c->key_off = t->keys_len;
	c->key_len = key_len;
	t->keys_len += key_len;
	t->slots[s] = (uint32_t)(t->ncells + 1);
	*cell_out = t->ncells++;
	if (t->ncells * 2 > t->slot_mask + 1 && (rc = cells_grow(t)))
		return rc;
	return 0;
}

static int scores_grow(struct fair_table *t)
{
	size_t nslots = t->scores ? (t->score_mask + 1) * 2 : 1024;
	struct fair_score *slots = calloc(nslots, sizeof *slots);
	if (!slots)
		return FAIR_FAIL_NOMEM;
	for (size_t i = 0; t->scores && i <= t->score_mask; i++) {
		const struct fair_score *e = &t->scores[i];
		if (!e->cell)
			continue;
		size_t s = hash_score(e->cell, e->score) & (nslots - 1);
		while (slots[s].cell)
			s = (s + 1) & (nslots - 1);
		slots[s] = *e;
	}
	free(t->scores);
	t->scores = slots;
	t->score_mask = nslots - 1;
	return 0;
}

/* Adds n to the count of (cell, score, y_true). */
static int score_add(struct fair_table *t, const struct fair_scan_config *cfg, size_t cell, double score,
		     int y, uint64_t n)
{
	int rc;
	uint32_t c = (uint32_t)(cell + 1);
	if (!t->scores && (rc = scores_grow(t)))
		return rc;
	size_t s = hash_score(c, score) & t->score_mask;
	for (;;) {
		struct fair_score *e = &t->scores[s];
		if (!e->cell)
			break;
		if (e->cell == c && e->score == score) {
			e->count[y] += n;
			return 0;
		}
		s = (s + 1) & t->score_mask;
	}
	if (t->nscores >= cfg->max_scores)
		return FAIR_FAIL_SCORES;
	t->scores[s].cell = c;
	t->scores[s].score = score;
	t->scores[s].count[y] = n;
	t->nscores++;
	if (t->nscores * 2 > t->score_mask + 1 && (rc = scores_grow(t)))
		return rc;
	return 0;
}

/*
 * The arena of FAIR_MAX_DENSE_CELLS dense arrays, in 2 MiB pages where the kernel
 * allows it: the counts are hit at random, and 4 KiB pages would spend the time in
 * TLB misses. Mapped rather than allocated and cleared: the kernel hands out zeroed
 * pages as they are first touched, so cells without scores cost nothing. NULL when
 * out of memory.
 */
static uint32_t *dense_arena_map(void)
{
	const size_t huge = HUGE_PAGE;
	char *m = mmap(NULL, DENSE_ARENA_BYTES + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	char *a = (char *)(((uintptr_t)m + huge - 1) / huge * huge);
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (m + huge > a)
		munmap(a + DENSE_ARENA_BYTES, (size_t)(m + huge - a));
	madvise(a, DENSE_ARENA_BYTES, MADV_HUGEPAGE);
	return (uint32_t *)(void *)a;
}

/* The dense array of a cell, created when allowed; *array NULL when the cell has
 * none and may not get one (use the hash then). */
static int dense_array(struct fair_table *t, size_t cell, uint32_t **array)
{
	struct fair_cell *c = &t->cells[cell];
	*array = NULL;
	if (!c->dense) {
		if (t->ndense >= FAIR_MAX_DENSE_CELLS)
			return 0;
		if (!t->dense_arena && !(t->dense_arena = dense_arena_map()))
			return FAIR_FAIL_NOMEM;
		c->dense = t->dense_arena + DENSE_STRIDE * t->ndense++;
	}
	*array = c->dense;
	return 0;
}

static int slot_add(uint32_t *slot, uint64_t n)
{
	if (n > (uint64_t)(UINT32_MAX - *slot))
		return FAIR_FAIL_OVERFLOW;
	*slot += (uint32_t)n;
	return 0;
}

/* Adds n to the dense count of (cell, k, y); 1 when the cell has no dense array. */
static int dense_add(struct fair_table *t, size_t cell, long k, int y, uint64_t n)
{
	uint32_t *d;
	int rc = dense_array(t, cell, &d);
	if (rc)
		return rc;
	return d ? slot_add(&d[k * 2 + y], n) : 1;
}

/* ---- split counters ----
 *
 * The dense counters are hit at random, one a row: 80 KB per cell, 6.4 MiB a
 * thread for the benchmark's 80 cells, far beyond L2. While a scan runs, each
 * counter is kept split: its low byte in place, in the first quarter of its cell's
 * own array (byte j for counter j), the rest of it (count >> 8) in a second arena
 * that is written only when a low byte wraps. The rows then hit a quarter of the
 * memory. fair_scan_chunk splits on entry (a rescan starts from whole totals) and
 * joins before it returns, both in place: joining backwards, counter j's bytes
 * 4j..4j+3 overwrite only low bytes j..4j+3, already read; splitting forwards,
 * low byte j overwrites only part of counter j / 4, already read. At every moment
 * the count is high * 256 + low, and a count past UINT32_MAX is high passing
 * 2^24 - 1 at a carry: the same row fails as with whole counters.
 */
typedef uint8_t dense_low; /* a character type: it may alias the uint32 array */
#define DENSE_LOW_BITS 8
#define DENSE_HIGH_MAX (UINT32_MAX >> DENSE_LOW_BITS)
#define DENSE_CELL_BYTES (DENSE_STRIDE * sizeof(uint32_t))

static inline dense_low *dense_low_at(const struct fair_cell *c, long k, int y)
{
	return (dense_low *)(void *)c->dense + k * 2 + y;
}

static int dense_high_map(struct fair_table *t)
{
	if (t->dense_high)
		return 0;
	void *m = mmap(NULL, DENSE_HIGH_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return FAIR_FAIL_NOMEM;
	t->dense_high = m;
	return 0;
}

/* A low byte at slot wrapped to 0: one more in its high part. */
static __attribute__((noinline)) int dense_carry(struct fair_table *t, const dense_low *slot)
{
	size_t off = (size_t)((const char *)slot - (const char *)t->dense_arena);
	size_t cell = off / DENSE_CELL_BYTES, j = off % DENSE_CELL_BYTES / sizeof(dense_low);
	int rc = dense_high_map(t);
	if (rc)
		return rc;
	uint32_t *h = &t->dense_high[cell * DENSE_STRIDE + j];
	if (*h == DENSE_HIGH_MAX)
		return FAIR_FAIL_OVERFLOW;
	++*h;
	t->dense_high_cells[cell / 64] |= (uint64_t)1 << (cell % 64);
	return 0;
}

/* Whole counts to split ones; FAIR_FAIL_NOMEM (and nothing changed) when the high
 * parts need an arena that cannot be mapped. */
static int dense_split(struct fair_table *t)
{
	bool wide = false;
	for (size_t j = 0; j < DENSE_STRIDE * t->ndense && !wide; j++)
		wide = t->dense_arena[j] >> DENSE_LOW_BITS;
	if (wide && dense_high_map(t))
		return FAIR_FAIL_NOMEM;
	for (size_t i = 0; i < t->ndense; i++) {
		uint32_t *d = t->dense_arena + DENSE_STRIDE * i;
		char *low = (char *)(void *)d;
		for (size_t j = 0; j < DENSE_STRIDE; j++) {
			uint32_t v;
			memcpy(&v, d + j, sizeof v);
			dense_low b = (dense_low)v;
			memcpy(low + j * sizeof b, &b, sizeof b);
			if (v >> DENSE_LOW_BITS) {
				t->dense_high[i * DENSE_STRIDE + j] = v >> DENSE_LOW_BITS;
				t->dense_high_cells[i / 64] |= (uint64_t)1 << (i % 64);
			}
		}
	}
	return 0;
}

/* Split counts back to whole ones; the high arena is given back. Blocks of 16
 * from the top, each read before it is written (see above), so it vectorises. */
static void dense_join(struct fair_table *t)
{
	enum { BLOCK = 16 };
	for (size_t i = 0; i < t->ndense; i++) {
		uint32_t *d = t->dense_arena + DENSE_STRIDE * i;
		const char *low = (const char *)(void *)d;
		const uint32_t *high = NULL;
		if (t->dense_high && (t->dense_high_cells[i / 64] >> (i % 64) & 1))
			high = t->dense_high + DENSE_STRIDE * i;
		size_t j = DENSE_STRIDE;
		for (; j % BLOCK; ) {
			j--;
			dense_low b;
			memcpy(&b, low + j * sizeof b, sizeof b);
			uint32_t v = (high ? high[j] << DENSE_LOW_BITS : 0) | b;
			memcpy(d + j, &v, sizeof v);
		}
		while (j) {
			j -= BLOCK;
			dense_low b[BLOCK];
			uint32_t v[BLOCK];
			memcpy(b, low + j * sizeof *b, sizeof b);
			if (high)
				for (size_t k = 0; k < BLOCK; k++)
					v[k] = high[j + k] << DENSE_LOW_BITS | b[k];
			else
				for (size_t k = 0; k < BLOCK; k++)
					v[k] = b[k];
			memcpy(d + j, v, sizeof v);
		}
	}
	if (t->dense_high)
		munmap(t->dense_high, DENSE_HIGH_BYTES);
	t->dense_high = NULL;
	memset(t->dense_high_cells, 0, sizeof t->dense_high_cells);
}

/* The split counter of (cell, k, y) during a scan, creating the cell's array when
 * allowed; *slot NULL when the cell has none and may not get one. */
static int dense_slot(struct fair_table *t, size_t cell, long k, int y, dense_low **slot)
{
	uint32_t *d;
	int rc = dense_array(t, cell, &d);
	*slot = d ? dense_low_at(&t->cells[cell], k, y) : NULL;
	return rc;
}

/* Four at a time with SSE2 (the x86-64 baseline): the join merges 20,002 counters
 * per cell on one thread, and the report sums them per group for the AUC. */
void fair_dense_add(uint32_t *d, const uint32_t *s, size_t n)
{
	size_t j = 0;
#if defined(__SSE2__)
	for (; j + 4 <= n; j += 4) {
		__m128i *out = (__m128i *)(void *)(d + j);
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
		_mm_storeu_si128(out, _mm_add_epi32(_mm_loadu_si128(out), v));
	}
#endif
	for (; j < n; j++)
		d[j] += s[j];
}

int fair_table_merge(struct fair_table *dst, const struct fair_table *src, const struct fair_scan_config *cfg)
{
	int rc = 0;
	size_t *map = calloc(src->ncells ? src->ncells : 1, sizeof *map);
	if (!map)
		return FAIR_FAIL_NOMEM;
	for (size_t i = 0; i < src->ncells; i++) {
		const struct fair_cell *c = &src->cells[i];
		size_t unused;
		if ((rc = cell_find(dst, cfg, src->keys + c->key_off, c->key_len, c->hash, false, &unused, &map[i])))
			goto out;
		for (int k = 0; k < 4; k++)
			dst->cells[map[i]].n[k] += c->n[k];
		if (!c->dense)
			continue;
		/* Dense counts into the destination's dense array, whole, when it has or
		 * may get one: 20,002 additions instead of as many calls. */
		uint32_t *d = NULL;
		if ((rc = dense_array(dst, map[i], &d)))
			goto out;
		if (d) {
			/* A cell's dense counts never sum past its rows (each row adds
			 * one to both): under 2^32 rows no counter can overflow. */
			const uint64_t *rows = dst->cells[map[i]].n;
			if (rows[0] + rows[1] + rows[2] + rows[3] <= UINT32_MAX) {
				fair_dense_add(d, c->dense, DENSE_STRIDE);
				continue;
			}
			uint32_t over = 0;
			for (size_t j = 0; j < DENSE_STRIDE; j++) {
				uint64_t sum = (uint64_t)d[j] + c->dense[j];
				over |= (uint32_t)(sum >> 32);
				d[j] = (uint32_t)sum;
			}
			if (over) {
				rc = FAIR_FAIL_OVERFLOW;
				goto out;
			}
			continue;
		}
		for (long k = 0; k <= FAIR_DENSE_STEPS; k++)
			for (int y = 0; y < 2; y++) {
				uint32_t v = c->dense[k * 2 + y];
				if (!v)
					continue;
				rc = dense_add(dst, map[i], k, y, v);
				if (rc == 1)
					rc = score_add(dst, cfg, map[i], (double)k / FAIR_DENSE_STEPS, y, v);
				if (rc)
					goto out;
			}
	}
	for (size_t i = 0; src->scores && i <= src->score_mask; i++) {
		const struct fair_score *e = &src->scores[i];
		if (!e->cell)
			continue;
		for (int y = 0; y < 2; y++)
			if (e->count[y] && (rc = score_add(dst, cfg, map[e->cell - 1], e->score, y, e->count[y])))
				goto out;
	}
out:
	free(map);
	return rc;
}

/* ---- numbers ---- */

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

int fair_parse_number(const char *s, size_t n, double *out, long *dense)
{
	size_t i = 0, digits = 0, frac = 0;
	uint64_t m = 0;
	bool neg = false, exact = true, exponent = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (m > (UINT64_MAX - 9) / 10)
			exact = false;
		else
			m = m * 10 + (uint64_t)(s[i] - '0');
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++) {
			if (m > (UINT64_MAX - 9) / 10)
				exact = false;
			else
				m = m * 10 + (uint64_t)(s[i] - '0');
		}
	}
	if (digits == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		exponent = true;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e0 = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e0)
			return -1;
	}
	if (i != n)
		return -1;
	/* Clinger's fast path: m and 10^frac are exact doubles, one division rounds once. */
	if (dense)
		*dense = -1;
	if (exact && !exponent && m <= ((uint64_t)1 << 53) && frac <= 22) {
		double v = (double)m / pow10_exact[frac];
		*out = neg ? -v : v;
		/* m / 10^frac = (m * 10^(4 - frac)) / 10^4: the same rational, so the same
		 * correctly rounded double as the dense step k / 10^4. */
		if (dense && frac <= 4 && (!neg || m == 0)) {
			uint64_t k = m * (uint64_t)pow10_exact[4 - frac];
			if (k <= FAIR_DENSE_STEPS)
				*dense = (long)k;
		}
		return 0;
	}
	char text[128];
	if (n >= sizeof text)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	errno = 0;
	char *end = NULL;
	double v = strtod(text, &end);
	if (end != text + n || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* ---- the chunk scan ---- */

void fair_chunk_init(struct fair_chunk *c, const char *begin, const char *stop, const char *end)
{
	memset(c, 0, sizeof *c);
	c->begin = begin;
	c->stop = stop;
	c->end = end;
	c->next = begin;
}

void fair_chunk_release(struct fair_chunk *c)
{
	fair_table_release(&c->table);
}

static void cut_value(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	/* Do not end in the middle of a UTF-8 sequence. */
	while (o > 0 && o < n && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
		o--;
	if (o > 0 && o < n && (unsigned char)out[o - 1] >= 0xC0)
		o--;
	out[o] = '\0';
}

/* Records a bad row: a failure unless skipping. Returns 0 to go on, -1 to stop. */
static int bad_row(const struct fair_scan_config *cfg, struct fair_chunk *c, int kind, uint64_t line,
		   size_t column, size_t fields, const struct fair_csv_field *f)
{
	struct fair_issue is = { .kind = kind, .line = line, .column = column, .fields = fields };
	if (f)
		cut_value(is.value, sizeof is.value, f->data, f->len);
	if (!cfg->skip_bad_rows) {
		c->failure = is;
		c->status = -1;
		return -1;
	}
	c->bad[kind]++;
	if (c->nexamples < FAIR_EXAMPLES)
		c->examples[c->nexamples++] = is;
	return 0;
}

static int fail(struct fair_chunk *c, int kind, uint64_t line)
{
	memset(&c->failure, 0, sizeof c->failure);
	c->failure.kind = kind;
	c->failure.line = line;
	c->failure.column = (size_t)-1;
	c->status = -1;
	return -1;
}

/* 1 positive, 0 negative, -1 neither. */
static int label_of(const struct fair_scan_config *cfg, const struct fair_csv_field *f)
{
	if (f->escaped)
		return -1; /* labels never contain quotes */
	if (f->len == cfg->positive_len && same_bytes(f->data, cfg->positive, f->len))
		return 1;
	if (f->len == cfg->negative_len && same_bytes(f->data, cfg->negative, f->len))
		return 0;
	return -1;
}

/*
 * --score-digits D: the score becomes k / 10^D, and with D <= 4 and 0 <= k <= 10^D
 * also the dense step k * 10^(4 - D). -1 when the rounded score is not finite.
 */
static int round_score(const struct fair_scan_config *cfg, double *score, long *dense)
{
	double k = nearbyint(*score * pow10_exact[cfg->score_digits]);
	if (!isfinite(k))
		return -1;
	*score = k / pow10_exact[cfg->score_digits];
	*dense = -1;
	if (cfg->score_digits <= 4 && k >= 0 && k <= pow10_exact[cfg->score_digits])
		*dense = (long)k * (long)pow10_exact[4 - cfg->score_digits];
	return 0;
}

/* ---- the row fast path ----
 *
 * Most rows repeat a group and a score spelling already seen. The fast path
 * recognises such a row without building its key: the sensitive columns, grouped
 * into runs of adjacent columns, are read as raw spans of the record (for the
 * benchmark's sex,age_band,region: one span like `M,50-64,"Gyeonggi, south"`).
 * Each span's first 32 bytes, as four 64-bit words, and its length are hashed with
 * a few multiplications and looked up in one open-addressing table of spellings
 * seen before, compared word by word without a branch per byte (longer spans are
 * also compared in full). Labels of one byte compare as bytes, and a score spelled
 * D.DDDD is read straight into its dense step. A row the fast path does not
 * recognise goes the general way (which finds every problem in order and creates
 * cells), and the spelling it had is then learnt: `Seoul` and `"Seoul"` become
 * two entries of one cell. The table only holds spellings of existing cells,
 * checked when the cell was created, so both ways count every row the same; its
 * size is bounded by FAST_MAX_KEYS, never by rows. */

#define FAST_RUNS 4         /* more runs of sensitive columns: always the general way */
#define FAST_SPAN 32        /* bytes of a span held as words */
#define FAST_WORDS (FAST_SPAN / 8)
#define FAST_MAX_KEYS 16384 /* spellings the table learns */
#define LOOKUP_SPARSE 4096  /* slots up to which the table stays a quarter full */

struct lookup {
	size_t run_lo[FAST_RUNS], run_hi[FAST_RUNS]; /* first and last column of each run */
	size_t nruns;
	/* Slots of `stride` words: FAST_WORDS per run, then the runs' lengths (16 bits
	 * each), then the cell index + 1 and, with labels_in_key, the labels (low half;
	 * 0: free; SLOT_*) and where the spans' bytes past the 32nd are in tails (high
	 * half). */
	uint64_t *slots;
	size_t stride, mask, count;
	unsigned shift; /* 64 - log2(slots) */
	char *tails;
	size_t tails_len, tails_cap;
	bool one_byte_labels;
	/* The label columns sit next to sensitive ones, so the runs take them in and
	 * a slot also gives the row's two labels: no label to read on the fast way. */
	bool labels_in_key;
};

/* The low half of a slot's last word: the cell index + 1, and the labels. */
#define SLOT_CELL_MASK 0x3fffffffu
#define SLOT_TRUE_BIT 30
#define SLOT_PRED_BIT 31

/* keep_bytes + 32 - k: k bytes of 0xff, then zeros: masks for the first k bytes. */
static const unsigned char keep_bytes[2 * FAST_SPAN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static const uint64_t hash_k[FAST_RUNS * FAST_WORDS] = {
	0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0xD6E8FEB86659FD93ULL,
	0xFF51AFD7ED558CCDULL, 0xC4CEB9FE1A85EC53ULL, 0x94D049BB133111EBULL, 0xBF58476D1CE4E5B9ULL,
	0x2545F4914F6CDD1DULL, 0x9FB21C651E98DF25ULL, 0xA0761D6478BD642FULL, 0xE7037ED1A0B428DBULL,
	0x8EBC6AF09C88C6E3ULL, 0x589965CC75374CC3ULL, 0x1D8E4E27C47D124FULL, 0x3C79AC492BA7B653ULL,
};

struct span_key {
	uint64_t w[FAST_RUNS * FAST_WORDS];
	uint64_t lens;
	const char *span[FAST_RUNS];
	size_t len[FAST_RUNS];
	bool long_spans;
};

/* The key of spans span[0..nr) with lengths len[] (nr a constant where inlined);
 * false when a span is too long for its length to fit or ends less than 32 bytes
 * before the end of the data (the words are read 32 bytes at a time). */
static inline __attribute__((always_inline)) bool span_key_of(struct span_key *k, const char *end, size_t nr)
{
	bool ok = true, long_spans = false;
	uint64_t lens = 0;
#pragma GCC unroll 4
	for (size_t r = 0; r < nr; r++) {
		const char *d = k->span[r];
		size_t len = k->len[r], head = len < FAST_SPAN ? len : FAST_SPAN;
		ok &= (len <= 0xffff) & ((size_t)(end - d) >= FAST_SPAN);
		if (!ok)
			return false;
#pragma GCC unroll 4
		for (size_t j = 0; j < FAST_WORDS; j++) {
			uint64_t w, m;
			memcpy(&w, d + 8 * j, 8);
			memcpy(&m, keep_bytes + FAST_SPAN - head + 8 * j, 8);
			k->w[r * FAST_WORDS + j] = w & m;
		}
		lens |= (uint64_t)len << (16 * r);
		long_spans |= len > FAST_SPAN;
	}
	k->lens = lens;
	k->long_spans = long_spans;
	return true;
}

/* Two words share one multiplication (the second rotated by half), so a span
 * costs two: a spelling is found in one probe as often as with one each. */
static inline __attribute__((always_inline)) size_t span_hash(const struct span_key *k, size_t nr, unsigned shift)
{
	uint64_t h = k->lens * 0xD1B54A32D192ED03ULL;
#pragma GCC unroll 8
	for (size_t i = 0; i < nr * FAST_WORDS; i += 2)
		h += (k->w[i] ^ (k->w[i + 1] << 32 | k->w[i + 1] >> 32)) * hash_k[i];
	h ^= h >> 32;
	return (size_t)((h * 0x9E3779B97F4A7C15ULL) >> shift);
}

/* The bytes past the 32nd of each long span equal those kept at tails + off. */
static bool tails_equal(const struct lookup *l, const struct span_key *k, size_t nr, uint32_t off)
{
	const char *t = l->tails + off;
	for (size_t r = 0; r < nr; r++) {
		if (k->len[r] <= FAST_SPAN)
			continue;
		if (!same_bytes(t, k->span[r] + FAST_SPAN, k->len[r] - FAST_SPAN))
			return false;
		t += k->len[r] - FAST_SPAN;
	}
	return true;
}

/* The slot holding key (*found) or the free one where it goes. */
static inline __attribute__((always_inline)) size_t span_probe(const struct lookup *l, const struct span_key *k,
							       size_t nr, bool *found)
{
	const size_t nw = nr * FAST_WORDS;
	size_t s = span_hash(k, nr, l->shift);
	for (;;) {
		const uint64_t *e = l->slots + s * l->stride;
		uint64_t diff = e[nw] ^ k->lens;
#pragma GCC unroll 16
		for (size_t i = 0; i < nw; i++)
			diff |= e[i] ^ k->w[i];
		uint32_t cell = (uint32_t)e[nw + 1];
		if (!diff && cell && (!k->long_spans || tails_equal(l, k, nr, (uint32_t)(e[nw + 1] >> 32)))) {
			*found = true;
			return s;
		}
		if (!cell) {
			*found = false;
			return s;
		}
		s = (s + 1) & l->mask;
	}
}

static int lookup_grow(struct lookup *l)
{
	size_t nslots = l->slots ? (l->mask + 1) * 2 : 256, nw = l->nruns * FAST_WORDS;
	unsigned shift = 64;
	for (size_t k = nslots; k > 1; k >>= 1)
		shift--;
	uint64_t *slots = calloc(nslots * l->stride, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; l->slots && i <= l->mask; i++) {
		const uint64_t *e = l->slots + i * l->stride;
		if (!(uint32_t)e[nw + 1])
			continue;
		struct span_key k;
		memcpy(k.w, e, nw * sizeof *e);
		k.lens = e[nw];
		size_t s = span_hash(&k, l->nruns, shift);
		while ((uint32_t)slots[s * l->stride + nw + 1])
			s = (s + 1) & (nslots - 1);
		memcpy(slots + s * l->stride, e, l->stride * sizeof *e);
	}
	free(l->slots);
	l->slots = slots;
	l->mask = nslots - 1;
	l->shift = shift;
	return 0;
}

/* Runs of adjacent columns among cols[0..n) (sorted here); how many, or
 * FAST_RUNS + 1 when there are more than FAST_RUNS. */
static size_t runs_of(size_t *cols, size_t n, size_t *lo, size_t *hi)
{
	size_t nruns = 0;
	for (size_t i = 1; i < n; i++) /* insertion sort: at most 10 */
		for (size_t j = i; j > 0 && cols[j - 1] > cols[j]; j--) {
			size_t x = cols[j];
			cols[j] = cols[j - 1];
			cols[j - 1] = x;
		}
	for (size_t i = 0; i < n; i++) {
		if (i && cols[i] <= cols[i - 1] + 1) { /* adjacent, or the same column twice */
			hi[nruns - 1] = cols[i];
			continue;
		}
		if (nruns == FAST_RUNS)
			return FAST_RUNS + 1;
		lo[nruns] = hi[nruns] = cols[i];
		nruns++;
	}
	return nruns;
}

static void lookup_init(struct lookup *l, const struct fair_scan_config *cfg)
{
	size_t cols[FAIR_MAX_SENSITIVE + 2], n = cfg->nsensitive, lo[FAST_RUNS], hi[FAST_RUNS];
	memset(l, 0, sizeof *l);
	l->one_byte_labels = cfg->positive_len == 1 && cfg->negative_len == 1;
	memcpy(cols, cfg->sensitive, n * sizeof *cols);
	l->nruns = runs_of(cols, n, l->run_lo, l->run_hi);
	/* With the label columns: no more runs means they are next to the groups. */
	memcpy(cols, cfg->sensitive, n * sizeof *cols);
	cols[n] = cfg->y_true;
	cols[n + 1] = cfg->y_pred;
	size_t nruns = l->nruns <= FAST_RUNS ? runs_of(cols, n + 2, lo, hi) : FAST_RUNS + 1;
	if (nruns <= l->nruns) {
		memcpy(l->run_lo, lo, nruns * sizeof *lo);
		memcpy(l->run_hi, hi, nruns * sizeof *hi);
		l->nruns = nruns;
		l->labels_in_key = true;
	}
	l->stride = l->nruns * FAST_WORDS + 2;
}

static void lookup_release(struct lookup *l)
{
	free(l->slots);
	free(l->tails);
	memset(l, 0, sizeof *l);
}

/* After the general path counted a row in cell: remember its spelling. Out of
 * memory or past the caps it just does not learn; the general way stays right. */
static void lookup_learn(struct lookup *l, const struct fair_csv_field *fields, const char *end, size_t cell, int t,
			 int p)
{
	struct span_key k;
	bool found;
	size_t nr = l->nruns, nw = nr * FAST_WORDS, tail = 0;
	if (nr > FAST_RUNS || l->count >= FAST_MAX_KEYS || cell + 1 > SLOT_CELL_MASK)
		return;
	for (size_t r = 0; r < nr; r++) {
		for (size_t c = l->run_lo[r]; c <= l->run_hi[r]; c++)
			if (fields[c].escaped)
				return; /* doubled quotes: never a plain record */
		const struct fair_csv_field *lo = &fields[l->run_lo[r]], *hi = &fields[l->run_hi[r]];
		k.span[r] = lo->data - lo->quoted;
		k.len[r] = (size_t)(hi->data + hi->len + hi->quoted - k.span[r]);
		tail += k.len[r] > FAST_SPAN ? k.len[r] - FAST_SPAN : 0;
	}
	if (!span_key_of(&k, end, nr))
		return;
	/* At most half full, and a quarter while small (up to LOOKUP_SPARSE slots):
	 * linear probing then finds most spellings in one probe, for a few KiB. */
	size_t fill = l->mask + 1 <= LOOKUP_SPARSE ? 4 : 2;
	if ((!l->slots || (l->count + 1) * fill > l->mask + 1) && lookup_grow(l))
		return;
	size_t s = span_probe(l, &k, nr, &found);
	if (found)
		return;
	uint32_t off = (uint32_t)l->tails_len;
	if (tail) {
		if (l->tails_len + tail > l->tails_cap) {
			size_t cap = l->tails_cap ? l->tails_cap * 2 : 4096;
			while (cap < l->tails_len + tail)
				cap *= 2;
			char *tails = realloc(l->tails, cap);
			if (!tails)
				return;
			l->tails = tails;
			l->tails_cap = cap;
		}
		for (size_t r = 0; r < nr; r++)
			if (k.len[r] > FAST_SPAN) {
				memcpy(l->tails + l->tails_len, k.span[r] + FAST_SPAN, k.len[r] - FAST_SPAN);
				l->tails_len += k.len[r] - FAST_SPAN;
			}
	}
	uint64_t *e = l->slots + s * l->stride;
	memcpy(e, k.w, nw * sizeof *e);
	e[nw] = k.lens;
	uint32_t low = (uint32_t)(cell + 1);
	if (l->labels_in_key)
		low |= (uint32_t)t << SLOT_TRUE_BIT | (uint32_t)p << SLOT_PRED_BIT;
	e[nw + 1] = low | (uint64_t)off << 32;
	l->count++;
}

/* A score spelled D.DDDD (one digit, a point, one to four decimals) as its dense
 * step, exactly as fair_parse_number would give it; -1 for any other spelling. */
static inline __attribute__((always_inline)) long dense_step(const char *s, size_t n)
{
	static const uint32_t scale[5] = { 10000, 1000, 100, 10, 1 };
	if (n < 3 || n > 6 || s[1] != '.')
		return -1;
	uint32_t k = (uint32_t)(unsigned char)s[0] - '0';
	if (k > 9)
		return -1;
	if (n == 6) {
		/* Four decimals, the common spelling: checked and summed four bytes at once.
		 * A byte that is not a digit sets a top bit in one of the three terms. */
		uint32_t d;
		memcpy(&d, s + 2, 4);
		if (((d - 0x30303030u) | (d + 0x46464646u) | d) & 0x80808080u)
			return -1;
		d -= 0x30303030u;
		d = d * 10 + (d >> 8); /* bytes 0 and 2: the two 2-digit halves */
		k = k * 10000 + (d & 0xff) * 100 + ((d >> 16) & 0xff);
		return k <= FAIR_DENSE_STEPS ? (long)k : -1;
	}
	for (size_t i = 2; i < n; i++) {
		uint32_t d = (uint32_t)(unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		k = k * 10 + d;
	}
	k *= scale[n - 2];
	return k <= FAIR_DENSE_STEPS ? (long)k : -1;
}

/* dense_step for a six-byte spelling D.DDDD, from one 8-byte load (s + 8 must be
 * inside the data): the same k, or -1. XOR with "0.0000" leaves each digit's value
 * and a zero for the point; adding 0x76 to a digit byte (0x7f to the point's)
 * sets its top bit exactly when it is not a digit (a byte with the top bit set
 * already is caught by the | y; its carry only reaches bytes that fail anyway). */
static inline __attribute__((always_inline)) long dense_step6(const char *s)
{
	uint64_t x;
	memcpy(&x, s, 8);
	const uint64_t y = (x & 0xFFFFFFFFFFFFULL) ^ 0x303030302E30ULL;
	if (((y + 0x767676767F76ULL) | y) & 0x808080808080ULL)
		return -1;
	uint32_t d = (uint32_t)(y >> 16);     /* d2 d3 d4 d5, one per byte */
	d = d * 10 + (d >> 8);                /* bytes 0 and 2: the two 2-digit halves */
	uint32_t k = (uint32_t)(y & 0xff) * 10000 + (d & 0xff) * 100 + ((d >> 16) & 0xff);
	return k <= FAIR_DENSE_STEPS ? (long)k : -1;
}

/* ---- the chunk scan ---- */

struct scan_state {
	struct fair_csv reader;
	const struct fair_scan_config *cfg;
	struct fair_chunk *c;
	struct lookup lookup;
	const char *last_progress;
	uint64_t last_line; /* of the last row counted */
	bool crlf;          /* the first record read the general way ended in CRLF */
	bool crlf_known;
	char key[KEY_MAX];
	/* Dense counters are hit at random in a few MiB: each is prefetched when its
	 * row is read and incremented PENDING rows later, when it is in cache. The
	 * ring starts full of pointers to `scratch`, so it is always full and a new
	 * counter always pushes out an old one: no count to keep. */
	dense_low *pending[PENDING];
	size_t next_pending;
	dense_low scratch;
	/* The row way (scan_rows): its index, its cursors (standing at rows_at), the
	 * records its last run counted, all it counted and handed over, and whether
	 * it is off for this chunk (not this CPU, not this layout, or given up). */
	struct fair_csv_rows rows;
	const char *rows_at;
	uint32_t rows_lf_next, rows_odd_next;
	uint64_t rows_done, rows_counted, rows_missed;
	bool rows_off;
};

static void pending_init(struct scan_state *st)
{
	for (size_t k = 0; k < PENDING; k++)
		st->pending[k] = &st->scratch;
	st->next_pending = 0;
	st->scratch = 0;
}

/* Counts one more row at a dense counter, PENDING rows from now. */
static inline __attribute__((always_inline)) int dense_later(struct scan_state *st, dense_low *slot)
{
	__builtin_prefetch(slot, 1);
	dense_low *due = st->pending[st->next_pending];
	int rc;
	if (__builtin_expect(++*due == 0, 0) && due != &st->scratch && (rc = dense_carry(&st->c->table, due)))
		return rc;
	st->pending[st->next_pending] = slot;
	st->next_pending = (st->next_pending + 1) % PENDING;
	return 0;
}

/* The counts still in the ring, at the end of a scan. */
static int pending_flush(struct scan_state *st)
{
	int rc = 0;
	for (size_t k = 0; k < PENDING; k++) {
		dense_low *due = st->pending[k];
		if (due != &st->scratch && !rc && ++*due == 0)
			rc = dense_carry(&st->c->table, due);
		st->pending[k] = &st->scratch;
	}
	return rc;
}

static void progress(struct scan_state *st, const char *reached)
{
	if ((size_t)(reached - st->last_progress) >= PROGRESS_BYTES && st->cfg->progress) {
		st->cfg->progress(st->cfg->progress_ctx, reached);
		st->last_progress = reached;
	}
}

/*
 * The general way for one row: every check in order (the first problem is the one
 * reported), the key built and its cell found or created. 0 to go on, -1 to stop
 * (c->status set).
 */
static int row_general(struct scan_state *st, const struct fair_csv_field *fields, size_t count, uint64_t line)
{
	const struct fair_scan_config *cfg = st->cfg;
	struct fair_chunk *c = st->c;
	int rc;
	if (count != cfg->columns)
		return bad_row(cfg, c, FAIR_BAD_RAGGED, line, (size_t)-1, count, NULL);
	const struct fair_csv_field *ft = &fields[cfg->y_true], *fp = &fields[cfg->y_pred];
	int t = label_of(cfg, ft), p;
	if (t < 0)
		return bad_row(cfg, c, ft->len ? FAIR_BAD_LABEL : FAIR_BAD_MISSING, line, cfg->y_true, 0, ft);
	p = label_of(cfg, fp);
	if (p < 0)
		return bad_row(cfg, c, fp->len ? FAIR_BAD_LABEL : FAIR_BAD_MISSING, line, cfg->y_pred, 0, fp);
	double score = 0;
	long dense = -1;
	if (cfg->has_score) {
		const struct fair_csv_field *fs = &fields[cfg->score];
		if (!fs->len || fs->escaped || fair_parse_number(fs->data, fs->len, &score, &dense))
			return bad_row(cfg, c, fs->len ? FAIR_BAD_SCORE : FAIR_BAD_MISSING, line, cfg->score, 0, fs);
		if (cfg->score_digits >= 0 && round_score(cfg, &score, &dense))
			return bad_row(cfg, c, FAIR_BAD_SCORE, line, cfg->score, 0, fs);
		if (score == 0)
			score = 0; /* -0.0 and 0.0 are one score */
	}
	size_t klen = 0;
	char *key = st->key;
	for (size_t i = 0; i < cfg->nsensitive; i++) {
		const struct fair_csv_field *fg = &fields[cfg->sensitive[i]];
		size_t n = fg->len;
		if (!n || n > FAIR_VALUE_MAX)
			return bad_row(cfg, c, n ? FAIR_BAD_TEXT : FAIR_BAD_MISSING, line, cfg->sensitive[i], 0, fg);
		if (fg->escaped)
			n = fair_csv_unescape(fg, key + klen + 2, FAIR_VALUE_MAX);
		else
			memcpy(key + klen + 2, fg->data, n);
		key[klen] = (char)(n & 0xff);
		key[klen + 1] = (char)(n >> 8);
		klen += 2 + n;
	}
	size_t cell, bad_value = 0;
	rc = cell_find(&c->table, cfg, key, klen, hash_bytes(key, klen), true, &bad_value, &cell);
	if (rc == FAIR_BAD_TEXT) {
		size_t col = cfg->sensitive[bad_value];
		return bad_row(cfg, c, FAIR_BAD_TEXT, line, col, 0, &fields[col]);
	}
	if (rc)
		return fail(c, rc, line);
	c->table.cells[cell].n[t * 2 + p]++;
	if (cfg->has_score) {
		dense_low *slot = NULL;
		rc = dense >= 0 ? dense_slot(&c->table, cell, dense, t, &slot) : 0;
		if (!rc)
			rc = slot ? dense_later(st, slot) : score_add(&c->table, cfg, cell, score, t, 1);
		if (rc)
			return fail(c, rc, line);
	}
	lookup_learn(&st->lookup, fields, c->end, cell, t, p);
	return 0;
}

/* Why a run of plain rows stopped (or -1: a failure, c->status set). */
enum { PLAIN_UNINDEXED = 0, PLAIN_MISS = 1 };

/*
 * The fast way, for as many rows as it can: while the next record is plain and
 * indexed with the right number of fields (fair_csv_peek's conditions, checked
 * here on cursors kept in registers), its labels are one of the two, its score a
 * dense D.DDDD spelling and its group one seen before, count it and go on. n, the
 * number of sensitive columns, is a constant where this is inlined. Stops at
 * `stop` or at the first record it cannot count: PLAIN_MISS when that record is
 * plain (the general way will count it), PLAIN_UNINDEXED otherwise.
 */
static inline __attribute__((always_inline)) int scan_plain_n(struct scan_state *st, const char *stop, size_t n,
							      bool labels_in_key)
{
	const struct fair_scan_config *cfg = st->cfg;
	struct fair_chunk *c = st->c;
	struct fair_csv *r = &st->reader;
	const struct lookup *l = &st->lookup;
	struct fair_table *table = &c->table;
	/* Everything the loop reads from the configuration, in locals: stores to the
	 * counters could otherwise alias it and force reloads. */
	const size_t columns = cfg->columns, last = columns - 1, yt = cfg->y_true, yp = cfg->y_pred, sc = cfg->score;
	const bool has_score = cfg->has_score, one_byte = l->one_byte_labels, rounding = cfg->score_digits >= 0;
	size_t run_lo[FAST_RUNS], run_hi[FAST_RUNS];
	const unsigned char positive = (unsigned char)cfg->positive[0], negative = (unsigned char)cfg->negative[0];
	const char *p = r->p, *const base = r->base, *const end = c->end;
	const uint32_t *const sep = r->sep, *const lfs = r->lf;
	uint32_t si = r->sep_next, li = r->lf_next;
	const uint32_t nlf = r->nlf, nsep = r->nsep, odd = r->odd[r->odd_next];
	uint64_t done = 0;
	int rc = PLAIN_UNINDEXED;

	/* Masks, all ones for the column that is the last one: only it loses a CR. */
	const uint32_t yt_last = -(uint32_t)(yt == last), yp_last = -(uint32_t)(yp == last);
	const uint32_t sc_last = -(uint32_t)(has_score && sc == last);
	uint32_t run_last[FAST_RUNS];
	bool uses_crlf = yt_last | yp_last | sc_last;
	for (size_t j = 0; j < n; j++) {
		run_lo[j] = l->run_lo[j];
		run_hi[j] = l->run_hi[j];
		run_last[j] = -(uint32_t)(run_hi[j] == last);
		uses_crlf |= run_last[j] != 0;
	}
	uses_crlf &= st->crlf;
	if (!base || p != r->at || !l->slots)
		return PLAIN_UNINDEXED;
	while (p < stop && li < nlf) {
		const uint32_t lf = lfs[li];
		if (odd <= lf || si + columns > nsep || sep[si + columns - 1] != lf)
			break;
		/* Raw fields: [e[i - 1] + 1, e[i]), e[-1] being the byte before the record;
		 * less the CR of a CRLF for the last one. A quoted label or score is no
		 * fast spelling: the general way reads it. */
		const uint32_t *e = sep + si;
		/* 1 when the record ends in CRLF, which matters only to the last column, and
		 * is only looked for in files that do (st->crlf). Elsewhere a CRLF record
		 * shows its CR in the last field, which then matches no fast spelling: the
		 * general way reads it. */
		const uint32_t crlf = uses_crlf && lf > e[(ptrdiff_t)last - 1] + 1 && base[lf - 1] == '\r';
#define RAW_START(i) (e[(ptrdiff_t)(i) - 1] + 1)
#define RAW_LEN(i, is_last) (e[i] - RAW_START(i) - (crlf & (is_last)))
		int t = 0, q = 0;
		bool ok = true;
		if (labels_in_key) {
			/* The slot will tell. */
		} else if (one_byte) {
			const char *ts = base + RAW_START(yt), *ps = base + RAW_START(yp);
			const uint32_t tlen = RAW_LEN(yt, yt_last), plen = RAW_LEN(yp, yp_last);
			/* Branch-free: the labels are as random as the data. */
			unsigned char a = (unsigned char)ts[0], b = (unsigned char)ps[0];
			t = a == positive;
			q = b == positive;
			ok = (tlen == 1) & (plen == 1) & (t | (a == negative)) & (q | (b == negative));
		} else {
			const char *ts = base + RAW_START(yt), *ps = base + RAW_START(yp);
			const uint32_t tlen = RAW_LEN(yt, yt_last), plen = RAW_LEN(yp, yp_last);
			struct fair_csv_field ft = { ts, tlen, false, false }, fp = { ps, plen, false, false };
			t = label_of(cfg, &ft);
			q = label_of(cfg, &fp);
			ok = (t | q) >= 0;
		}
		long dense = 0;
		if (has_score) {
			dense = dense_step(base + RAW_START(sc), RAW_LEN(sc, sc_last));
			ok &= dense >= 0;
		}
		/* The group: the raw spans of the runs of sensitive columns. */
		struct span_key k;
#pragma GCC unroll 4
		for (size_t j = 0; j < n; j++) {
			k.span[j] = base + RAW_START(run_lo[j]);
			k.len[j] = e[run_hi[j]] - RAW_START(run_lo[j]) - (crlf & run_last[j]);
		}
#undef RAW_START
#undef RAW_LEN
		bool found = false;
		size_t slot_at = 0;
		if (ok && span_key_of(&k, end, n))
			slot_at = span_probe(l, &k, n, &found);
		if (!found) {
			rc = PLAIN_MISS;
			break;
		}
		const uint32_t word = (uint32_t)l->slots[slot_at * l->stride + n * FAST_WORDS + 1];
		long cell = (long)(word & SLOT_CELL_MASK) - 1;
		if (labels_in_key) {
			t = (int)(word >> SLOT_TRUE_BIT & 1);
			q = (int)(word >> SLOT_PRED_BIT & 1);
		}
		struct fair_cell *fc = &table->cells[cell];
		if (has_score) {
			dense_low *slot = fc->dense ? dense_low_at(fc, dense, t) : NULL;
			int err = 0;
			if (rounding || !slot) {
				/* k / 10^4 is the double fair_parse_number gives for the spelling
				 * (the same rational, correctly rounded once). */
				double score = (double)dense / FAIR_DENSE_STEPS;
				if (rounding && round_score(cfg, &score, &dense)) {
					rc = PLAIN_MISS;
					break;
				}
				if (score == 0)
					score = 0; /* -0.0 and 0.0 are one score */
				slot = NULL;
				if (dense >= 0)
					err = dense_slot(table, (size_t)cell, dense, t, &slot);
				/* No dense step, or no dense array left for this cell: hashed. */
				if (!err && !slot)
					err = score_add(table, cfg, (size_t)cell, score, t, 1);
			}
			if (!err && slot)
				err = dense_later(st, slot);
			if (err) {
				fail(c, err, r->line + done);
				rc = -1;
				break;
			}
		}
		fc->n[t * 2 + q]++;
		p = base + lf + 1;
		si += (uint32_t)columns;
		li++;
		done++;
	}
	r->p = r->at = p;
	r->sep_next = si;
	r->lf_next = li;
	r->line += done;
	c->rows += done;
	if (done)
		st->last_line = r->line - 1;
	progress(st, p);
	return rc;
}

static int scan_plain(struct scan_state *st, const char *stop)
{
	const bool lk = st->lookup.labels_in_key;
	switch (st->lookup.nruns) {
	case 1: return lk ? scan_plain_n(st, stop, 1, true) : scan_plain_n(st, stop, 1, false);
	case 2: return lk ? scan_plain_n(st, stop, 2, true) : scan_plain_n(st, stop, 2, false);
	case 3: return lk ? scan_plain_n(st, stop, 3, true) : scan_plain_n(st, stop, 3, false);
	case 4: return lk ? scan_plain_n(st, stop, 4, true) : scan_plain_n(st, stop, 4, false);
	default: return PLAIN_UNINDEXED;
	}
}

/* ---- the row way ----
 *
 * The fast way again, for the commonest layout of prediction files (one run of
 * key columns holding the labels, a score outside it, scores read exactly), over
 * the row index of csv.h instead of the structural index: per window the index
 * keeps the separator mask and flattens only the record ends, and per record the
 * loop counts the separators of the record (POPCNT: exactly `columns` up to its
 * LF) and selects the two to four it needs (PDEP + TZCNT: the i-th set bit is the
 * lowest of pdep(1 << i, bits)) instead of writing and reading the offset of
 * every separator; the score D.DDDD is checked and read from one 8-byte load. On
 * the benchmark that is 206 + 62 (index) instructions a row instead of 218 + 123
 * (docs/performance.md). It runs only where PDEP is fast (x86-64 with BMI2, not AMD before
 * Zen 3, where it is microcoded), on records shorter than 64 bytes, in files
 * without CRLF; everything else is the fast way's or the general way's, which
 * count every row the same (config.no_rows and config.general_only test that). */

/* The row way gives up for the rest of a chunk when, after ROWS_TRIAL records
 * handed to the general way, it has not counted ROWS_RATIO times as many itself:
 * it pays for its own index, and records it cannot count (long, odd, new
 * spellings) then cost both indexes. Learning the spellings at the start of a
 * file hands over a few hundred records at most. */
#define ROWS_TRIAL 1024
#define ROWS_RATIO 16

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FAIR_SCAN_HAVE_ROWS 1

/* Whether this CPU has fast POPCNT, TZCNT and PDEP. */
static bool rows_cpu(void)
{
	if (!__builtin_cpu_supports("popcnt") || !__builtin_cpu_supports("bmi") || !__builtin_cpu_supports("bmi2"))
		return false;
	return !__builtin_cpu_is("amdfam10h") && !__builtin_cpu_is("znver1") && !__builtin_cpu_is("znver2") &&
	       !__builtin_cpu_is("btver2") && !__builtin_cpu_is("bdver1") && !__builtin_cpu_is("bdver2") &&
	       !__builtin_cpu_is("bdver3") && !__builtin_cpu_is("bdver4");
}

/* The position of the set bit of bits that pdep deposits `one` (1 << i) on: the
 * i-th set bit, counting from 0; 64 when bits has fewer. */
__attribute__((target("bmi,bmi2,popcnt"))) static inline uint32_t select_bit(uint64_t bits, uint64_t one)
{
	return (uint32_t)_tzcnt_u64(_pdep_u64(one, bits));
}

/* The first i in [lo, hi) with lfs[i] >= v (lfs ascending), or hi. */
static uint32_t first_lf_at(const uint32_t *lfs, uint32_t lo, uint32_t hi, uint32_t v)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (lfs[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The loop: counts plain records from r->p while they are in the row index, have
 * `columns` fields, a known key spelling and a D.DDDD score. PLAIN_UNINDEXED at
 * the end of the index, PLAIN_MISS at a record for the general way, -1 on a
 * failure (c->status set). Written for few live values (registers, not the
 * stack): the key's four words are locals, the spelling table is probed here
 * with span_hash's function for one run, the counter ring's cursor is a local.
 */
__attribute__((target("bmi,bmi2,popcnt"))) static inline __attribute__((always_inline)) int
rows_run_layout(struct scan_state *st, const char *stop, bool common)
{
	struct fair_chunk *c = st->c;
	struct fair_csv *r = &st->reader;
	const struct lookup *l = &st->lookup;
	const struct fair_csv_rows *x = &st->rows;
	struct fair_cell *const cells = c->table.cells;
	const uint64_t *const slots = l->slots;
	const size_t slot_mask = l->mask;
	const unsigned shift = l->shift;
	const size_t columns = st->cfg->columns;
	/* The separators a row needs, as pdep selectors: before and after the key
	 * run (none before a run starting at column 0) and around the score; the
	 * score often starts right after the key and ends the record. */
	const size_t lo = l->run_lo[0], hi = l->run_hi[0], sc = st->cfg->score;
	const uint64_t key_lo = lo ? (uint64_t)1 << (lo - 1) : 0, key_hi = (uint64_t)1 << hi;
	const uint64_t score_lo = (uint64_t)1 << (sc - 1), score_hi = (uint64_t)1 << sc;
	/* common (a constant where inlined): the key run does not start the
	 * record, the score follows it and ends the record, as in the benchmark. */
	const bool score_next = common || sc == hi + 1, score_last = common || sc == columns - 1;
	const bool key_first = !common && !lo;
	const char *const base = x->base, *const end = c->end;
	const uint64_t *const masks = x->sep;
	const uint32_t *const lfs = x->lf;
	const uint32_t nlf = x->nlf, li0 = st->rows_lf_next;
	dense_low **const pending = st->pending;
	size_t ring = st->next_pending;
	int rc = PLAIN_UNINDEXED;
	/* The records this run may count end at LFs li0 .. li_end - 1: none holds an
	 * odd byte (the first record reaching the next one is the general way's),
	 * and each starts before stop. So the loop checks neither. */
	const uint32_t li_odd = first_lf_at(lfs, li0, nlf, x->odd[st->rows_odd_next]);
	uint32_t li_end = li_odd;
	if (r->p >= stop) {
		li_end = li0;
	} else if ((size_t)(stop - base) <= x->extent) {
		const uint32_t last = first_lf_at(lfs, li0, nlf, (uint32_t)(stop - base) - 1);
		if (last < li_end)
			li_end = last + 1; /* the record after it starts at or past stop */
	}
	uint32_t a = (uint32_t)(r->p - base), li = li0;

	for (; li < li_end; li++) {
		const uint32_t lf = lfs[li], len = lf - a, sh = a & 63;
		if (len > 63)
			goto miss;
		/* The record's separators, bit 0 at its first byte: from one window or
		 * two. Its LF is the highest. */
		uint64_t bits = masks[a >> 6] >> sh;
		if (sh)
			bits |= masks[(a >> 6) + 1] << (64 - sh);
		bits &= ((uint64_t)2 << len) - 1; /* len 63: all ones */
		if ((size_t)_mm_popcnt_u64(bits) != columns)
			goto miss;
		const uint32_t k0 = key_first ? a : a + select_bit(bits, key_lo) + 1, k1 = a + select_bit(bits, key_hi);
		const uint32_t s0 = score_next ? k1 + 1 : a + select_bit(bits, score_lo) + 1;
		const uint32_t s1 = score_last ? lf : a + select_bit(bits, score_hi);
		const char *const score = base + s0, *const key = base + k0;
		const long dense = s1 - s0 == 6 && end - score >= 8 ? dense_step6(score) : dense_step(score, s1 - s0);
		if (dense < 0 || end - key < FAST_SPAN)
			goto miss;
		/* span_key_of's words for one span: its first 32 bytes, zeros past its
		 * end; then span_hash and span_probe for one run. */
		const uint32_t klen = k1 - k0;
		const unsigned char *const keep = keep_bytes + FAST_SPAN - (klen < FAST_SPAN ? klen : FAST_SPAN);
		uint64_t w0, w1, w2, w3, m0, m1, m2, m3;
		memcpy(&w0, key, 8);
		memcpy(&w1, key + 8, 8);
		memcpy(&w2, key + 16, 8);
		memcpy(&w3, key + 24, 8);
		memcpy(&m0, keep, 8);
		memcpy(&m1, keep + 8, 8);
		memcpy(&m2, keep + 16, 8);
		memcpy(&m3, keep + 24, 8);
		w0 &= m0;
		w1 &= m1;
		w2 &= m2;
		w3 &= m3;
		uint64_t h = klen * 0xD1B54A32D192ED03ULL + (w0 ^ (w1 << 32 | w1 >> 32)) * hash_k[0] +
			     (w2 ^ (w3 << 32 | w3 >> 32)) * hash_k[2];
		h ^= h >> 32;
		size_t at = (size_t)((h * 0x9E3779B97F4A7C15ULL) >> shift);
		uint32_t word;
		for (;;) {
			const uint64_t *e = slots + at * (FAST_WORDS + 2);
			word = (uint32_t)e[FAST_WORDS + 1];
			const uint64_t diff = (e[0] ^ w0) | (e[1] ^ w1) | (e[2] ^ w2) | (e[3] ^ w3) | (e[4] ^ klen);
			if (!word)
				goto miss;
			if (!diff) {
				if (klen <= FAST_SPAN)
					break;
				struct span_key k; /* a long key: its tail too */
				k.span[0] = key;
				k.len[0] = klen;
				if (tails_equal(l, &k, 1, (uint32_t)(e[FAST_WORDS + 1] >> 32)))
					break;
			}
			at = (at + 1) & slot_mask;
		}
		const int t = (int)(word >> SLOT_TRUE_BIT & 1), q = (int)(word >> SLOT_PRED_BIT & 1);
		struct fair_cell *fc = &cells[(word & SLOT_CELL_MASK) - 1];
		if (!fc->dense)
			goto miss; /* no dense array (yet): the general way decides */
		/* dense_later, with the ring's cursor in a register. */
		dense_low *const slot = dense_low_at(fc, dense, t);
		__builtin_prefetch(slot, 1);
		dense_low *const due = pending[ring];
		if (__builtin_expect(++*due == 0, 0) && due != &st->scratch) {
			const int err = dense_carry(&c->table, due);
			if (err) {
				fail(c, err, r->line + (li - li0));
				rc = -1;
				break;
			}
		}
		pending[ring] = slot;
		ring = (ring + 1) % PENDING;
		fc->n[t * 2 + q]++;
		a = lf + 1;
		continue;
miss:
		rc = PLAIN_MISS;
		break;
	}
	if (li == li_odd && li < nlf)
		rc = PLAIN_MISS; /* the next record holds an odd byte */
	const char *const p = base + a;
	const uint64_t done = li - li0;
	st->next_pending = ring;
	/* The reader's own index, if any, follows r->p when it is next used. */
	r->p = st->rows_at = p;
	st->rows_lf_next = li;
	st->rows_done = done;
	r->line += done;
	c->rows += done;
	if (done)
		st->last_line = r->line - 1;
	progress(st, p);
	return rc;
}

__attribute__((target("bmi,bmi2,popcnt"))) static int rows_run(struct scan_state *st, const char *stop)
{
	const size_t lo = st->lookup.run_lo[0], hi = st->lookup.run_hi[0], sc = st->cfg->score;
	if (lo && sc == hi + 1 && sc == st->cfg->columns - 1)
		return rows_run_layout(st, stop, true);
	return rows_run_layout(st, stop, false);
}
#endif

/* Whether the row way fits this chunk's configuration and CPU. */
static bool rows_fit(const struct scan_state *st)
{
	const struct fair_scan_config *cfg = st->cfg;
	const struct lookup *l = &st->lookup;
#if defined(FAIR_SCAN_HAVE_ROWS)
	return !cfg->general_only && !cfg->no_rows && cfg->has_score && cfg->score_digits < 0 && cfg->columns <= 63 &&
	       cfg->score > 0 && l->nruns == 1 && l->labels_in_key && rows_cpu();
#else
	(void)cfg;
	(void)l;
	return false;
#endif
}

/*
 * The row way from r->p: builds its index there or follows it up to r->p, then
 * runs. PLAIN_UNINDEXED when it reached the end of its index (call again),
 * PLAIN_MISS when the next record is for the general way, -1 on a failure. Gives
 * itself up (st->rows_off) when it hands over too many records (ROWS_TRIAL), or
 * when the file turns out to use CRLF; which way counts a row never changes the
 * counts.
 */
static int scan_rows(struct scan_state *st, const char *stop)
{
#if defined(FAIR_SCAN_HAVE_ROWS)
	struct fair_csv *r = &st->reader;
	struct fair_csv_rows *x = &st->rows;
	int rc;
	if (st->crlf) {
		st->rows_off = true; /* the last field would keep its CR */
		return PLAIN_MISS;
	}
	if (!st->lookup.slots)
		return PLAIN_MISS; /* nothing learnt yet */
	if (!x->base || r->p < st->rows_at || (size_t)(r->p - x->base) >= x->extent) {
		fair_csv_rows_index(r, r->p, x);
		st->rows_at = r->p;
		st->rows_lf_next = st->rows_odd_next = 0;
	}
	uint32_t off = (uint32_t)(r->p - x->base);
	while (st->rows_lf_next < x->nlf && x->lf[st->rows_lf_next] < off)
		st->rows_lf_next++;
	while (x->odd[st->rows_odd_next] < off)
		st->rows_odd_next++;
	st->rows_at = r->p;
	if (st->rows_lf_next >= x->nlf) {
		if (x->base == r->p)
			return PLAIN_MISS; /* a record longer than a batch */
		x->base = NULL;
		return PLAIN_UNINDEXED;
	}
	rc = rows_run(st, stop);
	if (rc < 0)
		return rc;
	st->rows_counted += st->rows_done;
	if (rc == PLAIN_MISS && ++st->rows_missed >= ROWS_TRIAL && st->rows_counted < ROWS_RATIO * st->rows_missed)
		st->rows_off = true;
	return rc;
#else
	st->rows_off = true;
	(void)stop;
	return PLAIN_MISS;
#endif
}

int fair_scan_chunk(const struct fair_scan_config *cfg, struct fair_chunk *c)
{
	struct fair_csv *r;
	struct fair_csv_field *fields = NULL;
	struct fair_csv_error cerr;
	struct scan_state *st = NULL;
	size_t count;
	uint64_t line = 0;
	int rc;

	fields = malloc(cfg->columns * sizeof *fields);
	st = malloc(sizeof *st);
	if (!fields || !st) {
		free(fields);
		free(st);
		return fail(c, FAIR_FAIL_NOMEM, 0);
	}
	if (dense_split(&c->table)) {
		free(fields);
		free(st);
		return fail(c, FAIR_FAIL_NOMEM, 0);
	}
	r = &st->reader;
	fair_csv_init(r, c->begin, (size_t)(c->end - c->begin), false);
	st->cfg = cfg;
	st->c = c;
	st->last_progress = c->begin;
	pending_init(st);
	st->last_line = 0;
	st->crlf = st->crlf_known = false;
	lookup_init(&st->lookup, cfg);
	st->rows.base = NULL;
	st->rows_at = NULL;
	st->rows_counted = st->rows_missed = 0;
	st->rows_off = !rows_fit(st);
	while (r->p < c->stop) {
		if (cfg->split && __atomic_load_n(cfg->split_asked, __ATOMIC_ACQUIRE)) {
			cfg->split(cfg->split_ctx, c, r->p);
			if (r->p >= c->stop)
				break;
		}
		if (!st->rows_off) {
			rc = scan_rows(st, c->stop);
			if (rc < 0)
				goto out;
			if (r->p >= c->stop)
				break;
			if (rc == PLAIN_UNINDEXED)
				continue;
		} else if (!cfg->general_only) {
			rc = scan_plain(st, c->stop);
			if (rc < 0)
				goto out;
			if (r->p >= c->stop)
				break;
			/* Out of index: index what follows and go on the fast way. */
			if (rc == PLAIN_UNINDEXED && fair_csv_prepare(r))
				continue;
		}
		/* One record the general way. */
		rc = fair_csv_next(r, fields, cfg->columns, &count, &line, &cerr);
		if (rc == FAIR_CSV_END)
			break;
		if (rc == FAIR_CSV_BROKEN) {
			fail(c, FAIR_FAIL_QUOTING, cerr.line);
			c->failure.column = cerr.column - 1;
			c->failure.what = cerr.what;
			goto out;
		}
		c->rows++;
		st->last_line = line;
		if (!st->crlf_known && r->p > c->begin + 1 && r->p[-1] == '\n') {
			st->crlf = r->p[-2] == '\r';
			st->crlf_known = true;
		}
		progress(st, r->p);
		if (row_general(st, fields, count, line) < 0)
			goto out;
	}
out:
	if ((rc = pending_flush(st)) && !c->status)
		fail(c, rc, st->last_line);
	dense_join(&c->table);
	c->next = r->p < c->end ? r->p : c->end;
	c->lines = r->line - 1;
	lookup_release(&st->lookup);
	free(st);
	free(fields);
	return c->status;
}

/* ---- splitting and joining ---- */

const char *fair_scan_split(const char *begin, const char *end, size_t i, size_t n)
{
	if (i == 0 || n == 0)
		return begin;
	if (i >= n)
		return end;
	size_t len = (size_t)(end - begin);
	const char *p = begin + (size_t)((unsigned __int128)len * i / n);
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	return lf ? lf + 1 : end;
}

/* Moves one chunk's totals except its table into the accumulated first chunk;
 * lines made absolute. The chunk's status, if it failed. */
static int absorb_counts(struct fair_chunk *total, const struct fair_chunk *c, uint64_t line_base)
{
	for (size_t k = 0; k < c->nexamples && total->nexamples < FAIR_EXAMPLES; k++) {
		struct fair_issue is = c->examples[k];
		is.line += line_base;
		total->examples[total->nexamples++] = is;
	}
	for (int k = 0; k < FAIR_BAD_KINDS; k++)
		total->bad[k] += c->bad[k];
	total->rows += c->rows;
	total->lines += c->lines;
	total->next = c->next;
	if (c->status) {
		total->status = c->status;
		total->failure = c->failure;
		total->failure.line += line_base;
	}
	return c->status;
}

/*
 * Scans [begin, stop) again on top of the totals so far: the table of chunks
 * before it is the one the scan starts from, so a cap is crossed at the very row
 * a sequential read crosses it, and the first problem in file order is the one
 * reported. The chunk's table then is the total one.
 */
static void rescan_on_total(const struct fair_scan_config *cfg, struct fair_chunk *total, struct fair_chunk *c,
			    const char *begin)
{
	const char *stop = c->stop, *end = c->end;
	fair_chunk_release(c);
	fair_chunk_init(c, begin, stop, end);
	c->table = total->table;
	memset(&total->table, 0, sizeof total->table);
	if (c->begin < c->stop)
		fair_scan_chunk(cfg, c);
	total->table = c->table;
	memset(&c->table, 0, sizeof c->table);
}

/*
 * After a failed merge: the totals start again as one sequential scan of
 * [chunks[0].begin, stop), which fails where a sequential read fails. When it
 * does not fail (the merge ran out of memory, or crossed the score cap only
 * because the chunks gave dense arrays to other cells than a sequential scan
 * would), the totals are now those of the sequential read up to stop and the join
 * goes on from there. Returns total->status.
 */
static int rescan_from_start(const struct fair_scan_config *cfg, struct fair_chunk *total, const char *stop,
			     uint64_t first_line)
{
	const char *begin = total->begin, *end = total->end;
	fair_chunk_release(total);
	fair_chunk_init(total, begin, stop, end);
	fair_scan_chunk(cfg, total);
	for (size_t k = 0; k < total->nexamples; k++)
		total->examples[k].line += first_line - 1;
	if (total->status)
		total->failure.line += first_line - 1;
	return total->status;
}

int fair_scan_join(const struct fair_scan_config *cfg, struct fair_chunk *chunks, size_t n,
		   uint64_t first_line)
{
	struct fair_chunk *total = &chunks[0];
	int rc = 0;
	size_t i;

	/* chunks[0] started at a true record start: its lines become absolute. */
	for (size_t k = 0; k < total->nexamples; k++)
		total->examples[k].line += first_line - 1;
	if (total->status) {
		total->failure.line += first_line - 1;
		rc = total->status;
		i = 1;
		goto out;
	}
	bool carried = false;
	const char *last_stop = total->stop;
	for (size_t k = 1; k < n; k++) {
		carried |= chunks[k].carries;
		if (chunks[k].stop > last_stop)
			last_stop = chunks[k].stop;
	}
	for (i = 1; i < n; i++) {
		struct fair_chunk *c = &chunks[i];
		uint64_t base = first_line - 1 + total->lines;
		if (carried && (c->begin != total->next || c->status)) {
			/* Some table holds the counts of chunks scanned on one thread
			 * out of file order, so this one cannot be redone alone: read
			 * everything once more, sequentially (a wrong guess or a failure
			 * after work sharing, rare; mapped.c). */
			for (size_t k = i; k < n; k++)
				fair_chunk_release(&chunks[k]);
			i = n;
			rc = rescan_from_start(cfg, total, last_stop, first_line);
			goto out;
		}
		if (c->begin != total->next) {
			/* The guess was inside a quoted field (or behind a record that ran
			 * past it): scan this stretch again from the true record start, on
			 * top of the totals, which makes it exactly the sequential read. */
			rescan_on_total(cfg, total, c, total->next);
		} else if (c->status) {
			/* The chunk failed on its own. Alone it did not know the groups and
			 * scores before it, so a sequential read may cross a cap before the
			 * chunk's failure, or at another line than the chunk's own cap
			 * failure. Scanned again on top of the totals (untouched: nothing
			 * was merged) it fails where a sequential read fails. */
			rescan_on_total(cfg, total, c, c->begin);
		} else if ((rc = fair_table_merge(&total->table, &c->table, cfg))) {
			/* A cap crossed by merging (or no memory): a merge has no line, and
			 * a failed merge leaves part of the chunk in the totals. Read the
			 * input up to this chunk's end once more, sequentially, on this
			 * thread: it fails where a sequential read fails. Only a run whose
			 * merge fails pays for it. */
			const char *stop = carried ? last_stop : c->stop;
			fair_chunk_release(c);
			if (carried) {
				for (size_t k = i + 1; k < n; k++)
					fair_chunk_release(&chunks[k]);
				i = n;
				rc = rescan_from_start(cfg, total, stop, first_line);
				goto out;
			}
			if ((rc = rescan_from_start(cfg, total, stop, first_line))) {
				i++;
				goto out;
			}
			continue;
		}
		rc = absorb_counts(total, c, base);
		fair_chunk_release(c);
		if (rc) {
			i++;
			goto out;
		}
	}
out:
	for (; i < n; i++)
		fair_chunk_release(&chunks[i]);
	return rc;
}
