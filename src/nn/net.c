/* net.c: forward and backward passes over a batch, scratch memory, and
 * parameter initialisation.  Spatial layers (conv, pool) run image by image;
 * fully connected layers run on the whole batch as one matrix product, which
 * is where batching pays. */
#include "nn/nn.h"
#include "nn/net.h"
#include "nn/calib.h"
#include "nn/gemm.h"
#include "nn/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *falloc(size_t n)
{
	/* 64-byte alignment: whole cache lines, and aligned vector loads. */
	size_t bytes = ((n + NN_SLACK) * sizeof(float) + 63) & ~(size_t)63;
	float *p = aligned_alloc(64, bytes ? bytes : 64);
	if (p)
		memset(p, 0, bytes);
	return p;
}

int nn_work_init(nn_work *w, const nn_net *net, int max_n)
{
	memset(w, 0, sizeof *w);
	w->max_n = max_n;
	w->act[0] = falloc((size_t)max_n * net->in_side * net->in_side);
	int ok = w->act[0] != NULL;
	for (int i = 0; i < net->nlayers && ok; i++)
		ok = (w->act[i + 1] = falloc((size_t)max_n * net->layer[i].out_size)) != NULL;
	size_t dmax = net->max_act > (size_t)net->in_side * net->in_side ? net->max_act
		: (size_t)net->in_side * net->in_side;
	ok = ok && (w->dcur = falloc((size_t)max_n * dmax)) && (w->dnext = falloc((size_t)max_n * dmax));
	ok = ok && (w->s.col = falloc(net->col_size)) && (w->s.dcol = falloc(net->col_size));
	ok = ok && (w->s.koff = calloc(net->max_taps + 1, sizeof(int)));
	if (!ok) {
		nn_work_free(w);
		return -1;
	}
	return 0;
}

void nn_work_free(nn_work *w)
{
	for (int i = 0; i <= NN_MAX_LAYERS; i++)
		free(w->act[i]);
	free(w->dcur);
	free(w->dnext);
	free(w->s.col);
	free(w->s.dcol);
	free(w->s.koff);
	memset(w, 0, sizeof *w);
}

void nn_net_input(const nn_net *net, nn_work *w, const uint8_t *img, int n, float mean, float std)
{
	const int S = net->in_side, pad = net->in_pad;
	const float scale = 1.0f / (255.0f * std), bg = -mean / std;
	for (int i = 0; i < n; i++) {
		float *dst = w->act[0] + (size_t)i * S * S;
		const uint8_t *src = img + (size_t)i * NN_PIXELS;
		for (int j = 0; j < S * S; j++)
			dst[j] = bg;
		for (int y = 0; y < 28; y++)
			for (int x = 0; x < 28; x++)
				dst[(y + pad) * S + x + pad] = (float)src[y * 28 + x] * scale + bg;
	}
}

/* out = f(in) elementwise. */
static void activate(enum nn_kind kind, const float *restrict in, float *restrict out, size_t n)
{
	switch (kind) {
	case NN_RELU:
		for (size_t i = 0; i < n; i++)
			out[i] = in[i] > 0.0f ? in[i] : 0.0f;
		break;
	case NN_TANH:
		for (size_t i = 0; i < n; i++)
			out[i] = tanhf(in[i]);
		break;
	case NN_SIGMOID:
		for (size_t i = 0; i < n; i++)
			out[i] = 1.0f / (1.0f + expf(-in[i]));
		break;
	default:
		break;
	}
}

/* Inverted dropout: kept units are scaled by 1/(1-p) so that inference,
 * which keeps everything, needs no rescaling. */
static void dropout_forward(const nn_layer *l, int li, const nn_work *w, const float *in, float *out, int n)
{
	const size_t sz = l->out_size;
	if (!w->drop_seed) {
		memcpy(out, in, sizeof(float) * sz * (size_t)n);
		return;
	}
	const float p = (float)l->k / 100.0f, scale = 1.0f / (1.0f - p);
	for (int i = 0; i < n; i++) {
		nn_rng r;
		nn_rng_seed(&r, w->drop_seed[i], 0xd0d0, (uint64_t)li);
		for (size_t j = 0; j < sz; j++)
			out[i * sz + j] = nn_rng_uniform(&r) < p ? 0.0f : in[i * sz + j] * scale;
	}
}

float *nn_net_forward(const nn_net *net, const float *params, nn_work *w, int n)
{
	for (int li = 0; li < net->nlayers; li++) {
		const nn_layer *l = &net->layer[li];
		const float *in = w->act[li];
		float *out = w->act[li + 1];
		switch (l->kind) {
		case NN_CONV: {
			/* A ReLU right after a convolution is applied as the result
			 * is written, straight into the ReLU's output; the
			 * convolution's own output buffer is then left unwritten
			 * (no backward step reads it). */
			const int relu = li + 1 < net->nlayers && net->layer[li + 1].kind == NN_RELU;
			/* Classifying, conv+ReLU+2x2 max pooling is one pass. */
			const int pool = relu && !w->training && !l->pad && li + 2 < net->nlayers &&
					 net->layer[li + 2].kind == NN_MAXPOOL && net->layer[li + 2].k == 2;
			const int skip = relu + pool;
			float *dst = w->act[li + 1 + skip];
			const size_t dsz = net->layer[li + skip].out_size;
			for (int i = 0; i < n; i++)
				nn_conv_forward(l, params + l->w_off, params + l->b_off,
						in + (size_t)i * l->in_size, dst + (size_t)i * dsz, &w->s,
						pool ? NN_POST_RELU_MAX2 : relu ? NN_POST_RELU : NN_POST_NONE);
			li += skip;
			break;
		}
		case NN_MAXPOOL:
		case NN_AVGPOOL:
			for (int i = 0; i < n; i++)
				nn_pool_forward(l, in + (size_t)i * l->in_size, out + (size_t)i * l->out_size);
			break;
		case NN_FC: {
			/* in (N,I), w (O,I) -> out (N,O) = in w^T + b */
			const int I = (int)l->in_size, O = l->oc;
			for (int i = 0; i < n; i++)
				memcpy(out + (size_t)i * O, params + l->b_off, sizeof(float) * O);
			nn_gemm_nt(n, O, I, in, I, params + l->w_off, I, NULL, out, O);
			break;
		}
		case NN_DROPOUT:
			dropout_forward(l, li, w, in, out, n);
			break;
		default:
			activate(l->kind, in, out, (size_t)n * l->out_size);
			break;
		}
	}
	return w->act[net->nlayers];
}

static void dropout_backward(const float *restrict y, const float *restrict dout, float *restrict din,
			     size_t n, float scale)
{
	for (size_t j = 0; j < n; j++) {
		const float g = dout[j] * scale;
		din[j] = y[j] != 0.0f ? g : 0.0f;
	}
}

/* din = dout * f'(x), with f' written in terms of the output y = f(x). */
static void activation_backward(enum nn_kind kind, const float *restrict y, const float *restrict dout,
				float *restrict din, size_t n)
{
	switch (kind) {
	case NN_RELU:
		/* Both operands loaded unconditionally: a select, which vectorises. */
		for (size_t j = 0; j < n; j++) {
			const float g = dout[j];
			din[j] = y[j] > 0.0f ? g : 0.0f;
		}
		break;
	case NN_TANH:
		for (size_t j = 0; j < n; j++)
			din[j] = dout[j] * (1.0f - y[j] * y[j]);
		break;
	case NN_SIGMOID:
		for (size_t j = 0; j < n; j++)
			din[j] = dout[j] * y[j] * (1.0f - y[j]);
		break;
	default:
		break;
	}
}

void nn_net_backward(const nn_net *net, const float *params, nn_work *w, int n,
		     const float *dlogits, float *grad)
{
	float *dcur = w->dcur, *dnext = w->dnext;
	memcpy(dcur, dlogits, sizeof(float) * (size_t)n * net->classes);
	for (int li = net->nlayers - 1; li >= 0; li--) {
		const nn_layer *l = &net->layer[li];
		const float *in = w->act[li], *out = w->act[li + 1];
		/* The first layer's input gradient is never used: skip computing it. */
		const int need_din = li > 0;
		const size_t N_in = (size_t)n * l->in_size, N_out = (size_t)n * l->out_size;
		switch (l->kind) {
		case NN_CONV:
			for (int i = 0; i < n; i++)
				nn_conv_backward(l, params + l->w_off, in + (size_t)i * l->in_size,
						 dcur + (size_t)i * l->out_size,
						 need_din ? dnext + (size_t)i * l->in_size : NULL,
						 grad + l->w_off, grad + l->b_off, &w->s);
			break;
		case NN_MAXPOOL:
		case NN_AVGPOOL:
			for (int i = 0; i < n; i++)
				nn_pool_backward(l, in + (size_t)i * l->in_size, out + (size_t)i * l->out_size,
						 dcur + (size_t)i * l->out_size, dnext + (size_t)i * l->in_size);
			break;
		case NN_FC: {
			const int I = (int)l->in_size, O = l->oc;
			/* db += column sums of dout; dw (O,I) += dout^T (O,N) * in (N,I) */
			for (int i = 0; i < n; i++)
				for (int o = 0; o < O; o++)
					grad[l->b_off + o] += dcur[(size_t)i * O + o];
			nn_gemm_nn(O, I, n, dcur, 1, O, in, I, NULL, grad + l->w_off, I, NULL);
			if (need_din) {
				/* din (N,I) = dout (N,O) * w (O,I) */
				memset(dnext, 0, sizeof(float) * N_in);
				nn_gemm_nn(n, I, O, dcur, O, 1, params + l->w_off, I, NULL, dnext, I, NULL);
			}
			break;
		}
		case NN_DROPOUT: {
			/* A dropped unit's output is exactly 0; so is a kept unit
			 * whose input was 0 (after a ReLU, whose gradient there is
			 * 0 anyway), so the output is the mask. */
			const float scale = 1.0f / (1.0f - (float)l->k / 100.0f);
			dropout_backward(out, dcur, dnext, N_out, scale);
			break;
		}
		default:
			activation_backward(l->kind, out, dcur, dnext, N_out);
			break;
		}
		float *t = dcur;
		dcur = dnext;
		dnext = t;
	}
}

void nn_net_init_params(const nn_net *net, float *params, uint64_t seed)
{
	nn_rng r;
	nn_rng_seed(&r, seed, 0x1a17, 0);
	memset(params, 0, sizeof(float) * net->nparams);
	for (int li = 0; li < net->nlayers; li++) {
		const nn_layer *l = &net->layer[li];
		if (!l->nparams)
			continue;
		const size_t nw = l->nparams - l->oc;
		const size_t fan_in = nw / l->oc;
		const size_t fan_out = l->kind == NN_CONV ? (size_t)l->oc * l->k * l->k : (size_t)l->oc;
		/* The activation that follows decides the scale: He for ReLU,
		 * Glorot for saturating ones and for the output layer. */
		const int relu = li + 1 < net->nlayers && net->layer[li + 1].kind == NN_RELU;
		float bound = relu ? sqrtf(6.0f / (float)fan_in)
				   : sqrtf(6.0f / (float)(fan_in + fan_out));
		for (size_t j = 0; j < nw; j++)
			params[l->w_off + j] = nn_rng_sym(&r, bound);
	}
}

void nn_softmax(const float *logits, int n, int classes, float temperature, float *probs)
{
	const float inv = 1.0f / temperature;
	for (int i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * classes;
		float *p = probs + (size_t)i * classes;
		float mx = z[0];
		for (int c = 1; c < classes; c++)
			mx = z[c] > mx ? z[c] : mx;
		float s = 0;
		for (int c = 0; c < classes; c++) {
			p[c] = expf((z[c] - mx) * inv);
			s += p[c];
		}
		for (int c = 0; c < classes; c++)
			p[c] /= s;
	}
}
