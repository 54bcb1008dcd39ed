/* train.h: training a model on a dataset.
 *
 * Deterministic: the same data, options and seed give the same model bit for
 * bit, whatever the thread count.  Each batch is cut into fixed chunks of
 * NN_TRAIN_CHUNK images; threads take whole chunks, each chunk's gradient
 * goes to its own buffer, and the buffers are summed in chunk order.  Every
 * random draw (initial weights, shuffling, each sample's distortion) comes
 * from a generator seeded by (seed, epoch, sample), not from shared state.
 * (Floating-point results can differ between CPUs that pick different
 * kernel clones, e.g. with and without FMA.) */
#ifndef DIGITD_NN_TRAIN_H
#define DIGITD_NN_TRAIN_H
#include "nn/nn.h"
#include "nn/dataset.h"
#include "nn/augment.h"

#define NN_TRAIN_CHUNK 16

typedef enum { NN_OPT_ADAM, NN_OPT_SGD } nn_optimiser;

/* Reported to the progress callback during and after each epoch. */
typedef struct {
	int epoch, epochs;       /* 1-based */
	size_t done, total;      /* images of this epoch */
	float loss;              /* mean training loss so far this epoch */
	float val_accuracy;      /* after the epoch; < 0 while it runs */
	int best_epoch;
	float best_val_accuracy;
	double elapsed;          /* seconds since training started */
	double images_per_s;     /* this epoch's speed so far */
	int epoch_done;
} nn_progress;

typedef struct {
	const char *spec;        /* "classic", "paper" or a layer list */
	int epochs;
	uint64_t seed;
	int threads;
	int batch;               /* a multiple of NN_TRAIN_CHUNK */
	nn_optimiser opt;
	float lr, lr_final;      /* cosine decay from lr to lr_final over all batches */
	float momentum;          /* SGD */
	float weight_decay;      /* decoupled (AdamW-style for Adam) */
	int augment;             /* 0: train on the images as they are */
	nn_augment_params aug;
	int patience;            /* stop after this many epochs without a better
				    validation accuracy; 0 = never stop early */
	void (*progress)(const nn_progress *p, void *arg);
	void *progress_arg;
	volatile int *stop;      /* if set and nonzero, finish after the current batch */
} nn_train_opts;

void nn_train_defaults(nn_train_opts *o);

/* Train on train, select the best epoch and fit the temperature on val.
 * Returns the new model (info filled in), or NULL with a message in err.
 * val may be empty (n == 0): then the last epoch is kept and T = 1. */
nn_model *nn_train(const nn_dataset *train, const nn_dataset *val, const nn_train_opts *o,
		   char *err, size_t errlen);

/* Logits of n images (n * classes floats) with model m, using up to threads
 * threads. Returns 0 or -1 when out of memory. */
int nn_model_logits(const nn_model *m, const uint8_t *images, size_t n, int threads, float *logits);

#endif
