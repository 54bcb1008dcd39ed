/* mkpdf: write a PDF whose pages are scans, as a scanner's PDF is, for the
 * PDF tests (no binary PDF is committed; each test makes its own).
 *
 *   mkpdf [--dpi N] [--pages N] [--mediabox WxH] [--encrypt] OUT.pdf IMAGE...
 *
 * Each IMAGE (anything digitd reads) becomes an 8-bit gray image XObject
 * (FlateDecode), drawn over a whole page of its size at --dpi (default 300,
 * so rendering at 300 dpi gives back the same pixel grid).  --pages N writes
 * N pages cycling through the images (one copy of each image in the file:
 * a small file with many pages).  --mediabox WxH declares every page W x H
 * points instead (a small file that asks for a huge rendering).  --encrypt
 * adds a Standard security handler whose user password is not empty (its
 * /U entry matches no password), so a reader needs a password to open it.
 * Written through a ".tmp" name and renamed, like the other tools. */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/load.h"
#include "imaging/ops.h"
#include "util/file.h"

#define MAX_IMAGES 64
#define MAX_OBJECTS 4096

static long offsets[MAX_OBJECTS];

static void usage(void)
{
	fprintf(stderr, "usage: mkpdf [--dpi N] [--pages N] [--mediabox WxH] [--encrypt] OUT.pdf IMAGE...\n");
	exit(2);
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "mkpdf: %s: %s\n", what, msg);
	exit(1);
}

/* One page of the file, gray. */
static void read_gray(const char *path, img_t *out)
{
	uint8_t *buf;
	size_t len;
	char err[512];
	img_err ie;
	img_doc doc;
	img_load_opts o;
	if (file_read_all(path, (size_t)1 << 30, &buf, &len, err, sizeof err) < 0) die(path, err);
	img_load_opts_default(&o);
	o.min_dpi = 0;
	if (img_load(buf, len, &o, &doc, &ie) < 0) die(path, ie.msg);
	free(buf);
	if (doc.pages[0].ch == 1) {
		*out = doc.pages[0];
		doc.pages[0] = (img_t){ 0 };
	} else {
		int which;
		if (img_ink_gray(&doc.pages[0], out, &which, &ie) < 0) die(path, ie.msg);
	}
	img_doc_free(&doc);
}

int main(int argc, char **argv)
{
	double dpi = 300, mw = 0, mh = 0;
	long npages = 0;
	int encrypt = 0, a = 1;
	for (; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
		if (strcmp(argv[a], "--dpi") == 0 && a + 1 < argc) dpi = atof(argv[++a]);
		else if (strcmp(argv[a], "--pages") == 0 && a + 1 < argc) npages = atol(argv[++a]);
		else if (strcmp(argv[a], "--mediabox") == 0 && a + 1 < argc) {
			if (sscanf(argv[++a], "%lfx%lf", &mw, &mh) != 2) usage();
		} else if (strcmp(argv[a], "--encrypt") == 0) encrypt = 1;
		else usage();
	}
	if (argc - a < 2 || dpi <= 0) usage();
	const char *out = argv[a++];
	int nimg = argc - a;
	if (nimg > MAX_IMAGES) die("images", "too many");
	if (npages <= 0) npages = nimg;
	if (2 * npages + nimg + 4 > MAX_OBJECTS) die("--pages", "too many");

	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	FILE *f = fopen(tmp, "wb");
	if (!f) die(tmp, "cannot create");
	img_t im[MAX_IMAGES];
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	if (!c) die("libdeflate", "out of memory");
	int obj = 0;
	fputs("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", f);
	/* 1 catalog, 2 page tree, 3.. images, then page + content per page, then the Encrypt dict */
	offsets[++obj] = ftell(f);
	fprintf(f, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	offsets[++obj] = ftell(f);
	int first_page = 3 + nimg;
	fprintf(f, "2 0 obj\n<< /Type /Pages /Count %ld /Kids [", npages);
	for (long p = 0; p < npages; p++) fprintf(f, " %ld 0 R", first_page + 2 * p);
	fprintf(f, " ] >>\nendobj\n");
	for (int i = 0; i < nimg; i++) {
		read_gray(argv[a + i], &im[i]);
		size_t raw = (size_t)im[i].w * (size_t)im[i].h;
		uint8_t *pix = malloc(raw), *z = malloc(libdeflate_zlib_compress_bound(c, raw));
		if (!pix || !z) die("images", "out of memory");
		for (int y = 0; y < im[i].h; y++) memcpy(pix + (size_t)y * (size_t)im[i].w, im[i].data + (size_t)y * im[i].stride,
							 (size_t)im[i].w);
		size_t zl = libdeflate_zlib_compress(c, pix, raw, z, libdeflate_zlib_compress_bound(c, raw));
		if (!zl) die("images", "compression failed");
		offsets[++obj] = ftell(f);
		fprintf(f, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
			"/BitsPerComponent 8 /Filter /FlateDecode /Length %zu >>\nstream\n", obj, im[i].w, im[i].h, zl);
		fwrite(z, 1, zl, f);
		fprintf(f, "\nendstream\nendobj\n");
		free(pix);
		free(z);
	}
	for (long p = 0; p < npages; p++) {
		const img_t *m = &im[p % nimg];
		double w = mw > 0 ? mw : m->w * 72.0 / dpi, h = mh > 0 ? mh : m->h * 72.0 / dpi;
		char content[256];
		int cl = snprintf(content, sizeof content, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q\n", w, h);
		offsets[++obj] = ftell(f);
		fprintf(f, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] "
			"/Resources << /XObject << /Im0 %ld 0 R >> >> /Contents %d 0 R >>\nendobj\n",
			obj, w, h, 3 + p % nimg, obj + 1);
		offsets[++obj] = ftell(f);
		fprintf(f, "%d 0 obj\n<< /Length %d >>\nstream\n%sendstream\nendobj\n", obj, cl, content);
	}
	if (encrypt) {
		offsets[++obj] = ftell(f);
		fprintf(f, "%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /P -4 /O <", obj);
		for (int i = 0; i < 32; i++) fprintf(f, "%02x", (unsigned)(i * 37 + 11) & 0xff);
		fprintf(f, "> /U <");
		for (int i = 0; i < 32; i++) fprintf(f, "%02x", (unsigned)(i * 53 + 7) & 0xff);
		fprintf(f, "> >>\nendobj\n");
	}
	long xref = ftell(f);
	fprintf(f, "xref\n0 %d\n0000000000 65535 f \n", obj + 1);
	for (int i = 1; i <= obj; i++) fprintf(f, "%010ld 00000 n \n", offsets[i]);
	fprintf(f, "trailer\n<< /Size %d /Root 1 0 R", obj + 1);
	if (encrypt)
		fprintf(f, " /Encrypt %d 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]",
			obj);
	fprintf(f, " >>\nstartxref\n%ld\n%%%%EOF\n", xref);
	libdeflate_free_compressor(c);
	for (int i = 0; i < nimg; i++) img_free(&im[i]);
	if (ferror(f) | fclose(f)) die(tmp, "write failed");
	if (rename(tmp, out) < 0) die(out, "rename failed");
	return 0;
}
