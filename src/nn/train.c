/* train.c: mini-batch training; see train.h for the determinism contract.
 *
 * One batch: threads take fixed chunks of NN_TRAIN_CHUNK images, distort
 * them, run forward and backward, and leave one gradient per chunk; the main
 * thread sums the chunk gradients in order and takes an optimiser step.
 * After each epoch the validation split is scored; the best epoch's weights
 * are kept, and the softmax temperature is fitted on the validation logits. */
#include "nn/train.h"
#include "nn/calib.h"
#include "nn/model.h"
#include "nn/rng.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void nn_train_defaults(nn_train_opts *o)
{
	memset(o, 0, sizeof *o);
	o->spec = "classic";
	o->epochs = 24;
	o->seed = 1;
	long nc = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = nc > 0 ? (nc > 64 ? 64 : (int)nc) : 1;
	o->batch = 64;
	o->opt = NN_OPT_ADAM;
	o->lr = 2e-3f;
	o->lr_final = 2e-5f;
	o->momentum = 0.9f;
	o->weight_decay = 0.0f;
	o->augment = 1;
	o->aug = nn_augment_default;
	o->patience = 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- running a function on several threads ---- */

typedef void (*task_fn)(void *arg, int tid, int nthreads);
struct task { task_fn fn; void *arg; int tid, n; };

static void *task_main(void *p)
{
	struct task *t = p;
	t->fn(t->arg, t->tid, t->n);
	return NULL;
}

/* Run fn on n threads (the caller is thread 0).  If a thread cannot be
 * created its share runs on the caller: the result is the same, only slower,
 * because work is split by chunk index, not by thread. */
static void run_parallel(task_fn fn, void *arg, int n)
{
	pthread_t th[64];
	struct task t[64];
	int started[64] = { 0 };
	if (n > 64)
		n = 64;
	for (int i = 1; i < n; i++) {
		t[i] = (struct task){ fn, arg, i, n };
		started[i] = pthread_create(&th[i], NULL, task_main, &t[i]) == 0;
	}
	fn(arg, 0, n);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn(arg, i, n);
	}
}

/* A pool of threads kept for a whole training run, handing out work item
 * by item.  A batch takes two short parallel steps (its chunks, then the
 * optimiser), about 2 ms apart on two threads; creating threads for each
 * would cost more than the second step saves.  Items are claimed, not
 * assigned: when another process holds the second core and a worker wakes
 * late, the caller has already done its items and does not wait for it, so
 * a busy machine makes a batch no slower than on one thread.  Which thread
 * runs an item never changes its result (scratch memory is per thread, and
 * fully rewritten per item).  If a worker cannot be created the pool is
 * smaller. */
typedef void (*item_fn)(void *arg, int item, int tid);

struct pool_worker { struct pool *p; int tid; };
typedef struct pool {
	pthread_t th[64];
	struct pool_worker ids[64];
	int n;                    /* threads including the caller (tid 0) */
	pthread_mutex_t mu;       /* guards everything below */
	pthread_cond_t go, done;
	item_fn fn;
	void *arg;
	int items, next, finished; /* the current run's items: total, next to claim, done */
	int quit;
} pool;

/* Run items of the current run until none is left to claim.  Called, and
 * returns, with p->mu held. */
static void pool_drain(pool *p, int tid)
{
	while (p->next < p->items) {
		const int item = p->next++;
		const item_fn fn = p->fn;
		void *arg = p->arg;
		pthread_mutex_unlock(&p->mu);
		fn(arg, item, tid);
		pthread_mutex_lock(&p->mu);
		if (++p->finished == p->items)
			pthread_cond_signal(&p->done);
	}
}

static void *pool_main(void *a)
{
	const struct pool_worker *w = a;
	pool *p = w->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next >= p->items && !p->quit)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit)
			break;
		pool_drain(p, w->tid);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void pool_start(pool *p, int n)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	p->n = 1;
	for (int i = 1; i < n && i < 64; i++) {
		p->ids[i] = (struct pool_worker){ p, i };
		if (pthread_create(&p->th[i], NULL, pool_main, &p->ids[i]) != 0)
			break;
		p->n = i + 1;
	}
}

/* fn(arg, item, tid) for every item in [0, items), on the pool's threads;
 * returns when all are done. */
static void pool_run(pool *p, item_fn fn, void *arg, int items)
{
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->arg = arg;
	p->items = items;
	p->next = p->finished = 0;
	pthread_cond_broadcast(&p->go);
	pool_drain(p, 0);
	while (p->finished < p->items)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

static void pool_stop(pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int i = 1; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
}

/* ---- inference over many images ---- */

struct logits_job {
	const nn_model *m;
	const uint8_t *images;
	size_t n;
	float *logits;
	int failed;
};

#define INFER_BLOCK 64

static void logits_task(void *arg, int tid, int nthreads)
{
	struct logits_job *j = arg;
	nn_work w;
	if (nn_work_init(&w, &j->m->net, INFER_BLOCK) < 0) {
		j->failed = 1;
		return;
	}
	const size_t nblocks = (j->n + INFER_BLOCK - 1) / INFER_BLOCK;
	const int C = j->m->net.classes;
	for (size_t b = (size_t)tid; b < nblocks; b += (size_t)nthreads) {
		const size_t start = b * INFER_BLOCK;
		const int cnt = (int)(j->n - start < INFER_BLOCK ? j->n - start : INFER_BLOCK);
		nn_net_input(&j->m->net, &w, j->images + start * NN_PIXELS, cnt, j->m->info.mean, j->m->info.std);
		const float *z = nn_net_forward(&j->m->net, j->m->params, &w, cnt);
		memcpy(j->logits + start * C, z, sizeof(float) * (size_t)cnt * C);
	}
	nn_work_free(&w);
}

int nn_model_logits(const nn_model *m, const uint8_t *images, size_t n, int threads, float *logits)
{
	struct logits_job j = { m, images, n, logits, 0 };
	run_parallel(logits_task, &j, threads < 1 ? 1 : threads);
	return j.failed ? -1 : 0;
}

/* ---- one training batch ---- */

struct batch_job {
	const nn_model *m;
	const nn_dataset *data;
	const nn_train_opts *o;
	const uint32_t *idx;      /* this batch's sample indices */
	int count;                /* images in this batch */
	int nchunks;
	int epoch;
	float **grad;             /* per chunk, nparams each */
	double *loss;             /* per chunk, summed cross-entropy */
	nn_work *work;            /* per thread */
	uint8_t **pix;            /* per thread, NN_TRAIN_CHUNK images */
	uint64_t **drop;          /* per thread, NN_TRAIN_CHUNK dropout seeds */
	float **dlogits;          /* per thread */
};

/* Chunk c of the batch, on thread tid's scratch memory. */
static void batch_item(void *arg, int c, int tid)
{
	struct batch_job *j = arg;
	const nn_net *net = &j->m->net;
	const int C = net->classes;
	nn_work *w = &j->work[tid];
	const int first = c * NN_TRAIN_CHUNK;
	const int cnt = j->count - first < NN_TRAIN_CHUNK ? j->count - first : NN_TRAIN_CHUNK;
	uint8_t *pix = j->pix[tid];
	for (int i = 0; i < cnt; i++) {
		const uint32_t s = j->idx[first + i];
		j->drop[tid][i] = j->o->seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)j->epoch << 32 | s);
		const uint8_t *src = j->data->images + (size_t)s * NN_PIXELS;
		if (j->o->augment) {
			nn_rng r;
			nn_rng_seed(&r, j->o->seed, 0xa5a5000000ULL + (uint64_t)j->epoch, s);
			nn_augment(src, pix + (size_t)i * NN_PIXELS, &r, &j->o->aug);
		} else {
			memcpy(pix + (size_t)i * NN_PIXELS, src, NN_PIXELS);
		}
	}
	nn_net_input(net, w, pix, cnt, j->m->info.mean, j->m->info.std);
	w->drop_seed = j->drop[tid];
	w->training = 1;
	const float *z = nn_net_forward(net, j->m->params, w, cnt);
	float *dz = j->dlogits[tid];
	nn_softmax(z, cnt, C, 1.0f, dz);
	double loss = 0;
	/* Cross-entropy of softmax: dloss/dz = p - onehot, averaged over the batch. */
	for (int i = 0; i < cnt; i++) {
		const int y = j->data->labels[j->idx[first + i]];
		float *d = dz + (size_t)i * C;
		loss -= log(d[y] > 1e-30f ? d[y] : 1e-30f);
		d[y] -= 1.0f;
		for (int k = 0; k < C; k++)
			d[k] /= (float)j->count;
	}
	j->loss[c] = loss;
	memset(j->grad[c], 0, sizeof(float) * net->nparams);
	nn_net_backward(net, j->m->params, w, cnt, dz, j->grad[c]);
}

/* ---- optimiser ---- */

typedef struct {
	float *m, *v;     /* Adam moments, or m = SGD velocity */
	long step;
} opt_state;

static void sgd(size_t n, float *restrict p, const float *restrict g, float *restrict v,
		float lr, float mu, float wd)
{
	for (size_t i = 0; i < n; i++) {
		v[i] = mu * v[i] + g[i] + wd * p[i];
		p[i] -= lr * v[i];
	}
}

static void adam(size_t n, float *restrict p, const float *restrict g, float *restrict m,
		 float *restrict v, float lr, float c1, float c2, float wd)
{
	const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
	for (size_t i = 0; i < n; i++) {
		m[i] = b1 * m[i] + (1 - b1) * g[i];
		v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
		const float mh = m[i] / c1, vh = v[i] / c2;
		p[i] -= lr * (mh / (sqrtf(vh) + eps) + wd * p[i]);
	}
}

/* n zeroed floats starting on a cache line, rounded up to whole lines. */
static float *falloc_lines(size_t n)
{
	const size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
	float *p = aligned_alloc(64, bytes ? bytes : 64);
	if (p)
		memset(p, 0, bytes);
	return p;
}

/* One optimiser step, split by parameter range over the pool's threads:
 * every update is elementwise and each chunk gradient is summed into
 * grad[0] in chunk order, so the result does not depend on the split. */
struct step_job {
	const nn_train_opts *o;
	opt_state *s;
	float *params;
	float **grad;             /* per chunk; the sum is left in grad[0] */
	int used;                 /* chunks in this batch */
	size_t n;                 /* parameters */
	float lr, c1, c2;         /* learning rate, Adam's bias corrections */
};

#define STEP_BLOCKS 8

/* Block b of STEP_BLOCKS of the parameters. */
static void step_item(void *arg, int b, int tid)
{
	const struct step_job *j = arg;
	(void)tid;
	/* Ranges of whole cache lines, so threads never write the same line. */
	const size_t lines = (j->n + 15) / 16;
	const size_t lo = lines * b / STEP_BLOCKS * 16;
	size_t hi = lines * (b + 1) / STEP_BLOCKS * 16;
	hi = hi < j->n ? hi : j->n;
	if (lo >= hi)
		return;
	float *restrict gsum = j->grad[0];
	for (int c = 1; c < j->used; c++) {
		const float *restrict g = j->grad[c];
		for (size_t i = lo; i < hi; i++)
			gsum[i] += g[i];
	}
	if (j->o->opt == NN_OPT_SGD)
		sgd(hi - lo, j->params + lo, gsum + lo, j->s->m + lo, j->lr, j->o->momentum, j->o->weight_decay);
	else
		adam(hi - lo, j->params + lo, gsum + lo, j->s->m + lo, j->s->v + lo, j->lr, j->c1, j->c2,
		     j->o->weight_decay);
}

static void opt_step(const nn_train_opts *o, opt_state *s, float *p, float **grad, int used, size_t n,
		     float lr, pool *pl)
{
	s->step++;
	/* Adam's bias corrections for the first and second moments. */
	struct step_job j = { o, s, p, grad, used, n, lr,
			      1.0f - powf(0.9f, (float)s->step), 1.0f - powf(0.999f, (float)s->step) };
	pool_run(pl, step_item, &j, STEP_BLOCKS);
}

static float accuracy(const float *logits, const uint8_t *labels, size_t n, int classes)
{
	size_t right = 0;
	for (size_t i = 0; i < n; i++)
		right += nn_argmax(logits + i * classes, classes) == labels[i];
	return n ? (float)right / (float)n : 0.0f;
}

nn_model *nn_train(const nn_dataset *train, const nn_dataset *val, const nn_train_opts *o,
		   char *err, size_t errlen)
{
	nn_model *m = NULL;
	float *best = NULL, *vlogits = NULL;
	pool pl;
	int pool_up = 0;
	uint32_t *order = NULL;
	opt_state st = { 0 };
	struct batch_job j = { 0 };
	const int T = o->threads < 1 ? 1 : (o->threads > 64 ? 64 : o->threads);

	if (o->batch < 1 || o->batch % NN_TRAIN_CHUNK || o->batch > 4096) {
		snprintf(err, errlen, "batch size %d must be a multiple of %d up to 4096", o->batch, NN_TRAIN_CHUNK);
		return NULL;
	}
	if (o->epochs < 1 || train->n == 0 || train->n > UINT32_MAX) {
		snprintf(err, errlen, "nothing to train: %d epochs over %zu images", o->epochs, train->n);
		return NULL;
	}
	if (!(m = nn_model_new(o->spec, err, errlen)))
		return NULL;
	const nn_net *net = &m->net;
	const int C = net->classes;
	for (size_t i = 0; i < train->n; i++)
		if (train->labels[i] >= C) {
			snprintf(err, errlen, "training label %u is not below the spec's %d outputs", train->labels[i], C);
			goto fail;
		}
	for (size_t i = 0; i < val->n; i++)
		if (val->labels[i] >= C) {
			snprintf(err, errlen, "validation label %u is not below the spec's %d outputs", val->labels[i], C);
			goto fail;
		}
	nn_net_init_params(net, m->params, o->seed);

	const size_t P = net->nparams;
	j.nchunks = o->batch / NN_TRAIN_CHUNK;
	j.grad = calloc((size_t)j.nchunks, sizeof *j.grad);
	j.loss = calloc((size_t)j.nchunks, sizeof *j.loss);
	j.work = calloc((size_t)T, sizeof *j.work);
	j.pix = calloc((size_t)T, sizeof *j.pix);
	j.dlogits = calloc((size_t)T, sizeof *j.dlogits);
	j.drop = calloc((size_t)T, sizeof *j.drop);
	order = malloc(sizeof *order * train->n);
	best = malloc(sizeof *best * P);
	st.m = falloc_lines(P);
	st.v = falloc_lines(P);
	vlogits = malloc(sizeof *vlogits * (val->n * C + 1));
	if (!j.grad || !j.loss || !j.work || !j.pix || !j.dlogits || !j.drop || !order || !best || !st.m || !st.v || !vlogits)
		goto oom;
	for (int c = 0; c < j.nchunks; c++)
		if (!(j.grad[c] = falloc_lines(P)))
			goto oom;
	for (int t = 0; t < T; t++) {
		if (nn_work_init(&j.work[t], net, NN_TRAIN_CHUNK) < 0)
			goto oom;
		if (!(j.pix[t] = malloc(NN_TRAIN_CHUNK * NN_PIXELS)) ||
		    !(j.drop[t] = malloc(NN_TRAIN_CHUNK * sizeof(uint64_t))) ||
		    !(j.dlogits[t] = malloc(sizeof(float) * NN_TRAIN_CHUNK * C)))
			goto oom;
	}
	pool_start(&pl, T);
	pool_up = 1;
	j.m = m;
	j.data = train;
	j.o = o;

	const size_t nb = (train->n + o->batch - 1) / o->batch;
	const double total_steps = (double)nb * o->epochs;
	const double t0 = now();
	float best_acc = -1;
	int best_epoch = 0, epoch;
	nn_progress pr = { .epochs = o->epochs, .total = train->n, .val_accuracy = -1 };
	for (epoch = 1; epoch <= o->epochs; epoch++) {
		if (o->stop && *o->stop)
			break;
		/* Fisher-Yates shuffle from a generator seeded by (seed, epoch). */
		nn_rng r;
		nn_rng_seed(&r, o->seed, 0x5f5f0000ULL + (uint64_t)epoch, 0);
		for (size_t i = 0; i < train->n; i++)
			order[i] = (uint32_t)i;
		for (size_t i = train->n - 1; i > 0; i--) {
			size_t k = nn_rng_below(&r, (uint32_t)(i + 1));
			uint32_t t = order[i]; order[i] = order[k]; order[k] = t;
		}
		const double te = now();
		double loss_sum = 0;
		j.epoch = epoch;
		for (size_t b = 0; b < nb; b++) {
			const size_t start = b * (size_t)o->batch;
			j.idx = order + start;
			j.count = (int)(train->n - start < (size_t)o->batch ? train->n - start : (size_t)o->batch);
			const int used = (j.count + NN_TRAIN_CHUNK - 1) / NN_TRAIN_CHUNK;
			pool_run(&pl, batch_item, &j, used);
			for (int c = 0; c < used; c++)
				loss_sum += j.loss[c];
			const double t = ((epoch - 1) * (double)nb + (double)b) / total_steps;
			const float lr = o->lr_final + (o->lr - o->lr_final) * 0.5f * (1.0f + (float)cos(M_PI * t));
			/* Fixed-order reduction: the sum is independent of the thread count. */
			opt_step(o, &st, m->params, j.grad, used, P, lr, &pl);
			pr.done = start + (size_t)j.count;
			if (o->progress && (b % 20 == 19 || b + 1 == nb)) {
				pr.epoch = epoch;
				pr.loss = (float)(loss_sum / (double)pr.done);
				pr.elapsed = now() - t0;
				pr.images_per_s = (double)pr.done / (now() - te);
				pr.epoch_done = 0;
				pr.val_accuracy = -1;
				o->progress(&pr, o->progress_arg);
			}
			if (o->stop && *o->stop)
				break;
		}
		float acc = 0;
		if (val->n) {
			if (nn_model_logits(m, val->images, val->n, T, vlogits) < 0)
				goto oom;
			acc = accuracy(vlogits, val->labels, val->n, C);
		}
		/* Ties go to the later epoch: its learning rate was lower. */
		if (acc >= best_acc || !val->n) {
			best_acc = acc;
			best_epoch = epoch;
			memcpy(best, m->params, sizeof *best * P);
		}
		if (o->progress) {
			pr.epoch = epoch;
			pr.loss = (float)(loss_sum / (double)(pr.done ? pr.done : 1));
			pr.elapsed = now() - t0;
			pr.images_per_s = (double)pr.done / (now() - te);
			pr.val_accuracy = val->n ? acc : -1;
			pr.best_epoch = best_epoch;
			pr.best_val_accuracy = best_acc;
			pr.epoch_done = 1;
			o->progress(&pr, o->progress_arg);
		}
		if (o->patience > 0 && epoch - best_epoch >= o->patience)
			break;
	}
	if (best_epoch == 0) {
		snprintf(err, errlen, "training stopped before the first epoch finished");
		goto fail;
	}
	memcpy(m->params, best, sizeof *best * P);
	m->info.temperature = 1.0f;
	if (val->n) {
		if (nn_model_logits(m, val->images, val->n, T, vlogits) < 0)
			goto oom;
		m->info.temperature = nn_calib_fit_temperature(vlogits, val->labels, val->n, C);
	}
	m->info.created = (int64_t)time(NULL);
	m->info.seed = o->seed;
	m->info.epochs = (uint32_t)(epoch > o->epochs ? o->epochs : epoch);
	m->info.best_epoch = (uint32_t)best_epoch;
	m->info.threads = (uint32_t)T;
	m->info.train_images = (uint32_t)train->n;
	m->info.val_accuracy = val->n ? best_acc : 0.0f;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	nn_model_free(m);
	m = NULL;
out:
	if (pool_up)
		pool_stop(&pl);
	for (int c = 0; j.grad && c < j.nchunks; c++)
		free(j.grad[c]);
	for (int t = 0; j.work && t < T; t++)
		nn_work_free(&j.work[t]);
	for (int t = 0; j.pix && t < T; t++)
		free(j.pix[t]);
	for (int t = 0; j.dlogits && t < T; t++)
		free(j.dlogits[t]);
	for (int t = 0; j.drop && t < T; t++)
		free(j.drop[t]);
	free(j.grad); free(j.loss); free(j.work); free(j.pix); free(j.dlogits); free(j.drop);
	free(order); free(best); free(st.m); free(st.v); free(vlogits);
	return m;
}
