/*
 * scan.c: the per-row hot loop of the fairness engine and the exact join of chunks.
 *
 * Per record: find the fields (csv.c), map y_true and y_pred to 0/1 by comparing
 * with the two labels, build the group key from the sensitive values, find its cell
 * in an open-addressing table and add one to a confusion count; with a score, add
 * one to the (cell, score) counter. Nothing depends on rows already seen except
 * these counters, which is what bounds memory by groups rather than rows.
 *
 * Invariants: table->slots has a power-of-two size at least twice ncells; the score
 * table likewise for nscores; -0.0 is stored as 0.0 so equal scores share a slot.
 * Each bad row is counted once, under the first problem found in it (columns are
 * checked in the order y_true, y_pred, score, sensitive columns).
 */
#include "fair/scan.h"
#include "base/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PENDING 16
#define DENSE_STRIDE ((size_t)(FAIR_DENSE_STEPS + 1) * 2)
#define PROGRESS_BYTES ((size_t)8 << 20)
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
	free(t->dense_arena);
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

/* The dense counter of (cell, k, y), creating the cell's array when allowed;
 * *slot NULL when the cell has none and may not get one (use the hash then). */
static int dense_slot(struct fair_table *t, size_t cell, long k, int y, uint32_t **slot)
{
	struct fair_cell *c = &t->cells[cell];
	*slot = NULL;
	if (!c->dense) {
		if (t->ndense >= FAIR_MAX_DENSE_CELLS)
			return 0;
		if (!t->dense_arena) {
			/* One arena in 2 MiB pages where the kernel allows it: the counts are hit
			 * at random, and 4 KiB pages would spend the time in TLB misses. */
			size_t huge = (size_t)2 << 20, bytes = DENSE_STRIDE * FAIR_MAX_DENSE_CELLS * sizeof(uint32_t);
			bytes = (bytes + huge - 1) / huge * huge;
			t->dense_arena = aligned_alloc(huge, bytes);
			if (!t->dense_arena)
				return FAIR_FAIL_NOMEM;
			madvise(t->dense_arena, bytes, MADV_HUGEPAGE);
			memset(t->dense_arena, 0, bytes);
		}
		c->dense = t->dense_arena + DENSE_STRIDE * t->ndense++;
	}
	*slot = &c->dense[k * 2 + y];
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
	uint32_t *slot;
	int rc = dense_slot(t, cell, k, y, &slot);
	if (rc)
		return rc;
	return slot ? slot_add(slot, n) : 1;
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
		for (long k = 0; c->dense && k <= FAIR_DENSE_STEPS; k++)
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

int fair_scan_chunk(const struct fair_scan_config *cfg, struct fair_chunk *c)
{
	struct fair_csv r;
	struct fair_csv_field *fields = NULL;
	struct fair_csv_error cerr;
	char key[KEY_MAX];
	const char *last_progress = c->begin;
	/* Dense counters are hit at random in a few MiB: each is prefetched when its
	 * row is read and incremented PENDING rows later, when it is in cache. */
	uint32_t *pending[PENDING];
	size_t npending = 0, next_pending = 0;
	size_t count;
	uint64_t line;
	int rc;

	fair_csv_init(&r, c->begin, (size_t)(c->end - c->begin), false);
	fields = malloc(cfg->columns * sizeof *fields);
	if (!fields)
		return fail(c, FAIR_FAIL_NOMEM, 0);
	while (r.p < c->stop) {
		rc = fair_csv_next(&r, fields, cfg->columns, &count, &line, &cerr);
		if (rc == FAIR_CSV_END)
			break;
		if (rc == FAIR_CSV_BROKEN) {
			fail(c, FAIR_FAIL_QUOTING, cerr.line);
			c->failure.column = cerr.column - 1;
			c->failure.what = cerr.what;
			goto out;
		}
		c->rows++;
		if ((size_t)(r.p - last_progress) >= PROGRESS_BYTES && cfg->progress) {
			cfg->progress(cfg->progress_ctx, r.p);
			last_progress = r.p;
		}
		if (count != cfg->columns) {
			if (bad_row(cfg, c, FAIR_BAD_RAGGED, line, (size_t)-1, count, NULL))
				goto out;
			continue;
		}
		const struct fair_csv_field *ft = &fields[cfg->y_true], *fp = &fields[cfg->y_pred];
		int t = label_of(cfg, ft), p;
		if (t < 0) {
			if (bad_row(cfg, c, ft->len ? FAIR_BAD_LABEL : FAIR_BAD_MISSING, line, cfg->y_true, 0, ft))
				goto out;
			continue;
		}
		p = label_of(cfg, fp);
		if (p < 0) {
			if (bad_row(cfg, c, fp->len ? FAIR_BAD_LABEL : FAIR_BAD_MISSING, line, cfg->y_pred, 0, fp))
				goto out;
			continue;
		}
		double score = 0;
		long dense = -1;
		if (cfg->has_score) {
			const struct fair_csv_field *fs = &fields[cfg->score];
			if (!fs->len || fs->escaped || fair_parse_number(fs->data, fs->len, &score, &dense)) {
				if (bad_row(cfg, c, fs->len ? FAIR_BAD_SCORE : FAIR_BAD_MISSING, line, cfg->score, 0, fs))
					goto out;
				continue;
			}
			if (cfg->score_digits >= 0) {
				/* Scores become k / 10^D; with D <= 4 and 0 <= k <= 10^D they are
				 * also the dense step k * 10^(4 - D). */
				double k = nearbyint(score * pow10_exact[cfg->score_digits]);
				if (!isfinite(k)) {
					if (bad_row(cfg, c, FAIR_BAD_SCORE, line, cfg->score, 0, fs))
						goto out;
					continue;
				}
				score = k / pow10_exact[cfg->score_digits];
				dense = -1;
				if (cfg->score_digits <= 4 && k >= 0 && k <= pow10_exact[cfg->score_digits])
					dense = (long)k * (long)pow10_exact[4 - cfg->score_digits];
			}
			if (score == 0)
				score = 0; /* -0.0 and 0.0 are one score */
		}
		size_t klen = 0;
		bool bad = false;
		for (size_t i = 0; i < cfg->nsensitive; i++) {
			const struct fair_csv_field *fg = &fields[cfg->sensitive[i]];
			size_t n = fg->len;
			if (!n || n > FAIR_VALUE_MAX) {
				bad = true;
				if (bad_row(cfg, c, n ? FAIR_BAD_TEXT : FAIR_BAD_MISSING, line, cfg->sensitive[i], 0, fg))
					goto out;
				break;
			}
			if (fg->escaped)
				n = fair_csv_unescape(fg, key + klen + 2, FAIR_VALUE_MAX);
			else
				memcpy(key + klen + 2, fg->data, n);
			key[klen] = (char)(n & 0xff);
			key[klen + 1] = (char)(n >> 8);
			klen += 2 + n;
		}
		if (bad)
			continue;
		size_t cell, bad_value = 0;
		rc = cell_find(&c->table, cfg, key, klen, hash_bytes(key, klen), true, &bad_value, &cell);
		if (rc == FAIR_BAD_TEXT) {
			size_t col = cfg->sensitive[bad_value];
			if (bad_row(cfg, c, FAIR_BAD_TEXT, line, col, 0, &fields[col]))
				goto out;
			continue;
		}
		if (rc) {
			fail(c, rc, line);
			goto out;
		}
		c->table.cells[cell].n[t * 2 + p]++;
		if (cfg->has_score) {
			uint32_t *slot = NULL;
			rc = dense >= 0 ? dense_slot(&c->table, cell, dense, t, &slot) : 0;
			if (!rc && slot) {
				__builtin_prefetch(slot, 1);
				if (npending == PENDING && (rc = slot_add(pending[next_pending], 1)) == 0)
					npending--;
				if (!rc) {
					pending[next_pending] = slot;
					next_pending = (next_pending + 1) % PENDING;
					npending++;
				}
			} else if (!rc) {
				rc = score_add(&c->table, cfg, cell, score, t, 1);
			}
			if (rc) {
				fail(c, rc, line);
				goto out;
			}
		}
	}
out:
	for (size_t k = 0; k < npending; k++) {
		size_t at = (next_pending + PENDING - npending + k) % PENDING;
		if (!c->status && (rc = slot_add(pending[at], 1)))
			fail(c, rc, line);
	}
	c->next = r.p < c->end ? r.p : c->end;
	c->lines = r.line - 1;
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

/* Moves one chunk's totals into the accumulated first chunk; lines made absolute. */
static int absorb(const struct fair_scan_config *cfg, struct fair_chunk *total, struct fair_chunk *c,
		  uint64_t line_base)
{
	int rc;
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
		return c->status;
	}
	if ((rc = fair_table_merge(&total->table, &c->table, cfg)))
		return fail(total, rc, line_base);
	return 0;
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
	for (i = 1; i < n; i++) {
		struct fair_chunk *c = &chunks[i];
		uint64_t base = first_line - 1 + total->lines;
		if (c->begin != total->next) {
			/* The guess was inside a quoted field (or behind a record that ran
			 * past it): scan this stretch again from the true record start. */
			const char *stop = c->stop, *end = c->end;
			fair_chunk_release(c);
			fair_chunk_init(c, total->next, stop, end);
			if (c->begin < c->stop)
				fair_scan_chunk(cfg, c);
		}
		rc = absorb(cfg, total, c, base);
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
