/* probe.c: header-only identification and size check of image files.
 *
 * Every reader here works on the raw bytes with explicit bounds: a field is
 * read only after checking that it lies inside the buffer, so a truncated or
 * hostile header yields an error, never an out-of-bounds read.  Dimensions
 * are checked against IMG_MAX_SIDE and the caller's pixel budget before the
 * decoder (OpenCV) is ever called. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "imaging/probe.h"

const char *img_format_name(img_format f)
{
	switch (f) {
	case IMG_FMT_PNG: return "PNG";
	case IMG_FMT_JPEG: return "JPEG";
	case IMG_FMT_TIFF: return "TIFF";
	case IMG_FMT_BMP: return "BMP";
	case IMG_FMT_PNM: return "PNM";
	case IMG_FMT_WEBP: return "WebP";
	case IMG_FMT_PDF: return "PDF";
	default: return "unknown";
	}
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

#define FAIL(...) do { snprintf(err->msg, sizeof err->msg, __VA_ARGS__); return -1; } while (0)

/* PNG: signature, then IHDR must be the first chunk; pHYs (if before IDAT) gives dpi. */
static int probe_png(const uint8_t *b, size_t len, img_info *in, img_err *err)
{
	if (len < 33 || memcmp(b + 12, "IHDR", 4) != 0) FAIL("truncated PNG header");
	/* libpng refuses an IHDR of another length; a second IHDR it refuses
	 * only when it meets it: refused here too, so no size but the first
	 * is ever in question */
	if (be32(b + 8) != 13) FAIL("corrupt PNG: IHDR of %u bytes", be32(b + 8));
	in->w = (int)(be32(b + 16) > 0x7fffffff ? 0x7fffffff : be32(b + 16));
	in->h = (int)(be32(b + 20) > 0x7fffffff ? 0x7fffffff : be32(b + 20));
	uint8_t ctype = b[25];
	in->channels = (ctype == 0 || ctype == 4) ? 1 : 3;
	size_t off = 8;
	for (int n = 0; n < 64 && off + 12 <= len; n++) {
		uint32_t clen = be32(b + off);
		if (memcmp(b + off + 4, "IDAT", 4) == 0) break;
		if (off > 8 && memcmp(b + off + 4, "IHDR", 4) == 0) FAIL("corrupt PNG: IHDR given twice");
		if (memcmp(b + off + 4, "pHYs", 4) == 0 && clen >= 9 && off + 8 + 9 <= len && b[off + 16] == 1)
			in->dpi = (int)(be32(b + off + 8) * 0.0254 + 0.5);
		if (clen > len) break;
		off += 12 + (size_t)clen;
	}
	return 0;
}

/* JPEG: walk the marker segments up to the first SOFn (the frame header). */
static int probe_jpeg(const uint8_t *b, size_t len, img_info *in, img_err *err)
{
	size_t off = 2;
	while (off + 4 <= len) {
		if (b[off] != 0xFF) FAIL("corrupt JPEG: marker expected at byte %zu", off);
		uint8_t m = b[off + 1];
		if (m == 0xFF) { off++; continue; }      /* fill byte */
		/* libjpeg skips FF 00 as garbage and looks for the next marker, so a
		 * segment read from here would not be the one libjpeg reads: a frame
		 * header hidden inside it would pass the size check unseen. */
		if (m == 0x00) FAIL("corrupt JPEG: no marker at byte %zu", off);
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) { off += 2; continue; }
		if (m == 0xD9 || m == 0xDA) FAIL("JPEG has no frame header before its scan");
		size_t seg = be16(b + off + 2);
		if (seg < 2) FAIL("corrupt JPEG: segment length %zu", seg);
		const uint8_t *p = b + off + 4;
		if (m == 0xE0 && seg >= 14 && off + 2 + seg <= len && memcmp(p, "JFIF", 5) == 0) {
			uint32_t dens = be16(p + 8);
			if (p[7] == 1) in->dpi = (int)dens;
			else if (p[7] == 2) in->dpi = (int)(dens * 2.54 + 0.5);
		}
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (seg < 8 || off + 2 + 8 > len) FAIL("truncated JPEG frame header");
			in->h = (int)be16(p + 1);
			in->w = (int)be16(p + 3);
			in->channels = p[5] == 1 ? 1 : 3;
			if (in->h == 0) FAIL("JPEG height given later in the stream (DNL) is not supported");
			/* libjpeg makes a pass over the whole image per scan, so a small
			 * progressive file of thousands of empty scans decodes for minutes
			 * (17 ms a scan at 100 MP).  Count the scan headers (FF DA cannot
			 * occur in entropy-coded data; in a table or comment it may, and
			 * only makes the count high). */
			size_t scans = 0;
			for (const uint8_t *q = p, *end = b + len - 1; (q = memchr(q, 0xFF, (size_t)(end - q))); q++)
				if (q[1] == 0xDA && ++scans > IMG_MAX_JPEG_SCANS)
					FAIL("JPEG has more than %d scans", IMG_MAX_JPEG_SCANS);
			return 0;
		}
		off += 2 + seg;
	}
	FAIL("truncated JPEG: no frame header");
}

/* TIFF: follow the IFD chain; every IFD is a page.  Visited offsets are kept
 * so a chain that loops back is refused rather than followed forever. */
static int probe_tiff(const uint8_t *b, size_t len, uint64_t max_pixels, img_info *in, img_err *err)
{
	bool le = b[0] == 'I';
	uint32_t (*u16)(const uint8_t *) = le ? le16 : be16;
	uint32_t (*u32)(const uint8_t *) = le ? le32 : be32;
	if (u16(b + 2) == 43) FAIL("BigTIFF is not supported");
	uint32_t seen[IMG_MAX_PAGES];
	uint32_t off = u32(b + 4);
	int pages = 0;
	while (off != 0) {
		if ((size_t)off + 2 > len) FAIL("truncated TIFF: IFD %d at byte %u is past the end", pages, off);
		for (int i = 0; i < pages; i++)
			if (seen[i] == off) FAIL("corrupt TIFF: IFD chain loops");
		if (pages == IMG_MAX_PAGES) FAIL("TIFF has more than %d pages", IMG_MAX_PAGES);
		seen[pages] = off;
		uint32_t n = u16(b + off);
		if ((size_t)off + 2 + (size_t)n * 12 + 4 > len) FAIL("truncated TIFF: IFD %d", pages);
		uint64_t w = 0, h = 0;
		int spp = 1;
		bool have_w = false, have_h = false, have_spp = false;
		for (uint32_t i = 0; i < n; i++) {
			const uint8_t *e = b + off + 2 + i * 12;
			uint32_t tag = u16(e), type = u16(e + 2);
			uint32_t v = type == 3 ? u16(e + 8) : u32(e + 8);
			/* libtiff keeps the first of duplicate tags; a probe that kept
			 * another would bound the wrong size (a 30000-wide page passed
			 * as 100), so a second size tag is refused outright */
			bool *seen_tag = tag == 256 ? &have_w : tag == 257 ? &have_h : tag == 277 ? &have_spp : NULL;
			if (seen_tag) {
				if (*seen_tag) FAIL("corrupt TIFF: page %d gives tag %u twice", pages, tag);
				*seen_tag = true;
			}
			if (tag == 256) w = v;
			else if (tag == 257) h = v;
			else if (tag == 277) spp = (int)v;
			else if (tag == 282 && type == 5 && pages == 0 && (size_t)v + 8 <= len) {
				uint32_t num = u32(b + v), den = u32(b + v + 4);
				if (den) in->dpi = (int)(num / den);
			}
		}
		if (w == 0 || h == 0) FAIL("TIFF page %d has no width or height", pages);
		if (w > IMG_MAX_SIDE || h > IMG_MAX_SIDE)
			FAIL("TIFF page %d is %llux%llu pixels, larger than %d on a side", pages,
			     (unsigned long long)w, (unsigned long long)h, IMG_MAX_SIDE);
		if (pages == 0) {
			in->w = (int)w;
			in->h = (int)h;
			in->channels = spp >= 3 ? 3 : 1;
		}
		in->pixels += w * h;
		if (in->pixels > max_pixels)
			FAIL("TIFF pages total %llu pixels, over the limit of %llu", (unsigned long long)in->pixels,
			     (unsigned long long)max_pixels);
		pages++;
		off = u32(b + off + 2 + n * 12);
	}
	if (pages == 0) FAIL("TIFF has no pages");
	in->npages = pages;
	return 0;
}

static int probe_bmp(const uint8_t *b, size_t len, img_info *in, img_err *err)
{
	if (len < 26) FAIL("truncated BMP header");
	uint32_t hs = le32(b + 14);
	if (hs == 12) {
		in->w = (int)le16(b + 18);
		in->h = (int)le16(b + 20);
		return 0;
	}
	if (hs < 40 || len < 14 + 40) FAIL("truncated or unknown BMP header (size %u)", hs);
	int32_t w = (int32_t)le32(b + 18), h = (int32_t)le32(b + 22);
	if (w <= 0 || h == 0 || h == INT32_MIN) FAIL("BMP with bad dimensions %dx%d", w, h);
	in->w = w;
	in->h = h < 0 ? -h : h;
	in->channels = le16(b + 28) <= 8 ? 0 : 3;
	int32_t ppm = (int32_t)le32(b + 38);
	if (ppm > 0 && ppm < 1000000) in->dpi = (int)(ppm * 0.0254 + 0.5);
	return 0;
}

/* PNM header: magic, then width, height (and maxval) as decimal tokens
 * separated by whitespace, with '#' comments running to end of line. */
static int pnm_token(const uint8_t *b, size_t len, size_t *off, uint64_t *v)
{
	size_t i = *off;
	for (;;) {
		while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
		if (i < len && b[i] == '#') {
			while (i < len && b[i] != '\n') i++;
			continue;
		}
		break;
	}
	if (i >= len || b[i] < '0' || b[i] > '9') return -1;
	uint64_t x = 0;
	while (i < len && b[i] >= '0' && b[i] <= '9') {
		x = x * 10 + (uint64_t)(b[i] - '0');
		if (x > 1000000000) return -1;
		i++;
	}
	*off = i;
	*v = x;
	return 0;
}

static int probe_pnm(const uint8_t *b, size_t len, img_info *in, img_err *err)
{
	size_t off = 2;
	uint64_t w, h;
	if (pnm_token(b, len, &off, &w) < 0 || pnm_token(b, len, &off, &h) < 0) FAIL("truncated or corrupt PNM header");
	if (w == 0 || h == 0 || w > IMG_MAX_SIDE || h > IMG_MAX_SIDE) FAIL("PNM with bad dimensions %llux%llu",
									    (unsigned long long)w, (unsigned long long)h);
	in->w = (int)w;
	in->h = (int)h;
	in->channels = (b[1] == '3' || b[1] == '6') ? 3 : 1;
	return 0;
}

static int probe_webp(const uint8_t *b, size_t len, img_info *in, img_err *err)
{
	if (len < 30) FAIL("truncated WebP header");
	const uint8_t *c = b + 12, *d = b + 20;
	in->channels = 3;
	if (memcmp(c, "VP8 ", 4) == 0) {
		if (d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a) FAIL("corrupt WebP (VP8 start code)");
		in->w = (int)(le16(d + 6) & 0x3fff);
		in->h = (int)(le16(d + 8) & 0x3fff);
	} else if (memcmp(c, "VP8L", 4) == 0) {
		if (d[0] != 0x2f) FAIL("corrupt WebP (VP8L signature)");
		uint32_t v = le32(d + 1);
		in->w = (int)(v & 0x3fff) + 1;
		in->h = (int)((v >> 14) & 0x3fff) + 1;
	} else if (memcmp(c, "VP8X", 4) == 0) {
		in->w = (int)((uint32_t)d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16) + 1;
		in->h = (int)((uint32_t)d[7] | (uint32_t)d[8] << 8 | (uint32_t)d[9] << 16) + 1;
		/* The canvas (VP8X) and the image inside (VP8 or VP8L) each give a
		 * size; OpenCV allocates the canvas, libwebp decodes the image.
		 * libwebp refuses a still image whose sizes differ, but only after
		 * OpenCV allocated: refused here first, and animations (which OpenCV
		 * 4.6 does not read) with them. */
		if (d[0] & 0x02) FAIL("animated WebP is not supported");
		size_t off = 12 + 8 + le32(b + 16);
		for (int n = 0; n < 64; n++) {
			if (off + 8 > len || off + 8 < off) FAIL("truncated WebP: no image after the VP8X header");
			const uint8_t *cc = b + off, *dd = b + off + 8;
			uint32_t clen = le32(cc + 4);
			int iw = 0, ih = 0;
			if (memcmp(cc, "ANIM", 4) == 0 || memcmp(cc, "ANMF", 4) == 0) FAIL("animated WebP is not supported");
			if (memcmp(cc, "VP8 ", 4) == 0) {
				if (off + 18 > len) FAIL("truncated WebP image header");
				iw = (int)(le16(dd + 6) & 0x3fff);
				ih = (int)(le16(dd + 8) & 0x3fff);
			} else if (memcmp(cc, "VP8L", 4) == 0) {
				if (off + 13 > len) FAIL("truncated WebP image header");
				uint32_t v = le32(dd + 1);
				iw = (int)(v & 0x3fff) + 1;
				ih = (int)((v >> 14) & 0x3fff) + 1;
			}
			if (iw || ih) {
				if (iw != in->w || ih != in->h)
					FAIL("corrupt WebP: a %dx%d canvas (VP8X) holding a %dx%d image", in->w, in->h, iw, ih);
				break;
			}
			off += 8 + (size_t)clen + (clen & 1);   /* RIFF chunks are padded to even sizes */
		}
	} else {
		FAIL("unknown WebP chunk");
	}
	return 0;
}

int img_probe(const uint8_t *buf, size_t len, uint64_t max_pixels, img_info *info, img_err *err)
{
	static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	memset(info, 0, sizeof *info);
	info->npages = 1;
	if (len == 0) FAIL("empty file");
	int rc;
	if (len >= 8 && memcmp(buf, png_sig, 8) == 0) {
		info->fmt = IMG_FMT_PNG;
		rc = probe_png(buf, len, info, err);
	} else if (len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF) {
		info->fmt = IMG_FMT_JPEG;
		rc = probe_jpeg(buf, len, info, err);
	} else if (len >= 8 && ((buf[0] == 'I' && buf[1] == 'I' && buf[2] == 42 && buf[3] == 0) ||
				(buf[0] == 'M' && buf[1] == 'M' && buf[2] == 0 && buf[3] == 42) ||
				(buf[0] == 'I' && buf[1] == 'I' && buf[2] == 43 && buf[3] == 0))) {
		info->fmt = IMG_FMT_TIFF;
		rc = probe_tiff(buf, len, max_pixels, info, err);
	} else if (len >= 2 && buf[0] == 'B' && buf[1] == 'M') {
		info->fmt = IMG_FMT_BMP;
		rc = probe_bmp(buf, len, info, err);
	} else if (len >= 3 && buf[0] == 'P' && buf[1] >= '1' && buf[1] <= '6') {
		info->fmt = IMG_FMT_PNM;
		rc = probe_pnm(buf, len, info, err);
	} else if (len >= 16 && memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WEBP", 4) == 0) {
		info->fmt = IMG_FMT_WEBP;
		rc = probe_webp(buf, len, info, err);
	} else {
		FAIL("not a supported image (PNG, JPEG, TIFF, BMP, PNM, WebP or PDF expected)");
	}
	if (rc < 0) return -1;
	if (info->w <= 0 || info->h <= 0) FAIL("%s image has zero width or height", img_format_name(info->fmt));
	if (info->w > IMG_MAX_SIDE || info->h > IMG_MAX_SIDE)
		FAIL("%s image is %dx%d pixels, larger than %d on a side", img_format_name(info->fmt), info->w, info->h,
		     IMG_MAX_SIDE);
	if (info->fmt != IMG_FMT_TIFF) info->pixels = (uint64_t)info->w * (uint64_t)info->h;
	if (info->pixels > max_pixels)
		FAIL("%s image is %dx%d = %llu pixels, over the limit of %llu", img_format_name(info->fmt), info->w,
		     info->h, (unsigned long long)info->pixels, (unsigned long long)max_pixels);
	return 0;
}
