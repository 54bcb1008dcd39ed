/* probe.h: what an image file claims to be, read from its header alone.
 *
 * A decompression bomb is a small file whose header promises a huge raster:
 * OpenCV would allocate it before noticing anything.  img_probe parses the
 * header of every supported format itself (PNG IHDR, JPEG SOFn, TIFF IFDs,
 * BMP info header, PNM header, WebP VP8/VP8L/VP8X) and refuses, before any
 * decoding, a file whose pages together exceed the pixel limit.  It never
 * reads outside [buf, buf+len) and allocates nothing. */
#ifndef DIGITD_IMAGING_PROBE_H
#define DIGITD_IMAGING_PROBE_H
#include <stddef.h>
#include <stdint.h>
#include "imaging/imaging.h"

typedef enum {
	IMG_FMT_UNKNOWN = 0,
	IMG_FMT_PNG,
	IMG_FMT_JPEG,
	IMG_FMT_TIFF,
	IMG_FMT_BMP,
	IMG_FMT_PNM,
	IMG_FMT_WEBP,
	IMG_FMT_PDF,                /* not probed here: pdf.h checks and renders it */
} img_format;

#define IMG_MAX_PAGES 256       /* a multi-page TIFF or a PDF with more is refused */
#define IMG_MAX_SIDE 1048576    /* OpenCV's own bound on one side (CV_IO_MAX_IMAGE_WIDTH) */
#define IMG_MAX_JPEG_SCANS 500  /* libjpeg-turbo's advice against progressive scan floods */

typedef struct {
	img_format fmt;
	int npages;                 /* TIFF: IFD count; others 1 */
	int w, h;                   /* first page */
	uint64_t pixels;            /* sum over pages */
	int dpi;                    /* horizontal resolution if the header says, else 0 */
	int channels;               /* 1 gray/bilevel, 3 colour, 0 unknown */
} img_info;

const char *img_format_name(img_format f);

/* Identify buf and read its dimensions.  Returns 0 with *info filled, or -1
 * with a message (unknown format, truncated header, dimensions zero or beyond
 * IMG_MAX_SIDE, more than max_pixels in total, too many pages or JPEG scans). */
int img_probe(const uint8_t *buf, size_t len, uint64_t max_pixels, img_info *info, img_err *err);

#endif
