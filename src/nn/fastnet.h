/* fastnet.h: the classification pass, separate from the training pass.
 *
 * nn_net_forward (net.c) is the reference: training, validation and
 * calibration use it, and its sums are fixed so that training is
 * reproducible.  Classifying needs no such guarantee, only the same answer
 * to within rounding, so this pass is free to sum in another order and to
 * lay data out for the vector unit:
 *  - an unpadded 6-map convolution followed by 2x2 max pooling (LeNet-5's
 *    first) runs in register tiles of 6 maps by two output rows read in
 *    place, pooled, biased and rectified before leaving the registers;
 *  - a 16-map convolution with 10-wide output rows and pooling (LeNet-5's
 *    second) puts the maps in the vector lanes, so no column is wasted and
 *    pooling is a maximum of whole vectors; its output is channels-last and
 *    the fully connected layer after it reads it through permuted weights;
 *  - other convolutions are a register-tiled product (nn_gemm_store) of the
 *    weights and the input (read in place through tap offsets, or an im2col
 *    matrix of a few images when padded), then bias, ReLU and pooling;
 *  - fully connected layers multiply the whole block of images by weights
 *    transposed and padded at set-up time.
 * tests/unit/test_nn_fastnet.c checks it against nn_net_forward over MNIST
 * and on small random nets that take every path.
 *
 * Handled: conv (any padding) optionally followed by relu and/or max2; fc
 * optionally followed by relu; dropout (a no-op when classifying).  Any
 * other layer (sigmoid, tanh, average pooling, ...) makes nn_fast_new
 * return NULL and the caller uses nn_net_forward. */
#ifndef DIGITD_NN_FASTNET_H
#define DIGITD_NN_FASTNET_H
#include "nn/net.h"

typedef struct nn_fast nn_fast;

/* A pass over up to max_n images of net with params (kept by pointer: they
 * must outlive the context), inputs normalised by mean and std.  NULL when
 * the net has a layer this pass does not handle, or out of memory. */
nn_fast *nn_fast_new(const nn_net *net, const float *params, float mean, float std, int max_n);
void nn_fast_free(nn_fast *f);
/* Logits (N, classes) of n <= max_n images of NN_PIXELS bytes each; the
 * result lives in f until the next call. */
const float *nn_fast_forward(nn_fast *f, const uint8_t *img, int n);

#endif
