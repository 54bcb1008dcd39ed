/* jpeg.h: JPEG pages straight from libjpeg-turbo into the page's buffer.
 *
 * OpenCV 4.6 asks libjpeg for RGB rows and swaps every pixel to BGR itself,
 * a third of a colour page's decoding time; libjpeg-turbo can write BGR
 * rows directly (JCS_EXT_BGR), the same pixels.  This path decodes plain
 * 8-bit gray and YCbCr JPEGs, optionally reduced by 2, 4 or 8 in the DCT as
 * OpenCV's IMREAD_REDUCED_* flags do, with OpenCV's result exactly.  A file
 * with an EXIF block (OpenCV may rotate it) or any other colour space is
 * left to OpenCV, after img_jpeg_check.  A JPEG libjpeg warns or errs about
 * (truncated, bit-flipped) is refused: OpenCV would fill what is missing
 * with grey and call the page whole. */
#ifndef DIGITD_IMAGING_JPEG_H
#define DIGITD_IMAGING_JPEG_H
#include <stddef.h>
#include <stdint.h>
#include "imaging/imaging.h"

/* 1: decoded into *page (caller frees), 1/scale of the file's size; 0: not
 * handled here, *page empty (check with img_jpeg_check, then decode with
 * OpenCV); -1: corrupt or truncated, or out of memory (err says which).
 * The caller has already bounded the pixel count from the header (probe.h). */
int img_jpeg_decode(const uint8_t *buf, size_t len, int scale, img_t *page, img_err *err);

/* Decode the whole file at 1/8 scale and discard it: 0 when libjpeg had
 * nothing to say, -1 (err: libjpeg's first message) when it warned or
 * failed.  For the JPEGs left to OpenCV, which accepts damaged data. */
int img_jpeg_check(const uint8_t *buf, size_t len, img_err *err);

#endif
