/* synth.h: what the sample and negative generators (tests/tools/mksamples.c,
 * tests/tools/mknegatives.c) need beyond drawing and ops.h: an affine warp by
 * a matrix the caller keeps, so ground-truth boxes can be mapped exactly the
 * way the pixels were.
 * Same error convention as imaging.h: 0, or -1 with a message in *err. */
#ifndef DIGITD_SYNTH_H
#define DIGITD_SYNTH_H
#include "imaging/draw.h"

/* dst (allocated here, w x h, src's channels) = src warped by the forward map
 * m: a source point (x, y) lands at (m[0]x + m[1]y + m[2], m[3]x + m[4]y + m[5]).
 * Pixels that come from outside src get the colour border.  Bilinear. */
int img_warp_affine(const img_t *src, img_t *dst, const double m[6], int w, int h, img_color border,
		    img_err *err);

#endif
