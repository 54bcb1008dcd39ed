// image.cpp: img_t lifetime.  Plain malloc'd rows so C code can own and free
// images without knowing about cv::Mat; the bridge wraps them as Mat headers.
#include <cstdlib>
#include <cstring>
#include <cstdio>

extern "C" {
#include "imaging/imaging.h"
}

static int alloc(img_t *im, int w, int h, int ch, bool zero, img_err *err)
{
	memset(im, 0, sizeof *im);
	if (w <= 0 || h <= 0 || (ch != 1 && ch != 3) || (size_t)w * (size_t)h > ((size_t)1 << 31)) {
		snprintf(err->msg, sizeof err->msg, "bad image size %dx%dx%d", w, h, ch);
		return -1;
	}
	size_t stride = (size_t)w * (size_t)ch;
	im->data = (uint8_t *)(zero ? calloc((size_t)h, stride) : malloc((size_t)h * stride));
	if (!im->data) {
		snprintf(err->msg, sizeof err->msg, "out of memory for a %dx%d image", w, h);
		return -1;
	}
	im->w = w; im->h = h; im->ch = ch; im->stride = stride;
	return 0;
}

extern "C" int img_alloc(img_t *im, int w, int h, int ch, img_err *err)
{
	return alloc(im, w, h, ch, true, err);
}

extern "C" int img_alloc_uninit(img_t *im, int w, int h, int ch, img_err *err)
{
	return alloc(im, w, h, ch, false, err);
}

extern "C" void img_free(img_t *im)
{
	if (!im) return;
	free(im->data);
	memset(im, 0, sizeof *im);
}

extern "C" int img_need_gray(const img_t *im, const char *what, img_err *err)
{
	if (im->ch != 1 || im->w <= 0 || im->h <= 0 || !im->data) {
		snprintf(err->msg, sizeof err->msg, "%s: a 1-channel image is required", what);
		return -1;
	}
	return 0;
}

extern "C" int img_clone(const img_t *src, img_t *dst, img_err *err)
{
	if (img_alloc_uninit(dst, src->w, src->h, src->ch, err) < 0) return -1;
	for (int y = 0; y < src->h; y++)
		memcpy(dst->data + (size_t)y * dst->stride, src->data + (size_t)y * src->stride, dst->stride);
	return 0;
}
