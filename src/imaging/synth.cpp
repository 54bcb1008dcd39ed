// synth.cpp: the affine warp for the synthetic-data generators.
// Thin wrappers: the point is only that no OpenCV type or exception crosses
// into C.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <new>

extern "C" {
#include "imaging/synth.h"
}

static cv::Mat as_mat(const img_t *im)
{
	return cv::Mat(im->h, im->w, im->ch == 3 ? CV_8UC3 : CV_8UC1, im->data, im->stride);
}

extern "C" int img_warp_affine(const img_t *src, img_t *dst, const double m[6], int w, int h, img_color border,
			       img_err *err)
{
	if (img_alloc(dst, w, h, src->ch, err) < 0) return -1;
	try {
		cv::Mat M = (cv::Mat_<double>(2, 3) << m[0], m[1], m[2], m[3], m[4], m[5]);
		cv::Scalar b = src->ch == 3 ? cv::Scalar(border.b, border.g, border.r) : cv::Scalar(border.b);
		cv::Mat d = as_mat(dst);
		cv::warpAffine(as_mat(src), d, M, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, b);
		return 0;
	} catch (const cv::Exception &e) {
		snprintf(err->msg, sizeof err->msg, "affine warp: %s", e.what());
	} catch (const std::bad_alloc &) {
		snprintf(err->msg, sizeof err->msg, "affine warp: out of memory");
	}
	img_free(dst);
	return -1;
}
