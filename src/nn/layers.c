/* layers.c: convolution and pooling for one image, the fast versions.
 *
 * Convolution is lowered to a matrix product: im2col copies every K*K window
 * of the (zero-padded) input into a column, giving col (C*K*K, P), and then
 * out (OC, P) = w (OC, C*K*K) * col.  The copy costs C*K*K*P moves against
 * OC times as many multiply-adds, and buys long contiguous inner loops that
 * the compiler vectorises.  layers_ref.c holds the direct loops these must
 * agree with. */
#include "nn/net.h"
#include "nn/gemm.h"

#include <string.h>

/* in (C,H,W) -> col (C*K*K, OH*OW) with rows ld floats apart (ld >= OH*OW,
 * so that several images can sit side by side); taps falling in the padding
 * read 0. */
void nn_im2col(const nn_layer *l, const float *restrict in, float *restrict col, size_t ld)
{
	const int K = l->k, pad = l->pad, OH = l->oh, OW = l->ow, H = l->ih, W = l->iw;
	for (int c = 0; c < l->ic; c++)
		for (int ky = 0; ky < K; ky++)
			for (int kx = 0; kx < K; kx++) {
				float *row = col + (size_t)((c * K + ky) * K + kx) * ld;
				const float *plane = in + (size_t)c * H * W;
				for (int oy = 0; oy < OH; oy++) {
					const int iy = oy + ky - pad;
					float *dst = row + oy * OW;
					if (iy < 0 || iy >= H) {
						memset(dst, 0, sizeof *dst * OW);
						continue;
					}
					/* Output columns [x0, x1) read inside the row; the rest is padding. */
					const int x0 = pad - kx > 0 ? pad - kx : 0;
					const int x1 = W + pad - kx < OW ? W + pad - kx : OW;
					const float *src = plane + iy * W + kx - pad;
					for (int ox = 0; ox < x0; ox++)
						dst[ox] = 0.0f;
					memcpy(dst + x0, src + x0, sizeof *dst * (size_t)(x1 - x0));
					for (int ox = x1; ox < OW; ox++)
						dst[ox] = 0.0f;
				}
			}
}

/* The adjoint of im2col: din (C,H,W) += every column entry at its source. */
static void col2im(const nn_layer *l, const float *restrict dcol, float *restrict din)
{
	const int K = l->k, pad = l->pad, OH = l->oh, OW = l->ow, H = l->ih, W = l->iw;
	const int P = OH * OW;
	for (int c = 0; c < l->ic; c++)
		for (int ky = 0; ky < K; ky++)
			for (int kx = 0; kx < K; kx++) {
				const float *row = dcol + (size_t)((c * K + ky) * K + kx) * P;
				float *plane = din + (size_t)c * H * W;
				for (int oy = 0; oy < OH; oy++) {
					const int iy = oy + ky - pad;
					if (iy < 0 || iy >= H)
						continue;
					const int x0 = pad - kx > 0 ? pad - kx : 0;
					const int x1 = W + pad - kx < OW ? W + pad - kx : OW;
					float *dst = plane + iy * W + kx - pad;
					const float *src = row + oy * OW;
					for (int ox = x0; ox < x1; ox++)
						dst[ox] += src[ox];
				}
			}
}

/* Offsets of each kernel tap k = (c,ky,kx) in an unpadded (C,H,W) input. */
static void tap_offsets(const nn_layer *l, int *koff)
{
	const int K = l->k;
	for (int c = 0; c < l->ic; c++)
		for (int ky = 0; ky < K; ky++)
			for (int kx = 0; kx < K; kx++)
				koff[(c * K + ky) * K + kx] = (c * l->ih + ky) * l->iw + kx;
}

/* Length of a wide output plane: OH rows of W, rounded up to 16 floats so
 * that dot products over it have no scalar tail (the extra columns are junk
 * like the wrapped ones; NN_SLACK covers the reads past the image). */
static int wide_len(const nn_layer *l)
{
	return (l->oh * l->iw + 15) & ~15;
}

/* in (C,H,W), w (OC,C,K,K), b (OC) -> out (OC,OH,OW).
 *
 * Without padding, row k of the im2col matrix is just the input read from
 * tap k's offset, if each output row is computed W wide instead of OW: the
 * last K-1 columns of each wide row are junk (they wrap into the next input
 * row) and are dropped when the result is compacted.  That wastes (K-1)/W of
 * the arithmetic and saves the whole im2col copy.  With padding the copy is
 * made.  post applies a following ReLU (and 2x2 max pooling, without
 * padding only) in the same pass: out is then the ReLU's (or the pooling's)
 * output, bit for bit what those layers would have computed. */
void nn_conv_forward(const nn_layer *l, const float *w, const float *b,
		     const float *in, float *out, const nn_scratch *s, enum nn_conv_post post)
{
	const int relu = post != NN_POST_NONE;
	const int OC = l->oc, OH = l->oh, OW = l->ow, KK = l->ic * l->k * l->k;
	if (l->pad) {
		const int P = OH * OW;
		for (int m = 0; m < OC; m++)
			for (int p = 0; p < P; p++)
				out[(size_t)m * P + p] = b[m];
		nn_im2col(l, in, s->col, (size_t)P);
		nn_gemm_nn(OC, P, KK, w, KK, 1, s->col, P, NULL, out, P, NULL);
		for (int p = 0; relu && p < OC * P; p++)
			out[p] = out[p] > 0.0f ? out[p] : 0.0f;
		return;
	}
	const int W = l->iw, WP = wide_len(l);
	float *wide = s->col;  /* (OC, WP) */
	tap_offsets(l, s->koff);
	nn_gemm_nn_init(OC, WP, KK, w, KK, 1, in, 0, s->koff, wide, WP, b);
	if (post == NN_POST_RELU_MAX2) {
		/* max(0, max of four) equals the max of the four ReLUs exactly. */
		const int PH = OH / 2, PW = OW / 2;
		for (int m = 0; m < OC; m++)
			for (int py = 0; py < PH; py++) {
				const float *r0 = wide + (size_t)m * WP + 2 * py * W, *r1 = r0 + W;
				float *dst = out + ((size_t)m * PH + py) * PW;
				for (int px = 0; px < PW; px++) {
					const float a = r0[2 * px] > r0[2 * px + 1] ? r0[2 * px] : r0[2 * px + 1];
					const float c = r1[2 * px] > r1[2 * px + 1] ? r1[2 * px] : r1[2 * px + 1];
					const float v = a > c ? a : c;
					dst[px] = v > 0.0f ? v : 0.0f;
				}
			}
		return;
	}
	for (int m = 0; m < OC; m++)
		for (int oy = 0; oy < OH; oy++) {
			const float *src = wide + (size_t)m * WP + oy * W;
			float *dst = out + ((size_t)m * OH + oy) * OW;
			if (relu)
				for (int ox = 0; ox < OW; ox++)
					dst[ox] = src[ox] > 0.0f ? src[ox] : 0.0f;
			else
				for (int ox = 0; ox < OW; ox++)
					dst[ox] = src[ox];
		}
}

/* dout (OC,OH,OW) -> dw += dout * col^T, db += row sums, din = col2im(w^T dout).
 * din may be NULL (first layer: nobody needs the input's gradient).  Without
 * padding this works on wide rows as the forward pass does; the junk columns
 * of the widened dout are zero, so they add nothing anywhere. */
void nn_conv_backward(const nn_layer *l, const float *w, const float *in,
		      const float *dout, float *din, float *dw, float *db, const nn_scratch *s)
{
	const int OC = l->oc, OH = l->oh, OW = l->ow, P = OH * OW, KK = l->ic * l->k * l->k;
	for (int m = 0; m < OC; m++) {
		const float *d = dout + (size_t)m * P;
		float sum = 0;
		for (int p = 0; p < P; p++)
			sum += d[p];
		db[m] += sum;
	}
	if (l->pad) {
		nn_im2col(l, in, s->col, (size_t)P);
		nn_gemm_nt(OC, KK, P, dout, P, s->col, P, NULL, dw, KK);
		if (!din)
			return;
		memset(s->dcol, 0, sizeof *s->dcol * (size_t)KK * P);
		/* dcol (KK,P) = w^T (KK,OC) * dout (OC,P): w read transposed via strides. */
		nn_gemm_nn(KK, P, OC, w, 1, KK, dout, P, NULL, s->dcol, P, NULL);
		memset(din, 0, sizeof *din * l->in_size);
		col2im(l, s->dcol, din);
		return;
	}
	const int W = l->iw, WP = wide_len(l);
	float *wide = s->col;  /* dout widened to (OC, WP), junk columns 0 */
	tap_offsets(l, s->koff);
	for (int m = 0; m < OC; m++)
		for (int oy = 0; oy < OH; oy++) {
			const float *src = dout + ((size_t)m * OH + oy) * OW;
			float *dst = wide + (size_t)m * WP + oy * W;
			for (int ox = 0; ox < OW; ox++)
				dst[ox] = src[ox];
			for (int ox = OW; ox < W; ox++)
				dst[ox] = 0.0f;
		}
	for (int m = 0; m < OC; m++)
		for (int p = OH * W; p < WP; p++)
			wide[(size_t)m * WP + p] = 0.0f;
	/* dw (OC,KK) += wide (OC,WP) * taps (KK,WP)^T */
	nn_gemm_nt(OC, KK, WP, wide, WP, in, 0, s->koff, dw, KK);
	if (!din)
		return;
	/* din at tap k += sum_m w[m][k] * wide[m]: rows of din overlap, in order. */
	memset(din, 0, sizeof *din * l->in_size);
	nn_gemm_nn(KK, WP, OC, w, 1, KK, wide, WP, NULL, din, 0, s->koff);
}

/* The common 2x2 case, as plain loops over output rows. */
static void pool2_forward(const nn_layer *l, const float *restrict in, float *restrict out)
{
	const int W = l->iw, OH = l->oh, OW = l->ow;
	for (int c = 0; c < l->oc; c++)
		for (int oy = 0; oy < OH; oy++) {
			const float *r0 = in + ((size_t)c * l->ih + 2 * oy) * W, *r1 = r0 + W;
			float *o = out + ((size_t)c * OH + oy) * OW;
			if (l->kind == NN_MAXPOOL)
				for (int ox = 0; ox < OW; ox++) {
					const float a = r0[2 * ox] > r0[2 * ox + 1] ? r0[2 * ox] : r0[2 * ox + 1];
					const float b = r1[2 * ox] > r1[2 * ox + 1] ? r1[2 * ox] : r1[2 * ox + 1];
					o[ox] = a > b ? a : b;
				}
			else
				for (int ox = 0; ox < OW; ox++)
					o[ox] = 0.25f * ((r0[2 * ox] + r0[2 * ox + 1]) + (r1[2 * ox] + r1[2 * ox + 1]));
		}
}

/* Pooling over non-overlapping KxK windows; a remainder row/column is dropped. */
void nn_pool_forward(const nn_layer *l, const float *in, float *out)
{
	if (l->k == 2) {
		pool2_forward(l, in, out);
		return;
	}
	const int K = l->k, H = l->ih, W = l->iw, OH = l->oh, OW = l->ow;
	const float inv = 1.0f / (float)(K * K);
	for (int c = 0; c < l->oc; c++) {
		const float *plane = in + (size_t)c * H * W;
		float *o = out + (size_t)c * OH * OW;
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				const float *win = plane + oy * K * W + ox * K;
				float v = l->kind == NN_MAXPOOL ? win[0] : 0.0f;
				for (int y = 0; y < K; y++)
					for (int x = 0; x < K; x++) {
						const float t = win[y * W + x];
						if (l->kind == NN_MAXPOOL)
							v = t > v ? t : v;
						else
							v += t;
					}
				o[oy * OW + ox] = l->kind == NN_MAXPOOL ? v : v * inv;
			}
	}
}

static void pool2_backward(const nn_layer *l, const float *restrict in, const float *restrict out,
			   const float *restrict dout, float *restrict din)
{
	const int W = l->iw, OH = l->oh, OW = l->ow;
	for (int c = 0; c < l->oc; c++)
		for (int oy = 0; oy < OH; oy++) {
			const size_t r = ((size_t)c * l->ih + 2 * oy) * W;
			const float *r0 = in + r, *r1 = r0 + W;
			float *d0 = din + r, *d1 = d0 + W;
			const float *o = out + ((size_t)c * OH + oy) * OW, *g = dout + ((size_t)c * OH + oy) * OW;
			if (l->kind == NN_AVGPOOL) {
				for (int ox = 0; ox < OW; ox++) {
					const float v = 0.25f * g[ox];
					d0[2 * ox] = d0[2 * ox + 1] = d1[2 * ox] = d1[2 * ox + 1] = v;
				}
				continue;
			}
			/* To the first of the four (row-major) equal to the maximum;
			 * written without branches so that it vectorises. */
			for (int ox = 0; ox < OW; ox++) {
				const int x = 2 * ox;
				const float mx = o[ox], v = g[ox];
				const int e0 = r0[x] == mx;
				const int e1 = !e0 & (r0[x + 1] == mx);
				const int e2 = !(e0 | e1) & (r1[x] == mx);
				const int e3 = !(e0 | e1 | e2);
				d0[x] = e0 ? v : 0.0f;
				d0[x + 1] = e1 ? v : 0.0f;
				d1[x] = e2 ? v : 0.0f;
				d1[x + 1] = e3 ? v : 0.0f;
			}
		}
}

/* Max pooling routes each gradient to the first input equal to the window's
 * maximum (recomputed from in/out, so the forward pass stores no indices). */
void nn_pool_backward(const nn_layer *l, const float *in, const float *out,
		      const float *dout, float *din)
{
	const int K = l->k, H = l->ih, W = l->iw, OH = l->oh, OW = l->ow;
	const float inv = 1.0f / (float)(K * K);
	memset(din, 0, sizeof *din * l->in_size);
	if (K == 2) {
		pool2_backward(l, in, out, dout, din);
		return;
	}
	for (int c = 0; c < l->oc; c++) {
		const float *plane = in + (size_t)c * H * W;
		float *dplane = din + (size_t)c * H * W;
		const size_t o0 = (size_t)c * OH * OW;
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				const int base = oy * K * W + ox * K;
				const float g = dout[o0 + oy * OW + ox];
				if (l->kind == NN_AVGPOOL) {
					for (int y = 0; y < K; y++)
						for (int x = 0; x < K; x++)
							dplane[base + y * W + x] = g * inv;
					continue;
				}
				const float mx = out[o0 + oy * OW + ox];
				for (int i = 0; i < K * K; i++) {
					const int at = base + (i / K) * W + i % K;
					if (plane[at] == mx) {
						dplane[at] = g;
						break;
					}
				}
			}
	}
}
