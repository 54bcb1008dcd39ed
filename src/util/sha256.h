/* sha256.h: FIPS 180-4 SHA-256; a document's identity is the hash of its bytes. */
#ifndef DIGITD_SHA256_H
#define DIGITD_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[32]);
void sha256_hex(const uint8_t d[32], char hex[65]);
/* The compression function over n 64-byte blocks: the fastest the CPU
 * allows, and the portable reference it must agree with (tests). */
void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n);
void sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t n);
/* Hash a whole buffer into 64 hex digits + NUL. */
void sha256_buf_hex(const void *data, size_t n, char hex[65]);

#endif
