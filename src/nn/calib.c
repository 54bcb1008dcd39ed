/* calib.c: see calib.h. */
#include "nn/calib.h"

#include <math.h>
#include <stdlib.h>

int nn_argmax(const float *v, int classes)
{
	int best = 0;
	for (int c = 1; c < classes; c++)
		if (v[c] > v[best])
			best = c;
	return best;
}

double nn_calib_nll(const float *logits, const uint8_t *labels, size_t n, int classes, float T)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		const float *z = logits + i * classes;
		double mx = z[0], s = 0;
		for (int c = 1; c < classes; c++)
			mx = z[c] > mx ? z[c] : mx;
		for (int c = 0; c < classes; c++)
			s += exp((z[c] - mx) / T);
		sum += log(s) - (z[labels[i]] - mx) / T;
	}
	return n ? sum / (double)n : 0;
}

float nn_calib_fit_temperature(const float *logits, const uint8_t *labels, size_t n, int classes)
{
	/* The NLL is unimodal in log T for a fixed set of logits. */
	const double g = (sqrt(5.0) - 1) / 2;
	double a = log(0.05), b = log(20.0);
	double c = b - g * (b - a), d = a + g * (b - a);
	double fc = nn_calib_nll(logits, labels, n, classes, (float)exp(c));
	double fd = nn_calib_nll(logits, labels, n, classes, (float)exp(d));
	for (int it = 0; it < 40; it++) {
		if (fc < fd) {
			b = d; d = c; fd = fc;
			c = b - g * (b - a);
			fc = nn_calib_nll(logits, labels, n, classes, (float)exp(c));
		} else {
			a = c; c = d; fc = fd;
			d = a + g * (b - a);
			fd = nn_calib_nll(logits, labels, n, classes, (float)exp(d));
		}
	}
	return (float)exp((a + b) / 2);
}

double nn_calib_ece(const float *probs, const uint8_t *labels, size_t n, int classes, int bins)
{
	double *conf = calloc((size_t)bins, sizeof *conf), *acc = calloc((size_t)bins, sizeof *acc);
	size_t *cnt = calloc((size_t)bins, sizeof *cnt);
	double ece = -1;
	if (!conf || !acc || !cnt)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const float *p = probs + i * classes;
		const int k = nn_argmax(p, classes);
		int b = (int)(p[k] * bins);
		b = b >= bins ? bins - 1 : b;
		conf[b] += p[k];
		acc[b] += k == labels[i];
		cnt[b]++;
	}
	ece = 0;
	for (int b = 0; b < bins; b++)
		if (cnt[b])
			ece += fabs(acc[b] - conf[b]) / (double)n;
out:
	free(conf);
	free(acc);
	free(cnt);
	return ece;
}
