/* jpeg.c: plain JPEGs decoded by libjpeg-turbo into BGR or gray rows
 * directly (see jpeg.h for why and what is left to OpenCV).
 *
 * libjpeg reports errors by calling error_exit, which must not return: it
 * longjmps back here.  Warnings are corrupt data libjpeg patched over (a
 * truncated file is filled with grey, a bit flip gives garbage blocks):
 * OpenCV's decoder accepts those pages as whole, so a JPEG that draws any
 * libjpeg warning or error is refused here, with libjpeg's first message,
 * and never reaches OpenCV (nor libjpeg's own line on stderr). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

#include "imaging/jpeg.h"

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char first[JMSG_LENGTH_MAX];   /* libjpeg's first warning or error */
} jpeg_err;

static void keep_first(j_common_ptr ci)
{
	jpeg_err *je = (jpeg_err *)ci->err;
	if (!je->first[0]) ci->err->format_message(ci, je->first);
}

static void on_error(j_common_ptr ci)
{
	keep_first(ci);
	longjmp(((jpeg_err *)ci->err)->jump, 1);
}

static void on_message(j_common_ptr ci, int level)
{
	if (level < 0) {
		ci->err->num_warnings++;
		keep_first(ci);
	}
}

static void corrupt(img_err *err, const jpeg_err *je)
{
	snprintf(err->msg, sizeof err->msg, "corrupt or truncated JPEG (libjpeg: %s)",
		 je->first[0] ? je->first : "unknown error");
}

/* Our error handling on ci (before setjmp and jpeg_create_decompress). */
static void open_source(struct jpeg_decompress_struct *ci, jpeg_err *je)
{
	ci->err = jpeg_std_error(&je->pub);
	je->pub.error_exit = on_error;
	je->pub.emit_message = on_message;
	je->first[0] = 0;
}

int img_jpeg_check(const uint8_t *buf, size_t len, img_err *err)
{
	struct jpeg_decompress_struct ci;
	jpeg_err je;
	JSAMPLE *row = NULL;
	open_source(&ci, &je);
	if (setjmp(je.jump)) {
		jpeg_destroy_decompress(&ci);
		free(row);
		corrupt(err, &je);
		return -1;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, buf, (unsigned long)len);
	if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK) longjmp(je.jump, 1);
	/* 1/8 in the DCT: every coefficient is still entropy-decoded (where
	 * truncation and corruption show), the output is 64 times smaller */
	ci.scale_num = 1;
	ci.scale_denom = 8;
	if (!jpeg_start_decompress(&ci)) longjmp(je.jump, 1);
	row = malloc((size_t)ci.output_width * (size_t)ci.output_components);
	if (!row) {
		jpeg_destroy_decompress(&ci);
		snprintf(err->msg, sizeof err->msg, "out of memory checking a JPEG");
		return -1;
	}
	while (ci.output_scanline < ci.output_height)
		if (jpeg_read_scanlines(&ci, &row, 1) == 0) break;
	bool whole = ci.output_scanline == ci.output_height;
	if (whole) jpeg_finish_decompress(&ci);
	whole = whole && ci.err->num_warnings == 0;
	jpeg_destroy_decompress(&ci);
	free(row);
	if (!whole) {
		corrupt(err, &je);
		return -1;
	}
	return 0;
}

/* An EXIF block may carry an orientation, which OpenCV applies. */
static bool has_exif(j_decompress_ptr ci)
{
	for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) return true;
	return false;
}

/* Header read, checked and set up for decoding; false: not for this path. */
static bool start(j_decompress_ptr ci, int scale, bool *gray)
{
	jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
	if (jpeg_read_header(ci, TRUE) != JPEG_HEADER_OK) return false;
	*gray = ci->num_components == 1 && ci->jpeg_color_space == JCS_GRAYSCALE;
	bool ycc = ci->num_components == 3 && ci->jpeg_color_space == JCS_YCbCr;
	if ((!*gray && !ycc) || ci->data_precision != 8 || has_exif(ci) || ci->err->num_warnings) return false;
	ci->scale_num = 1;
	ci->scale_denom = (unsigned)scale;
	ci->out_color_space = *gray ? JCS_GRAYSCALE : JCS_EXT_BGR;
	return jpeg_start_decompress(ci);
}

int img_jpeg_decode(const uint8_t *buf, size_t len, int scale, img_t *page, img_err *err)
{
	struct jpeg_decompress_struct ci;
	jpeg_err je;
	memset(page, 0, sizeof *page);
	if (scale != 1 && scale != 2 && scale != 4 && scale != 8) return 0;
	open_source(&ci, &je);
	if (setjmp(je.jump)) {
		jpeg_destroy_decompress(&ci);
		img_free(page);
		corrupt(err, &je);
		return -1;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, buf, (unsigned long)len);
	bool gray;
	if (!start(&ci, scale, &gray)) {
		bool warned = ci.err->num_warnings != 0;
		jpeg_destroy_decompress(&ci);
		if (!warned) return 0;   /* only unusual: OpenCV's, after img_jpeg_check */
		corrupt(err, &je);
		return -1;
	}
	if (img_alloc_uninit(page, (int)ci.output_width, (int)ci.output_height, gray ? 1 : 3, err) < 0) {
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW rows[16];
		JDIMENSION n = ci.output_height - ci.output_scanline;
		if (n > 16) n = 16;
		for (JDIMENSION i = 0; i < n; i++) rows[i] = page->data + (size_t)(ci.output_scanline + i) * page->stride;
		if (jpeg_read_scanlines(&ci, rows, n) == 0) break;      /* cannot happen with a memory source */
	}
	bool whole = ci.output_scanline == ci.output_height;
	if (whole) jpeg_finish_decompress(&ci);
	whole = whole && ci.err->num_warnings == 0;
	jpeg_destroy_decompress(&ci);
	if (!whole) {
		img_free(page);
		corrupt(err, &je);
		return -1;
	}
	return 1;
}
