/* ops.h: the image operations the page cleaner and segmenter need, over
 * OpenCV.  Binary images are 1-channel with ink 255 and paper 0 (the
 * polarity the model wants); gray images have dark ink on light paper.
 * Every function allocates dst itself (caller frees with img_free; dst must
 * not alias src) and follows imaging.h's error convention. */
#ifndef DIGITD_IMAGING_OPS_H
#define DIGITD_IMAGING_OPS_H
#include <stdbool.h>
#include "imaging/imaging.h"

/* Gray image from gray or BGR.  For colour, the plain luminance and each
 * channel are scored by ink contrast (paper level minus the darkest 1 %,
 * relative to the paper's own spread) and the best one wins, so blue ink on
 * a tinted cheque keeps its contrast.  *which: -1 luminance, 0 B, 1 G, 2 R. */
int img_ink_gray(const img_t *src, img_t *dst, int *which, img_err *err);
/* Plane c (0 B, 1 G, 2 R) of a BGR image as a gray image (channel.c). */
int img_plane(const img_t *bgr, int c, img_t *dst, img_err *err);

/* Illumination flattening: the paper level is estimated by a grey closing
 * (wide enough to erase strokes up to `stroke` pixels) on a copy shrunk by
 * `shrink`, smoothed, and divided out: dst = min(255, 255 * src / paper),
 * the paper level stretched back as its reciprocal (flatten.c says why).
 * img_paper_level gives that estimate at the shrunk size (ops.cpp, at least
 * 32 everywhere), and the shrunk copy itself in *mean unless NULL;
 * img_apply_level stretches a level to gray's size, whatever its own, and
 * divides it out (flatten.c); img_flatten is the two. */
int img_flatten(const img_t *gray, int stroke, int shrink, img_t *dst, img_err *err);
int img_paper_level(const img_t *gray, int stroke, int shrink, img_t *level, img_t *mean, img_err *err);
int img_apply_level(const img_t *gray, const img_t *level, img_t *dst, img_err *err);

int img_median(const img_t *src, int k, img_t *dst, img_err *err);
int img_gaussian(const img_t *src, double sigma, img_t *dst, img_err *err);

/* Binarise gray -> binary (ink 255).  Otsu: global, *thr gets the level.
 * Sauvola: local threshold mean*(1+k*(sd/128-1)) over a win x win window. */
int img_threshold_otsu(const img_t *gray, img_t *dst, int *thr, img_err *err);
int img_threshold_sauvola(const img_t *gray, int win, double k, img_t *dst, img_err *err);
/* Fixed threshold: ink where gray < t. */
int img_threshold_below(const img_t *gray, int t, img_t *dst, img_err *err);

enum { IMG_INTER_NEAREST, IMG_INTER_LINEAR, IMG_INTER_AREA, IMG_INTER_CUBIC };
int img_resize(const img_t *src, int w, int h, int interp, img_t *dst, img_err *err);

/* Rotate by deg (counter-clockwise, image y down) about the centre, same
 * size, uncovered area filled with `fill`. */
int img_rotate(const img_t *src, double deg, uint8_t fill, int interp, img_t *dst, img_err *err);

enum { IMG_MORPH_ERODE, IMG_MORPH_DILATE, IMG_MORPH_OPEN, IMG_MORPH_CLOSE };
/* Morphology with a kw x kh rectangle (ellipse when ellipse is true). */
int img_morph(const img_t *src, int op, int kw, int kh, bool ellipse, img_t *dst, img_err *err);

typedef struct {
	int x, y, w, h, area;
} img_comp;

/* 8-connected components of a binary image.  labels (w*h int32, malloc'd)
 * holds 0 for paper and i+1 for the pixels of comps[i]. */
int img_components(const img_t *bin, int32_t **labels, img_comp **comps, int *n, img_err *err);

#endif
