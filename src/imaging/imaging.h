/* imaging.h: the C face of the OpenCV bridge (the .cpp files beside it, the only C++).
 *
 * Images cross the boundary as img_t: 8-bit, 1 (gray) or 3 (BGR) channels,
 * malloc'd pixel rows owned by the img_t.  Every function that can fail returns
 * 0 on success or -1 with a human-readable message in *err; no C++ exception
 * ever escapes (cv::Exception and std::bad_alloc are caught at the boundary). */
#ifndef DIGITD_IMAGING_H
#define DIGITD_IMAGING_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
	int w, h, ch;       /* ch: 1 gray, 3 BGR */
	size_t stride;      /* bytes per row */
	uint8_t *data;      /* owned; free with img_free */
} img_t;

typedef struct {
	char msg[256];
} img_err;

/* Allocate a zeroed w x h image with ch channels; -1 on bad size or no memory. */
int img_alloc(img_t *im, int w, int h, int ch, img_err *err);
/* The same with the pixels left undefined, for an image about to be written
 * whole (zeroing a page nobody reads costs a pass over it). */
int img_alloc_uninit(img_t *im, int w, int h, int ch, img_err *err);
void img_free(img_t *im);
int img_clone(const img_t *src, img_t *dst, img_err *err);
/* 0 when im is a non-empty 1-channel image; else -1 with "what: a
 * 1-channel image is required" in *err. */
int img_need_gray(const img_t *im, const char *what, img_err *err);

/* Threads OpenCV may use inside one call (cv::setNumThreads; src/imaging/threads.cpp).
 * digitd sets 1: its worker pool already runs one document per core, and
 * OpenCV's own pool on top would oversubscribe the cores. */
void img_set_threads(int n);

#endif
