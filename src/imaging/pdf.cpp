// pdf.cpp: see pdf.h.  The only file that knows Poppler.
//
// Poppler reports parse problems through a process-wide callback (to stderr
// by default).  Ours keeps the last message of the calling thread, so a
// worker that fails to open a damaged file can say why without another
// worker's message in between, and nothing reaches the journal unasked.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

extern "C" {
#include "imaging/pdf.h"
}

static thread_local std::string last_poppler_error;

static void keep_error(const std::string &msg, void *)
{
	last_poppler_error = msg;
}

static void quiet_poppler(void)
{
	static std::once_flag once;
	std::call_once(once, [] { poppler::set_debug_error_function(keep_error, nullptr); });
}

extern "C" bool img_is_pdf(const uint8_t *buf, size_t len)
{
	size_t n = len < 1024 ? len : 1024;
	for (size_t i = 0; i + 5 <= n; i++)
		if (buf[i] == '%' && memcmp(buf + i, "%PDF-", 5) == 0) return true;
	return false;
}

// Pixels of a page rendered at dpi: Splash rounds the page's extent up.
static uint64_t page_pixels(const poppler::page &p, int dpi, int *w, int *h)
{
	poppler::rectf r = p.page_rect(poppler::crop_box);
	double wd = std::ceil(std::fabs(r.width()) * dpi / 72.0), hd = std::ceil(std::fabs(r.height()) * dpi / 72.0);
	if (!(wd >= 1 && hd >= 1)) { *w = *h = 0; return 0; }
	if (wd > IMG_MAX_SIDE || hd > IMG_MAX_SIDE) {
		*w = wd > INT_MAX ? INT_MAX : (int)wd;
		*h = hd > INT_MAX ? INT_MAX : (int)hd;
		return UINT64_MAX;
	}
	*w = (int)wd;
	*h = (int)hd;
	if (p.orientation() == poppler::page::landscape || p.orientation() == poppler::page::seascape) std::swap(*w, *h);
	return (uint64_t)*w * (uint64_t)*h;
}

// Check the document as a whole before any page is rendered.
static int check_doc(poppler::document &d, uint64_t max_pixels, img_doc *doc, img_err *err)
{
	if (d.is_locked()) {
		snprintf(err->msg, sizeof err->msg, "PDF is encrypted and needs a password; save it without one");
		return -1;
	}
	int n = d.pages();
	if (n <= 0) {
		snprintf(err->msg, sizeof err->msg, "PDF has no pages");
		return -1;
	}
	if (n > IMG_MAX_PAGES) {
		snprintf(err->msg, sizeof err->msg, "PDF has %d pages, over the limit of %d", n, IMG_MAX_PAGES);
		return -1;
	}
	uint64_t total = 0;
	for (int i = 0; i < n; i++) {
		std::unique_ptr<poppler::page> p(d.create_page(i));
		if (!p) {
			snprintf(err->msg, sizeof err->msg, "PDF page %d cannot be read (damaged file)", i);
			return -1;
		}
		int w, h;
		uint64_t px = page_pixels(*p, IMG_PDF_DPI, &w, &h);
		if (px == 0) {
			snprintf(err->msg, sizeof err->msg, "PDF page %d has no area", i);
			return -1;
		}
		if (i == 0) { doc->info.w = w; doc->info.h = h; }
		total = px == UINT64_MAX || total + px < total ? UINT64_MAX : total + px;
		if (total > max_pixels) {
			if (px == UINT64_MAX)
				snprintf(err->msg, sizeof err->msg, "PDF page %d is %dx%d pixels at %d dpi, over the limit of %d on a side",
					 i, w, h, IMG_PDF_DPI, IMG_MAX_SIDE);
			else
				snprintf(err->msg, sizeof err->msg, "PDF pages 0..%d at %d dpi total %llu pixels, over the limit of %llu",
					 i, IMG_PDF_DPI, (unsigned long long)total, (unsigned long long)max_pixels);
			return -1;
		}
	}
	doc->info.fmt = IMG_FMT_PDF;
	doc->info.npages = n;
	doc->info.pixels = total;
	doc->info.dpi = IMG_PDF_DPI;
	doc->info.channels = 1;
	return 0;
}

static int render(poppler::document &d, img_doc *doc, img_err *err)
{
	poppler::page_renderer r;
	r.set_image_format(poppler::image::format_gray8);
	r.set_render_hint(poppler::page_renderer::antialiasing, true);
	r.set_render_hint(poppler::page_renderer::text_antialiasing, true);
	doc->pages = (img_t *)calloc((size_t)doc->info.npages, sizeof(img_t));
	if (!doc->pages) throw std::bad_alloc();
	for (int i = 0; i < doc->info.npages; i++) {
		std::unique_ptr<poppler::page> p(d.create_page(i));
		last_poppler_error.clear();
		poppler::image im = p ? r.render_page(p.get(), IMG_PDF_DPI, IMG_PDF_DPI) : poppler::image();
		if (!im.is_valid() || im.format() != poppler::image::format_gray8) {
			snprintf(err->msg, sizeof err->msg, "PDF page %d cannot be rendered%s%s", i,
				 last_poppler_error.empty() ? "" : ": ", last_poppler_error.c_str());
			return -1;
		}
		img_t *pg = &doc->pages[i];
		if (img_alloc_uninit(pg, im.width(), im.height(), 1, err) < 0) return -1;
		doc->npages++;
		for (int y = 0; y < im.height(); y++)
			memcpy(pg->data + (size_t)y * pg->stride, im.const_data() + (size_t)y * (size_t)im.bytes_per_row(),
			       (size_t)im.width());
	}
	return 0;
}

extern "C" int img_pdf_load(const uint8_t *buf, size_t len, uint64_t max_pixels, img_doc *doc, img_err *err)
{
	memset(doc, 0, sizeof *doc);
	doc->scale = 1;
	doc->info.fmt = IMG_FMT_PDF;
	if (len > INT_MAX) {
		snprintf(err->msg, sizeof err->msg, "PDF is %zu bytes, larger than %d", len, INT_MAX);
		return -1;
	}
	quiet_poppler();
	try {
		last_poppler_error.clear();
		std::unique_ptr<poppler::document> d(poppler::document::load_from_raw_data((const char *)buf, (int)len));
		if (!d) {
			snprintf(err->msg, sizeof err->msg, "not a readable PDF (damaged or truncated)%s%s",
				 last_poppler_error.empty() ? "" : ": ", last_poppler_error.c_str());
			return -1;
		}
		if (check_doc(*d, max_pixels, doc, err) < 0 || render(*d, doc, err) < 0) goto fail;
		return 0;
	} catch (const std::bad_alloc &) {
		snprintf(err->msg, sizeof err->msg, "rendering PDF: out of memory");
	} catch (const std::exception &e) {
		snprintf(err->msg, sizeof err->msg, "rendering PDF: %s", e.what());
	} catch (...) {
		snprintf(err->msg, sizeof err->msg, "rendering PDF: unexpected error");
	}
fail:
	img_doc_free(doc);
	return -1;
}
