/* infer.c: classification with a loaded model.  A context owns the scratch
 * memory for up to max_batch images, so contexts are per thread while the
 * model is shared read-only. */
#include "nn/model.h"
#include "nn/calib.h"

#include <stdlib.h>

struct nn_infer {
	const nn_model *m;
	nn_work w;
};

nn_infer *nn_infer_new(const nn_model *m, int max_batch)
{
	if (max_batch < 1 || max_batch > 65536)
		return NULL;
	nn_infer *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->m = m;
	if (nn_work_init(&ctx->w, &m->net, max_batch) < 0) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

void nn_infer_free(nn_infer *ctx)
{
	if (!ctx)
		return;
	nn_work_free(&ctx->w);
	free(ctx);
}

static const float *run(nn_infer *ctx, const uint8_t *img, int n)
{
	const nn_model *m = ctx->m;
	nn_net_input(&m->net, &ctx->w, img, n, m->info.mean, m->info.std);
	return nn_net_forward(&m->net, m->params, &ctx->w, n);
}

int nn_infer_logits(nn_infer *ctx, const uint8_t *img, int n, float *logits)
{
	if (n < 0 || n > ctx->w.max_n)
		return -1;
	if (n == 0)
		return 0;
	const float *z = run(ctx, img, n);
	for (size_t i = 0; i < (size_t)n * ctx->m->net.classes; i++)
		logits[i] = z[i];
	return 0;
}

int nn_infer_run(nn_infer *ctx, const uint8_t *img, int n, float *probs)
{
	if (n < 0 || n > ctx->w.max_n)
		return -1;
	if (n == 0)
		return 0;
	const float *z = run(ctx, img, n);
	nn_softmax(z, n, ctx->m->net.classes, ctx->m->info.temperature, probs);
	return 0;
}
