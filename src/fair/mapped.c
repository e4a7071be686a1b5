/*
 * mapped.c: mmap and threads for the fairness scan; everything else is pure code in
 * scan.c. Each thread scans one chunk, and one that is done early takes half of
 * what another has left (below); fair_scan_join then checks the guessed chunk
 * starts and rescans any wrong one, so the result never depends on the split.
 */
#include "fair/mapped.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREADS 64

int fair_mapped_open(const char *path, struct fair_mapped *m, struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	m->data = NULL;
	m->len = 0;
	if (fd < 0)
		return err_set(e, AIMS_EIO, "cannot open %.300s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = err_set(e, AIMS_EIO, "cannot read %.300s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(e, AIMS_EIO, "%.300s is not a regular file (the CSV is memory-mapped)", path);
		goto out;
	}
	if (st.st_size == 0)
		goto out;
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		rc = err_set(e, AIMS_EIO, "cannot map %.300s: %s", path, strerror(errno));
		goto out;
	}
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	m->data = p;
	m->len = (size_t)st.st_size;
out:
	close(fd);
	return rc;
}

void fair_mapped_close(struct fair_mapped *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	m->data = NULL;
	m->len = 0;
}

void fair_mapped_release(const struct fair_mapped *m, const char *from, const char *to)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t base = (uintptr_t)m->data;
	uintptr_t a = ((uintptr_t)from - base + page - 1) / page * page + base;
	uintptr_t b = ((uintptr_t)to - base) / page * page + base;
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

/*
 * Work sharing. Each thread starts with one of `threads` equal chunks. One that
 * finishes while another still has at least split_min bytes to go asks that one
 * for half of what it has left: the asked thread, between two records, lowers its
 * own chunk's stop to a record-start guess halfway (fair_scan_split) and hands the
 * rest over as a new chunk. Only the owner of a chunk ever changes its stop, and
 * only at a record boundary, so a chunk scanned with a stop lowered midway is the
 * chunk it would have been with that stop from the start; the join then treats
 * the pieces, sorted by position, like any other split (a guess inside a quoted
 * field is rescanned). Why: on a shared host one CPU can run a third slower than
 * the other for a whole run, and the run waits for the slower one
 * (docs/performance.md).
 */
#define MAX_PIECES (2 * MAX_THREADS)
#define SPLIT_MIN_DEFAULT ((size_t)16 << 20)

struct pool;

struct worker {
	struct pool *pool;
	struct fair_scan_config cfg; /* own copy: its progress and split context is this worker */
	struct fair_chunk *chunk;    /* the piece being scanned; NULL between pieces (under lock) */
	const char *reached;         /* its position, as last reported (atomic) */
	const char *released;
	int asked;                   /* a thief waits for an answer (atomic; set under lock) */
	struct worker *thief;        /* who asked (under lock) */
	struct fair_chunk *given;    /* the answer to this worker's own request (under lock) */
	bool answered;
	pthread_t thread;
	bool started;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t answer;
	const struct fair_mapped *m;
	struct worker *workers;
	size_t nworkers;
	struct fair_chunk *pieces; /* MAX_PIECES; the first nworkers are the starting chunks */
	size_t npieces;
	size_t split_min;
};

static void on_progress(void *ctx, const char *reached)
{
	struct worker *w = ctx;
	/* Keep the last window: the current record may have started in it. */
	const size_t keep = (size_t)1 << 20;
	__atomic_store_n(&w->reached, reached, __ATOMIC_RELAXED);
	if (reached <= w->released || (size_t)(reached - w->released) <= keep)
		return;
	fair_mapped_release(w->pool->m, w->released, reached - keep);
	w->released = reached - keep;
}

/* Under the lock: answers w's thief with `given` (NULL: nothing to share). */
static void answer(struct worker *w, struct fair_chunk *given)
{
	struct worker *t = w->thief;
	t->given = given;
	t->answered = true;
	w->thief = NULL;
	__atomic_store_n(&w->asked, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->pool->answer);
}

/* The split callback, on the asked worker's own thread, between records. */
static void on_split(void *ctx, struct fair_chunk *c, const char *at)
{
	struct worker *w = ctx;
	struct pool *pool = w->pool;
	struct fair_chunk *given = NULL;
	pthread_mutex_lock(&pool->lock);
	if (w->thief) {
		const char *s = fair_scan_split(at, c->stop, 1, 2);
		if ((size_t)(c->stop - at) >= pool->split_min && s > at && s < c->stop && pool->npieces < MAX_PIECES) {
			given = &pool->pieces[pool->npieces++];
			fair_chunk_init(given, s, c->stop, c->end);
			c->stop = s;
		}
		answer(w, given);
	}
	pthread_mutex_unlock(&pool->lock);
}

/* Under the lock: the running worker with the most left, if it has split_min. */
static struct worker *pick_victim(struct pool *pool, const struct worker *self)
{
	struct worker *best = NULL;
	size_t most = 0;
	for (size_t i = 0; i < pool->nworkers; i++) {
		struct worker *v = &pool->workers[i];
		if (v == self || !v->chunk || v->thief)
			continue;
		const char *at = __atomic_load_n(&v->reached, __ATOMIC_RELAXED);
		if (at < v->chunk->begin)
			at = v->chunk->begin;
		size_t left = at < v->chunk->stop ? (size_t)(v->chunk->stop - at) : 0;
		if (left >= pool->split_min && left > most) {
			most = left;
			best = v;
		}
	}
	return best;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pool *pool = w->pool;
	struct fair_chunk *prev = NULL;
	pthread_mutex_lock(&pool->lock);
	while (w->chunk) {
		struct fair_chunk *c = w->chunk;
		if (prev) {
			/* A given piece counts on top of this thread's last one: no new
			 * table to fill from zero (mapping and clearing a fresh one costs
			 * more than a small piece saves); the join knows (`carries`). */
			c->table = prev->table;
			memset(&prev->table, 0, sizeof prev->table);
			c->carries = true;
		}
		w->released = c->begin;
		__atomic_store_n(&w->reached, c->begin, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&pool->lock);
		fair_scan_chunk(&w->cfg, c);
		/* Its pages too, or every piece would leave its last window mapped. */
		fair_mapped_release(pool->m, w->released, c->next);
		pthread_mutex_lock(&pool->lock);
		w->chunk = NULL;
		if (w->thief)
			answer(w, NULL); /* finished before it saw the request */
		if (c->status)
			break; /* the join rescans from here on anyway */
		prev = c;
		/* Ask others for work until one gives some or none has enough left. */
		struct worker *v;
		while (!w->chunk && (v = pick_victim(pool, w))) {
			v->thief = w;
			w->answered = false;
			w->given = NULL;
			__atomic_store_n(&v->asked, 1, __ATOMIC_RELEASE);
			while (!w->answered)
				pthread_cond_wait(&pool->answer, &pool->lock);
			w->chunk = w->given;
			if (!w->chunk)
				break; /* it had just finished, or too little left: so have the others */
		}
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

static int by_begin(const void *a, const void *b)
{
	const struct fair_chunk *x = a, *y = b;
	return (x->begin > y->begin) - (x->begin < y->begin);
}

int fair_mapped_scan(const struct fair_mapped *m, const char *begin, uint64_t first_line,
		     const struct fair_scan_config *cfg, size_t threads, struct fair_chunk *total,
		     size_t *pieces_out, struct err *e)
{
	struct worker workers[MAX_THREADS];
	struct pool pool;
	const char *end = m->data + m->len;
	int rc = 0;

	if (threads < 1)
		threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* Tiny inputs are not worth a thread (and the tests use 64 KiB+ to split). */
	if ((size_t)(end - begin) < ((size_t)64 << 10))
		threads = 1;
	memset(total, 0, sizeof *total);
	memset(&pool, 0, sizeof pool);
	memset(workers, 0, sizeof workers);
	pool.pieces = calloc(MAX_PIECES, sizeof *pool.pieces);
	if (!pool.pieces)
		return err_set(e, AIMS_ENOMEM, "out of memory for the scan");
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.answer, NULL);
	pool.m = m;
	pool.workers = workers;
	pool.nworkers = threads;
	pool.npieces = threads;
	pool.split_min = cfg->split_min ? cfg->split_min : SPLIT_MIN_DEFAULT;
	for (size_t i = 0; i < threads; i++) {
		fair_chunk_init(&pool.pieces[i], fair_scan_split(begin, end, i, threads),
				fair_scan_split(begin, end, i + 1, threads), end);
		workers[i].pool = &pool;
		workers[i].cfg = *cfg;
		workers[i].cfg.progress = on_progress;
		workers[i].cfg.progress_ctx = &workers[i];
		if (threads > 1) {
			workers[i].cfg.split = on_split;
			workers[i].cfg.split_ctx = &workers[i];
			workers[i].cfg.split_asked = &workers[i].asked;
		}
		workers[i].chunk = &pool.pieces[i];
	}
	for (size_t i = 1; i < threads; i++) {
		if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
			rc = err_set(e, AIMS_ENOMEM, "cannot start a scanning thread");
			break;
		}
		workers[i].started = true;
	}
	if (rc) {
		/* The workers not running give nothing and ask nothing; the started
		 * ones finish (and may share among themselves) and are thrown away. */
		pthread_mutex_lock(&pool.lock);
		for (size_t i = 0; i < threads; i++)
			if (!workers[i].started)
				workers[i].chunk = NULL;
		pthread_mutex_unlock(&pool.lock);
	} else {
		work(&workers[0]);
	}
	for (size_t i = 1; i < threads; i++)
		if (workers[i].started)
			pthread_join(workers[i].thread, NULL);
	pthread_cond_destroy(&pool.answer);
	pthread_mutex_destroy(&pool.lock);
	if (pieces_out)
		*pieces_out = pool.npieces;
	if (rc) {
		for (size_t i = 0; i < pool.npieces; i++)
			fair_chunk_release(&pool.pieces[i]);
		free(pool.pieces);
		return rc;
	}
	/* Pieces in file order: a split piece lies between its owner's and the next. */
	qsort(pool.pieces, pool.npieces, sizeof *pool.pieces, by_begin);
	/* A rescan in the join runs on this thread; it releases pages the same way. */
	struct fair_scan_config join_cfg = *cfg;
	join_cfg.progress = on_progress;
	join_cfg.progress_ctx = &workers[0];
	workers[0].released = begin;
	rc = fair_scan_join(&join_cfg, pool.pieces, pool.npieces, first_line);
	*total = pool.pieces[0];
	free(pool.pieces);
	fair_mapped_release(m, begin, end);
	return rc;
}
