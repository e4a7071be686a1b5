/*
 * secret.h: random tokens, SHA-256 and password hashing.
 *
 * secret_init() must run once before any other call (it initialises libsodium).
 * Outputs are written to caller-provided buffers of the documented sizes.
 */
#ifndef AIMS_BASE_SECRET_H
#define AIMS_BASE_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_TOKEN_CHARS 43 /* 32 random bytes as unpadded base64url */
#define SECRET_SHA256_HEX 65  /* 64 hex digits + NUL */
#define SECRET_PWHASH_MAX 128

int secret_init(void);
/* 32 random bytes as base64url into out[SECRET_TOKEN_CHARS + 1]. */
void secret_random_token(char out[SECRET_TOKEN_CHARS + 1]);
/* A readable random password of 20 characters into out[21]. */
void secret_random_password(char out[21]);
/* A uniformly random number in [0, upper). */
uint32_t secret_random_below(uint32_t upper);
void secret_sha256_hex(const void *data, size_t n, char out[SECRET_SHA256_HEX]);
#define SECRET_SHA256_BYTES 32
void secret_sha256(const void *data, size_t n, unsigned char out[SECRET_SHA256_BYTES]);
/* argon2id (libsodium interactive limits). Returns 0 or AIMS_ENOMEM. */
int secret_password_hash(const char *password, char out[SECRET_PWHASH_MAX]);
bool secret_password_verify(const char *hash, const char *password);
/* Constant-time comparison of two NUL-terminated strings. */
bool secret_equal(const char *a, const char *b);

#endif
