/* test_recognize: the whole pipeline on composed pages with the shipped
 * model (models/lenet5.model; skipped without it or without MNIST).
 *
 * Checks what the daemon and `recognize --json` rely on: most fields read
 * exactly, boxes in the file's own coordinates even when a JPEG is decoded
 * at reduced size, every page of a multi-page TIFF read, crops as PNG on
 * request, the overlay written, flags consistent with the threshold, and
 * the JSON line's shape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "page_fixture.h"
#include "recognize/rec_internal.h"
#include "recognize/recognize.h"
#include "recognize/verify.h"

static char tmpdir[] = "/tmp/digitd-test-recognize-XXXXXX";

static double iou(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
	int x0 = ax > bx ? ax : bx, y0 = ay > by ? ay : by;
	int x1 = ax + aw < bx + bw ? ax + aw : bx + bw, y1 = ay + ah < by + bh ? ay + ah : by + bh;
	if (x1 <= x0 || y1 <= y0) return 0;
	double i = (double)(x1 - x0) * (y1 - y0);
	return i / ((double)aw * ah + (double)bw * bh - i);
}

/* Share of true digits whose box is found (IoU >= 0.4) on page `page`. */
static double box_recall(const rec_result *r, const fx_truth *t, int page)
{
	int hit = 0;
	for (int i = 0; i < t->n; i++)
		for (size_t j = 0; j < r->ndigits; j++) {
			const rec_digit *d = &r->digits[j];
			if (d->page == page &&
			    iou(t->box[i].x, t->box[i].y, t->box[i].w, t->box[i].h, d->x, d->y, d->w, d->h) >= 0.4) {
				hit++;
				break;
			}
		}
	return t->n ? (double)hit / t->n : 0;
}

static int fields_exact(const rec_result *r, const fx_truth *t, int page)
{
	int ok = 0;
	for (int k = 0; k < t->nfields; k++)
		for (size_t f = 0; f < r->nfields; f++)
			if (r->fields[f].page == page && strcmp(r->fields[f].text, t->text[k]) == 0) {
				ok++;
				break;
			}
	return ok;
}

static void test_form(nn_infer *nn, const fx_mnist *m, const char *ext)
{
	img_t page;
	fx_truth t;
	img_err e;
	CHECK(fx_form(&page, 2480, 3508, 1, m, 21, &t) == 0);
	char path[512];
	snprintf(path, sizeof path, "%s/form.%s", tmpdir, ext);
	CHECK(img_write(path, &page, 1, 92, &e) == 0);
	img_free(&page);
	rec_options o;
	rec_options_default(&o);
	o.want_crop_png = true;
	o.debug_dir = tmpdir;
	rec_result r;
	char err[512];
	CHECKF(rec_file(path, &o, nn, &r, err, sizeof err) == 0, "%s", err);
	CHECK(r.npages == 1 && r.pages[0].width == 2480 && r.pages[0].height == 3508);
	double rc = box_recall(&r, &t, 0);
	CHECKF(rc >= 0.9, "%s: box recall %.2f", ext, rc);
	int ok = fields_exact(&r, &t, 0);
	CHECKF(ok * 10 >= t.nfields * 6, "%s: %d of %d fields exact", ext, ok, t.nfields);
	CHECK(r.ms > 0 && r.ms_decode > 0 && r.ms_classify >= 0);
	CHECK(strlen(r.sha256) == 64);
	for (size_t i = 0; i < r.ndigits; i++) {
		const rec_digit *d = &r.digits[i];
		CHECK(d->label >= 0 && d->label <= 9 && d->alt_label != d->label);
		CHECK(d->confidence >= d->alt_confidence && d->confidence <= 1.0f);
		if (d->confidence < o.threshold) CHECK(d->flagged);
		CHECK(d->field >= 0 && (size_t)d->field < r.nfields);
		CHECK(d->crop_png && d->crop_png_len > 8 && memcmp(d->crop_png, "\x89PNG", 4) == 0);
	}
	for (size_t f = 0; f < r.nfields; f++) {
		bool any = false;
		for (size_t i = 0; i < r.ndigits; i++)
			if (r.digits[i].field == (int)f) any |= r.digits[i].flagged;
		/* flagged for a digit, or for a reason of its own (a gap) */
		CHECK(r.fields[f].flagged == (any || (r.fields[f].why & REC_FIELD_FLAGS)));
	}
	snprintf(path, sizeof path, "%s/form.%s.overlay.png", tmpdir, ext);
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size > 1000);

	/* The JSON line: one line, the contract's keys in order. */
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	rec_result_json(mf, "form \"x\".png", &r, NULL);
	fclose(mf);
	CHECK(buf && len > 0 && buf[len - 1] == '\n' && strchr(buf, '\n') == buf + len - 1);
	static const char *keys[] = { "{\"file\": \"form \\\"x\\\".png\"", "\"sha256\": \"", "\"pages\": 1",
				      "\"width\": 2480", "\"height\": 3508", "\"ms\": ", "\"digits\": [{\"page\": 0, \"x\": ",
				      "\"label\": ", "\"confidence\": ", "\"alt_label\": ", "\"alt_confidence\": ",
				      "\"field\": ", "\"flagged\": ", "\"fields\": [{\"page\": 0", "\"text\": \"",
				      "\"error\": null}" };
	const char *at = buf;
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		const char *p = at ? strstr(at, keys[k]) : NULL;
		CHECKF(p != NULL, "JSON key %s missing or out of order", keys[k]);
		if (p) at = p;
	}
	free(buf);
	rec_result_free(&r);
}

static void test_multipage(nn_infer *nn, const fx_mnist *m)
{
	img_t pages[2];
	fx_truth t[2];
	img_err e;
	CHECK(fx_form(&pages[0], 1654, 2339, 1, m, 31, &t[0]) == 0);
	CHECK(fx_form(&pages[1], 1654, 2339, 1, m, 32, &t[1]) == 0);
	char path[512];
	snprintf(path, sizeof path, "%s/two.tif", tmpdir);
	CHECK(img_write(path, pages, 2, 0, &e) == 0);
	img_free(&pages[0]);
	img_free(&pages[1]);
	rec_result r;
	char err[512];
	CHECKF(rec_file(path, NULL, nn, &r, err, sizeof err) == 0, "%s", err);
	CHECK(r.npages == 2);
	for (int p = 0; p < 2; p++) CHECKF(box_recall(&r, &t[p], p) >= 0.85, "page %d: %.2f", p, box_recall(&r, &t[p], p));
	rec_result_free(&r);
}

static void test_errors(nn_infer *nn)
{
	rec_result r;
	char err[512];
	CHECK(rec_file("/nonexistent/scan.png", NULL, nn, &r, err, sizeof err) < 0);
	CHECK(strstr(err, "/nonexistent/scan.png") != NULL && r.ndigits == 0);
	rec_result_free(&r);
	rec_options o;
	rec_options_default(&o);
	o.max_bytes = 10;
	const uint8_t junk[64] = { 0x89, 'P', 'N', 'G' };
	CHECK(rec_buffer(junk, sizeof junk, "big", &o, nn, &r, err, sizeof err) < 0 && strstr(err, "limit"));
	rec_result_free(&r);
	/* An error result still prints valid JSON with the message. */
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	rec_result_json(mf, "big", &r, "big: file is too large");
	fclose(mf);
	CHECK(buf && strstr(buf, "\"digits\": [], \"fields\": [], \"unread\": [], \"error\": \"big: file is too large\"}"));
	free(buf);
}

/* Printed-line detection on hand-made candidates (no model needed): type
 * repeats height, width, baseline, stroke and pitch; a hand does not. */
/* Start a field: the glyphs added next are its own. */
static void new_field(seg_page *sp)
{
	sp->fields[sp->nfields++] = (seg_field){ .first = (int)sp->ndigits };
}

static void add_glyph(seg_page *sp, int x, int y, int w, int h, float stroke)
{
	seg_digit *d = &sp->digits[sp->ndigits];
	memset(d, 0, sizeof *d);
	d->wx = d->x = x, d->wy = d->y = y, d->ww = d->w = w, d->wh = d->h = h;
	d->stroke = stroke;
	d->field = (int)sp->nfields - 1;
	sp->fields[d->field].n++;
	d->tag = (int)sp->ndigits++;
}

static void test_printed(void)
{
	seg_digit digits[32];
	seg_field fields[7];
	seg_page sp = { .digits = digits, .fields = fields };
	/* Field 0: six printed digits, 40 tall, 24 wide (a 1 narrower), pitch 28. */
	new_field(&sp);
	for (int i = 0; i < 6; i++) add_glyph(&sp, 100 + 28 * i + (i == 3 ? 8 : 0), 100, i == 3 ? 9 : 24, 40, 4.0f);
	/* Field 1: six handwritten digits: sizes, baseline and spacing wander. */
	static const int hx[6] = { 100, 131, 170, 198, 240, 271 }, hy[6] = { 300, 306, 298, 303, 301, 309 };
	static const int hw[6] = { 24, 18, 30, 22, 26, 20 }, hh[6] = { 40, 34, 44, 38, 41, 36 };
	new_field(&sp);
	for (int i = 0; i < 6; i++) add_glyph(&sp, hx[i], hy[i] + 44 - hh[i], hw[i], hh[i], 4.5f);
	/* Field 2: a short group in the run's face elsewhere (a price's cents). */
	new_field(&sp);
	add_glyph(&sp, 500, 500, 24, 40, 4.0f);
	add_glyph(&sp, 528, 500, 24, 40, 4.0f);
	/* Field 3: a pair as regular but larger: another writer, not that face. */
	new_field(&sp);
	add_glyph(&sp, 500, 700, 31, 52, 4.0f);
	add_glyph(&sp, 536, 700, 31, 52, 4.0f);
	/* Field 4: print with two touching glyphs read as one wide mark. */
	new_field(&sp);
	static const int px[6] = { 100, 128, 156, 184, 240, 268 }, pw[6] = { 24, 24, 24, 52, 24, 24 };
	for (int i = 0; i < 6; i++) add_glyph(&sp, px[i], 900, pw[i], 40, 4.0f);
	/* Field 5: too few and too uneven for a run, but two of its glyphs are
	 * one glyph printed twice (the same input, read as 7): type.  Field 6:
	 * two 7s of a hand, alike but not that alike: kept. */
	new_field(&sp);
	add_glyph(&sp, 100, 1100, 24, 40, 4.0f);
	add_glyph(&sp, 130, 1098, 22, 42, 4.0f);
	add_glyph(&sp, 160, 1101, 24, 39, 4.5f);
	new_field(&sp);
	add_glyph(&sp, 100, 1300, 27, 46, 5.0f);
	add_glyph(&sp, 132, 1302, 26, 44, 5.0f);
	for (int y = 4; y < 24; y++)
		for (int x = 4; x < 24; x++) {
			bool bar = y < 8, stem = abs(x - (24 - (y - 4) / 2)) < 3;  /* a 7: a bar and a slanting stem */
			digits[22].img[y * SEG_SIDE + x] = digits[23].img[y * SEG_SIDE + x] = bar || stem ? 255 : 0;
			digits[24].img[y * SEG_SIDE + x] = (x + y) % 5 == 0 ? 255 : 0;
			digits[25].img[y * SEG_SIDE + x] = bar || stem ? 255 : 0;
			digits[26].img[y * SEG_SIDE + x] = y < 9 || abs(x - (20 - (y - 4) / 3)) < 2 ? 255 : 0;
		}
	float probs[32 * 10] = { 0 };   /* everything read as 0 (no twins) but fields 5 and 6 */
	for (int i = 22; i < 27; i++) probs[i * 10 + (i == 24 ? 3 : 7)] = 1;
	int line[7] = { 0, 1, 2, 3, 4, 5, 6 };
	bool printed[32];
	rec_find_printed(&sp, line, probs, 10, printed);
	for (int i = 22; i < 25; i++) CHECKF(printed[i], "glyph %d of a field with twins", i);
	CHECK(!printed[25] && !printed[26]);
	for (int i = 0; i < 6; i++) CHECKF(printed[i], "printed glyph %d", i);
	for (int i = 6; i < 12; i++) CHECKF(!printed[i], "handwritten glyph %d", i);
	CHECK(printed[12] && printed[13]);
	CHECK(!printed[14] && !printed[15]);
	for (int i = 16; i < 22; i++) CHECKF(printed[i], "printed glyph %d beside a touching pair", i);
}

/* The shipped reject model with its verifier, --explain on: every candidate
 * accounted for (reported with no drop reason, or dropped with one), every
 * flagged digit and field with a reason, features finite, unread regions on
 * the page and never over a reported digit's field. */
static void test_verifier(const fx_mnist *m, const char *root)
{
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/models/lenet5-reject.model", root);
	nn_model *model = nn_model_load(path, err, sizeof err);
	rec_verifier ver;
	char vpath[1024];
	rec_verifier_path(path, vpath, sizeof vpath);
	if (!model || rec_verifier_load(vpath, &ver, err, sizeof err) < 0) {
		CHECKF(0, "the shipped reject model and verifier: %s", err);
		nn_model_free(model);
		return;
	}
	CHECK(ver.net != NULL && ver.flag <= ver.keep);
	nn_infer *nn = nn_infer_new(model, 64);
	img_t page;
	fx_truth t;
	img_err e;
	CHECK(fx_form(&page, 2480, 3508, 1, m, 33, &t) == 0);
	snprintf(path, sizeof path, "%s/vform.png", tmpdir);
	CHECK(img_write(path, &page, 1, 92, &e) == 0);
	img_free(&page);
	rec_options o;
	rec_options_default(&o);
	o.verifier = &ver;
	o.explain = true;
	rec_result r;
	CHECKF(rec_file(path, &o, nn, &r, err, sizeof err) == 0, "%s", err);
	double rc = box_recall(&r, &t, 0);
	CHECKF(rc >= 0.9, "with the verifier: box recall %.2f", rc);
	size_t kept = 0;
	for (size_t i = 0; i < r.ncands; i++) {
		const rec_cand *c = &r.cands[i];
		kept += c->drop == 0;
		for (int k = 0; k < REC_NFEAT; k++) CHECK(isfinite(c->feat[k]));
		CHECK(c->verifier <= 1.0f);
		/* judged by the verifier unless a hard rule took it first */
		if (!(c->drop & (REC_DROP_CLASS | REC_DROP_SLASH | REC_DROP_ALT))) CHECK(c->verifier >= 0);
		if (c->drop == 0) CHECK(c->verifier >= ver.flag);
	}
	CHECKF(kept == r.ndigits, "%zu candidates kept, %zu digits reported", kept, r.ndigits);
	for (size_t i = 0; i < r.ndigits; i++)
		if (r.digits[i].flagged) CHECK(r.digits[i].why != 0);
	for (size_t f = 0; f < r.nfields; f++)
		if (r.fields[f].flagged) CHECK(r.fields[f].why != 0);
	for (size_t u = 0; u < r.nunread; u++) {
		const rec_unread *un = &r.unread[u];
		CHECK(un->why & REC_FLAG_UNREAD);
		CHECK(un->x >= 0 && un->y >= 0 && un->x + un->w <= 2480 && un->y + un->h <= 3508);
	}
	/* the JSON names every reason */
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	rec_result_json(mf, "vform.png", &r, NULL);
	fclose(mf);
	CHECK(buf && strstr(buf, "\"candidates\": [") && strstr(buf, "\"unread\": [") && strstr(buf, "\"reasons\": ["));
	free(buf);
	rec_result_free(&r);
	nn_infer_free(nn);
	nn_model_free(model);
	rec_verifier_free(&ver);
}

/* A number whose last digit was written so faintly that binarisation
 * loses it (a pencil, a dry pen): the field reads short, and must not be
 * accepted as it is: the faint ink beside its last digit flags it (gap). */
static unsigned faint_page_field_why(nn_infer *nn, const fx_mnist *m, int faint_ink, int *ndigits)
{
	img_t page;
	img_err e;
	char path[1024], err[512];
	unsigned why = 0;
	*ndigits = -1;
	if (img_alloc(&page, 900, 300, 1, &e) < 0) return 0;
	memset(page.data, 245, page.stride * 300);
	fx_box b;
	for (int k = 0; k < 5; k++) CHECK(fx_paste(&page, m, 10 + k, 100 + 70 * k, 100, 100, k < 4 ? 30 : faint_ink, &b) == 0);
	snprintf(path, sizeof path, "%s/faint.png", tmpdir);
	CHECK(img_write(path, &page, 1, 0, &e) == 0);
	img_free(&page);
	rec_options o;
	rec_options_default(&o);
	rec_result r;
	CHECKF(rec_file(path, &o, nn, &r, err, sizeof err) == 0, "%s", err);
	if (r.nfields == 1) why = r.fields[0].why, *ndigits = (int)r.ndigits;
	rec_result_free(&r);
	return why;
}

static void test_faint_digit(nn_infer *nn, const fx_mnist *m)
{
	int n = 0;
	unsigned why = faint_page_field_why(nn, m, 30, &n);
	CHECKF(n == 5 && !(why & REC_FLAG_GAP), "all dark: %d digits, why %u", n, why);
	why = faint_page_field_why(nn, m, 175, &n);
	CHECKF(n == 4, "faint fifth digit: %d digits read (it should be lost to the threshold)", n);
	CHECKF(why & REC_FLAG_GAP, "faint fifth digit: field why %u, no gap", why);
}

int main(void)
{
	test_printed();
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/models/lenet5.model", root);
	nn_model *model = nn_model_load(path, err, sizeof err);
	if (!model) SKIP("no model: %s", err);
	fx_mnist m;
	snprintf(path, sizeof path, "%s/data/mnist", root);
	if (fx_mnist_load(path, &m) < 0) SKIP("no MNIST test set in %s", path);
	if (!mkdtemp(tmpdir)) SKIP("mkdtemp failed");
	nn_infer *nn = nn_infer_new(model, 32);     /* smaller than a page's batch: chunking is exercised */
	test_errors(nn);
	test_faint_digit(nn, &m);
	test_form(nn, &m, "png");
	if (!getenv("DIGITD_SANITIZED")) {
		test_form(nn, &m, "jpg");           /* decoded at half size: boxes must still fit */
		test_multipage(nn, &m);
	}
	nn_infer_free(nn);
	nn_model_free(model);
	test_verifier(&m, root);
	fx_mnist_free(&m);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
	CHECK_DONE();
}
