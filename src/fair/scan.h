/*
 * scan.h: one pass over CSV records that counts confusion cells per group, and the
 * exact joining of chunks scanned in parallel.
 *
 * Contract:
 * - A fair_table holds, per intersection of the sensitive columns (a "cell"), the
 *   counts of (y_true, y_pred) pairs and, with a score column, the count of
 *   positives and negatives per distinct score. Its size depends on the number of
 *   cells and distinct (cell, score) pairs, never on the number of rows; both are
 *   capped (config.max_cells, config.max_scores) and going over is a failure, not a
 *   silent truncation.
 * - fair_scan_chunk reads records that start before chunk->stop (the last one may
 *   run past it, up to chunk->end). A chunk whose begin was guessed (the byte after
 *   some LF) may be wrong when that LF was inside quotes; fair_scan_join checks each
 *   guess against where the previous chunk really ended and rescans the chunk when
 *   it was wrong, so the joined result always equals one sequential scan.
 * - Line numbers inside a chunk are relative until fair_scan_join makes them
 *   absolute. Pure: no I/O; the progress hook lets the caller release pages behind.
 * - Memory: a chunk owns its table (fair_chunk_release); fair_scan_join moves every
 *   accepted chunk's counts into chunks[0].
 */
#ifndef AIMS_FAIR_SCAN_H
#define AIMS_FAIR_SCAN_H

#include "fair/csv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAIR_MAX_SENSITIVE 8
#define FAIR_MAX_COLUMNS 4096
#define FAIR_VALUE_MAX 256        /* bytes of one group value */
#define FAIR_LABEL_MAX 64         /* bytes of --positive / --negative */
#define FAIR_DEFAULT_MAX_CELLS 100000
#define FAIR_DEFAULT_MAX_SCORES 262144
#define FAIR_EXAMPLES 10

/* Why a row is bad (skippable) or why a scan failed (never skippable). */
enum fair_issue_kind {
	FAIR_BAD_RAGGED = 0,   /* wrong number of fields */
	FAIR_BAD_MISSING,      /* an empty value in a column the metrics use */
	FAIR_BAD_LABEL,        /* y_true or y_pred neither the positive nor the negative label */
	FAIR_BAD_SCORE,        /* score not a finite decimal number */
	FAIR_BAD_TEXT,         /* group value not UTF-8 or longer than FAIR_VALUE_MAX */
	FAIR_BAD_KINDS,
	FAIR_FAIL_QUOTING = FAIR_BAD_KINDS, /* broken quoting: fair_csv_error */
	FAIR_FAIL_CELLS,       /* more than max_cells groups */
	FAIR_FAIL_SCORES,      /* more than max_scores distinct (group, score) pairs */
	FAIR_FAIL_NOMEM,
	FAIR_FAIL_OVERFLOW,    /* more than 2^32 - 1 rows share one group and score */
};

/* The stable name of a kind ("ragged_row", "missing_value", ...). */
const char *fair_issue_kind_name(int kind);

struct fair_issue {
	int kind;
	uint64_t line;     /* physical line where the record starts (relative in a chunk) */
	size_t column;     /* 0-based column index; (size_t)-1 for the whole row */
	size_t fields;     /* for FAIR_BAD_RAGGED: fields found */
	char value[48];    /* the offending value, cut, for the message; NUL-terminated */
	const char *what;  /* FAIR_FAIL_QUOTING: the reader's text */
};

struct fair_chunk;

struct fair_scan_config {
	size_t columns; /* fields in the header */
	size_t y_true, y_pred;
	bool has_score;
	size_t score;
	size_t sensitive[FAIR_MAX_SENSITIVE];
	size_t nsensitive;
	char positive[FAIR_LABEL_MAX], negative[FAIR_LABEL_MAX];
	size_t positive_len, negative_len;
	bool skip_bad_rows;
	int score_digits; /* < 0: exact scores; else scores rounded to this many decimals */
	size_t max_cells, max_scores;
	bool general_only; /* tests: every row the general way, the fast path's reference */
	bool no_rows;      /* tests: the fast way without the row way (scan.c) */
	/* Called now and then with the position reached; may be NULL. */
	void (*progress)(void *ctx, const char *reached);
	void *progress_ctx;
	/* Work sharing (mapped.c): while *split_asked is non-zero (set by another
	 * thread), the scan calls split(split_ctx, c, at) between records, at being
	 * the start of the next one. split may lower c->stop to a point after at;
	 * the records from there on are then another chunk's, and the scan is the
	 * one a chunk made with that stop would have been. NULL: never asked. */
	void (*split)(void *ctx, struct fair_chunk *c, const char *at);
	void *split_ctx;
	const int *split_asked;
	/* mapped.c: the least a chunk must have left to be split (0: 16 MiB). */
	size_t split_min;
};

/* Counts of one intersection cell. n[t * 2 + p] for y_true t, y_pred p (0 or 1). */
struct fair_cell {
	uint64_t hash;
	size_t key_off, key_len; /* into fair_table.keys */
	uint64_t n[4];
	/* Scores that are k / 10^4 for k in 0..10^4 (up to four decimals in [0, 1], the
	 * common case) are counted here, dense[k * 2 + y_true], instead of in the hash:
	 * no probing, and 80 KB per cell. NULL until the cell sees such a score, and
	 * only the first FAIR_MAX_DENSE_CELLS cells get one. While fair_scan_chunk
	 * runs, the array holds its counts split (scan.c, "split counters"); before it
	 * returns they are whole again, so every reader outside the scan sees uint32.
	 * They never sum past n[0] + ... + n[3] (a row adds one to both), which lets
	 * the merge and the AUC skip overflow checks for cells under 2^32 rows. */
	uint32_t *dense;
};

#define FAIR_DENSE_STEPS 10000
#define FAIR_MAX_DENSE_CELLS 128

struct fair_score {
	double score;
	uint32_t cell; /* index + 1; 0 marks an empty slot */
	uint64_t count[2]; /* by y_true */
};

struct fair_table {
	struct fair_cell *cells;
	size_t ncells, cells_cap;
	uint32_t *slots; /* cell index + 1, 0 empty; open addressing */
	size_t slot_mask;
	char *keys;
	size_t keys_len, keys_cap;
	struct fair_score *scores; /* open addressing by (cell, score) */
	size_t nscores, score_mask;
	size_t ndense;         /* cells with a dense array */
	uint32_t *dense_arena; /* FAIR_MAX_DENSE_CELLS arrays, allocated at first use */
	/* During a scan only: the high parts of split dense counts (scan.c), mapped at
	 * the first carry, and which dense arrays have any. */
	uint32_t *dense_high;
	uint64_t dense_high_cells[(FAIR_MAX_DENSE_CELLS + 63) / 64];
};

/*
 * A cell's key: for each sensitive column in order, a 2-byte little-endian length
 * and the value's bytes. fair_key_value walks it.
 */
size_t fair_key_value(const char *key, size_t key_len, size_t index, const char **value);

struct fair_chunk {
	/* input */
	const char *begin, *stop, *end;
	/* output */
	const char *next;   /* where the scan stopped: a record start >= stop, or end */
	uint64_t lines;     /* LF bytes consumed */
	uint64_t rows;      /* data records read, bad ones included */
	uint64_t bad[FAIR_BAD_KINDS];
	struct fair_issue examples[FAIR_EXAMPLES];
	size_t nexamples;
	int status;         /* 0, or -1 with failure filled */
	struct fair_issue failure;
	struct fair_table table;
	/* The table also holds the counts of other chunks, scanned before this one on
	 * the same thread (mapped.c's work sharing moves a finished chunk's table into
	 * the next one it scans; that chunk's own table is then empty). */
	bool carries;
};

void fair_table_release(struct fair_table *t);
/* d[0..n) += s[0..n) for dense counters, where no sum can pass UINT32_MAX (a cell's or
 * group's counters never sum past its rows, when those are fewer than 2^32). */
void fair_dense_add(uint32_t *d, const uint32_t *s, size_t n);
/* Adds src's counts into dst. 0, or a FAIR_FAIL_* kind on a cap or out of memory. */
int fair_table_merge(struct fair_table *dst, const struct fair_table *src, const struct fair_scan_config *cfg);

/* Prepares a chunk over [begin, stop) of data ending at end. */
void fair_chunk_init(struct fair_chunk *c, const char *begin, const char *stop, const char *end);
void fair_chunk_release(struct fair_chunk *c);
/* Scans the chunk; sets c->status (and returns it). */
int fair_scan_chunk(const struct fair_scan_config *cfg, struct fair_chunk *c);

/*
 * Checks and joins chunks[0..n) scanned independently, chunks[0].begin being a true
 * record start on line first_line. Rescans any chunk whose begin was not where its
 * predecessor ended. Afterwards chunks[0] holds the totals of the whole input (next,
 * lines, rows, bad counts, the first FAIR_EXAMPLES examples with absolute lines,
 * the table), and the other chunks are released. Returns chunks[0].status: a
 * failure is the first one in file order. When some chunk `carries` others' counts,
 * a chunk that must be rescanned cannot be taken apart from them: the whole input
 * is then read once more, sequentially.
 */
int fair_scan_join(const struct fair_scan_config *cfg, struct fair_chunk *chunks, size_t n,
		   uint64_t first_line);

/* Start of chunk i of n over [begin, end): the byte after the first LF at or after
 * the i/n point (a guess that fair_scan_join verifies); begin for i = 0, end when
 * no LF follows. Non-decreasing in i. */
const char *fair_scan_split(const char *begin, const char *end, size_t i, size_t n);

/* Parses a decimal number (optional sign, digits, optional fraction, optional
 * exponent; no spaces, no inf/nan); 0 or -1. Correctly rounded. When dense is not
 * NULL it gets k if the number is exactly k / 10^4 with 0 <= k <= 10^4 by its
 * spelling (at most four decimals, no exponent), else -1. */
int fair_parse_number(const char *s, size_t n, double *out, long *dense);

#endif
