/* prof.c: DIGITD_PROFILE=1 timings of the segmenter's stages on stderr.
 * Every stage file uses it; it depends on none of them. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "segment/seg_internal.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void seg_prof_start(seg_prof *p, const char *stage)
{
	p->stage = getenv("DIGITD_PROFILE") ? stage : NULL;
	p->t = p->stage ? now_ms() : 0;
}

void seg_prof_step(seg_prof *p, const char *step)
{
	if (!p->stage) return;
	double t = now_ms();
	fprintf(stderr, "%s %-10s %6.2f ms\n", p->stage, step, t - p->t);
	p->t = t;
}
