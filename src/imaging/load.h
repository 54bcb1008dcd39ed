/* load.h: decoding a document's bytes into pages, safely.
 *
 * img_load probes the header first (probe.h) and refuses what is over the
 * pixel budget before OpenCV allocates anything.  Every page of a multi-page
 * TIFF becomes a page.  A high-resolution JPEG is decoded directly at 1/2 or
 * 1/4 size when the resolution (from its header, else a conservative guess
 * from its size) leaves at least min_dpi: digits then stay 25+ pixels tall
 * while decoding costs a quarter or less.  Pages come out 8-bit, 1 or 3
 * channels (alpha dropped, 16-bit scaled down). */
#ifndef DIGITD_IMAGING_LOAD_H
#define DIGITD_IMAGING_LOAD_H
#include "imaging/imaging.h"
#include "imaging/probe.h"

typedef struct {
	uint64_t max_pixels;        /* refuse larger documents (sum over pages) */
	int min_dpi;                /* reduced JPEG decoding keeps at least this; 0 = never reduce */
	const char *name;           /* the file's name for decoder messages in the log; NULL = none */
} img_load_opts;

typedef struct {
	img_info info;              /* what the header said */
	int npages;
	img_t *pages;               /* npages images, owned */
	int scale;                  /* pages are 1/scale of the file's size (1, 2 or 4) */
} img_doc;

void img_load_opts_default(img_load_opts *o);

/* OpenCV's own pixel limit per decoded image (OPENCV_IO_MAX_IMAGE_PIXELS,
 * 2^30 by default), a second wall behind img_probe: a header the probe
 * misread would still meet it.  OpenCV reads the variable when its library
 * is loaded, before main, so a process sets it for itself by executing
 * itself again with the variable in its environment.
 * img_decoder_limit_reexec does that when the limit in force is not
 * max_pixels: it returns 0 when nothing was to be done, else only on
 * failure (-1, errno).  Call it before any thread starts.
 * img_decoder_limit() is the limit in force (img_load names it when a
 * decode over it fails). */
int img_decoder_limit_reexec(uint64_t max_pixels, char **argv);

/* Set up the decoders once (OpenCV's codec registry, which registers GDAL's
 * drivers; our libtiff handlers).  img_load does it at its first call; a
 * daemon calls it at start, on the main thread, so that this one-time work
 * (which GDAL does not survive when memory runs out: it crashes) is never
 * part of reading a document. */
void img_decoders_init(void);
uint64_t img_decoder_limit(void);
int img_load(const uint8_t *buf, size_t len, const img_load_opts *o, img_doc *doc, img_err *err);
void img_doc_free(img_doc *doc);

/* The JPEG reduction img_load would choose for this header (1, 2 or 4). */
int img_jpeg_scale(const img_info *info, int min_dpi);

#endif
