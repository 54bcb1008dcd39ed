/* png.h: a fast decoder for the PNGs scanners write, and an encoder for
 * the crops digitd keeps.
 *
 * libpng undoes the row filters one byte at a time through memory; on an
 * 8-bit gray page that is most of its time (20 of 40 ms on a 300 dpi A4
 * page), and zlib inflates at half libdeflate's speed.  This path inflates
 * with libdeflate and undoes the filters with the running values kept in
 * registers, for 8-bit gray and RGB,
 * non-interlaced PNGs only, with exactly OpenCV's result (RGB comes out as
 * BGR).  Anything else, and anything it finds suspect (a bad CRC, too
 * little or too much data, a transparency or EXIF chunk that OpenCV would
 * act on), is left to OpenCV, so errors and odd files behave as before. */
#ifndef DIGITD_IMAGING_PNG_H
#define DIGITD_IMAGING_PNG_H
#include <stddef.h>
#include <stdint.h>
#include "imaging/imaging.h"

/* 1: decoded into *page (caller frees); 0: not handled here, *page untouched
 * and empty (decode with OpenCV instead); -1: out of memory, err says so.
 * The caller has already bounded the pixel count from the header (probe.h). */
int img_png_decode(const uint8_t *buf, size_t len, img_t *page, img_err *err);

/* Encode an 8-bit gray or BGR image as a PNG into a malloc'd buffer
 * (png_encode.c: libdeflate, for the many small crops a page gives). */
int img_encode_png(const img_t *im, uint8_t **buf, size_t *len, img_err *err);
/* The rest, with libpng (png_lib.c): 1 decoded into *page; -1 refused, with
 * libpng's first message, for any libpng error or warning (a bad CRC on any
 * chunk, truncation, trailing garbage); 0 for a PNG with EXIF, whose
 * orientation OpenCV applies (decode it there). */
int img_png_decode_lib(const uint8_t *buf, size_t len, img_t *page, img_err *err);

#endif
