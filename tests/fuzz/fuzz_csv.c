/*
 * fuzz_csv.c: libFuzzer target for the fairness CSV reader and the chunk join.
 *
 *   make build/fuzz/fuzz_csv && build/fuzz/fuzz_csv -max_total_time=25 tests/fuzz/corpus
 *
 * For any input: the reader never reads outside it, every field lies inside it,
 * line numbers only grow; the structural reader (fair_csv_next, at each classifier
 * level) gives exactly what the byte-wise reference gives, also when calls of the
 * two are mixed on one reader; the scan's row fast path counts exactly what the
 * general way counts (config.general_only), and so does the fast way without the
 * row way (config.no_rows), for several layouts of the columns;
 * and scanning the records after the first line in 2 to 5 chunks, split where
 * fair_scan_split guesses, gives exactly what one sequential scan gives (rows,
 * bad-row counts and examples, lines, status, failure line and column, every
 * cell's confusion counts and score counts), also when one chunk's table is
 * carried into another's scan out of file order, as work sharing does. A
 * difference aborts, which libFuzzer reports with the input.
 */
#include "fair/csv.h"
#include "fair/scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void read_all(const char *data, size_t size)
{
	struct fair_csv r;
	struct fair_csv_field f[4];
	struct fair_csv_error err;
	size_t count;
	uint64_t line, last = 0;
	fair_csv_init(&r, data, size, true);
	for (;;) {
		int rc = fair_csv_next(&r, f, 4, &count, &line, &err);
		if (rc != FAIR_CSV_RECORD)
			break;
		if (line < last || count == 0)
			abort();
		last = line;
		for (size_t i = 0; i < count && i < 4; i++) {
			if (f[i].data < data || f[i].data + f[i].len > data + size)
				abort();
			char out[64];
			(void)fair_csv_unescape(&f[i], out, sizeof out);
		}
	}
}

static bool same_field(const struct fair_csv_field *a, const struct fair_csv_field *b)
{
	return a->data == b->data && a->len == b->len && a->quoted == b->quoted && a->escaped == b->escaped;
}

/*
 * The differential check: the structural reader (at every classifier level this CPU
 * has) against the byte-wise reference, record by record: result, field count,
 * every field's span and flags, the record's line, the error, and the position and
 * line after it. With mix, some records are read by the reference on the same
 * reader, as fair_csv_next itself does for odd records.
 */
static void differential(const char *data, size_t size, bool bom, int simd, uint32_t mix)
{
	struct fair_csv fast, ref;
	fair_csv_init(&fast, data, size, bom);
	fair_csv_init(&ref, data, size, bom);
	if (simd > fast.simd)
		return; /* not on this CPU */
	fast.simd = simd;
	for (unsigned k = 0;; k++) {
		struct fair_csv_field ff[5], rf[5];
		struct fair_csv_error fe = { 0, 0, NULL }, re = { 0, 0, NULL };
		size_t fc = 0, rc_count = 0;
		uint64_t fl = 0, rl = 0;
		int frc = (mix >> (k % 32)) & 1 ? fair_csv_next_bytewise(&fast, ff, 5, &fc, &fl, &fe)
						: fair_csv_next(&fast, ff, 5, &fc, &fl, &fe);
		int rrc = fair_csv_next_bytewise(&ref, rf, 5, &rc_count, &rl, &re);
		if (frc != rrc || fc != rc_count || fl != rl || fast.p != ref.p || fast.line != ref.line)
			abort();
		if (frc == FAIR_CSV_BROKEN && (fe.line != re.line || fe.column != re.column || fe.what != re.what))
			abort();
		for (size_t i = 0; frc == FAIR_CSV_RECORD && i < fc && i < 5; i++)
			if (!same_field(&ff[i], &rf[i]))
				abort();
		if (frc != FAIR_CSV_RECORD)
			break;
	}
}

static const struct fair_cell *find(const struct fair_table *t, const struct fair_cell *c, const char *keys)
{
	for (size_t i = 0; i < t->ncells; i++)
		if (t->cells[i].key_len == c->key_len && !memcmp(t->keys + t->cells[i].key_off, keys + c->key_off, c->key_len))
			return &t->cells[i];
	return NULL;
}

/* An order-free digest of a cell's score counts, dense or hashed alike: the same
 * scores with the same counts give the same digest wherever they are kept. */
static uint64_t score_digest(const struct fair_table *t, const struct fair_cell *c)
{
	uint64_t d = 0;
	size_t cell = (size_t)(c - t->cells);
	for (long k = 0; c->dense && k <= FAIR_DENSE_STEPS; k++)
		for (int y = 0; y < 2; y++) {
			double s = (double)k / FAIR_DENSE_STEPS;
			uint64_t bits;
			memcpy(&bits, &s, sizeof bits);
			d += c->dense[k * 2 + y] * ((bits ^ (uint64_t)y) * 0x9E3779B97F4A7C15ULL | 1);
		}
	for (size_t i = 0; t->scores && i <= t->score_mask; i++) {
		const struct fair_score *e = &t->scores[i];
		if (e->cell != cell + 1)
			continue;
		for (int y = 0; y < 2; y++) {
			uint64_t bits;
			memcpy(&bits, &e->score, sizeof bits);
			d += e->count[y] * ((bits ^ (uint64_t)y) * 0x9E3779B97F4A7C15ULL | 1);
		}
	}
	return d;
}

/* Two joined scans of the same records agree in everything a report shows. */
static void same_scan(const struct fair_chunk *a, const struct fair_chunk *b)
{
	if (a->status != b->status)
		abort();
	if (a->status) {
		if (a->failure.kind != b->failure.kind || a->failure.line != b->failure.line ||
		    a->failure.column != b->failure.column)
			abort();
		return;
	}
	if (a->rows != b->rows || a->lines != b->lines || memcmp(a->bad, b->bad, sizeof a->bad) ||
	    a->nexamples != b->nexamples || a->table.ncells != b->table.ncells)
		abort();
	for (size_t k = 0; k < a->nexamples; k++)
		if (a->examples[k].line != b->examples[k].line || a->examples[k].kind != b->examples[k].kind ||
		    a->examples[k].column != b->examples[k].column)
			abort();
	for (size_t i = 0; i < a->table.ncells; i++) {
		const struct fair_cell *c = find(&b->table, &a->table.cells[i], a->table.keys);
		if (!c || memcmp(c->n, a->table.cells[i].n, sizeof c->n) ||
		    score_digest(&b->table, c) != score_digest(&a->table, &a->table.cells[i]))
			abort();
	}
}

/*
 * The scan's configuration from the first input byte: with or without a score,
 * skipping bad rows or not, rounded scores or not, one of five layouts of the
 * columns (one group; two side by side; two apart; three side by side, named out
 * of order; labels away from the group), labels 1/0 or yes/no.
 */
static void configure(struct fair_scan_config *cfg, uint8_t b)
{
	static const struct {
		size_t columns, y_true, y_pred, nsensitive, sensitive[3];
	} layouts[6] = {
		{ 3, 1, 2, 1, { 0 } },
		{ 4, 2, 3, 2, { 0, 1 } },
		{ 4, 1, 3, 2, { 0, 2 } },
		{ 5, 0, 1, 3, { 4, 2, 3 } },
		{ 5, 0, 4, 1, { 2 } }, /* labels away from the group */
		{ 4, 2, 3, 1, { 1 } }, /* an unused first column: the row way's common layout */
	};
	const int layout = ((b >> 3) & 7) % 6;
	memset(cfg, 0, sizeof *cfg);
	cfg->has_score = b & 1;
	cfg->columns = layouts[layout].columns + cfg->has_score;
	cfg->score = layouts[layout].columns;
	cfg->y_true = layouts[layout].y_true;
	cfg->y_pred = layouts[layout].y_pred;
	cfg->nsensitive = layouts[layout].nsensitive;
	memcpy(cfg->sensitive, layouts[layout].sensitive, sizeof layouts[layout].sensitive);
	if (b & 64) {
		memcpy(cfg->positive, "yes", 4);
		memcpy(cfg->negative, "no", 3);
	} else {
		memcpy(cfg->positive, "1", 2);
		memcpy(cfg->negative, "0", 2);
	}
	cfg->positive_len = strlen(cfg->positive);
	cfg->negative_len = strlen(cfg->negative);
	cfg->skip_bad_rows = (b & 2) != 0;
	cfg->score_digits = (b & 4) ? 2 : -1;
	cfg->max_cells = 50;
	cfg->max_scores = 50;
}

/* Small caps, so that inputs often cross one, also only when chunks are merged:
 * the failure line must still be the sequential one. */
static void small_caps(struct fair_scan_config *cfg)
{
	cfg->max_cells = 4;
	cfg->max_scores = 6;
}

static void scan_whole(const struct fair_scan_config *cfg, const char *begin, const char *end, struct fair_chunk *c)
{
	fair_chunk_init(c, begin, end, end);
	fair_scan_chunk(cfg, c);
	fair_scan_join(cfg, c, 1, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	const char *data = (const char *)bytes;
	read_all(data, size);
	for (int simd = FAIR_CSV_PORTABLE; simd <= FAIR_CSV_AVX2; simd++) {
		differential(data, size, true, simd, 0);
		differential(data, size, false, simd, size >= 4 ? (uint32_t)bytes[size - 1] * 0x01010101u : 0);
	}
	if (size < 2)
		return 0;
	struct fair_scan_config cfg, general, no_rows;
	configure(&cfg, bytes[0]);
	if (bytes[1] & 4)
		small_caps(&cfg);
	general = cfg;
	general.general_only = true;
	no_rows = cfg;
	no_rows.no_rows = true;
	size_t n = 2 + (bytes[1] % 4);
	const char *end = data + size;
	const char *lf = memchr(data, '\n', size);
	const char *begin = lf ? lf + 1 : end;

	/* The row fast path against the general way, then chunks against one scan. */
	struct fair_chunk seq, ref, plain, chunks[5];
	scan_whole(&cfg, begin, end, &seq);
	scan_whole(&general, begin, end, &ref);
	scan_whole(&no_rows, begin, end, &plain);
	same_scan(&ref, &seq);
	same_scan(&ref, &plain);
	fair_chunk_release(&plain);
	for (size_t i = 0; i < n; i++) {
		fair_chunk_init(&chunks[i], fair_scan_split(begin, end, i, n), fair_scan_split(begin, end, i + 1, n), end);
		fair_scan_chunk(&cfg, &chunks[i]);
	}
	fair_scan_join(&cfg, chunks, n, 2);
	same_scan(&seq, &chunks[0]);
	fair_chunk_release(&chunks[0]);
	/* Work sharing (fair/mapped.c): one chunk scanned first and its table carried
	 * into a later scan on the same thread, out of file order: the last into the
	 * second (the thread done with the end took part of the first chunk), or the
	 * first into the last. */
	if (n >= 3) {
		const bool back = bytes[1] & 8;
		struct fair_chunk *first = back ? &chunks[n - 1] : &chunks[0], *then = back ? &chunks[1] : &chunks[n - 1];
		for (size_t i = 0; i < n; i++)
			fair_chunk_init(&chunks[i], fair_scan_split(begin, end, i, n), fair_scan_split(begin, end, i + 1, n), end);
		fair_scan_chunk(&cfg, first);
		if (!first->status) {
			then->table = first->table;
			memset(&first->table, 0, sizeof first->table);
			then->carries = true;
		}
		for (size_t i = 0; i < n; i++)
			if (&chunks[i] != first)
				fair_scan_chunk(&cfg, &chunks[i]);
		fair_scan_join(&cfg, chunks, n, 2);
		same_scan(&seq, &chunks[0]);
		fair_chunk_release(&chunks[0]);
	}
	fair_chunk_release(&ref);
	fair_chunk_release(&seq);
	return 0;
}
