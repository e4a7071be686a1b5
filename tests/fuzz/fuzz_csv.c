/*
 * fuzz_csv.c: libFuzzer target for the fairness CSV reader and the chunk join.
 *
 *   make build/fuzz/fuzz_csv && build/fuzz/fuzz_csv -max_total_time=25 tests/fuzz/corpus
 *
 * For any input: the reader never reads outside it, every field lies inside it,
 * line numbers only grow; the structural reader (fair_csv_next, at each classifier
 * level) gives exactly what the byte-wise reference gives, also when calls of the
 * two are mixed on one reader; and scanning the records after the first line in 2 to 5
 * chunks, split where fair_scan_split guesses, gives exactly what one sequential
 * scan gives (rows, bad-row counts, lines, status, failure line and every cell's
 * counts). A difference aborts, which libFuzzer reports with the input.
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
	struct fair_scan_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.columns = 3 + (bytes[0] & 1); /* with or without a score column */
	cfg.y_true = 1;
	cfg.y_pred = 2;
	cfg.has_score = cfg.columns == 4;
	cfg.score = 3;
	cfg.sensitive[0] = 0;
	cfg.nsensitive = 1;
	memcpy(cfg.positive, "1", 2);
	memcpy(cfg.negative, "0", 2);
	cfg.positive_len = cfg.negative_len = 1;
	cfg.skip_bad_rows = (bytes[0] & 2) != 0;
	cfg.score_digits = (bytes[0] & 4) ? 2 : -1;
	cfg.max_cells = 50;
	cfg.max_scores = 50;
	size_t n = 2 + (bytes[1] % 4);
	const char *end = data + size;
	const char *lf = memchr(data, '\n', size);
	const char *begin = lf ? lf + 1 : end;

	struct fair_chunk seq, chunks[5];
	fair_chunk_init(&seq, begin, end, end);
	fair_scan_chunk(&cfg, &seq);
	fair_scan_join(&cfg, &seq, 1, 2);
	for (size_t i = 0; i < n; i++) {
		fair_chunk_init(&chunks[i], fair_scan_split(begin, end, i, n), fair_scan_split(begin, end, i + 1, n), end);
		fair_scan_chunk(&cfg, &chunks[i]);
	}
	fair_scan_join(&cfg, chunks, n, 2);
	struct fair_chunk *par = &chunks[0];
	if (par->status != seq.status)
		abort();
	if (seq.status) {
		if (par->failure.kind != seq.failure.kind || par->failure.line != seq.failure.line)
			abort();
	} else {
		if (par->rows != seq.rows || par->lines != seq.lines || memcmp(par->bad, seq.bad, sizeof seq.bad) ||
		    par->nexamples != seq.nexamples || par->table.ncells != seq.table.ncells)
			abort();
		for (size_t k = 0; k < seq.nexamples; k++)
			if (par->examples[k].line != seq.examples[k].line || par->examples[k].kind != seq.examples[k].kind)
				abort();
		for (size_t i = 0; i < seq.table.ncells; i++) {
			const struct fair_cell *c = find(&par->table, &seq.table.cells[i], seq.table.keys);
			if (!c || memcmp(c->n, seq.table.cells[i].n, sizeof c->n))
				abort();
		}
	}
	fair_chunk_release(par);
	fair_chunk_release(&seq);
	return 0;
}
