/* bench_nn.c: the network's speed on this machine, for `make bench`.
 *
 * Prints, for the shipped model (models/lenet5.model; its spec for training):
 *   BENCH infer_batch1_1t    digits/s, one image per call, one thread
 *   BENCH infer_batch256_1t  digits/s, 256 images per call, one thread
 *   BENCH train_epoch_1t     seconds per 60,000-image epoch with augmentation
 *   BENCH train_epoch_2t     the same on two threads
 * Training is timed on a fraction of an epoch (BENCH_TRAIN_IMAGES, default
 * 12,800 images) and extrapolated linearly to 60,000; each figure is the best
 * of a few runs, since the machine is shared (the load average is printed
 * before and after, to judge them by).  BENCH_SKIP_TRAIN=1 times inference
 * only.  Inference goes through nn_infer_run, i.e. the classification pass
 * (src/nn/fastnet.c); training through the reference pass. */
#include "nn/dataset.h"
#include "nn/model.h"
#include "nn/train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_load(const char *when)
{
	double avg[3];
	if (getloadavg(avg, 3) == 3)
		printf("load average %s: %.2f %.2f %.2f\n", when, avg[0], avg[1], avg[2]);
}

static double infer_rate(const nn_model *m, const uint8_t *img, size_t n, int batch)
{
	nn_infer *ctx = nn_infer_new(m, batch);
	float *probs = malloc(sizeof(float) * (size_t)batch * nn_model_classes(m));
	double best = 0;
	if (!ctx || !probs) {
		fprintf(stderr, "bench_nn: out of memory\n");
		exit(1);
	}
	for (int rep = 0; rep < 5; rep++) {
		const double t0 = now();
		size_t done = 0;
		for (size_t i = 0; i + (size_t)batch <= n; i += (size_t)batch) {
			nn_infer_run(ctx, img + i * NN_PIXELS, batch, probs);
			done += (size_t)batch;
		}
		const double rate = (double)done / (now() - t0);
		best = rate > best ? rate : best;
	}
	nn_infer_free(ctx);
	free(probs);
	return best;
}

static double train_epoch(const char *spec, const nn_dataset *all, size_t n, int threads)
{
	nn_dataset part = { 0 }, none = { 0 };
	nn_train_opts o;
	char err[256];
	double best = 1e30;
	if (nn_dataset_append(&part, all->images, all->labels, 0, n) < 0) {
		fprintf(stderr, "bench_nn: out of memory\n");
		exit(1);
	}
	nn_train_defaults(&o);
	o.spec = spec;
	o.epochs = 1;
	o.threads = threads;
	for (int rep = 0; rep < 3; rep++) {
		const double t0 = now();
		nn_model *m = nn_train(&part, &none, &o, err, sizeof err);
		const double t = now() - t0;
		if (!m) {
			fprintf(stderr, "bench_nn: %s\n", err);
			exit(1);
		}
		nn_model_free(m);
		best = t < best ? t : best;
	}
	nn_dataset_free(&part);
	return best * 60000.0 / (double)n;
}

int main(void)
{
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	char path[4096], ip[4096], lp[4096], err[512];
	snprintf(path, sizeof path, "%s/models/lenet5.model", root);
	snprintf(ip, sizeof ip, "%s/data/mnist/train-images-idx3-ubyte", root);
	snprintf(lp, sizeof lp, "%s/data/mnist/train-labels-idx1-ubyte", root);
	nn_model *m = nn_model_load(path, err, sizeof err);
	if (!m) {
		fprintf(stderr, "bench_nn: %s\n", err);
		return 1;
	}
	nn_dataset data = { 0 };
	if (nn_idx_append_pair(&data, ip, lp, 10, err, sizeof err) < 0) {
		fprintf(stderr, "bench_nn: %s (run make data)\n", err);
		return 1;
	}
	size_t ntrain = 12800;
	if (getenv("BENCH_TRAIN_IMAGES"))
		ntrain = strtoul(getenv("BENCH_TRAIN_IMAGES"), NULL, 10);
	if (ntrain < 64 || ntrain > data.n)
		ntrain = data.n < 12800 ? data.n : 12800;

	printf("model %s (%s)\n", nn_model_id(m), nn_model_spec(m));
	print_load("before");
	const double b1 = infer_rate(m, data.images, 20000, 1);
	printf("BENCH infer_batch1_1t %.0f digits/s\n", b1);
	const double b256 = infer_rate(m, data.images, 60000, 256);
	printf("BENCH infer_batch256_1t %.0f digits/s\n", b256);
	if (getenv("BENCH_SKIP_TRAIN")) {
		print_load("after");
		return 0;
	}
	printf("training timed on %zu images, extrapolated to 60000\n", ntrain);
	const double t1 = train_epoch(nn_model_spec(m), &data, ntrain, 1);
	printf("BENCH train_epoch_1t %.2f s\n", t1);
	const double t2 = train_epoch(nn_model_spec(m), &data, ntrain, 2);
	printf("BENCH train_epoch_2t %.2f s\n", t2);
	print_load("after");
	printf("targets: batch1 >= 50000 digits/s, batch256 >= 100000 digits/s, epoch on 2 threads <= 3 s\n");
	nn_dataset_free(&data);
	nn_model_free(m);
	return 0;
}
