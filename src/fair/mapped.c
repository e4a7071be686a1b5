/*
 * mapped.c: mmap and threads for the fairness scan; everything else is pure code in
 * scan.c. Each thread scans one chunk; fair_scan_join then checks the guessed chunk
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

struct worker {
	const struct fair_mapped *m;
	struct fair_scan_config cfg; /* own copy: its progress context is this worker */
	struct fair_chunk *chunk;
	const char *released;
	pthread_t thread;
	bool started;
};

static void on_progress(void *ctx, const char *reached)
{
	struct worker *w = ctx;
	/* Keep the last window: the current record may have started in it. */
	const size_t keep = (size_t)1 << 20;
	if (reached <= w->released || (size_t)(reached - w->released) <= keep)
		return;
	fair_mapped_release(w->m, w->released, reached - keep);
	w->released = reached - keep;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	fair_scan_chunk(&w->cfg, w->chunk);
	return NULL;
}

int fair_mapped_scan(const struct fair_mapped *m, const char *begin, uint64_t first_line,
		     const struct fair_scan_config *cfg, size_t threads, struct fair_chunk *total,
		     struct err *e)
{
	struct fair_chunk chunks[MAX_THREADS];
	struct worker workers[MAX_THREADS];
	const char *end = m->data + m->len;
	int rc = 0;

	if (threads < 1)
		threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* Tiny inputs are not worth a thread (and the tests use 64 KiB+ to split). */
	if ((size_t)(end - begin) < ((size_t)64 << 10))
		threads = 1;
	memset(workers, 0, sizeof workers);
	for (size_t i = 0; i < threads; i++) {
		fair_chunk_init(&chunks[i], fair_scan_split(begin, end, i, threads),
				fair_scan_split(begin, end, i + 1, threads), end);
		workers[i].m = m;
		workers[i].cfg = *cfg;
		workers[i].cfg.progress = on_progress;
		workers[i].cfg.progress_ctx = &workers[i];
		workers[i].chunk = &chunks[i];
		workers[i].released = chunks[i].begin;
	}
	for (size_t i = 1; i < threads; i++) {
		if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
			rc = err_set(e, AIMS_ENOMEM, "cannot start a scanning thread");
			break;
		}
		workers[i].started = true;
	}
	if (!rc)
		work(&workers[0]);
	for (size_t i = 1; i < threads; i++)
		if (workers[i].started)
			pthread_join(workers[i].thread, NULL);
	if (rc) {
		for (size_t i = 0; i < threads; i++)
			fair_chunk_release(&chunks[i]);
		memset(total, 0, sizeof *total);
		return rc;
	}
	/* A rescan in the join runs on this thread; it releases pages the same way. */
	struct fair_scan_config join_cfg = *cfg;
	join_cfg.progress = on_progress;
	join_cfg.progress_ctx = &workers[0];
	workers[0].released = begin;
	rc = fair_scan_join(&join_cfg, chunks, threads, first_line);
	*total = chunks[0];
	fair_mapped_release(m, begin, end);
	return rc;
}
