/* The fast convolution and pooling kernels against the naive references in
 * src/nn/layers_ref.c, over many shapes (with and without padding), forward
 * and backward. */
#include "check.h"
#include "nn/net.h"
#include "nn/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *buf(size_t n, nn_rng *r)
{
	float *p = calloc(n + NN_SLACK, sizeof *p);
	if (!p)
		abort();
	for (size_t i = 0; i < n; i++)
		p[i] = nn_rng_sym(r, 1.0f);
	return p;
}

static float maxdiff(const float *a, const float *b, size_t n)
{
	float d = 0;
	for (size_t i = 0; i < n; i++) {
		const float e = fabsf(a[i] - b[i]) / (1.0f + fabsf(b[i]));
		d = e > d ? e : d;
	}
	return d;
}

static nn_layer conv_layer(int c, int h, int w, int oc, int k, int pad)
{
	nn_layer l = { .kind = NN_CONV, .ic = c, .ih = h, .iw = w, .oc = oc, .k = k, .pad = pad };
	l.oh = h + 2 * pad - k + 1;
	l.ow = w + 2 * pad - k + 1;
	l.in_size = (size_t)c * h * w;
	l.out_size = (size_t)oc * l.oh * l.ow;
	return l;
}

static void check_conv(nn_rng *r, int c, int h, int w, int oc, int k, int pad)
{
	nn_layer l = conv_layer(c, h, w, oc, k, pad);
	const size_t nw = (size_t)oc * c * k * k;
	const size_t taps = (size_t)c * k * k;
	size_t col = taps * l.oh * l.ow;
	const size_t wide = ((size_t)l.oh * w + 15) & ~(size_t)15;
	if (oc * wide > col)
		col = oc * wide;
	nn_scratch s = { buf(col, r), buf(col, r), calloc(taps, sizeof(int)) };
	float *wt = buf(nw, r), *b = buf((size_t)oc, r), *in = buf(l.in_size, r);
	float *out = buf(l.out_size, r), *ref = buf(l.out_size, r), *dout = buf(l.out_size, r);
	float *din = buf(l.in_size, r), *din_ref = buf(l.in_size, r);
	float *dw = calloc(nw, sizeof(float)), *dw_ref = calloc(nw, sizeof(float));
	float *db = calloc((size_t)oc, sizeof(float)), *db_ref = calloc((size_t)oc, sizeof(float));

	nn_conv_forward(&l, wt, b, in, out, &s, NN_POST_NONE);
	nn_conv_forward_ref(&l, wt, b, in, ref);
	CHECKF(maxdiff(out, ref, l.out_size) < 1e-4f, "conv forward C%d %dx%d OC%d K%d pad%d: %g",
	       c, h, w, oc, k, pad, maxdiff(out, ref, l.out_size));
	/* With the ReLU fused in: max(0, x) of the same values. */
	float *relu = buf(l.out_size, r);
	nn_conv_forward(&l, wt, b, in, relu, &s, NN_POST_RELU);
	int relu_ok = 1;
	for (size_t i = 0; i < l.out_size; i++)
		relu_ok &= relu[i] == (out[i] > 0 ? out[i] : 0.0f);
	CHECKF(relu_ok, "conv forward with ReLU C%d OC%d K%d pad%d", c, oc, k, pad);
	free(relu);
	nn_conv_backward(&l, wt, in, dout, din, dw, db, &s);
	nn_conv_backward_ref(&l, wt, in, dout, din_ref, dw_ref, db_ref);
	CHECKF(maxdiff(din, din_ref, l.in_size) < 1e-4f, "conv din C%d %dx%d OC%d K%d pad%d: %g",
	       c, h, w, oc, k, pad, maxdiff(din, din_ref, l.in_size));
	CHECKF(maxdiff(dw, dw_ref, nw) < 1e-4f, "conv dw C%d OC%d K%d pad%d: %g", c, oc, k, pad,
	       maxdiff(dw, dw_ref, nw));
	CHECKF(maxdiff(db, db_ref, (size_t)oc) < 1e-4f, "conv db");
	/* Gradients accumulate: a second pass doubles dw. */
	nn_conv_backward(&l, wt, in, dout, NULL, dw, db, &s);
	for (size_t i = 0; i < nw; i++)
		dw_ref[i] *= 2;
	CHECKF(maxdiff(dw, dw_ref, nw) < 1e-4f, "conv dw accumulates");
	free(s.col); free(s.dcol); free(s.koff);
	free(wt); free(b); free(in); free(out); free(ref); free(dout); free(din); free(din_ref);
	free(dw); free(dw_ref); free(db); free(db_ref);
}

static void check_pool(nn_rng *r, enum nn_kind kind, int c, int h, int w, int k, int ties)
{
	nn_layer l = { .kind = kind, .ic = c, .ih = h, .iw = w, .oc = c, .oh = h / k, .ow = w / k, .k = k };
	l.in_size = (size_t)c * h * w;
	l.out_size = (size_t)c * l.oh * l.ow;
	float *in = buf(l.in_size, r), *out = buf(l.out_size, r), *ref = buf(l.out_size, r);
	float *dout = buf(l.out_size, r), *din = buf(l.in_size, r), *din_ref = buf(l.in_size, r);
	if (ties) /* ReLU output: many exact zeros, so windows with tied maxima */
		for (size_t i = 0; i < l.in_size; i++)
			in[i] = in[i] > 0 ? in[i] : 0;
	nn_pool_forward(&l, in, out);
	nn_pool_forward_ref(&l, in, ref);
	CHECKF(maxdiff(out, ref, l.out_size) < 1e-6f, "%s pool forward %dx%d k%d",
	       kind == NN_MAXPOOL ? "max" : "avg", h, w, k);
	nn_pool_backward(&l, in, out, dout, din);
	nn_pool_backward_ref(&l, in, ref, dout, din_ref);
	CHECKF(maxdiff(din, din_ref, l.in_size) < 1e-6f, "%s pool backward %dx%d k%d",
	       kind == NN_MAXPOOL ? "max" : "avg", h, w, k);
	free(in); free(out); free(ref); free(dout); free(din); free(din_ref);
}

/* A whole network classifying (fused conv+ReLU+pool) gives bit for bit the
 * logits of the layer-by-layer pass training uses. */
static void check_fused(const char *spec, nn_rng *r)
{
	nn_net net;
	nn_work a, b;
	char err[256];
	enum { N = 5 };
	if (nn_net_parse(&net, spec, err, sizeof err) < 0 || nn_work_init(&a, &net, N) < 0 ||
	    nn_work_init(&b, &net, N) < 0) {
		CHECKF(0, "%s: %s", spec, err);
		return;
	}
	float *params = malloc(sizeof(float) * net.nparams);
	uint8_t img[N * 784];
	nn_net_init_params(&net, params, 3);
	for (size_t i = 0; i < net.nparams; i++)
		params[i] += nn_rng_sym(r, 0.05f);
	for (int i = 0; i < N * 784; i++)
		img[i] = (uint8_t)nn_rng_below(r, 256);
	b.training = 1;
	nn_net_input(&net, &a, img, N, 0.13f, 0.31f);
	nn_net_input(&net, &b, img, N, 0.13f, 0.31f);
	const float *za = nn_net_forward(&net, params, &a, N), *zb = nn_net_forward(&net, params, &b, N);
	CHECKF(memcmp(za, zb, sizeof(float) * N * net.classes) == 0, "%s: fused pass differs", spec);
	free(params);
	nn_work_free(&a);
	nn_work_free(&b);
}

int main(void)
{
	nn_rng r;
	nn_rng_seed(&r, 42, 0, 0);
	/* The shapes of classic and paper, then odd ones: padding, 1x1, wide K. */
	check_conv(&r, 1, 32, 32, 6, 5, 0);
	check_conv(&r, 6, 14, 14, 16, 5, 0);
	check_conv(&r, 6, 14, 14, 12, 5, 0);
	check_conv(&r, 1, 28, 28, 6, 5, 2);
	check_conv(&r, 3, 9, 7, 5, 3, 1);
	check_conv(&r, 2, 8, 8, 3, 1, 0);
	check_conv(&r, 4, 11, 13, 7, 7, 3);
	check_conv(&r, 5, 6, 6, 9, 6, 0);
	for (int i = 0; i < 20; i++) {
		int k = 1 + (int)nn_rng_below(&r, 5), pad = (int)nn_rng_below(&r, (uint32_t)k);
		check_conv(&r, 1 + (int)nn_rng_below(&r, 4), k + (int)nn_rng_below(&r, 12),
			   k + (int)nn_rng_below(&r, 12), 1 + (int)nn_rng_below(&r, 9), k, pad);
	}
	for (int ties = 0; ties < 2; ties++) {
		check_pool(&r, NN_MAXPOOL, 6, 28, 28, 2, ties);
		check_pool(&r, NN_MAXPOOL, 16, 10, 10, 2, ties);
		check_pool(&r, NN_MAXPOOL, 3, 9, 11, 3, ties);
		check_pool(&r, NN_AVGPOOL, 6, 28, 28, 2, ties);
		check_pool(&r, NN_AVGPOOL, 4, 7, 9, 2, ties);
		check_pool(&r, NN_AVGPOOL, 2, 12, 12, 4, ties);
	}
	check_fused("classic", &r);
	check_fused("paper", &r);
	check_fused("c4k3 relu max2 c5k4 relu max2 fc7", &r);   /* odd sizes: 26 -> 13 -> 10 -> 5 */
	check_fused("c3k3p1 relu max2 c4k5 relu max3 fc6", &r);  /* padded, and a 3x3 pool */
	CHECK_DONE();
}
