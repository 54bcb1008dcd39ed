/* SHA-256 against the FIPS 180-4 examples, including a multi-block message fed in odd pieces,
 * a million 'a's (many whole blocks), and the fast compression function against the portable one. */
#include "check.h"
#include "util/sha256.h"
#include <string.h>

int main(void)
{
	char hex[65];
	sha256_buf_hex("abc", 3, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
	sha256_buf_hex("", 0, hex);
	CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_ctx c;
	uint8_t d[32];
	sha256_init(&c);
	for (size_t i = 0; i < strlen(m); i += 7)
		sha256_update(&c, m + i, strlen(m) - i < 7 ? strlen(m) - i : 7);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);

	static uint8_t big[1000000];
	memset(big, 'a', sizeof big);
	sha256_buf_hex(big, sizeof big, hex);
	CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);

	uint32_t r = 1, h1[8], h2[8];
	for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)((r = r * 1103515245 + 12345) >> 16);
	for (size_t n = 1; n <= 300; n = n * 3 + 1) {
		sha256_init(&c);
		memcpy(h1, c.h, sizeof h1);
		memcpy(h2, c.h, sizeof h2);
		sha256_blocks(h1, big + n, n);
		sha256_blocks_portable(h2, big + n, n);
		CHECK(memcmp(h1, h2, sizeof h1) == 0);
	}
	CHECK_DONE();
}
