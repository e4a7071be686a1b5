/*
 * secret.c: libsodium for randomness, argon2id and constant-time compare; OpenSSL
 * libcrypto for SHA-256 (faster than libsodium's portable code on x86-64).
 */
#include "base/secret.h"
#include "base/err.h"

#include <openssl/sha.h>
#include <sodium.h>
#include <string.h>

int secret_init(void)
{
	return sodium_init() < 0 ? AIMS_EIO : 0;
}

void secret_random_token(char out[SECRET_TOKEN_CHARS + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, SECRET_TOKEN_CHARS + 1, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void secret_random_password(char out[21])
{
	/* No 0/O/1/l/I so it can be read aloud and typed from a printout. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 20; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[20] = '\0';
}

void secret_sha256(const void *data, size_t n, unsigned char out[SECRET_SHA256_BYTES])
{
	_Static_assert(SECRET_SHA256_BYTES == SHA256_DIGEST_LENGTH, "SHA-256 digest size");
	SHA256(data, n, out);
}

void secret_sha256_hex(const void *data, size_t n, char out[SECRET_SHA256_HEX])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	SHA256(data, n, digest);
	sodium_bin2hex(out, SECRET_SHA256_HEX, digest, sizeof digest);
}

int secret_password_hash(const char *password, char out[SECRET_PWHASH_MAX])
{
	_Static_assert(SECRET_PWHASH_MAX >= crypto_pwhash_STRBYTES, "pwhash buffer");
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return AIMS_ENOMEM;
	return 0;
}

bool secret_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

uint32_t secret_random_below(uint32_t upper)
{
	return upper ? randombytes_uniform(upper) : 0;
}
