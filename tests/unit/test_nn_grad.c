/* Finite-difference gradient checks: for small networks that together use
 * every layer type (conv with and without padding, max and average pooling,
 * ReLU, tanh, sigmoid, fully connected, dropout, softmax cross-entropy), the
 * backward pass's parameter gradients must match (L(p+h) - L(p-h)) / 2h. */
#include "check.h"
#include "nn/calib.h"
#include "nn/net.h"
#include "nn/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 3

/* Mean cross-entropy of the batch; with dlogits, also its gradient. */
static double loss(const nn_net *net, const float *params, nn_work *w, const uint8_t *labels, float *dlogits)
{
	const float *z = nn_net_forward(net, params, w, N);
	const int C = net->classes;
	float p[N * 64];
	nn_softmax(z, N, C, 1.0f, p);
	double L = 0;
	for (int i = 0; i < N; i++) {
		L -= log(p[i * C + labels[i]]);
		if (dlogits)
			for (int c = 0; c < C; c++)
				dlogits[i * C + c] = (p[i * C + c] - (c == labels[i])) / N;
	}
	return L / N;
}

static void check_spec(const char *spec, uint64_t seed)
{
	nn_net net;
	nn_work w;
	char err[256];
	if (nn_net_parse(&net, spec, err, sizeof err) < 0) {
		CHECKF(0, "%s", err);
		return;
	}
	CHECK(nn_work_init(&w, &net, N) == 0);
	/* Dropout in training mode, with masks fixed by these seeds. */
	static const uint64_t drop_seed[N] = { 11, 12, 13 };
	w.drop_seed = drop_seed;
	w.training = 1;
	float *params = malloc(sizeof(float) * net.nparams), *grad = calloc(net.nparams, sizeof(float));
	float dl[N * 64];
	uint8_t img[N * 784], labels[N];
	nn_rng r;
	nn_rng_seed(&r, seed, 1, 2);
	nn_net_init_params(&net, params, seed);
	/* Biases too, so that no layer's gradient is trivially symmetric. */
	for (size_t i = 0; i < net.nparams; i++)
		params[i] += nn_rng_sym(&r, 0.05f);
	for (int i = 0; i < N * 784; i++)
		img[i] = (uint8_t)nn_rng_below(&r, 256);
	for (int i = 0; i < N; i++)
		labels[i] = (uint8_t)nn_rng_below(&r, (uint32_t)net.classes);
	nn_net_input(&net, &w, img, N, 0.13f, 0.31f);
	loss(&net, params, &w, labels, dl);
	nn_net_backward(&net, params, &w, N, dl, grad);

	for (int li = 0; li < net.nlayers; li++) {
		const nn_layer *l = &net.layer[li];
		int bad = 0, tried = 0;
		for (int t = 0; t < 25 && l->nparams; t++) {
			const size_t i = l->w_off + nn_rng_below(&r, (uint32_t)l->nparams);
			const float keep = params[i], h = 2e-4f;
			const double l0 = loss(&net, params, &w, labels, NULL);
			params[i] = keep + h;
			const double lp = loss(&net, params, &w, labels, NULL);
			params[i] = keep - h;
			const double lm = loss(&net, params, &w, labels, NULL);
			params[i] = keep;
			const double num = (lp - lm) / (2 * h), left = (l0 - lm) / h, right = (lp - l0) / h;
			tried++;
#define CLOSE(x) (fabs((x) - grad[i]) <= 2e-3 + 3e-2 * fabs(x))
			/* A ReLU or max-pool kink within h of the point makes the
			 * central difference average two slopes; the analytic
			 * gradient is then one of the one-sided ones. */
			if (!CLOSE(num) && !CLOSE(left) && !CLOSE(right)) {
				bad++;
				fprintf(stderr, "%s: layer %d param %zu: analytic %g numeric %g (left %g right %g)\n",
					spec, li, i, grad[i], num, left, right);
			}
		}
		CHECKF(bad <= tried / 20, "%s: layer %d: %d of %d gradients disagree", spec, li, bad, tried);
	}
	free(params);
	free(grad);
	nn_work_free(&w);
}

int main(void)
{
	check_spec("c2k5 relu max2 fc4", 1);
	check_spec("c2k3p1 tanh avg2 fc4", 2);
	check_spec("pad2 c2k5 sigmoid max2 c3k3 relu avg2 fc6 tanh fc3", 3);
	check_spec("max4 fc5 sigmoid fc7 relu fc3", 4);
	check_spec("avg2 c3k5p2 relu max3 fc11", 5);
	check_spec("c3k5 relu max2 fc20 relu drop40 fc6 tanh drop20 fc4", 8);
	check_spec("paper", 6);
	check_spec("classic", 7);
	CHECK_DONE();
}
