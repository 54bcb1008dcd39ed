/* The classification pass (src/nn/fastnet.c, behind nn_infer_*) against the
 * reference forward pass (nn_net_forward, behind nn_model_logits):
 *  - its matrix kernel against three plain loops over many shapes;
 *  - small random nets on random images, taking every path: LeNet-5's two
 *    special convolutions and the general one (padded and unpadded, with and
 *    without ReLU and pooling), dropout;
 *  - the shipped models on the MNIST test set: probabilities within 1e-4,
 *    the same argmax on every digit, so the same accuracy;
 *  - any batch size gives the same answers as one image at a time;
 *  - a net it does not handle (sigmoid, average pooling) is refused, and
 *    nn_infer then falls back to the reference pass. */
#include "check.h"
#include "nn/calib.h"
#include "nn/dataset.h"
#include "nn/fastnet.h"
#include "nn/gemm.h"
#include "nn/model.h"
#include "nn/rng.h"
#include "nn/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *randbuf(size_t n, nn_rng *r)
{
	float *p = malloc(sizeof(float) * (n + 1));
	if (!p)
		abort();
	for (size_t i = 0; i < n; i++)
		p[i] = nn_rng_sym(r, 1.0f);
	return p;
}

static void check_gemm(nn_rng *r)
{
	static const int Ms[] = { 1, 2, 3, 5, 6, 7, 8, 9, 14, 16, 17, 32 };
	static const int Ns[] = { 16, 32, 48, 64, 80, 96, 112, 144, 400, 784, 896 };
	static const int Ks[] = { 1, 4, 25, 150 };
	for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++)
		for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++)
			for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++) {
				const int M = Ms[a], N = Ns[b], K = Ks[c];
				/* Leading dimensions larger than the shapes. */
				const int lda = K + 3, ldb = N + 16, ldc = N + 32;
				float *A = randbuf((size_t)M * lda, r), *B = randbuf((size_t)K * ldb, r);
				float *C = randbuf((size_t)M * ldc, r), *R = randbuf((size_t)M * ldc, r);
				memcpy(R, C, sizeof(float) * (size_t)M * ldc);
				/* Half the shapes read B's rows through an offset
				 * table, in reverse and unaligned. */
				int *boff = NULL;
				if ((a + b + c) % 2) {
					if (!(boff = malloc(sizeof(int) * K)))
						abort();
					for (int k = 0; k < K; k++)
						boff[k] = (K - 1 - k) * ldb + k % 3;
				}
				nn_gemm_store(M, N, K, A, lda, B, ldb, boff, C, ldc);
				nn_gemm_store_ref(M, N, K, A, lda, B, ldb, boff, R, ldc);
				free(boff);
				float d = 0;
				for (size_t i = 0; i < (size_t)M * ldc; i++) {
					const float e = fabsf(C[i] - R[i]) / (1.0f + fabsf(R[i]));
					d = e > d ? e : d;
				}
				CHECKF(d < 1e-5f, "gemm_store M%d N%d K%d: %g", M, N, K, d);
				free(A); free(B); free(C); free(R);
			}
}

/* Largest |fast - reference| of the logits of n images through m's net. */
static float compare_logits(const nn_model *m, const uint8_t *img, int n)
{
	const int C = m->net.classes;
	nn_work w;
	nn_fast *f = nn_fast_new(&m->net, m->params, m->info.mean, m->info.std, n);
	CHECK(f != NULL);
	if (!f || nn_work_init(&w, &m->net, n) < 0)
		abort();
	nn_net_input(&m->net, &w, img, n, m->info.mean, m->info.std);
	const float *ref = nn_net_forward(&m->net, m->params, &w, n);
	const float *z = nn_fast_forward(f, img, n);
	float d = 0;
	for (int i = 0; i < n * C; i++) {
		const float e = fabsf(z[i] - ref[i]) / (1.0f + fabsf(ref[i]));
		d = e > d ? e : d;
	}
	nn_work_free(&w);
	nn_fast_free(f);
	return d;
}

static void check_random_nets(nn_rng *r)
{
	static const char *specs[] = {
		"classic",
		"c6k5 relu max2 c16k5 relu max2 fc120 relu fc10",
		"pad2 c8k3p1 relu max2 c12k3 relu fc32 relu drop20 fc10",   /* padded conv, no pooling */
		"c5k5p2 max2 c7k3 relu fc10",                               /* pooling without ReLU */
		"pad1 c3k7 c4k3p1 relu max2 fc11",                           /* conv straight into conv */
		"fc50 relu fc10",
		"c6k5 max2 fc10",                                           /* 6 maps, rows of 24, no ReLU */
		"pad3 c6k3 relu max2 fc10",                                 /* 6 maps, rows too wide */
		"pad2 c6k5 relu max2 c16k5 max2 drop10 fc10",               /* maps in lanes, no ReLU */
		"pad2 c6k5 relu max2 c16k5 relu max2 c16k1 relu fc10",      /* ... not before an fc */
	};
	const int n = 23;  /* an odd group count */
	uint8_t *img = malloc((size_t)n * NN_PIXELS);
	if (!img)
		abort();
	for (size_t i = 0; i < (size_t)n * NN_PIXELS; i++)
		img[i] = (uint8_t)(nn_rng_u32(r) >> 24);
	for (size_t s = 0; s < sizeof specs / sizeof *specs; s++) {
		char err[256];
		nn_model *m = nn_model_new(specs[s], err, sizeof err);
		CHECKF(m != NULL, "%s: %s", specs[s], err);
		if (!m)
			continue;
		nn_net_init_params(&m->net, m->params, 7 + s);
		for (size_t i = 0; i < m->net.nparams; i++)  /* non-zero biases too */
			m->params[i] += nn_rng_sym(r, 0.05f);
		const float d = compare_logits(m, img, n);
		CHECKF(d < 1e-4f, "%s: fast and reference logits differ by %g", specs[s], d);
		nn_model_free(m);
	}
	free(img);
}

static void check_refused(void)
{
	char err[256];
	nn_model *m = nn_model_new("paper", err, sizeof err);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(nn_fast_new(&m->net, m->params, m->info.mean, m->info.std, 4) == NULL);
	nn_infer *ctx = nn_infer_new(m, 4);  /* falls back, still works */
	CHECK(ctx != NULL);
	float p[40];
	uint8_t img[4 * NN_PIXELS] = { 0 };
	CHECK(ctx && nn_infer_run(ctx, img, 4, p) == 0);
	nn_infer_free(ctx);
	nn_model_free(m);
}

/* A shipped model through nn_infer (fast) and nn_model_logits (reference). */
static void check_shipped(const char *root, const char *name, const nn_dataset *test)
{
	char path[4096], err[512];
	snprintf(path, sizeof path, "%s/models/%s", root, name);
	nn_model *m = nn_model_load(path, err, sizeof err);
	CHECKF(m != NULL, "%s", err);
	if (!m)
		return;
	const int C = nn_model_classes(m);
	const size_t n = test->n;
	float *ref = malloc(sizeof(float) * n * C), *fast = malloc(sizeof(float) * n * C);
	float *one = malloc(sizeof(float) * n * C);
	nn_infer *big = nn_infer_new(m, 256), *single = nn_infer_new(m, 1);
	CHECK(big && single);
	if (!ref || !fast || !one || !big || !single || nn_model_logits(m, test->images, n, 1, ref) < 0)
		abort();
	for (size_t i = 0; i < n; i += 256) {
		const int cnt = n - i < 256 ? (int)(n - i) : 256;
		CHECK(nn_infer_run(big, test->images + i * NN_PIXELS, cnt, fast + i * C) == 0);
	}
	/* Every 7th digit one at a time: batching must not change an answer. */
	float dbatch = 0;
	for (size_t i = 0; i < n; i += 7) {
		CHECK(nn_infer_run(single, test->images + i * NN_PIXELS, 1, one) == 0);
		for (int c = 0; c < C; c++) {
			const float e = fabsf(one[c] - fast[i * C + c]);
			dbatch = e > dbatch ? e : dbatch;
		}
	}
	nn_softmax(ref, (int)n, C, m->info.temperature, ref);
	float dmax = 0;
	size_t differ = 0, right_ref = 0, right_fast = 0;
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < C; c++) {
			const float e = fabsf(fast[i * C + c] - ref[i * C + c]);
			dmax = e > dmax ? e : dmax;
		}
		const int a = nn_argmax(ref + i * C, C), b = nn_argmax(fast + i * C, C);
		differ += a != b;
		right_ref += a == test->labels[i];
		right_fast += b == test->labels[i];
	}
	fprintf(stderr, "%s: %zu digits, max |p_fast - p_ref| %.3g, batch vs single %.3g, "
		"%zu argmax differ, accuracy %.2f%% (reference %.2f%%)\n", name, n, dmax, dbatch, differ,
		100.0 * right_fast / n, 100.0 * right_ref / n);
	CHECKF(dmax < 1e-4f, "%s: probabilities differ by %g", name, dmax);
	CHECKF(dbatch < 1e-6f, "%s: batch and single differ by %g", name, dbatch);
	CHECKF(differ == 0, "%s: %zu argmax differ", name, differ);
	CHECK(right_fast == right_ref);
	nn_infer_free(big);
	nn_infer_free(single);
	free(ref); free(fast); free(one);
	nn_model_free(m);
}

int main(void)
{
	nn_rng r;
	nn_rng_seed(&r, 5, 0, 0);
	check_gemm(&r);
	check_random_nets(&r);
	check_refused();

	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	char ip[4096], lp[4096], err[512];
	nn_dataset test = { 0 };
	snprintf(ip, sizeof ip, "%s/data/mnist/t10k-images-idx3-ubyte", root);
	snprintf(lp, sizeof lp, "%s/data/mnist/t10k-labels-idx1-ubyte", root);
	if (nn_idx_append_pair(&test, ip, lp, 10, err, sizeof err) < 0) {
		fprintf(stderr, "MNIST test set not available (%s): shipped models not compared\n", err);
		CHECK_DONE();
	}
	/* Under the sanitizers a tenth of the set is plenty and much faster. */
	if (getenv("DIGITD_SANITIZED") && test.n > 1000)
		test.n = 1000;
	check_shipped(root, "lenet5.model", &test);
	check_shipped(root, "lenet5-reject.model", &test);
	nn_dataset_free(&test);
	CHECK_DONE();
}
