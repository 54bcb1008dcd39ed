/* nn.h: the network engine's public contract (plain C, no OpenCV, no SQLite).
 *
 * A model is loaded once and shared read-only by every thread; each thread that
 * classifies owns an nn_infer context (scratch buffers sized for max_batch).
 *
 * Input images are MNIST-style: 28x28 bytes, row-major, ink high (255) on a 0
 * background, the digit's ink fitted in 20x20 and centred by centre of mass.
 * The model stores its own input normalisation, so callers pass raw bytes.
 * Output: per image, `classes` calibrated probabilities (softmax of logits/T,
 * T fitted on the validation split).  Classes 0-9 are digits; a model with 11
 * outputs uses class 10 for "not a digit" (NN_CLASS_REJECT). */
#ifndef DIGITD_NN_H
#define DIGITD_NN_H
#include <stddef.h>
#include <stdint.h>

#define NN_SIDE 28
#define NN_PIXELS (NN_SIDE * NN_SIDE)
#define NN_CLASS_REJECT 10

typedef struct nn_model nn_model;
typedef struct nn_infer nn_infer;

/* Load and fully validate a model file.  On failure returns NULL and writes a
 * message naming the file and what is wrong into err. */
nn_model *nn_model_load(const char *path, char *err, size_t errlen);
void nn_model_free(nn_model *m);
int nn_model_classes(const nn_model *m);
const char *nn_model_spec(const nn_model *m);
/* Short stable identifier recorded per document, e.g. "lenet5:3f9a1c2b7d10"
 * (file name stem and a prefix of the file's SHA-256). */
const char *nn_model_id(const nn_model *m);

nn_infer *nn_infer_new(const nn_model *m, int max_batch);
void nn_infer_free(nn_infer *ctx);
/* Classify n <= max_batch images (n * NN_PIXELS bytes); write n * classes
 * probabilities.  Returns 0, or -1 if n is out of range. */
int nn_infer_run(nn_infer *ctx, const uint8_t *img, int n, float *probs);

/* ---- Additions beyond the inference contract (training, eval, tools). ---- */

/* What a model file records besides its weights. */
typedef struct {
	char spec[256];         /* expanded architecture spec (see src/nn/spec.c) */
	float mean, std;        /* input normalisation: x = (byte/255 - mean) / std */
	float temperature;      /* softmax temperature fitted on the validation split */
	int64_t created;        /* training end, seconds since the epoch (UTC) */
	uint64_t seed;          /* --seed of the training run */
	uint32_t epochs;        /* epochs run; the kept weights are from best_epoch */
	uint32_t best_epoch;
	uint32_t threads;       /* training threads (results depend on it only through timing) */
	uint32_t train_images;  /* training images, validation excluded */
	float val_accuracy;     /* accuracy of the kept weights on the validation split */
} nn_model_info;

const nn_model_info *nn_model_get_info(const nn_model *m);
/* Write m to path atomically (temporary file, fsync, rename).  Returns 0, or
 * -1 with a message in err. */
int nn_model_save(nn_model *m, const char *path, char *err, size_t errlen);
/* Like nn_infer_run but writes raw logits (before temperature and softmax),
 * for evaluation and calibration. */
int nn_infer_logits(nn_infer *ctx, const uint8_t *img, int n, float *logits);

#endif
