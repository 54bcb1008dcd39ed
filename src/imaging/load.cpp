// load.cpp: bytes -> pages through OpenCV's decoders, after the header probe
// (a PDF goes to pdf.cpp instead).
//
// OpenCV 4.6 cannot decode a multi-page TIFF from memory (no imdecodemulti),
// so such a file is written to an anonymous memfd and read back through
// /proc/self/fd/N: nothing touches the file system and the fd dies with us.
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <new>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

extern "C" {
#include "imaging/load.h"
#include "imaging/jpeg.h"
#include "imaging/pdf.h"
#include "imaging/png.h"
#include "imaging/tiff_msg.h"
}

extern "C" void img_load_opts_default(img_load_opts *o)
{
	o->max_pixels = 100000000ULL;
	o->min_dpi = 150;
	o->name = NULL;
}

extern "C" int img_jpeg_scale(const img_info *info, int min_dpi)
{
	if (info->fmt != IMG_FMT_JPEG || info->npages != 1 || min_dpi <= 0) return 1;
	int side = info->w > info->h ? info->w : info->h;
	// A header dpi is trusted only when plausible for a scan; otherwise assume
	// the page is no bigger than A4 (11.7 in), which can only underestimate.
	int dpi = (info->dpi >= 100 && info->dpi <= 2400) ? info->dpi : (int)(side / 11.69 + 0.5);
	for (int s = 4; s > 1; s /= 2)
		if (dpi / s >= min_dpi && side / s >= 1200) return s;
	return 1;
}

#define CV_MAX_PIXELS_ENV "OPENCV_IO_MAX_IMAGE_PIXELS"
#define CV_MAX_PIXELS_DEFAULT (1ULL << 30)   // OpenCV 4.6's, loadsave.cpp

extern "C" uint64_t img_decoder_limit(void)
{
	const char *v = getenv(CV_MAX_PIXELS_ENV);
	char *end;
	unsigned long long n = v ? strtoull(v, &end, 10) : 0;
	return v && *v && !*end && n > 0 ? n : CV_MAX_PIXELS_DEFAULT;
}

extern "C" int img_decoder_limit_reexec(uint64_t max_pixels, char **argv)
{
	if (img_decoder_limit() == max_pixels) return 0;
	char v[32];
	snprintf(v, sizeof v, "%llu", (unsigned long long)max_pixels);
	if (setenv(CV_MAX_PIXELS_ENV, v, 1) < 0) return -1;
	execv("/proc/self/exe", argv);
	return -1;
}

static void quiet_opencv(void)
{
	static std::once_flag once;
	// OpenCV 4.6 reports a corrupt file both through its logger and straight
	// to std::cerr (imdecode_); we return the error as a value instead.  No
	// C++ code of ours writes to std::cerr, so it is closed for good.
	std::call_once(once, [] {
		cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
		std::cerr.rdbuf(nullptr);
		// OpenCV sets libtiff's handlers (to silent ones) the first time
		// it encodes or decodes a TIFF; let it do so on a 1x1 page now, so
		// that ours, set after, stay (tiff_msg.h).
		try {
			std::vector<uchar> tif;
			cv::Mat one(1, 1, CV_8UC1, cv::Scalar(0));
			if (cv::imencode(".tif", one, tif)) cv::imdecode(tif, cv::IMREAD_ANYCOLOR);
		} catch (...) {
		}
		img_tiff_msgs_install();
	});
}

extern "C" void img_decoders_init(void) { quiet_opencv(); }

// Normalise a decoded Mat to 8-bit gray or BGR and copy it into an img_t.
static int to_img(const cv::Mat &m0, img_t *out, img_err *err)
{
	cv::Mat m = m0;
	if (m.depth() != CV_8U) {
		double k = m.depth() == CV_16U ? 1.0 / 257 : 1.0;
		m.convertTo(m, CV_8U, k);
	}
	if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2BGR);
	else if (m.channels() == 2) cv::extractChannel(m, m, 0);
	if (m.channels() != 1 && m.channels() != 3) {
		snprintf(err->msg, sizeof err->msg, "unsupported channel count %d", m.channels());
		return -1;
	}
	if (img_alloc(out, m.cols, m.rows, m.channels(), err) < 0) return -1;
	for (int y = 0; y < m.rows; y++) memcpy(out->data + (size_t)y * out->stride, m.ptr(y), out->stride);
	return 0;
}

// Decode one image, straight into *page when OpenCV's output has the size
// and type the header promises (plain 8-bit gray or colour files do): that
// saves a copy of the whole page.  Otherwise (16-bit, alpha, palette, an
// EXIF rotation) OpenCV allocates its own Mat, *page is freed, and the
// caller copies m with to_img.  Returns false when the data do not decode.
static bool decode_into(const uint8_t *buf, size_t len, int flags, int w, int h, int ch, img_t *page, cv::Mat &m)
{
	img_err ignored;
	if (w > 0 && h > 0 && img_alloc_uninit(page, w, h, ch, &ignored) == 0)
		m = cv::Mat(h, w, ch == 3 ? CV_8UC3 : CV_8UC1, page->data, page->stride);
	cv::Mat raw(1, (int)len, CV_8UC1, (void *)buf);
	try {
		cv::imdecode(raw, flags, &m);
	} catch (...) {
		img_free(page);
		throw;
	}
	if (!page->data || m.data != page->data) img_free(page);
	return !m.empty();
}

static int read_multi(const uint8_t *buf, size_t len, std::vector<cv::Mat> &mats, img_err *err)
{
	int fd = memfd_create("digitd-tiff", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(err->msg, sizeof err->msg, "memfd_create: %s", strerror(errno));
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) {
			snprintf(err->msg, sizeof err->msg, "writing TIFF to memfd: %s", strerror(errno));
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	bool ok = false;
	try {
		ok = cv::imreadmulti(path, mats, cv::IMREAD_ANYCOLOR);
	} catch (...) {
		close(fd);
		throw;
	}
	if (close(fd) < 0) {
		snprintf(err->msg, sizeof err->msg, "close memfd: %s", strerror(errno));
		return -1;
	}
	if (!ok || mats.empty()) {
		snprintf(err->msg, sizeof err->msg, "cannot decode the multi-page TIFF (corrupt or truncated)");
		return -1;
	}
	return 0;
}

// Catches libtiff's messages for the decode in this scope (tiff_msg.h).
struct tiff_scope {
	img_tiff_msgs m;
	bool on;
	tiff_scope(bool tiff, const char *name) : m(), on(tiff) { if (on) img_tiff_msgs_begin(&m, name); }
	~tiff_scope() { if (on) img_tiff_msgs_end(); }
	bool failed(img_err *err) const
	{
		if (!on || !m.failed) return false;
		snprintf(err->msg, sizeof err->msg, "damaged TIFF (libtiff: %s)", m.first);
		return true;
	}
};

extern "C" int img_load(const uint8_t *buf, size_t len, const img_load_opts *o, img_doc *doc, img_err *err)
{
	memset(doc, 0, sizeof *doc);
	doc->scale = 1;
	if (img_is_pdf(buf, len)) return img_pdf_load(buf, len, o->max_pixels, doc, err);
	if (img_probe(buf, len, o->max_pixels, &doc->info, err) < 0) return -1;
	quiet_opencv();
	img_t direct = {};
	try {
		std::vector<cv::Mat> mats;
		/* The common cases first, without OpenCV (png.h, jpeg.h say why). */
		int s = img_jpeg_scale(&doc->info, o->min_dpi), fast = 0;
		if (doc->info.fmt == IMG_FMT_PNG) fast = img_png_decode(buf, len, &direct, err);
		if (doc->info.fmt == IMG_FMT_PNG && fast == 0) fast = img_png_decode_lib(buf, len, &direct, err);
		if (doc->info.fmt == IMG_FMT_JPEG) fast = img_jpeg_decode(buf, len, s, &direct, err);
		if (fast == 0 && doc->info.fmt == IMG_FMT_JPEG && img_jpeg_check(buf, len, err) < 0) fast = -1;
		if (fast < 0) goto fail;
		if (fast == 1) {
			mats.push_back(cv::Mat(direct.h, direct.w, direct.ch == 3 ? CV_8UC3 : CV_8UC1, direct.data, direct.stride));
			doc->scale = s;
		} else if (doc->info.fmt == IMG_FMT_TIFF && doc->info.npages > 1) {
			tiff_scope msgs(true, o->name);
			if (read_multi(buf, len, mats, err) < 0) return -1;
			if (msgs.failed(err)) goto fail;
		} else {
			tiff_scope msgs(doc->info.fmt == IMG_FMT_TIFF, o->name);
			int flags = s == 4 ? cv::IMREAD_REDUCED_COLOR_4 : s == 2 ? cv::IMREAD_REDUCED_COLOR_2 : cv::IMREAD_ANYCOLOR;
			if (s > 1 && doc->info.channels == 1)
				flags = s == 4 ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_GRAYSCALE_2;
			/* libjpeg's reduced size rounds up */
			int w = (doc->info.w + s - 1) / s, h = (doc->info.h + s - 1) / s, ch = doc->info.channels == 1 ? 1 : 3;
			cv::Mat m;
			if (!decode_into(buf, len, flags, w, h, ch, &direct, m)) {
				if (msgs.failed(err)) goto fail;
				snprintf(err->msg, sizeof err->msg, "cannot decode the %s image (corrupt or truncated)",
					 img_format_name(doc->info.fmt));
				goto fail;
			}
			if (msgs.failed(err)) goto fail;
			doc->scale = s;
			mats.push_back(m);
		}
		uint64_t total = 0;
		for (const cv::Mat &m : mats) total += (uint64_t)m.cols * (uint64_t)m.rows;
		if (total > o->max_pixels) {
			snprintf(err->msg, sizeof err->msg, "decoded pages total %llu pixels, over the limit",
				 (unsigned long long)total);
			goto fail;
		}
		doc->pages = (img_t *)calloc(mats.size(), sizeof(img_t));
		if (!doc->pages) throw std::bad_alloc();
		for (size_t i = 0; i < mats.size(); i++) {
			if (direct.data) {
				doc->pages[i] = direct;         /* decoded in place: now the doc's */
				direct = img_t{};
			} else if (to_img(mats[i], &doc->pages[i], err) < 0) {
				goto fail;
			}
			doc->npages++;
		}
		return 0;
	} catch (const cv::Exception &e) {
		if (strstr(e.what(), "CV_IO_MAX_IMAGE_PIXELS"))
			snprintf(err->msg, sizeof err->msg, "%s image of %dx%d pixels is over the limit of %llu pixels of "
				 "OpenCV's decoder (max_pixels when digitd started)", img_format_name(doc->info.fmt),
				 doc->info.w, doc->info.h, (unsigned long long)img_decoder_limit());
		else
			snprintf(err->msg, sizeof err->msg, "decoding %s: %s", img_format_name(doc->info.fmt), e.what());
	} catch (const std::bad_alloc &) {
		snprintf(err->msg, sizeof err->msg, "decoding %s: out of memory", img_format_name(doc->info.fmt));
	}
fail:
	img_free(&direct);
	img_doc_free(doc);
	return -1;
}

extern "C" void img_doc_free(img_doc *doc)
{
	if (!doc) return;
	for (int i = 0; i < doc->npages; i++) img_free(&doc->pages[i]);
	free(doc->pages);
	doc->pages = NULL;
	doc->npages = 0;
}
