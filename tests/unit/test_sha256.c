/* SHA-256 against the FIPS 180-4 examples, including a multi-block message fed in odd pieces. */
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
	CHECK_DONE();
}
