/* jpeg.h: JPEG pages straight from libjpeg-turbo into the page's buffer.
 *
 * OpenCV 4.6 asks libjpeg for RGB rows and swaps every pixel to BGR itself,
 * a third of a colour page's decoding time; libjpeg-turbo can write BGR
 * rows directly (JCS_EXT_BGR), the same pixels.  This path decodes plain
 * 8-bit gray and YCbCr JPEGs, optionally reduced by 2, 4 or 8 in the DCT as
 * OpenCV's IMREAD_REDUCED_* flags do, with OpenCV's result exactly.  A file
 * with an EXIF block (OpenCV may rotate it), any other colour space, and
 * anything libjpeg warns or errs about are left to OpenCV, so odd and
 * corrupt files behave as before. */
#ifndef DIGITD_IMAGING_JPEG_H
#define DIGITD_IMAGING_JPEG_H
#include <stddef.h>
#include <stdint.h>
#include "imaging/imaging.h"

/* 1: decoded into *page (caller frees), 1/scale of the file's size; 0: not
 * handled here, *page empty (decode with OpenCV instead); -1: out of memory.
 * The caller has already bounded the pixel count from the header (probe.h). */
int img_jpeg_decode(const uint8_t *buf, size_t len, int scale, img_t *page, img_err *err);

#endif
