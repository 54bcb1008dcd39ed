/* test_probe_tiff.c: the decompression-bomb guard reads TIFF sizes as
 * libtiff will.  A TIFF whose first IFD gives ImageWidth twice (30000, then
 * 100) passed the probe as 100 wide while libtiff decoded it 30000 wide
 * (26 s and 4.4 GB before the post-decode check refused it); duplicate size
 * tags are now refused before anything is allocated. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "imaging/probe.h"

/* A little-endian TIFF: header, one IFD of n entries at byte 8. */
static size_t tiff(uint8_t *b, const uint16_t (*entries)[3], int n)
{
	memset(b, 0, 256);
	memcpy(b, "II*\0\x08\0\0\0", 8);
	b[8] = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		uint8_t *e = b + 10 + i * 12;
		e[0] = (uint8_t)entries[i][0]; e[1] = (uint8_t)(entries[i][0] >> 8);
		e[2] = 3;                         /* SHORT */
		e[4] = 1;                         /* count */
		e[8] = (uint8_t)entries[i][1]; e[9] = (uint8_t)(entries[i][1] >> 8);
	}
	return 10 + (size_t)n * 12 + 4 + 16;  /* next-IFD offset 0, some data */
}

int main(void)
{
	uint8_t b[256];
	img_info info;
	img_err err;
	const uint16_t good[][3] = { { 256, 100, 0 }, { 257, 50, 0 }, { 277, 1, 0 } };
	memset(&info, 0, sizeof info);
	size_t len = tiff(b, good, 3);
	CHECKF(img_probe(b, len, 100000000, &info, &err) == 0, "%s", err.msg);
	CHECK(info.w == 100 && info.h == 50);

	const uint16_t twice_w[][3] = { { 256, 30000, 0 }, { 256, 100, 0 }, { 257, 30000, 0 } };
	memset(&info, 0, sizeof info);
	len = tiff(b, twice_w, 3);
	CHECKF(img_probe(b, len, 100000000, &info, &err) == -1, "two ImageWidth tags passed as %dx%d", info.w, info.h);
	CHECKF(strstr(err.msg, "twice") != NULL, "message: %s", err.msg);

	const uint16_t twice_h[][3] = { { 256, 100, 0 }, { 257, 30000, 0 }, { 257, 10, 0 } };
	memset(&info, 0, sizeof info);
	len = tiff(b, twice_h, 3);
	CHECK(img_probe(b, len, 100000000, &info, &err) == -1);
	CHECK_DONE();
}
