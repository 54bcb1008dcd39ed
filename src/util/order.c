/* order.c: see order.h. */
#include "util/order.h"

#include <assert.h>
#include <stdlib.h>

int order_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int order_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

int order_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int order_median_int(int *v, size_t n)
{
	assert(n > 0);
	qsort(v, n, sizeof *v, order_int);
	return v[n / 2];
}
