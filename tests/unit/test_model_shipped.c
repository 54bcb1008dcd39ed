/* The shipped models: models/lenet5.model (classic) must score >= 99.4 % on
 * the 10,000 MNIST test digits and be at most 1 MB; models/paper.model must
 * score >= 98.5 %.  models/lenet5-reject.model, when present, is an
 * 11-output model whose "not a digit" answers count as errors here; it is
 * only reported, since rejection costs some accuracy on clean digits. */
#include "check.h"
#include "nn/calib.h"
#include "nn/dataset.h"
#include "nn/nn.h"
#include "nn/train.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static double score(const char *root, const char *name, const nn_dataset *test, int required)
{
	char path[4096], err[512];
	snprintf(path, sizeof path, "%s/models/%s", root, name);
	struct stat st;
	if (stat(path, &st) < 0) {
		CHECKF(!required, "%s is missing", path);
		return -1;
	}
	CHECKF(st.st_size <= 1024 * 1024, "%s is %lld bytes (limit 1 MB)", path, (long long)st.st_size);
	nn_model *m = nn_model_load(path, err, sizeof err);
	CHECKF(m != NULL, "%s", err);
	if (!m)
		return -1;
	const int C = nn_model_classes(m);
	float *logits = malloc(sizeof(float) * test->n * C);
	if (!logits || nn_model_logits(m, test->images, test->n, 2, logits) < 0)
		abort();
	size_t right = 0;
	for (size_t i = 0; i < test->n; i++)
		right += nn_argmax(logits + i * C, C) == test->labels[i];
	const double acc = (double)right / (double)test->n;
	fprintf(stderr, "%s (%s): %.2f%% on %zu test digits\n", name, nn_model_id(m), 100 * acc, test->n);
	/* nn_infer_run agrees with the batch path and gives probabilities. */
	nn_infer *ctx = nn_infer_new(m, 1);
	float p[64];
	CHECK(ctx && nn_infer_run(ctx, test->images, 1, p) == 0);
	CHECK(nn_argmax(p, C) == nn_argmax(logits, C));
	nn_infer_free(ctx);
	free(logits);
	nn_model_free(m);
	return acc;
}

int main(void)
{
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	char ip[4096], lp[4096], err[512];
	nn_dataset test = { 0 };
	snprintf(ip, sizeof ip, "%s/data/mnist/t10k-images-idx3-ubyte", root);
	snprintf(lp, sizeof lp, "%s/data/mnist/t10k-labels-idx1-ubyte", root);
	if (nn_idx_append_pair(&test, ip, lp, 10, err, sizeof err) < 0)
		SKIP("MNIST test set not available (%s); run make data", err);
	const double classic = score(root, "lenet5.model", &test, 1);
	CHECKF(classic >= 0.994, "lenet5.model: %.4f < 0.994", classic);
	const double paper = score(root, "paper.model", &test, 1);
	CHECKF(paper >= 0.985, "paper.model: %.4f < 0.985", paper);
	score(root, "lenet5-reject.model", &test, 0);
	nn_dataset_free(&test);
	CHECK_DONE();
}
