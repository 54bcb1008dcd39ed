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

/* in (C,H,W) -> col (C*K*K, OH*OW); taps falling in the padding read 0. */
static void im2col(const nn_layer *l, const float *restrict in, float *restrict col)
{
	const int K = l->k, pad = l->pad, OH = l->oh, OW = l->ow, H = l->ih, W = l->iw;
	const int P = OH * OW;
	for (int c = 0; c < l->ic; c++)
		for (int ky = 0; ky < K; ky++)
			for (int kx = 0; kx < K; kx++) {
				float *row = col + (size_t)((c * K + ky) * K + kx) * P;
				const float *plane = in + (size_t)c * H * W;
				for (int oy = 0; oy < OH; oy++) {
					const int iy = oy + ky - pad;
					float *dst = row + oy * OW;
					if (iy < 0 || iy >= H) {
						memset(dst, 0, sizeof *dst * OW);
						continue;
					}
					const float *src = plane + iy * W + kx - pad;
					for (int ox = 0; ox < OW; ox++) {
						const int ix = ox + kx - pad;
						dst[ox] = (ix >= 0 && ix < W) ? src[ox] : 0.0f;
					}
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

/* in (C,H,W), w (OC,C,K,K), b (OC) -> out (OC,OH,OW); col is scratch. */
void nn_conv_forward(const nn_layer *l, const float *w, const float *b,
		     const float *in, float *out, float *col)
{
	const int P = l->oh * l->ow, KK = l->ic * l->k * l->k;
	for (int m = 0; m < l->oc; m++)
		for (int p = 0; p < P; p++)
			out[(size_t)m * P + p] = b[m];
	im2col(l, in, col);
	nn_gemm_nn(l->oc, P, KK, w, KK, 1, col, P, out, P);
}

/* dout (OC,P) -> dw += dout * col^T, db += row sums, din = col2im(w^T dout).
 * din may be NULL (first layer: nobody needs the input's gradient). */
void nn_conv_backward(const nn_layer *l, const float *w, const float *in,
		      const float *dout, float *din, float *dw, float *db,
		      float *col, float *dcol)
{
	const int P = l->oh * l->ow, KK = l->ic * l->k * l->k;
	for (int m = 0; m < l->oc; m++) {
		const float *d = dout + (size_t)m * P;
		float s = 0;
		for (int p = 0; p < P; p++)
			s += d[p];
		db[m] += s;
	}
	im2col(l, in, col);
	nn_gemm_nt(l->oc, KK, P, dout, P, col, P, dw, KK);
	if (!din)
		return;
	memset(dcol, 0, sizeof *dcol * (size_t)KK * P);
	/* dcol (KK,P) = w^T (KK,OC) * dout (OC,P): w read transposed via strides. */
	nn_gemm_nn(KK, P, l->oc, w, 1, KK, dout, P, dcol, P);
	memset(din, 0, sizeof *din * l->in_size);
	col2im(l, dcol, din);
}

/* Pooling over non-overlapping KxK windows; a remainder row/column is dropped. */
void nn_pool_forward(const nn_layer *l, const float *in, float *out)
{
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

/* Max pooling routes each gradient to the first input equal to the window's
 * maximum (recomputed from in/out, so the forward pass stores no indices). */
void nn_pool_backward(const nn_layer *l, const float *in, const float *out,
		      const float *dout, float *din)
{
	const int K = l->k, H = l->ih, W = l->iw, OH = l->oh, OW = l->ow;
	const float inv = 1.0f / (float)(K * K);
	memset(din, 0, sizeof *din * l->in_size);
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
