/* model.h: the model object behind nn.h's opaque nn_model, for the parts of
 * src/nn/ (training, inference, tests) that build or inspect one. */
#ifndef DIGITD_NN_MODEL_H
#define DIGITD_NN_MODEL_H
#include "nn/nn.h"
#include "nn/net.h"

#define NN_MODEL_MAGIC "DGTNNMDL"
#define NN_MODEL_VERSION 1u
#define NN_MODEL_MAX_BYTES (64u << 20)

struct nn_model {
	nn_net net;
	nn_model_info info;
	float *params;          /* net.nparams floats, 64-byte aligned */
	char id[96];            /* "<stem>:<12 hex of the file's SHA-256>", or "unsaved" */
};

/* A model for spec with zeroed parameters and default normalisation
 * (MNIST's mean 0.1307, std 0.3081) and temperature 1. */
nn_model *nn_model_new(const char *spec, char *err, size_t errlen);
/* Serialise m into a newly allocated buffer (*len bytes), checksum included. */
uint8_t *nn_model_serialise(const nn_model *m, size_t *len);
/* Parse and validate a whole file image; name is used in messages and the id. */
nn_model *nn_model_parse(const uint8_t *buf, size_t len, const char *name, char *err, size_t errlen);

#endif
