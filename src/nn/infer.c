/* infer.c: classification with a loaded model.  A context owns the scratch
 * memory for up to max_batch images, so contexts are per thread while the
 * model is shared read-only.  It classifies with the fast pass (fastnet.h)
 * when the model's layers allow, else with the training pass's forward. */
#include "nn/model.h"
#include "nn/calib.h"
#include "nn/fastnet.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 16
/* The fast pass's block: its fully connected products get taller with more
 * images, and 32 images' activations (~12 KB each) still stay in L2. */
#define FAST_BLOCK 32

struct nn_infer {
	const nn_model *m;
	int max_batch;
	nn_fast *fast;      /* NULL: the model needs the reference pass */
	nn_work w;          /* reference pass, sized for min(max_batch, BLOCK) images */
};

nn_infer *nn_infer_new(const nn_model *m, int max_batch)
{
	if (max_batch < 1 || max_batch > 65536)
		return NULL;
	nn_infer *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->m = m;
	ctx->max_batch = max_batch;
	ctx->fast = nn_fast_new(&m->net, m->params, m->info.mean, m->info.std,
				max_batch < FAST_BLOCK ? max_batch : FAST_BLOCK);
	if (ctx->fast)
		return ctx;
	if (nn_work_init(&ctx->w, &m->net, max_batch < BLOCK ? max_batch : BLOCK) < 0) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

void nn_infer_free(nn_infer *ctx)
{
	if (!ctx)
		return;
	nn_fast_free(ctx->fast);
	nn_work_free(&ctx->w);
	free(ctx);
}

/* Logits of n images, BLOCK at a time: a block's activations (~50 KB an
 * image for classic) stay in cache from one layer to the next. */
static void run(nn_infer *ctx, const uint8_t *img, int n, float *logits)
{
	const nn_model *m = ctx->m;
	const int C = m->net.classes;
	if (ctx->fast) {
		for (int i = 0; i < n; i += FAST_BLOCK) {
			const int cnt = n - i < FAST_BLOCK ? n - i : FAST_BLOCK;
			const float *z = nn_fast_forward(ctx->fast, img + (size_t)i * NN_PIXELS, cnt);
			memcpy(logits + (size_t)i * C, z, sizeof(float) * (size_t)cnt * C);
		}
		return;
	}
	for (int i = 0; i < n; i += BLOCK) {
		const int cnt = n - i < BLOCK ? n - i : BLOCK;
		nn_net_input(&m->net, &ctx->w, img + (size_t)i * NN_PIXELS, cnt, m->info.mean, m->info.std);
		const float *z = nn_net_forward(&m->net, m->params, &ctx->w, cnt);
		memcpy(logits + (size_t)i * C, z, sizeof(float) * (size_t)cnt * C);
	}
}

int nn_infer_logits(nn_infer *ctx, const uint8_t *img, int n, float *logits)
{
	if (n < 0 || n > ctx->max_batch)
		return -1;
	run(ctx, img, n, logits);
	return 0;
}

int nn_infer_run(nn_infer *ctx, const uint8_t *img, int n, float *probs)
{
	if (n < 0 || n > ctx->max_batch)
		return -1;
	run(ctx, img, n, probs);
	nn_softmax(probs, n, ctx->m->net.classes, ctx->m->info.temperature, probs);
	return 0;
}
