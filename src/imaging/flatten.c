/* flatten.c: the page divided by its paper level, in one pass.
 *
 * The paper level comes from img_paper_level at 1/shrink of the page; it
 * is stretched back bilinearly (OpenCV's pixel-centre mapping) and divided
 * out row by row, so no full-size background image is ever written and
 * read back: two page-sized passes (resize, divide) become one that the
 * compiler vectorises.  What is stretched is the gain 255 / level rather
 * than the level: a multiply per pixel is several times cheaper than a
 * divide, and the level is smooth, so the two agree to a grey step or so
 * on paper and within a few steps where the level changes fast (a dark
 * margin, a banner's edge), where the page is ink or cut away anyway. */
#include <stdio.h>
#include <stdlib.h>

#include "imaging/ops.h"
#include "util/clones.h"

typedef struct {
	int i0, i1;             /* source samples on either side */
	float w1;               /* weight of i1 */
} tap;

/* For each of n output positions, the two of m source samples it lies
 * between: centre-aligned (x + 0.5) * m / n - 0.5, clamped at the ends. */
static void taps(tap *t, int n, int m)
{
	double k = (double)m / n;
	for (int x = 0; x < n; x++) {
		double f = (x + 0.5) * k - 0.5;
		int i = f < 0 ? 0 : (int)f;
		float w = f < 0 ? 0.0f : (float)(f - i);
		if (i >= m - 1) i = m - 1, w = 0.0f;
		t[x] = (tap){ i, i + 1 < m ? i + 1 : i, w };
	}
}

/* Row r of the gain (255 / paper level, sw per row) stretched to full width. */
static void stretch_row(const float *gain, int sw, int r, const tap *tx, int w, float *out)
{
	const float *g = gain + (size_t)r * sw;
	for (int x = 0; x < w; x++) out[x] = g[tx[x].i0] + (g[tx[x].i1] - g[tx[x].i0]) * tx[x].w1;
}

/* d = s * gain, the gain interpolated between rows a and b (weight wy of b). */
static HOT_CLONES void gain_row(const uint8_t *restrict s, const float *restrict a, const float *restrict b, float wy,
				  uint8_t *restrict d, int w)
{
	for (int x = 0; x < w; x++) {
		float v = s[x] * (a[x] + (b[x] - a[x]) * wy) + 0.5f;
		d[x] = (uint8_t)(v < 255.0f ? v : 255.0f);
	}
}

int img_apply_level(const img_t *gray, const img_t *level, img_t *dst, img_err *err)
{
	if (gray->ch != 1 || level->ch != 1 || level->w < 1 || level->h < 1) {
		snprintf(err->msg, sizeof err->msg, "flatten: 1-channel images are required");
		return -1;
	}
	const int w = gray->w, h = gray->h;
	tap *tx = malloc(sizeof *tx * (size_t)w), *ty = malloc(sizeof *ty * (size_t)h);
	float *rows = malloc(sizeof(float) * 2 * (size_t)w);
	float *gain = malloc(sizeof(float) * (size_t)level->w * (size_t)level->h);
	if (!tx || !ty || !rows || !gain || img_alloc_uninit(dst, w, h, 1, err) < 0) {
		free(tx);
		free(ty);
		free(rows);
		free(gain);
		snprintf(err->msg, sizeof err->msg, "flatten: out of memory");
		return -1;
	}
	float lut[256];         /* 255 / level, at img_paper_level's floor of 32 */
	for (int v = 0; v < 256; v++) lut[v] = 255.0f / (float)(v < 32 ? 32 : v);
	for (int r = 0; r < level->h; r++)
		for (int x = 0; x < level->w; x++) gain[(size_t)r * level->w + x] = lut[level->data[(size_t)r * level->stride + x]];
	taps(tx, w, level->w);
	taps(ty, h, level->h);
	float *r0 = rows, *r1 = rows + w;
	int have0 = -1, have1 = -1;     /* level rows now stretched in r0, r1 */
	for (int y = 0; y < h; y++) {
		/* Rows move down slowly (several output rows per level row):
		 * stretch a level row only when it first comes into use. */
		if (ty[y].i0 != have0) {
			if (ty[y].i0 == have1) {
				float *t = r0;
				r0 = r1, r1 = t, have0 = have1, have1 = -1;
			} else {
				stretch_row(gain, level->w, ty[y].i0, tx, w, r0);
				have0 = ty[y].i0;
			}
		}
		if (ty[y].i1 != have1) {
			stretch_row(gain, level->w, ty[y].i1, tx, w, r1);
			have1 = ty[y].i1;
		}
		gain_row(gray->data + (size_t)y * gray->stride, r0, r1, ty[y].w1, dst->data + (size_t)y * dst->stride, w);
	}
	free(tx);
	free(ty);
	free(rows);
	free(gain);
	return 0;
}

int img_flatten(const img_t *gray, int stroke, int shrink, img_t *dst, img_err *err)
{
	img_t level = { 0 };
	if (img_paper_level(gray, stroke, shrink, &level, NULL, err) < 0) return -1;
	int rc = img_apply_level(gray, &level, dst, err);
	img_free(&level);
	return rc;
}
