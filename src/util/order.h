/* order.h: qsort comparators, ascending, one per element type, so no file
 * writes its own.  Safe for any values (no subtraction to overflow); NaN
 * sorts as equal to everything, which qsort tolerates. */
#ifndef DIGITD_ORDER_H
#define DIGITD_ORDER_H
#include <stddef.h>

int order_int(const void *a, const void *b);
int order_float(const void *a, const void *b);
int order_double(const void *a, const void *b);
/* The median of n > 0 ints (the upper one of an even count); sorts v. */
int order_median_int(int *v, size_t n);

#endif
