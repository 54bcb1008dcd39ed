// fuzz_load: libFuzzer target over the fast PNG and JPEG decoders alone
// (src/imaging/png.c, jpeg.c), without cleaning or segmentation, so it runs
// many times faster than fuzz_page.
//
// As img_load does, the header is probed first with a small pixel budget;
// then the fast decoder is called directly (a JPEG at the reduction 1, 2, 4
// or 8 picked from the input's length).  Invariants checked, besides the
// sanitizers': a decoded page has exactly the size the header promised (the
// budget was checked on the header, so a page larger than promised would be
// a way past it), and it is the image OpenCV decodes from the same bytes.
// A file OpenCV refuses while the fast path decodes it is counted and
// printed at exit, not a crash: it is a fidelity question, not a memory one.
// Built and run by scripts/fuzz.sh load (`make fuzz-load`).
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <libdeflate.h>

extern "C" {
#include "imaging/jpeg.h"
#include "imaging/png.h"
#include "imaging/probe.h"
}

static unsigned long accepted_refused;  // fast path decoded, OpenCV refused

// A mutated PNG chunk almost never keeps its CRC, and the fast path hands
// any bad CRC to OpenCV: without this, inflate and the filters would only
// ever see the seeds.  Every chunk's CRC is recomputed (on even-length
// inputs; odd ones keep theirs, so the CRC check is fuzzed too).
static void fix_png_crcs(uint8_t *b, size_t len)
{
	for (size_t off = 8; off + 12 <= len;) {
		uint32_t n = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 | (uint32_t)b[off + 2] << 8 | b[off + 3];
		if (n > len - off - 12) return;
		uint32_t c = libdeflate_crc32(0, b + off + 4, (size_t)n + 4);
		uint8_t *q = b + off + 8 + n;
		q[0] = (uint8_t)(c >> 24), q[1] = (uint8_t)(c >> 16), q[2] = (uint8_t)(c >> 8), q[3] = (uint8_t)c;
		off += 12 + (size_t)n;
	}
}

static void report(void)
{
	if (accepted_refused) fprintf(stderr, "fuzz_load: %lu inputs decoded by the fast path that OpenCV refuses\n", accepted_refused);
}

static int check(const uint8_t *data, size_t size, const img_info *ip);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		once = true;
		cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
		atexit(report);
	}
	img_info info;
	img_err err;
	if (img_probe(data, size, 4000000, &info, &err) < 0) return 0;
	uint8_t *copy = NULL;
	if (info.fmt == IMG_FMT_PNG && size % 2 == 0 && (copy = (uint8_t *)malloc(size))) {
		memcpy(copy, data, size);
		fix_png_crcs(copy, size);
		data = copy;
	}
	int rc = check(data, size, &info);
	free(copy);
	return rc;
}

static int check(const uint8_t *data, size_t size, const img_info *ip)
{
	const img_info &info = *ip;
	img_err err;
	img_t page;
	int scale = 1, rc;
	if (info.fmt == IMG_FMT_PNG) {
		rc = img_png_decode(data, size, &page, &err);
	} else if (info.fmt == IMG_FMT_JPEG) {
		scale = 1 << (size % 4);
		rc = img_jpeg_decode(data, size, scale, &page, &err);
	} else {
		return 0;
	}
	if (rc != 1) {
		if (page.data) abort();         // "0 or -1: *page empty"
		return 0;
	}
	int w = (info.w + scale - 1) / scale, h = (info.h + scale - 1) / scale;
	if (page.w != w || page.h != h || (page.ch != 1 && page.ch != 3)) {
		fprintf(stderr, "fast decode gave %dx%dx%d, header promised %dx%d at 1/%d\n", page.w, page.h, page.ch,
			info.w, info.h, scale);
		abort();
	}
	// The same bytes through OpenCV, as img_load would without the fast path.
	int flags = cv::IMREAD_ANYCOLOR;
	if (scale == 2) flags = page.ch == 1 ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2;
	if (scale == 4) flags = page.ch == 1 ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4;
	if (scale == 8) flags = page.ch == 1 ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8;
	cv::Mat ref;
	try {
		ref = cv::imdecode(cv::Mat(1, (int)size, CV_8UC1, (void *)data), flags);
	} catch (const cv::Exception &) {
	}
	if (ref.empty()) {
		accepted_refused++;
	} else {
		cv::Mat mine(page.h, page.w, page.ch == 3 ? CV_8UC3 : CV_8UC1, page.data, page.stride);
		if (ref.size() != mine.size() || ref.type() != mine.type() || cv::norm(ref, mine, cv::NORM_INF) != 0) {
			fprintf(stderr, "fast decode differs from OpenCV's (%dx%d type %d vs %dx%d type %d)\n", page.w,
				page.h, mine.type(), ref.cols, ref.rows, ref.type());
			abort();
		}
	}
	img_free(&page);
	return 0;
}
