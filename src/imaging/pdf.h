/* pdf.h: the pages of a PDF, rendered through Poppler (libpoppler-cpp).
 *
 * Scanners very often write PDF: one page image per PDF page.  Each page is
 * rendered at IMG_PDF_DPI in 8-bit gray, whatever the resolution of the scan
 * inside (Poppler's C++ API does not hand out embedded images, and a
 * rendering also covers pages drawn as vectors or text).
 *
 * Before anything is rendered the document is checked like an image header:
 * a file Poppler cannot parse, one that needs a password, one without pages,
 * more than IMG_MAX_PAGES pages, or pages whose size at IMG_PDF_DPI would
 * total more than max_pixels (a PDF "bomb": a tiny file declaring a page
 * metres wide) are refused with a message; the size refusals say "over the
 * limit", which the daemon records as failure kind 'limit'.  No C++
 * exception leaves this module. */
#ifndef DIGITD_IMAGING_PDF_H
#define DIGITD_IMAGING_PDF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imaging/load.h"

/* 300 dpi: a 5 mm digit is 59 px tall, twice the 25 px the segmenter needs
 * (load.h keeps 150 dpi as the floor when it reduces JPEGs), and an A4 page
 * is 2480 x 3508 = 8.7 Mpx, under a tenth of the default max_pixels; it is
 * also the resolution scanners default to for documents. */
#define IMG_PDF_DPI 300

/* Whether buf looks like a PDF: "%PDF-" in its first 1024 bytes (the
 * specification allows leading junk; readers accept it there). */
bool img_is_pdf(const uint8_t *buf, size_t len);

/* Render every page of the PDF in buf into doc (doc->info.fmt IMG_FMT_PDF,
 * npages, w/h of the first page, pixels in total, dpi IMG_PDF_DPI, 1
 * channel).  0, or -1 with the reason in err. */
int img_pdf_load(const uint8_t *buf, size_t len, uint64_t max_pixels, img_doc *doc, img_err *err);

#endif
