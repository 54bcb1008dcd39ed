// draw.cpp: drawing and writing images (overlays, sample generation).
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

extern "C" {
#include "imaging/draw.h"
}

static cv::Mat as_mat(const img_t *im)
{
	return cv::Mat(im->h, im->w, im->ch == 3 ? CV_8UC3 : CV_8UC1, im->data, im->stride);
}

static cv::Scalar scalar(const img_t *im, img_color c)
{
	return im->ch == 3 ? cv::Scalar(c.b, c.g, c.r) : cv::Scalar(c.b);
}

static const int fonts[] = {
	cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX, cv::FONT_HERSHEY_COMPLEX,
	cv::FONT_HERSHEY_TRIPLEX, cv::FONT_HERSHEY_SCRIPT_SIMPLEX, cv::FONT_HERSHEY_COMPLEX | cv::FONT_ITALIC,
	cv::FONT_HERSHEY_PLAIN, cv::FONT_HERSHEY_SCRIPT_COMPLEX, cv::FONT_HERSHEY_SIMPLEX | cv::FONT_ITALIC,
};

static int font_of(int f)
{
	return fonts[(f < 0 || f >= (int)(sizeof fonts / sizeof fonts[0])) ? 0 : f];
}

// Drawing cannot meaningfully fail on a valid image; errors are swallowed so
// an overlay problem never costs a document.
extern "C" void img_draw_line(img_t *im, int x0, int y0, int x1, int y1, img_color c, int thickness)
{
	try {
		cv::Mat m = as_mat(im);
		cv::line(m, cv::Point(x0, y0), cv::Point(x1, y1), scalar(im, c), thickness, cv::LINE_AA);
	} catch (...) {
	}
}

extern "C" void img_draw_rect(img_t *im, int x, int y, int w, int h, img_color c, int thickness)
{
	try {
		cv::Mat m = as_mat(im);
		cv::rectangle(m, cv::Rect(x, y, w, h), scalar(im, c), thickness < 0 ? cv::FILLED : thickness,
			      cv::LINE_8);
	} catch (...) {
	}
}

extern "C" void img_draw_text(img_t *im, const char *text, int x, int y, double scale, img_color c, int thickness,
			      int font)
{
	try {
		cv::Mat m = as_mat(im);
		cv::putText(m, text, cv::Point(x, y), font_of(font), scale, scalar(im, c), thickness, cv::LINE_AA);
	} catch (...) {
	}
}

extern "C" void img_text_size(const char *text, double scale, int thickness, int font, int *w, int *h)
{
	*w = *h = 0;
	try {
		int base = 0;
		cv::Size s = cv::getTextSize(text, font_of(font), scale, thickness, &base);
		*w = s.width;
		*h = s.height;
	} catch (...) {
	}
}

extern "C" int img_to_bgr(const img_t *src, img_t *dst, img_err *err)
{
	if (img_alloc(dst, src->w, src->h, 3, err) < 0) return -1;
	try {
		cv::Mat s = as_mat(src), d = as_mat(dst);
		if (src->ch == 3)
			s.copyTo(d);
		else
			cv::cvtColor(s, d, cv::COLOR_GRAY2BGR);
		return 0;
	} catch (const cv::Exception &e) {
		snprintf(err->msg, sizeof err->msg, "gray to BGR: %s", e.what());
	} catch (const std::bad_alloc &) {
		snprintf(err->msg, sizeof err->msg, "gray to BGR: out of memory");
	}
	img_free(dst);
	return -1;
}

static bool ends_with(const std::string &s, const char *suf)
{
	size_t n = strlen(suf);
	if (s.size() < n) return false;
	return strcasecmp(s.c_str() + s.size() - n, suf) == 0;
}

extern "C" int img_write(const char *path, const img_t *pages, int n, int quality, img_err *err)
{
	try {
		std::string p(path);
		bool tiff = ends_with(p, ".tif") || ends_with(p, ".tiff");
		if (n < 1 || (n > 1 && !tiff)) {
			snprintf(err->msg, sizeof err->msg, "%s: %d pages can only be written as TIFF", path, n);
			return -1;
		}
		std::vector<int> params;
		if (ends_with(p, ".jpg") || ends_with(p, ".jpeg"))
			params = { cv::IMWRITE_JPEG_QUALITY, quality };
		else if (ends_with(p, ".webp"))
			params = { cv::IMWRITE_WEBP_QUALITY, quality };
		else if (tiff)
			params = { cv::IMWRITE_TIFF_COMPRESSION, 8 /* deflate */ };
		std::vector<cv::Mat> mats;
		for (int i = 0; i < n; i++) mats.push_back(as_mat(&pages[i]));
		bool ok = n == 1 ? cv::imwrite(p, mats[0], params) : cv::imwrite(p, mats, params);
		if (!ok) {
			snprintf(err->msg, sizeof err->msg, "%s: cannot write image (unknown extension or I/O error)", path);
			return -1;
		}
		return 0;
	} catch (const cv::Exception &e) {
		snprintf(err->msg, sizeof err->msg, "%s: %s", path, e.what());
	} catch (const std::bad_alloc &) {
		snprintf(err->msg, sizeof err->msg, "%s: out of memory", path);
	}
	return -1;
}
