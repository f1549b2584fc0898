/* SHA-256 (FIPS 180-4), for the digests of an OCI image's blobs: the
 * image spec names every blob by it. A small file of its own rather
 * than libcrypto: three functions, and the static launcher stays free
 * of a cryptography library it would use for nothing else. Pure. */
#ifndef CTLAUNCH_SHA256_H
#define CTLAUNCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX (SHA256_LEN * 2 + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;          /* hashed so far */
	unsigned char buf[64];   /* a block being filled */
	size_t n;                /* bytes in buf */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* The digest; c must be initialised again before another use. */
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
/* The digest as 64 lowercase hexadecimal digits and a NUL. */
void sha256_hex(struct sha256 *c, char out[SHA256_HEX]);
/* The digest of len bytes, in hex: one call for a blob in memory. */
void sha256_hex_of(const void *data, size_t len, char out[SHA256_HEX]);

#endif
