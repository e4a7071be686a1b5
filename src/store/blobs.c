/*
 * blobs.c: the content-addressed evidence directory (see blobs.h).
 *
 * Invariants: a file under sha256/ is complete (written under tmp/, fsync'd, renamed)
 * and its name is the SHA-256 of its bytes as they were written; the writer owns its
 * temporary file until commit or abort. Digests use OpenSSL's EVP SHA-256 (hardware
 * SHA extensions where the CPU has them).
 */
#include "store/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)1 << 18)

static int make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return err_set(e, AIMS_EIO, "cannot create the evidence directory %s: %s", path, strerror(errno));
}

int blobs_prepare(const char *dir, struct err *e)
{
	char path[1200];
	int rc = make_dir(dir, e);
	if (!rc) {
		snprintf(path, sizeof path, "%s/tmp", dir);
		rc = make_dir(path, e);
	}
	if (!rc) {
		snprintf(path, sizeof path, "%s/sha256", dir);
		rc = make_dir(path, e);
	}
	return rc;
}

static void to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

bool blob_hex_ok(const char *hex)
{
	size_t n = 0;
	for (; hex && hex[n]; n++)
		if (!((hex[n] >= '0' && hex[n] <= '9') || (hex[n] >= 'a' && hex[n] <= 'f')))
			return false;
	return n == 64;
}

int blob_path(const char *dir, const char *hex, char *out, size_t n, struct err *e)
{
	if (!blob_hex_ok(hex))
		return err_set(e, AIMS_EINVAL, "not a SHA-256 digest: %s", hex ? hex : "");
	int len = snprintf(out, n, "%s/sha256/%.2s/%s", dir, hex, hex);
	if (len < 0 || (size_t)len >= n)
		return err_set(e, AIMS_ETOOBIG, "the evidence directory path is too long");
	return 0;
}

int blob_writer_begin(struct blob_writer *w, const char *dir, uint64_t limit, struct err *e)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->limit = limit;
	if (strlen(dir) >= sizeof w->dir)
		return err_set(e, AIMS_ETOOBIG, "the evidence directory path is too long");
	snprintf(w->dir, sizeof w->dir, "%s", dir);
	int rc = blobs_prepare(dir, e);
	if (rc)
		return rc;
	snprintf(w->tmp_path, sizeof w->tmp_path, "%s/tmp/upload-XXXXXX", dir);
	w->fd = mkstemp(w->tmp_path);
	if (w->fd < 0) {
		w->tmp_path[0] = '\0';
		return err_set(e, AIMS_EIO, "cannot create a file in %s/tmp: %s", dir, strerror(errno));
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		blob_writer_abort(w);
		return err_set(e, AIMS_ENOMEM, "cannot start a SHA-256 digest");
	}
	w->digest = md;
	return 0;
}

int blob_writer_write(struct blob_writer *w, const void *data, size_t n, struct err *e)
{
	if (w->too_big || (w->limit && w->size + n > w->limit)) {
		w->too_big = true;
		return err_set(e, AIMS_ETOOBIG, "the file is larger than %llu bytes",
			       (unsigned long long)w->limit);
	}
	const char *p = data;
	size_t left = n;
	while (left) {
		ssize_t k = write(w->fd, p, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return err_set(e, AIMS_EIO, "cannot write the uploaded file: %s", strerror(errno));
		p += k;
		left -= (size_t)k;
	}
	EVP_DigestUpdate(w->digest, data, n);
	w->size += n;
	return 0;
}

int blob_writer_commit(struct blob_writer *w, char hex[BLOB_HEX], struct err *e)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	char path[1200], sub[1200];
	int rc = 0;
	if (w->too_big) {
		rc = err_set(e, AIMS_ETOOBIG, "the file is larger than %llu bytes", (unsigned long long)w->limit);
		goto out;
	}
	EVP_DigestFinal_ex(w->digest, d, &dn);
	to_hex(d, dn, hex);
	if (fsync(w->fd) != 0) {
		rc = err_set(e, AIMS_EIO, "cannot sync the uploaded file: %s", strerror(errno));
		goto out;
	}
	snprintf(sub, sizeof sub, "%s/sha256/%.2s", w->dir, hex);
	if ((rc = make_dir(sub, e)) || (rc = blob_path(w->dir, hex, path, sizeof path, e)))
		goto out;
	/* The same bytes stored already: keep them, unless they were altered since. */
	struct err ignored = ERR_INIT;
	bool stored = blob_verify(w->dir, hex, w->size, NULL, &ignored) == 0;
	err_release(&ignored);
	if (stored)
		goto out;
	if (rename(w->tmp_path, path) != 0) {
		rc = err_set(e, AIMS_EIO, "cannot store the uploaded file: %s", strerror(errno));
		goto out;
	}
	w->tmp_path[0] = '\0';
	chmod(path, 0400);
out:
	blob_writer_abort(w);
	return rc;
}

int blob_writer_peek(struct blob_writer *w, char hex[BLOB_HEX], const char **path, struct err *e)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	if (!w->digest || w->fd < 0)
		return err_set(e, AIMS_EINVAL, "no upload in progress");
	EVP_MD_CTX *copy = EVP_MD_CTX_new();
	if (!copy || EVP_MD_CTX_copy_ex(copy, w->digest) != 1) {
		EVP_MD_CTX_free(copy);
		return err_set(e, AIMS_ENOMEM, "cannot copy the digest");
	}
	EVP_DigestFinal_ex(copy, d, &dn);
	EVP_MD_CTX_free(copy);
	to_hex(d, dn, hex);
	*path = w->tmp_path;
	return 0;
}

void blob_writer_abort(struct blob_writer *w)
{
	/* A zeroed writer (fd 0, nothing begun) owns no descriptor: never close stdin.
	 * A begun writer has its temporary path or its digest until it ends. */
	if (w->fd >= 0 && (w->tmp_path[0] || w->digest))
		close(w->fd);
	w->fd = -1;
	if (w->tmp_path[0])
		unlink(w->tmp_path);
	w->tmp_path[0] = '\0';
	EVP_MD_CTX_free(w->digest);
	w->digest = NULL;
}

int blob_verify(const char *dir, const char *hex, uint64_t size, int *fd_out, struct err *e)
{
	char path[1200];
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	char got[BLOB_HEX];
	EVP_MD_CTX *md = NULL;
	char *chunk = NULL;
	uint64_t total = 0;
	int fd = -1;
	if (fd_out)
		*fd_out = -1;
	int rc = blob_path(dir, hex, path, sizeof path, e);
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? err_set(e, AIMS_ENOTFOUND, "the stored file %s is missing", hex)
				     : err_set(e, AIMS_EIO, "cannot open the stored file %s: %s", hex, strerror(errno));
		goto out;
	}
	md = EVP_MD_CTX_new();
	chunk = malloc(READ_CHUNK);
	if (!md || !chunk || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		rc = err_set(e, AIMS_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t k = read(fd, chunk, READ_CHUNK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = err_set(e, AIMS_EIO, "cannot read the stored file %s: %s", hex, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		EVP_DigestUpdate(md, chunk, (size_t)k);
		total += (uint64_t)k;
	}
	EVP_DigestFinal_ex(md, d, &dn);
	to_hex(d, dn, got);
	if (total != size || strcmp(got, hex)) {
		rc = err_set(e, AIMS_EINTEGRITY,
			     "the stored file %s does not match its recorded SHA-256 (now %s, %llu bytes): "
			     "it was changed outside aims",
			     hex, got, (unsigned long long)total);
		goto out;
	}
	if (fd_out && lseek(fd, 0, SEEK_SET) == 0) {
		*fd_out = fd;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	free(chunk);
	return rc;
}

int blob_each(const char *dir, int (*fn)(void *ctx, const char *hex), void *ctx, struct err *e)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/sha256", dir);
	DIR *top = opendir(path);
	if (!top)
		return errno == ENOENT ? 0 : err_set(e, AIMS_EIO, "cannot read %s: %s", path, strerror(errno));
	int rc = 0;
	struct dirent *fan;
	while (!rc && (fan = readdir(top))) {
		if (fan->d_name[0] == '.')
			continue;
		char sub[1600];
		snprintf(sub, sizeof sub, "%s/%s", path, fan->d_name);
		DIR *d = opendir(sub);
		if (!d)
			continue;
		struct dirent *f;
		while (!rc && (f = readdir(d)))
			if (f->d_name[0] != '.')
				rc = fn(ctx, f->d_name);
		closedir(d);
	}
	closedir(top);
	return rc;
}
