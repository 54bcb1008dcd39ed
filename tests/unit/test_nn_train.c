/* Training: a short run on real MNIST must learn (>= 97 % on the 10,000 test
 * digits after three epochs over 10,000 training images), and training must
 * be deterministic: the same seed gives the same weights bit for bit on 1
 * and on 3 threads, and another seed gives other weights.  Under the
 * sanitizers (DIGITD_SANITIZED=1) the run is shrunk and the bar lowered. */
#include "check.h"
#include "nn/calib.h"
#include "nn/dataset.h"
#include "nn/model.h"
#include "nn/train.h"

#include <stdlib.h>
#include <string.h>

static nn_model *train(const nn_dataset *all, size_t n, int epochs, int augment, uint64_t seed, int threads)
{
	nn_dataset part = { 0 }, val = { 0 };
	nn_train_opts o;
	char err[256];
	nn_train_defaults(&o);
	o.epochs = epochs;
	o.augment = augment;
	o.seed = seed;
	o.threads = threads;
	o.batch = 32;
	if (nn_dataset_append(&part, all->images, all->labels, 0, n) < 0 ||
	    nn_dataset_append(&val, all->images + 55000 * NN_PIXELS, all->labels + 55000, 0, 1000) < 0)
		abort();
	nn_model *m = nn_train(&part, &val, &o, err, sizeof err);
	CHECKF(m != NULL, "%s", err);
	nn_dataset_free(&part);
	nn_dataset_free(&val);
	return m;
}

static double accuracy(const nn_model *m, const nn_dataset *test)
{
	float *logits = malloc(sizeof(float) * test->n * 10);
	size_t right = 0;
	if (!logits || nn_model_logits(m, test->images, test->n, 2, logits) < 0)
		abort();
	for (size_t i = 0; i < test->n; i++)
		right += nn_argmax(logits + i * 10, 10) == test->labels[i];
	free(logits);
	return (double)right / (double)test->n;
}

int main(void)
{
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	const int sanitized = getenv("DIGITD_SANITIZED") != NULL;
	char ip[4096], lp[4096], err[512];
	nn_dataset all = { 0 }, test = { 0 };
	snprintf(ip, sizeof ip, "%s/data/mnist/train-images-idx3-ubyte", root);
	snprintf(lp, sizeof lp, "%s/data/mnist/train-labels-idx1-ubyte", root);
	if (nn_idx_append_pair(&all, ip, lp, 10, err, sizeof err) < 0)
		SKIP("MNIST not available (%s); run make data", err);
	snprintf(ip, sizeof ip, "%s/data/mnist/t10k-images-idx3-ubyte", root);
	snprintf(lp, sizeof lp, "%s/data/mnist/t10k-labels-idx1-ubyte", root);
	if (nn_idx_append_pair(&test, ip, lp, 10, err, sizeof err) < 0)
		SKIP("MNIST test set not available (%s)", err);

	/* Determinism across thread counts, with augmentation on. */
	const size_t small = sanitized ? 128 : 1024;
	nn_model *a = train(&all, small, 1, 1, 5, 1), *b = train(&all, small, 1, 1, 5, 3);
	nn_model *c = train(&all, small, 1, 1, 6, 2);
	if (a && b && c) {
		CHECK(a->net.nparams == b->net.nparams);
		CHECKF(memcmp(a->params, b->params, sizeof(float) * a->net.nparams) == 0,
		       "1 and 3 threads trained different weights");
		CHECK(a->info.temperature == b->info.temperature);
		CHECK(memcmp(a->params, c->params, sizeof(float) * a->net.nparams) != 0);
	}
	nn_model_free(a);
	nn_model_free(b);
	nn_model_free(c);

	/* It learns. */
	const size_t n = sanitized ? 2000 : 10000;
	const int epochs = sanitized ? 2 : 3;
	if (sanitized)
		test.n = 2000;  /* the first 2,000 test digits are enough for the lower bar */
	nn_model *m = train(&all, n, epochs, 0, 1, 2);
	if (m) {
		const double acc = accuracy(m, &test);
		fprintf(stderr, "%zu images x %d epochs: test accuracy %.2f%%, validation %.2f%%, T %.3f\n",
			n, epochs, 100 * acc, 100 * m->info.val_accuracy, m->info.temperature);
		CHECKF(acc >= (sanitized ? 0.80 : 0.97), "test accuracy %.4f", acc);
		CHECK(m->info.temperature > 0.2f && m->info.temperature < 5.0f);
	}
	nn_model_free(m);
	nn_dataset_free(&all);
	nn_dataset_free(&test);
	CHECK_DONE();
}
