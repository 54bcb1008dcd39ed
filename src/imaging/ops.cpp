// ops.cpp: filters, thresholds, morphology and warps over OpenCV.
//
// dst is allocated with img_alloc_uninit (every function writes all of it)
// before OpenCV runs and wrapped as a Mat header, so OpenCV writes straight
// into memory C owns (create() on a Mat of the right size and type is a
// no-op).  Each entry point catches everything.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

extern "C" {
#include "imaging/ops.h"
}

static cv::Mat as_mat(const img_t *im)
{
	return cv::Mat(im->h, im->w, im->ch == 3 ? CV_8UC3 : CV_8UC1, im->data, im->stride);
}

#define GUARD_BEGIN try {
#define GUARD_END(stage, dst)                                                              \
	}                                                                                 \
	catch (const cv::Exception &e)                                                    \
	{                                                                                 \
		snprintf(err->msg, sizeof err->msg, "%s: %s", stage, e.what());           \
	}                                                                                 \
	catch (const std::bad_alloc &)                                                    \
	{                                                                                 \
		snprintf(err->msg, sizeof err->msg, "%s: out of memory", stage);          \
	}                                                                                 \
	img_free(dst);                                                                    \
	return -1;

// The sparse sample ink_score reads: every step-th pixel of every step-th
// row, about 100 000 points at most (the darkest 0.3 % is still 300 of
// them: percentiles that need no more).
static int score_step(const cv::Mat &m)
{
	int cap = (int)std::sqrt((double)m.rows * (double)m.cols / 100000.0);
	return std::max(std::max(1, std::min(m.rows, m.cols) / 400), cap);
}

// Percentile q of a histogram of n samples.
static int hist_pct(const long hist[256], long n, double q)
{
	long want = (long)(q * (double)n), acc = 0;
	for (int v = 0; v < 256; v++)
		if ((acc += hist[v]) > want) return v;
	return 255;
}

// Contrast score of a histogram: how far the darkest 0.3 % lies below the
// paper (60th percentile), over the paper's spread.
static double hist_score(const long hist[256], long n)
{
	int ink = hist_pct(hist, n, 0.003), low = hist_pct(hist, n, 0.20), paper = hist_pct(hist, n, 0.60);
	return (double)(paper - ink) / (4.0 + (double)(paper - low));
}

// OpenCV 4's BGR -> gray for 8-bit pixels (cvtColor's fixed point, 15
// bits), so a luminance computed here at a sample point is the one
// cvtColor gives (test_imaging checks it on every byte triple it tries).
static inline uint8_t luma(const uint8_t *p)
{
	return (uint8_t)((p[0] * 3735 + p[1] * 19235 + p[2] * 9798 + (1 << 14)) >> 15);
}

// A single plane must not hide the writing: a red pen is paper-bright in
// the red plane, which on a cream cheque with black print has the best
// contrast (held-out cheque-056: all 16 digits vanished).  Of the samples
// that are ink in luminance (darker than halfway from the paper to the
// darkest 0.3 %), those that plane c shows as paper by the same halfway
// rule *and* that are a pen's saturated colour (c over both other planes
// by PEN_CHROMA_MIN levels) are hidden writing; over HIDDEN_INK_MAX of the
// ink, plane c is not used.  Brown or orange print, which the red plane
// is chosen to hide, is not that saturated (samples/cheque-07: 0 % of its
// ink; the red-pen pages of make eval-heldout: 6-64 %).
#define HIDDEN_INK_MAX 0.05
#define PEN_CHROMA_MIN 80       /* levels of 255 */

// Contrast scores of luminance (score[3]) and of each channel (score[0..2])
// of a BGR image, from the same sparse sample points; hidden[c], the share
// of luminance ink that plane c shows as paper.
static void channel_scores(const cv::Mat &bgr, double score[4], double hidden[3])
{
	long hist[4][256] = { { 0 } }, n = 0;
	int step = score_step(bgr);
	for (int y = 0; y < bgr.rows; y += step) {
		const uint8_t *p = bgr.ptr<uint8_t>(y);
		for (int x = 0; x < bgr.cols; x += step, n++) {
			for (int c = 0; c < 3; c++) hist[c][p[3 * x + c]]++;
			hist[3][luma(p + 3 * x)]++;
		}
	}
	for (int c = 0; c < 4; c++) score[c] = hist_score(hist[c], n);
	int mid[4];
	for (int c = 0; c < 4; c++) mid[c] = (hist_pct(hist[c], n, 0.003) + hist_pct(hist[c], n, 0.60)) / 2;
	long ink = 0, hid[3] = { 0, 0, 0 };
	for (int y = 0; y < bgr.rows; y += step) {
		const uint8_t *p = bgr.ptr<uint8_t>(y);
		for (int x = 0; x < bgr.cols; x += step) {
			if (luma(p + 3 * x) >= mid[3]) continue;
			ink++;
			const uint8_t *q = p + 3 * x;
			for (int c = 0; c < 3; c++) {
				int other = std::max(q[(c + 1) % 3], q[(c + 2) % 3]);
				hid[c] += q[c] >= mid[c] && q[c] - other >= PEN_CHROMA_MIN;
			}
		}
	}
	for (int c = 0; c < 3; c++) hidden[c] = ink > 0 ? (double)hid[c] / (double)ink : 0;
}

extern "C" int img_ink_gray(const img_t *src, img_t *dst, int *which, img_err *err)
{
	*which = -1;
	*dst = img_t{};
	if (src->ch == 1) return img_clone(src, dst, err);
	GUARD_BEGIN
	cv::Mat s = as_mat(src);
	double sc[4], hidden[3];
	channel_scores(s, sc, hidden);
	double best = sc[3];
	int bestc = -1;
	// Not the blue channel (c = 0): blue, the commonest pen colour, is
	// paper-bright there, and on a cream cheque with brown print that
	// channel's contrast, all print, is the highest.
	for (int c = 1; c < 3; c++) {
		// A single channel must be clearly better to beat luminance, which
		// averages noise away.
		if (sc[c] > best * 1.15 && hidden[c] <= HIDDEN_INK_MAX) best = sc[c], bestc = c;
	}
	// Only the plane chosen is made: the scores came from samples.
	*which = bestc;
	if (bestc >= 0) return img_plane(src, bestc, dst, err);
	if (img_alloc_uninit(dst, src->w, src->h, 1, err) < 0) return -1;
	cv::Mat d = as_mat(dst);
	cv::cvtColor(s, d, cv::COLOR_BGR2GRAY);
	return 0;
	GUARD_END("ink channel", dst)
}

extern "C" int img_paper_level(const img_t *gray, int stroke, int shrink, img_t *dst, img_t *mean, img_err *err)
{
	if (mean) *mean = img_t{};
	if (img_need_gray(gray, "flatten", err) < 0) return -1;
	if (shrink < 1) shrink = 1;
	int sw = std::max(1, gray->w / shrink), sh = std::max(1, gray->h / shrink);
	if (img_alloc_uninit(dst, sw, sh, 1, err) < 0) return -1;
	GUARD_BEGIN
	cv::Mat s = as_mat(gray), bg = as_mat(dst), small;
	// Whole shrink x shrink blocks (the last few rows and columns left
	// out) take OpenCV's block-average path, 3-4x faster on a page than
	// the general area resampling a ratio like 1754/438 takes; the
	// background is smooth, so the stretch back to full size does not
	// care.
	cv::Rect blocks(0, 0, std::min(gray->w, sw * shrink), std::min(gray->h, sh * shrink));
	cv::resize(s(blocks), small, cv::Size(sw, sh), 0, 0, cv::INTER_AREA);
	if (mean) {
		if (img_alloc_uninit(mean, sw, sh, 1, err) < 0) {
			img_free(dst);
			return -1;
		}
		cv::Mat m = as_mat(mean);
		small.copyTo(m);
	}
	int k = 2 * std::max(1, stroke / shrink) + 3;
	// A square is separable (two 1-D passes), an ellipse is not: on a page
	// that is the difference between 2 and 50 ms, for the same background.
	cv::Mat ker = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k));
	cv::morphologyEx(small, small, cv::MORPH_CLOSE, ker);
	cv::blur(small, bg, cv::Size(k, k));
	// Paper darker than 1/8 of white is not paper: keep the division sane.
	cv::max(bg, 32, bg);
	return 0;
	} catch (const cv::Exception &e) {
		snprintf(err->msg, sizeof err->msg, "flatten: %s", e.what());
	} catch (const std::bad_alloc &) {
		snprintf(err->msg, sizeof err->msg, "flatten: out of memory");
	}
	if (mean) img_free(mean);
	img_free(dst);
	return -1;
}

extern "C" int img_median(const img_t *src, int k, img_t *dst, img_err *err)
{
	if (img_alloc_uninit(dst, src->w, src->h, src->ch, err) < 0) return -1;
	GUARD_BEGIN
	cv::Mat d = as_mat(dst);
	cv::medianBlur(as_mat(src), d, k | 1);
	return 0;
	GUARD_END("median", dst)
}

extern "C" int img_gaussian(const img_t *src, double sigma, img_t *dst, img_err *err)
{
	if (img_alloc_uninit(dst, src->w, src->h, src->ch, err) < 0) return -1;
	GUARD_BEGIN
	cv::Mat d = as_mat(dst);
	cv::GaussianBlur(as_mat(src), d, cv::Size(0, 0), sigma);
	return 0;
	GUARD_END("gaussian", dst)
}

extern "C" int img_threshold_sauvola(const img_t *gray, int win, double k, img_t *dst, img_err *err)
{
	if (img_need_gray(gray, "sauvola", err) < 0) return -1;
	if (img_alloc_uninit(dst, gray->w, gray->h, 1, err) < 0) return -1;
	GUARD_BEGIN
	cv::Mat s = as_mat(gray), f, mean, sq, d = as_mat(dst);
	s.convertTo(f, CV_32F);
	cv::Size ks(win | 1, win | 1);
	cv::boxFilter(f, mean, CV_32F, ks, cv::Point(-1, -1), true, cv::BORDER_REPLICATE);
	cv::sqrBoxFilter(f, sq, CV_32F, ks, cv::Point(-1, -1), true, cv::BORDER_REPLICATE);
	for (int y = 0; y < s.rows; y++) {
		const float *pf = f.ptr<float>(y), *pm = mean.ptr<float>(y), *ps = sq.ptr<float>(y);
		uint8_t *pd = d.ptr<uint8_t>(y);
		for (int x = 0; x < s.cols; x++) {
			float var = std::max(0.0f, ps[x] - pm[x] * pm[x]);
			float t = pm[x] * (1.0f + (float)k * (std::sqrt(var) / 128.0f - 1.0f));
			pd[x] = pf[x] < t ? 255 : 0;
		}
	}
	return 0;
	GUARD_END("sauvola", dst)
}

static int interp_of(int i)
{
	switch (i) {
	case IMG_INTER_NEAREST: return cv::INTER_NEAREST;
	case IMG_INTER_AREA: return cv::INTER_AREA;
	case IMG_INTER_CUBIC: return cv::INTER_CUBIC;
	default: return cv::INTER_LINEAR;
	}
}

extern "C" int img_resize(const img_t *src, int w, int h, int interp, img_t *dst, img_err *err)
{
	if (img_alloc_uninit(dst, w, h, src->ch, err) < 0) return -1;
	GUARD_BEGIN
	cv::Mat d = as_mat(dst);
	cv::resize(as_mat(src), d, cv::Size(w, h), 0, 0, interp_of(interp));
	return 0;
	GUARD_END("resize", dst)
}

extern "C" int img_rotate(const img_t *src, double deg, uint8_t fill, int interp, img_t *dst, img_err *err)
{
	if (img_alloc_uninit(dst, src->w, src->h, src->ch, err) < 0) return -1;
	GUARD_BEGIN
	cv::Mat d = as_mat(dst);
	cv::Point2f c((float)(src->w - 1) / 2.0f, (float)(src->h - 1) / 2.0f);
	cv::Mat rot = cv::getRotationMatrix2D(c, deg, 1.0);
	cv::warpAffine(as_mat(src), d, rot, d.size(), interp_of(interp), cv::BORDER_CONSTANT,
		       cv::Scalar(fill, fill, fill));
	return 0;
	GUARD_END("rotate", dst)
}

extern "C" int img_morph(const img_t *src, int op, int kw, int kh, bool ellipse, img_t *dst, img_err *err)
{
	if (kw < 1 || kh < 1) {
		snprintf(err->msg, sizeof err->msg, "morphology: bad kernel %dx%d", kw, kh);
		return -1;
	}
	if (img_alloc_uninit(dst, src->w, src->h, src->ch, err) < 0) return -1;
	GUARD_BEGIN
	static const int ops[] = { cv::MORPH_ERODE, cv::MORPH_DILATE, cv::MORPH_OPEN, cv::MORPH_CLOSE };
	cv::Mat d = as_mat(dst);
	cv::Mat ker = cv::getStructuringElement(ellipse ? cv::MORPH_ELLIPSE : cv::MORPH_RECT, cv::Size(kw, kh));
	cv::morphologyEx(as_mat(src), d, ops[op & 3], ker, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
	return 0;
	GUARD_END("morphology", dst)
}

