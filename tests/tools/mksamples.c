/* mksamples: compose the realistic test scans of samples/ with ground truth.
 *
 *   build/tests/mksamples data/mnist samples
 *
 * Cheques, A4 forms and plain sheets (layouts in samples_cheque.h and
 * samples_forms.h, helpers in samples_draw.h) are drawn flat, then
 * "scanned": rotated a few degrees, unevenly lit, blurred, noised.  The
 * handwriting is MNIST *test* digits only (the model never trains on them),
 * each used at most once.  Everything comes from one fixed seed and our own
 * PRNG, so the output is the same on every run; samples/README.md describes
 * the truth format and the scoring rules.  MKSAMPLES_SEED=N draws the same
 * layouts with other digits, places and noise: a held-out set for checking
 * that what was tuned on samples/ holds beyond it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples_cheque.h"   /* layouts, over samples_draw.h and samples_page.h */
#include "samples_forms.h"

#define SEED 0x5A3D1E5ull

static const char *outdir;

/* --- writing a sample: image + truth ---------------------------------------- */

typedef struct {
	spage pg;
	spost post;
	const char *ink;
} spagejob;

static int emit(const char *name, const char *kind, const char *desc, spagejob *jobs, int n, int quality,
		rng_t *r)
{
	img_t out[4] = {{0}};
	img_err e;
	char path[512];
	int rc = -1;
	FILE *f = NULL;
	const char *ext = strrchr(name, '.');
	int lossless = strcmp(ext, ".png") == 0 || strcmp(ext, ".tif") == 0;
	for (int i = 0; i < n; i++) {
		if (lossless) {
			jobs[i].post.grain = 0.06;
			jobs[i].post.noise *= 2.5;
		}
		if (page_finish(&jobs[i].pg, &jobs[i].post, r, &out[i]) < 0) goto done;
	}
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	if (img_write(path, out, n, quality, &e) < 0) { fprintf(stderr, "mksamples: %s\n", e.msg); goto done; }
	char *dot = strrchr(name, '.');
	snprintf(path, sizeof path, "%s/%.*s.truth.json", outdir, (int)(dot - name), name);
	f = fopen(path, "w");
	if (!f) { fprintf(stderr, "mksamples: %s: %s\n", path, strerror(errno)); goto done; }
	fprintf(f, "{\"file\": ");
	json_str(f, name);
	fprintf(f, ", \"kind\": ");
	json_str(f, kind);
	fprintf(f, ", \"description\": ");
	json_str(f, desc);
	fprintf(f, ", \"generator\": \"tests/tools/mksamples.c\",\n \"pages\": [\n");
	int nd = 0;
	for (int i = 0; i < n; i++) {
		truth_page(f, &jobs[i].pg, i, &out[i], jobs[i].ink, &jobs[i].post);
		fprintf(f, "%s\n", i + 1 < n ? "," : "");
		nd += jobs[i].pg.nd;
	}
	fprintf(f, " ]}\n");
	/* MKSAMPLES_OVERLAY=1: also draw the truth boxes on page 0, to check them by eye. */
	if (getenv("MKSAMPLES_OVERLAY")) {
		img_t ov;
		const spage *pg = &jobs[0].pg;
		if (img_to_bgr(&out[0], &ov, &e) == 0) {
			for (int i = 0; i < pg->nm; i++) {
				sbox b = pg->m[i].b;
				img_draw_rect(&ov, (int)b.x0, (int)b.y0, (int)(b.x1 - b.x0), (int)(b.y1 - b.y0), (img_color){ 0, 140, 255 }, 1);
			}
			for (int i = 0; i < pg->nf; i++) {
				sbox b = pg->f[i].b;
				img_draw_rect(&ov, (int)b.x0 - 4, (int)b.y0 - 4, (int)(b.x1 - b.x0) + 8, (int)(b.y1 - b.y0) + 8, (img_color){ 0, 180, 0 }, 2);
			}
			for (int i = 0; i < pg->nd; i++) {
				sbox b = pg->d[i].b;
				img_draw_rect(&ov, (int)b.x0, (int)b.y0, (int)(b.x1 - b.x0), (int)(b.y1 - b.y0), (img_color){ 0, 0, 255 }, 1);
			}
			snprintf(path, sizeof path, "%s/%.*s.overlay.png", outdir, (int)(dot - name), name);
			if (img_write(path, &ov, 1, 0, &e) < 0) fprintf(stderr, "mksamples: %s\n", e.msg);
			img_free(&ov);
		}
	}
	if (fclose(f) != 0) { f = NULL; fprintf(stderr, "mksamples: %s: %s\n", path, strerror(errno)); goto done; }
	f = NULL;
	printf("%-16s %d page(s) %dx%d, %d handwritten digits\n", name, n, out[0].w, out[0].h, nd);
	rc = 0;
done:
	if (f) fclose(f);
	for (int i = 0; i < n; i++) { img_free(&out[i]); page_free(&jobs[i].pg); }
	return rc;
}

static spost post_default(rng_t *r, double rot, img_color bed)
{
	spost s = { rot, bed, 0, 0, 0, 0, 0, 0, 0, 0 };
	s.light = rng_int(r, 1, 3);
	s.light_amt = rng_uniform(r, 0.08, 0.2);
	s.blur = rng_uniform(r, 0.5, 0.9);
	s.noise = rng_uniform(r, 2, 4);
	s.specks = rng_int(r, 20, 80);
	return s;
}

static int make_cheques(rng_t *r)
{
	static const cheque_style st[] = {
		{ 200, { 222, 240, 226 }, { 190, 215, 195 }, { 90, 110, 40 }, { 238, 238, 238 }, 0, 0, 0, 1,
		  "Northfield Savings Bank", "1200 Harbour Road, Springfield 40213", "Jane Morrison", "rent" },
		{ 240, { 246, 232, 218 }, { 226, 205, 185 }, { 120, 70, 20 }, { 60, 60, 60 }, 1, 1, 1, 0,
		  "First Meridian Trust", "Branch 0417  -  88 King Street", "Acme Plumbing Ltd", NULL },
		{ 300, { 210, 236, 250 }, { 180, 214, 236 }, { 30, 90, 150 }, { 230, 230, 225 }, 2, 2, 0, 1,
		  "CASCADE CREDIT UNION", "PO Box 7731, Riverton", "Robert Fischer", "invoice" },
		{ 200, { 238, 226, 244 }, { 216, 198, 228 }, { 110, 40, 100 }, { 245, 245, 245 }, 1, 0, 2, 0,
		  "Royal Oak Bank", "45 Mill Lane, Ashford TN24 8QE", "City Water Board", NULL },
		{ 240, { 214, 238, 242 }, { 176, 214, 222 }, { 70, 100, 20 }, { 40, 40, 40 }, 0, 1, 0, 1,
		  "Pacific Federal", "Member FDIC  -  Route 66 Office", "Dr. Helen Park", "consult" },
		{ 300, { 228, 243, 247 }, { 200, 226, 236 }, { 20, 60, 120 }, { 235, 235, 235 }, 2, 0, 1, 1,
		  "Union Mercantile", "12 Queen Street, Auckland 1010", "Garden Supplies Co", "order" },
		{ 200, { 196, 214, 230 }, { 170, 190, 210 }, { 40, 70, 110 }, { 250, 250, 250 }, 1, 2, 0, 1,
		  "Heritage Bank of Commerce", "Main Office  -  1 Bridge Plaza, Suite 300", "M. Okafor", "deposit" },
	};
	const double rot[] = { 3.4, -4.6, 6.2, -7.1, 2.1, -3.3, 4.8 };
	const char *names[] = { "cheque-01.png", "cheque-02.png", "cheque-03.jpg", "cheque-04.png", "cheque-05.tif",
				"cheque-06.jpg", "cheque-07.png" };
	const char *desc[] = {
		"cheque, 200 dpi, green guilloche, blue ink, amount with cents after a point, date in spaced groups",
		"cheque, 240 dpi, beige hatch, black ink, amount with a dash, date with slashes, dark scanner lid",
		"cheque, 300 dpi, dense blue guilloche, blue ink, date in printed cells, JPEG",
		"cheque, 200 dpi, violet hatch, black ink, amount with touching digits, strong rotation",
		"cheque, 240 dpi, grey-scale TIFF of a blue-ink cheque, slashed date, dark lid",
		"cheque, 300 dpi, light blue guilloche, blue ink, amount with a dash, JPEG",
		"cheque, 200 dpi, darker tan tint with hatch, blue ink (low contrast), date in printed cells, cents",
	};
	for (int i = 0; i < 7; i++) {
		spagejob j = {0};
		cheque(&j.pg, &st[i], r);
		j.post = post_default(r, rot[i], st[i].bed);
		j.post.gray = i == 4;
		if (i == 3) j.post.blur = 1.1;
		j.ink = st[i].blue ? "blue" : "black";
		if (emit(names[i], "cheque", desc[i], &j, 1, 88, r) < 0) return -1;
	}
	return 0;
}

static int make_forms(rng_t *r)
{
	const form_style st[] = {
		{ "PARKING PERMIT APPLICATION", "Form PK-27 (2024)", "Use black or blue ink.  One digit per box.",
		  { 110, 60, 20 }, 0, rows_permit },
		{ "PURCHASE ORDER", "PO-4 / rev 11", "Office supplies  -  internal use", { 40, 90, 30 }, 1, rows_order },
		{ "HOUSEHOLD ENERGY SURVEY 2025", "Survey E-19", "Thank you for taking part.", { 120, 50, 110 }, 2, rows_survey },
		{ "INCOME DECLARATION", "Form T-1040 (2024)", "Part A and Part B are compulsory.", { 60, 60, 60 }, 2, rows_tax },
	};
	const char *names[] = { "form-01.jpg", "form-02.jpg", "form-03.jpg", "form-04.jpg" };
	const char *desc[] = {
		"A4 form, 300 dpi, closed comb boxes, blue ink, small rotation, JPEG",
		"A4 purchase order, 300 dpi, open combs, table with printed codes and prices, black ink, uneven light, JPEG",
		"A4 survey, 300 dpi, shaded cells, free lines, checkboxes, blue ink, rotated 5 degrees, blurred, JPEG",
		"A4 tax form, 300 dpi, grey-scale, shaded cells, right-aligned amounts, black ink, JPEG",
	};
	const double rot[] = { 1.2, -3.1, 5.0, -4.0 };
	for (int i = 0; i < 4; i++) {
		spagejob j = {0};
		spen pen = (i % 2 == 0) ? pen_blue(r) : pen_black(r);
		if (i == 3) pen = pen_fine(pen);
		form_page(&j.pg, 300, &st[i], &pen, r);
		j.post = post_default(r, rot[i], (img_color){ 235, 235, 235 });
		j.post.noise = 2.5;
		if (i == 1) { j.post.light = 1; j.post.light_amt = 0.3; }
		if (i == 2) j.post.blur = 1.4;
		j.post.gray = i == 3;
		j.ink = (i % 2 == 0) ? "blue" : "black";
		if (emit(names[i], "form", desc[i], &j, 1, 80, r) < 0) return -1;
	}
	return 0;
}

static int make_marks(rng_t *r)
{
	spagejob j = {0};
	spen pen = pen_blue(r);
	pen.c = (img_color){ 45, 40, 200 };  /* a red marking pen */
	marks_page(&j.pg, 300, &pen, r);
	j.post = post_default(r, -6.5, (img_color){ 230, 230, 230 });
	j.post.noise = 2.5;
	j.ink = "red";
	return emit("form-05.jpg", "form",
		    "A4 marks sheet, 300 dpi: printed class list with student IDs, scores in red pen in a ruled table, rotated 6.5 degrees, JPEG",
		    &j, 1, 80, r);
}

static int make_sheets(rng_t *r)
{
	spagejob j = {0};
	spen pen;

	pen = pen_blue(r);
	sheet_page(&j.pg, 300, 0, &pen, r);
	j.post = post_default(r, -5.5, (img_color){ 225, 225, 225 });
	j.post.noise = 2.5;
	j.ink = "blue";
	if (emit("sheet-01.jpg", "sheet", "lined A4 paper, 300 dpi, rows of numbers, sums with + and =, script words, blue ink, JPEG", &j, 1, 80, r) < 0) return -1;

	memset(&j, 0, sizeof j);
	pen = pen_black(r);
	sheet_page(&j.pg, 200, 1, &pen, r);
	j.post = post_default(r, 3.8, (img_color){ 250, 250, 250 });
	j.post.noise = 1.5;
	j.post.gray = 1;
	j.ink = "black";
	if (emit("sheet-02.png", "sheet", "squared A4 paper, 200 dpi, small digits, black ink, grey PNG", &j, 1, 0, r) < 0) return -1;

	memset(&j, 0, sizeof j);
	pen = pen_black(r);
	pen.lo = 0.12; pen.hi = 0.45;  /* a felt tip: fat strokes */
	note_page(&j.pg, 300, &pen, r);
	j.post = post_default(r, -8.0, (img_color){ 70, 75, 80 });
	j.post.light = 2; j.post.light_amt = 0.3;
	j.ink = "black";
	if (emit("note-01.png", "note", "yellow sticky note on a dark table, 300 dpi, felt tip, rotated 8 degrees, vignette", &j, 1, 0, r) < 0) return -1;

	/* A three-page TIFF: a form, a lined sheet, a squared sheet; 200 dpi grey. */
	spagejob jj[3];
	memset(jj, 0, sizeof jj);
	pen = pen_blue(r);
	const form_style fs = { "HOUSEHOLD ENERGY SURVEY 2025", "Survey E-19", "Second copy: keep for your records.",
				{ 120, 50, 110 }, 0, rows_survey };
	form_page(&jj[0].pg, 200, &fs, &pen, r);
	sheet_page(&jj[1].pg, 200, 0, &pen, r);
	sheet_page(&jj[2].pg, 200, 1, &pen, r);
	const double rot[3] = { 2.6, -1.4, 4.4 };
	for (int k = 0; k < 3; k++) {
		jj[k].post = post_default(r, rot[k], (img_color){ 240, 240, 240 });
		jj[k].post.noise = 1.5;
		jj[k].post.gray = 1;
		jj[k].ink = "blue";
	}
	if (emit("multi-01.tif", "multipage", "three-page grey TIFF, 200 dpi: survey form, lined sheet, squared sheet; blue ink", jj, 3, 0, r) < 0) return -1;
	return 0;
}

/* Two scans made differently: a fax (200 dpi, pure black and white, fine
 * pen) and a low-resolution photo-like capture (150 dpi, shadow, blur). */
static int make_odd(rng_t *r)
{
	spagejob j = {0};
	spen pen = pen_fine(pen_black(r));
	const form_style fax = { "PARKING PERMIT APPLICATION", "Form PK-27 (2024)", "Faxed copy  -  keep the original.",
				 { 60, 60, 60 }, 0, rows_permit };
	form_page(&j.pg, 200, &fax, &pen, r);
	j.post = post_default(r, -2.4, (img_color){ 255, 255, 255 });
	j.post.noise = 6;
	j.post.blur = 0.6;
	j.post.gray = 1;
	j.post.binarize = 150;
	j.ink = "black";
	if (emit("fax-01.tif", "form", "A4 form received by fax: 200 dpi, pure black and white, fine pen, broken strokes", &j, 1, 0, r) < 0)
		return -1;

	memset(&j, 0, sizeof j);
	pen = pen_blue(r);
	const form_style ph = { "PURCHASE ORDER", "PO-4 / rev 11", "Office supplies  -  internal use", { 40, 90, 30 }, 0,
				rows_order };
	form_page(&j.pg, 150, &ph, &pen, r);
	j.post = post_default(r, 3.6, (img_color){ 90, 95, 100 });
	j.post.light = 3;
	j.post.light_amt = 0.35;
	j.post.blur = 1.2;
	j.post.noise = 4;
	j.ink = "blue";
	return emit("photo-01.jpg", "form",
		    "A4 purchase order captured at 150 dpi like a phone photo: shadow along one edge, blur, noise, small digits, JPEG q75",
		    &j, 1, 75, r);
}

int main(int argc, char **argv)
{
	mnist_t mn;
	char a[512], b[512];
	rng_t r = { SEED };
	const char *seed = getenv("MKSAMPLES_SEED");
	if (seed && *seed) r.s = SEED ^ strtoull(seed, NULL, 0) * 0x9E3779B97F4A7C15ull;
	if (argc != 3) {
		fprintf(stderr, "usage: mksamples MNIST_DIR OUT_DIR\n");
		return 2;
	}
	outdir = argv[2];
	snprintf(a, sizeof a, "%s/t10k-images-idx3-ubyte", argv[1]);
	snprintf(b, sizeof b, "%s/t10k-labels-idx1-ubyte", argv[1]);
	if (mnist_load(&mn, a, b) < 0) return 1;
	if (picker_init(&pk, &mn, &r) < 0) { fprintf(stderr, "mksamples: out of memory\n"); return 1; }
	int rc = make_cheques(&r) < 0 || make_forms(&r) < 0 || make_marks(&r) < 0 || make_sheets(&r) < 0 ||
		 make_odd(&r) < 0 ? -1 : 0;
	picker_free(&pk);
	mnist_free(&mn);
	return rc < 0 ? 1 : 0;
}
