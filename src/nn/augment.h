/* augment.h: random distortions of 28x28 training digits.  Seeing every
 * digit slightly rotated, scaled, sheared, shifted and elastically bent is
 * what lifts LeNet-5 from ~99.0 % to ~99.5 % on MNIST's test set. */
#ifndef DIGITD_NN_AUGMENT_H
#define DIGITD_NN_AUGMENT_H
#include <stdint.h>
#include "nn/rng.h"

typedef struct {
	float rotate_deg;   /* uniform in +-rotate_deg */
	float scale;        /* uniform factor in 1 +- scale */
	float shear;        /* uniform shear factor in +-shear */
	float translate;    /* uniform shift in +-translate pixels, each axis */
	float elastic;      /* smooth displacement field, up to +-elastic pixels */
	float prob;         /* chance that a sample is distorted at all */
	/* Scan-path distortions, applied after the geometric ones; all 0 (off)
	 * by default, which leaves the output and the random draws exactly as
	 * without them.  They model what our own pipeline does to a digit:
	 * scan blur, ink spread, binarisation and the area resampling of a
	 * hard-edged mask in seg_normalize. */
	float thick;        /* stroke radius change, uniform in +-thick pixels */
	float blur;         /* Gaussian blur sigma, uniform in [0, blur] pixels */
	float binar;        /* chance of binarising at a random threshold and
			       re-rendering the hard-edged ink by area averaging */
	float gamma;        /* ink gamma exp(u), u uniform in +-gamma */
	float noise;        /* when binarising: scanner noise uniform in +-noise
			       (fraction of the peak ink) on each sub-pixel */
} nn_augment_params;

extern const nn_augment_params nn_augment_default;

/* Parse "rot=12,scale=0.12,shear=0.2,shift=2,elastic=1.6,prob=1" or the
 * scan-path fields "thick=0.5,blur=0.8,binar=0.5,gamma=0.3,noise=0.2" (any
 * subset; unnamed fields keep their value in p).  Returns 0, or -1 on a
 * malformed or out-of-range field. */
int nn_augment_parse(const char *s, nn_augment_params *p);

/* dst (28x28) = src (28x28) under one random distortion drawn from r. */
void nn_augment(const uint8_t *src, uint8_t *dst, nn_rng *r, const nn_augment_params *p);

#endif
