/* calib.h: confidence calibration and the figures eval reports about it.
 * A model's softmax confidences are fitted to be honest with one
 * temperature T (Guo et al. 2017): probabilities are softmax(logits / T),
 * T chosen to minimise the negative log-likelihood on held-out data. */
#ifndef DIGITD_NN_CALIB_H
#define DIGITD_NN_CALIB_H
#include <stddef.h>
#include <stdint.h>

/* Mean negative log-likelihood of labels under softmax(logits / T). */
double nn_calib_nll(const float *logits, const uint8_t *labels, size_t n, int classes, float T);
/* The T in [0.05, 20] minimising that NLL (golden-section search on log T). */
float nn_calib_fit_temperature(const float *logits, const uint8_t *labels, size_t n, int classes);
/* Expected calibration error over `bins` equal-width confidence bins: the
 * weighted mean |accuracy - confidence|, where confidence is the top
 * probability and a prediction is right when its argmax is the label. */
double nn_calib_ece(const float *probs, const uint8_t *labels, size_t n, int classes, int bins);
/* Softmax of logits/T per row; probs may equal logits. */
void nn_softmax(const float *logits, int n, int classes, float temperature, float *probs);
/* Index of the largest of v[0..classes-1] (first on ties). */
int nn_argmax(const float *v, int classes);

#endif
