/* channel.c: one colour plane of a BGR page, as a gray page.
 *
 * A stride-3 byte gather does not vectorise, and on a 2 MP cheque it cost
 * a millisecond; with SSSE3, sixteen pixels are gathered from three loads
 * by three byte shuffles. */
#include <stdio.h>
#include <string.h>

#include "imaging/cpu.h"
#include "imaging/ops.h"
#if IMG_SSSE3
#include <tmmintrin.h>

/* Pixels [0, n) of row p, plane c, into o; returns the pixels done. */
__attribute__((target("ssse3"))) static int plane_ssse3(const uint8_t *p, int c, uint8_t *o, int n)
{
	uint8_t m[3][16];
	for (int j = 0; j < 16; j++)
		for (int k = 0; k < 3; k++) {
			int at = 3 * j + c - 16 * k;
			m[k][j] = at >= 0 && at < 16 ? (uint8_t)at : 0x80;     /* 0x80: a zero byte */
		}
	const __m128i m0 = _mm_loadu_si128((const __m128i *)m[0]), m1 = _mm_loadu_si128((const __m128i *)m[1]),
		      m2 = _mm_loadu_si128((const __m128i *)m[2]);
	int x = 0;
	for (; x + 16 <= n; x += 16) {
		const uint8_t *q = p + 3 * x;
		__m128i a = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)q), m0);
		__m128i b = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(q + 16)), m1);
		__m128i d = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(q + 32)), m2);
		_mm_storeu_si128((__m128i *)(o + x), _mm_or_si128(_mm_or_si128(a, b), d));
	}
	return x;
}
#endif

int img_plane(const img_t *bgr, int c, img_t *dst, img_err *err)
{
	if (bgr->ch != 3 || c < 0 || c > 2) {
		snprintf(err->msg, sizeof err->msg, "plane: a 3-channel image is required");
		return -1;
	}
	if (img_alloc_uninit(dst, bgr->w, bgr->h, 1, err) < 0) return -1;
	bool fast = img_have_ssse3();
	for (int y = 0; y < bgr->h; y++) {
		const uint8_t *p = bgr->data + (size_t)y * bgr->stride;
		uint8_t *o = dst->data + (size_t)y * dst->stride;
		int x = 0;
#if IMG_SSSE3
		if (fast) x = plane_ssse3(p, c, o, bgr->w);
#endif
		for (; x < bgr->w; x++) o[x] = p[3 * x + c];
	}
	(void)fast;
	return 0;
}
