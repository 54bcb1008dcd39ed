/* layers_ref.c: direct, obviously-correct convolution and pooling, the
 * reference the fast kernels in layers.c are tested against.  Nothing in
 * the product calls these. */
#include "nn/net.h"

#include <string.h>

static float at(const float *in, int c, int y, int x, int H, int W)
{
	if (y < 0 || y >= H || x < 0 || x >= W)
		return 0.0f;
	return in[((size_t)c * H + y) * W + x];
}

void nn_conv_forward_ref(const nn_layer *l, const float *w, const float *b,
			 const float *in, float *out)
{
	const int K = l->k;
	for (int m = 0; m < l->oc; m++)
		for (int oy = 0; oy < l->oh; oy++)
			for (int ox = 0; ox < l->ow; ox++) {
				double s = b[m];
				for (int c = 0; c < l->ic; c++)
					for (int ky = 0; ky < K; ky++)
						for (int kx = 0; kx < K; kx++)
							s += (double)w[((m * l->ic + c) * K + ky) * K + kx] *
							     at(in, c, oy + ky - l->pad, ox + kx - l->pad, l->ih, l->iw);
				out[((size_t)m * l->oh + oy) * l->ow + ox] = (float)s;
			}
}

void nn_conv_backward_ref(const nn_layer *l, const float *w, const float *in,
			  const float *dout, float *din, float *dw, float *db)
{
	const int K = l->k;
	if (din)
		memset(din, 0, sizeof *din * l->in_size);
	for (int m = 0; m < l->oc; m++)
		for (int oy = 0; oy < l->oh; oy++)
			for (int ox = 0; ox < l->ow; ox++) {
				const float g = dout[((size_t)m * l->oh + oy) * l->ow + ox];
				db[m] += g;
				for (int c = 0; c < l->ic; c++)
					for (int ky = 0; ky < K; ky++)
						for (int kx = 0; kx < K; kx++) {
							const int y = oy + ky - l->pad, x = ox + kx - l->pad;
							if (y < 0 || y >= l->ih || x < 0 || x >= l->iw)
								continue;
							const size_t wi = ((size_t)(m * l->ic + c) * K + ky) * K + kx;
							const size_t ii = ((size_t)c * l->ih + y) * l->iw + x;
							dw[wi] += g * in[ii];
							if (din)
								din[ii] += g * w[wi];
						}
			}
}

void nn_pool_forward_ref(const nn_layer *l, const float *in, float *out)
{
	for (int c = 0; c < l->oc; c++)
		for (int oy = 0; oy < l->oh; oy++)
			for (int ox = 0; ox < l->ow; ox++) {
				float mx = -1e30f, sum = 0;
				for (int y = 0; y < l->k; y++)
					for (int x = 0; x < l->k; x++) {
						const float v = at(in, c, oy * l->k + y, ox * l->k + x, l->ih, l->iw);
						mx = v > mx ? v : mx;
						sum += v;
					}
				out[((size_t)c * l->oh + oy) * l->ow + ox] =
					l->kind == NN_MAXPOOL ? mx : sum / (float)(l->k * l->k);
			}
}

void nn_pool_backward_ref(const nn_layer *l, const float *in, const float *out,
			  const float *dout, float *din)
{
	memset(din, 0, sizeof *din * l->in_size);
	for (int c = 0; c < l->oc; c++)
		for (int oy = 0; oy < l->oh; oy++)
			for (int ox = 0; ox < l->ow; ox++) {
				const size_t o = ((size_t)c * l->oh + oy) * l->ow + ox;
				int routed = 0;
				for (int y = 0; y < l->k; y++)
					for (int x = 0; x < l->k; x++) {
						const size_t i = ((size_t)c * l->ih + oy * l->k + y) * l->iw + ox * l->k + x;
						if (l->kind == NN_AVGPOOL)
							din[i] += dout[o] / (float)(l->k * l->k);
						else if (!routed && in[i] == out[o]) {
							din[i] += dout[o];
							routed = 1;
						}
					}
			}
}
