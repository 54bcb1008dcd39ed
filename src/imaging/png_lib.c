/* png_lib.c: the PNGs png.c's fast path leaves (16-bit, palette, alpha,
 * interlaced, low bit depths, anything with a bad CRC), decoded with libpng
 * under our own error and warning handlers.
 *
 * Through OpenCV, libpng printed its messages raw to stderr ("libpng
 * warning: ...") and a warning did not stop the decode: a PNG whose
 * ancillary chunk failed its CRC, or that carried garbage after its image
 * data, was read as if whole.  Here, as for JPEG (jpeg.c), any libpng
 * warning or error fails the page with libpng's first message; nothing
 * reaches stderr.  We fail rather than keep a partial page flagged
 * "damaged": libpng either delivers every row or stops with an error, so a
 * warning means the file is damaged somewhere we cannot see, and a page that
 * might be wrong must not be stored as read (a person re-scans it; `digitctl
 * retry` reads it again once replaced).
 *
 * Output is what OpenCV's IMREAD_ANYCOLOR gave: 8-bit gray for gray files,
 * BGR otherwise, palette expanded, alpha dropped, 16-bit reduced to 8. */
#include <png.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/png.h"
#include "imaging/probe.h"

typedef struct {
	const uint8_t *buf;
	size_t len, pos;
	bool warned;
	char first[200];           /* libpng's first warning or error */
	jmp_buf jump;
	/* owned while decoding, here rather than in locals so a longjmp cannot
	 * lose them */
	png_bytep *rows;
	img_t page;
} png_src;

static void note(png_src *s, const char *msg)
{
	if (!s->first[0]) snprintf(s->first, sizeof s->first, "%s", msg ? msg : "unknown error");
}

static void on_error(png_structp png, png_const_charp msg)
{
	png_src *s = png_get_error_ptr(png);
	note(s, msg);
	longjmp(s->jump, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
	png_src *s = png_get_error_ptr(png);
	note(s, msg);
	s->warned = true;
}

static void on_read(png_structp png, png_bytep out, size_t n)
{
	png_src *s = png_get_io_ptr(png);
	if (n > s->len - s->pos) png_error(png, "file truncated");
	memcpy(out, s->buf + s->pos, n);
	s->pos += n;
}

int img_png_decode_lib(const uint8_t *buf, size_t len, img_t *page, img_err *err)
{
	png_src s;
	memset(&s, 0, sizeof s);
	s.buf = buf;
	s.len = len;
	memset(page, 0, sizeof *page);
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int ret = -1;
	if (!info) {
		snprintf(err->msg, sizeof err->msg, "out of memory starting libpng");
		goto out;
	}
	if (setjmp(s.jump)) {
		snprintf(err->msg, sizeof err->msg, "corrupt or truncated PNG (libpng: %s)", s.first);
		goto out;
	}
	png_set_read_fn(png, &s, on_read);
	/* a bad CRC on any chunk is damage, not something to skip */
	png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
	/* colour-profile lint is about metadata, not the pixels: not asked */
	png_set_option(png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);
	png_set_user_limits(png, IMG_MAX_SIDE, IMG_MAX_SIDE);
	png_read_info(png, info);
#ifdef PNG_eXIf_SUPPORTED
	if (png_get_valid(png, info, PNG_INFO_eXIf)) {
		/* an EXIF orientation OpenCV applies (png.h): its path, as before */
		ret = 0;
		goto out;
	}
#endif
	int color = png_get_color_type(png, info);
	png_set_expand(png);          /* palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha */
	png_set_strip_16(png);
	png_set_strip_alpha(png);
	int ch = (color & PNG_COLOR_MASK_COLOR) ? 3 : 1;
	if (ch == 3) png_set_bgr(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	if (png_get_rowbytes(png, info) != (size_t)w * ch) png_error(png, "unexpected row layout after transforms");
	if (img_alloc_uninit(&s.page, (int)w, (int)h, ch, err) < 0) {
		snprintf(err->msg, sizeof err->msg, "out of memory decoding a PNG");
		goto out;
	}
	s.rows = malloc(h * sizeof *s.rows);
	if (!s.rows) {
		snprintf(err->msg, sizeof err->msg, "out of memory decoding a PNG");
		goto out;
	}
	for (png_uint_32 y = 0; y < h; y++) s.rows[y] = s.page.data + (size_t)y * s.page.stride;
	png_read_image(png, s.rows);
	/* through IEND: a damaged chunk after the image data counts too */
	png_read_end(png, NULL);
	if (s.warned) {
		snprintf(err->msg, sizeof err->msg, "damaged PNG (libpng: %s)", s.first);
		goto out;
	}
	*page = s.page;
	s.page = (img_t){ 0 };
	ret = 1;
out:
	png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
	free(s.rows);
	img_free(&s.page);
	return ret;
}
