/*
 * blobs.h: the evidence directory, a content-addressed file store.
 *
 * A file is named by the SHA-256 of its bytes: DIR/sha256/ab/abcdef... (the first two
 * hex digits fan out the directory). A new file is written under DIR/tmp/ while its
 * digest is computed, synced, and renamed into place, so a reader never sees half a
 * file and the same bytes uploaded twice are stored once. Files are never rewritten;
 * a mismatch between a file and its name means it was altered outside aims.
 *
 * Several servers may share DIR (NFS or similar): rename is atomic and a name always
 * holds the same bytes. Nothing here knows about the database.
 */
#ifndef AIMS_STORE_BLOBS_H
#define AIMS_STORE_BLOBS_H

#include "base/err.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BLOB_HEX 65 /* 64 hex digits + NUL */

struct blob_writer {
	int fd;
	char dir[1024];
	char tmp_path[1200];
	void *digest; /* EVP_MD_CTX */
	uint64_t size, limit;
	bool too_big;
};

/* Creates DIR, DIR/tmp and DIR/sha256 when missing (mode 0700). */
int blobs_prepare(const char *dir, struct err *e);
/* Starts a new file under dir/tmp; limit: the most bytes accepted (0: no limit). */
int blob_writer_begin(struct blob_writer *w, const char *dir, uint64_t limit, struct err *e);
/* Appends bytes. Past the limit it stops writing, remembers too_big and returns AIMS_ETOOBIG. */
int blob_writer_write(struct blob_writer *w, const void *data, size_t n, struct err *e);
/* Syncs and moves the file into place; hex receives its SHA-256. Ends the writer. */
int blob_writer_commit(struct blob_writer *w, char hex[BLOB_HEX], struct err *e);
/* The SHA-256 of the bytes written so far and the temporary file holding them (valid
 * until commit or abort), for a caller that reads the upload without keeping it. */
int blob_writer_peek(struct blob_writer *w, char hex[BLOB_HEX], const char **path, struct err *e);
/* Drops the file being written (safe to call after commit or on a zeroed writer). */
void blob_writer_abort(struct blob_writer *w);
/* Whether hex is 64 lowercase hex digits. */
bool blob_hex_ok(const char *hex);
/* The path of a stored file into out (no check that it exists). */
int blob_path(const char *dir, const char *hex, char *out, size_t n, struct err *e);
/*
 * Reads the stored file whole and checks its size and SHA-256 against hex.
 * AIMS_ENOTFOUND when missing, AIMS_EINTEGRITY when it differs. With fd_out, the file
 * stays open (positioned at 0) for the caller to send; close it.
 */
int blob_verify(const char *dir, const char *hex, uint64_t size, int *fd_out, struct err *e);
/* Calls fn for every stored file name (hex) under dir/sha256; stops on non-zero. */
int blob_each(const char *dir, int (*fn)(void *ctx, const char *hex), void *ctx, struct err *e);

#endif
