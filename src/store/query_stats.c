/* query_stats.c: threshold advice from confidences.
 *
 * Two questions decide how many digits a person must look at:
 *  - "which threshold would have flagged (nearly) every mistake seen so far?"
 *    answered from reviewed digits whose reviewed label differs from the
 *    model's (query_threshold_catching);
 *  - "which threshold keeps the error rate of the digits nobody looks at under
 *    the target?" answered from the model's calibrated confidences, whose
 *    complement is each digit's expected error (query_threshold_for_error).
 * A digit is flagged when confidence < threshold, as in recognize.h. */
#include <math.h>
#include <stdlib.h>

#include "store/query.h"
#include "util/order.h"

double query_threshold_catching(const double *err_conf, size_t nerr, double catch_share)
{
	double c = 0;
	if (nerr == 0) return -1;
	double *s = malloc(nerr * sizeof *s);
	if (!s) return -1;
	for (size_t i = 0; i < nerr; i++) s[i] = err_conf[i];
	qsort(s, nerr, sizeof *s, order_double);
	/* catching k errors needs a threshold above the k-th smallest confidence */
	size_t k = (size_t)ceil(catch_share * (double)nerr - 1e-9);
	if (k < 1) k = 1;
	if (k > nerr) k = nerr;
	c = s[k - 1];
	free(s);
	/* round up to 4 decimals, strictly above c (1e-9 absorbs 0.95 being 0.9499999...) */
	double t = (floor(c * 10000.0 + 1e-9) + 1.0) / 10000.0;
	return t > 1.0 ? 1.0 : t;
}

double query_threshold_for_error(double *conf, size_t n, double target, double *read_rate)
{
	*read_rate = 0;
	if (n == 0) return -1;
	qsort(conf, n, sizeof *conf, order_double);
	/* mean(1 - c) over the suffix conf[i..n-1] falls as i rises (it drops the
	 * least confident), so the first qualifying distinct value is the answer */
	double err_sum = 0;
	for (size_t i = 0; i < n; i++) err_sum += 1.0 - conf[i];
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && conf[i] == conf[i - 1]) {
			err_sum -= 1.0 - conf[i];
			continue;
		}
		if (err_sum / (double)(n - i) <= target) {
			*read_rate = (double)(n - i) / (double)n;
			return conf[i];
		}
		err_sum -= 1.0 - conf[i];
	}
	return 1.0 + 1e-9;  /* nothing can be accepted: review everything */
}
