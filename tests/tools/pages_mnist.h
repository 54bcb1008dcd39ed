/* pages_mnist.h: the MNIST digits mkpages writes with, one split per run.
 *
 * `--digits test` reads t10k-*, `--digits train` reads train-*; the other
 * split is never opened, so a run cannot mix them.  Each image is handed out
 * at most once per run: the indices of each label are shuffled with the run's
 * seed and popped.  The truth records the split and the index of every digit
 * (tests/scenario/pages_gate.sh checks both against the label files). */
#ifndef DIGITD_PAGES_MNIST_H
#define DIGITD_PAGES_MNIST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/dataset.h"
#include "pages_rng.h"

#define MNIST_SIDE 28

typedef struct {
	const char *split;     /* "test" or "train" */
	uint8_t *img, *lab;    /* n x 28 x 28 (ink high), n labels */
	size_t n;
	int *order[10];        /* per label: shuffled indices, popped from the end */
	int left[10];
} mnist_pool;

static void mnist_pool_free(mnist_pool *m)
{
	free(m->img);
	free(m->lab);
	for (int k = 0; k < 10; k++) free(m->order[k]);
	memset(m, 0, sizeof *m);
}

static int mnist_pool_open(mnist_pool *m, const char *dir, const char *split, uint64_t seed)
{
	char ip[512], lp[512], err[256];
	const char *stem = strcmp(split, "train") == 0 ? "train" : "t10k";
	size_t nl = 0;
	memset(m, 0, sizeof *m);
	m->split = strcmp(split, "train") == 0 ? "train" : "test";
	snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte", dir, stem);
	snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte", dir, stem);
	if (nn_idx_read_images(ip, &m->img, &m->n, err, sizeof err) < 0 ||
	    nn_idx_read_labels(lp, 10, &m->lab, &nl, err, sizeof err) < 0) {
		fprintf(stderr, "mkpages: %s (run `make data`)\n", err);
		goto fail;
	}
	if (nl != m->n) {
		fprintf(stderr, "mkpages: %s: %zu labels for %zu images\n", lp, nl, m->n);
		goto fail;
	}
	int count[10] = { 0 };
	for (size_t i = 0; i < m->n; i++) count[m->lab[i]]++;
	for (int k = 0; k < 10; k++)
		if (!(m->order[k] = malloc(((size_t)count[k] + 1) * sizeof(int)))) goto fail;
	for (size_t i = 0; i < m->n; i++) m->order[m->lab[i]][m->left[m->lab[i]]++] = (int)i;
	prng r = prng_for(seed, 0x6D6E, 0);
	for (int k = 0; k < 10; k++)
		for (int i = m->left[k] - 1; i > 0; i--) {
			int j = (int)(prng_next(&r) % (uint64_t)(i + 1)), t = m->order[k][i];
			m->order[k][i] = m->order[k][j];
			m->order[k][j] = t;
		}
	return 0;
fail:
	mnist_pool_free(m);
	return -1;
}

/* An unused image of label k, or -1 when that label is spent. */
static int mnist_take(mnist_pool *m, int k)
{
	if (m->left[k] == 0) {
		fprintf(stderr, "mkpages: every MNIST %s image of a %d is used; ask for fewer pages\n", m->split, k);
		return -1;
	}
	return m->order[k][--m->left[k]];
}

#endif
