/*
 * fuzz_csv.c: libFuzzer target for the fairness CSV reader and the chunk join.
 *
 *   make build/fuzz/fuzz_csv && build/fuzz/fuzz_csv -max_total_time=25 tests/fuzz/corpus
 *
 * For any input: the reader never reads outside it, every field lies inside it,
 * line numbers only grow; and scanning the records after the first line in 2 to 5
 * chunks, split where fair_scan_split guesses, gives exactly what one sequential
 * scan gives (rows, bad-row counts, lines, status, failure line and every cell's
 * counts). A difference aborts, which libFuzzer reports with the input.
 */
#include "fair/csv.h"
#include "fair/scan.h"

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
