/* test_badinput: hostile and degenerate files through the whole pipeline.
 *
 * Each case must end in a clean error or an empty (or small) result: never a
 * crash, a hang or runaway memory.  Memory is capped with RLIMIT_AS (except
 * under ASan, which reserves huge shadow mappings), and every case is timed.
 * Inputs the fuzzer once crashed on (tests/fuzz/crashers/) and its seeds are
 * replayed here, so a fixed crash stays fixed in every `make check`. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "imaging/draw.h"
#include "imaging/load.h"
#include "recognize/recognize.h"
#include "segment/segment.h"
#include "util/file.h"

static char tmpdir[] = "/tmp/digitd-test-badinput-XXXXXX";
static nn_model *model;
static nn_infer *nn;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *b;
	char err[512];
	if (file_read_all(path, SIZE_MAX, &b, len, err, sizeof err) < 0) return NULL;
	return b;
}

/* Run one buffer through everything.  Returns 0 (recognised, *ndigits set)
 * or -1 (refused with a message).  Without a model, load + clean + segment. */
static int run(const char *what, const uint8_t *buf, size_t len, size_t *ndigits)
{
	double t0 = now_s();
	int rc;
	*ndigits = 0;
	if (nn) {
		rec_options o;
		rec_options_default(&o);
		rec_result r;
		char err[512] = "";
		rc = rec_buffer(buf, len, what, &o, nn, &r, err, sizeof err);
		CHECKF(rc == 0 || err[0], "%s: failed without a message", what);
		if (rc == 0) *ndigits = r.ndigits;
		rec_result_free(&r);
	} else {
		img_load_opts lo;
		img_load_opts_default(&lo);
		img_doc d;
		img_err e;
		rc = img_load(buf, len, &lo, &d, &e);
		for (int p = 0; rc == 0 && p < d.npages; p++) {
			seg_options so;
			seg_options_default(&so);
			seg_page sp;
			if (seg_page_run(&d.pages[p], &so, &sp, &e) < 0) {
				rc = -1;
				break;
			}
			*ndigits += sp.ndigits;
			seg_page_free(&sp);
		}
		if (rc == 0) img_doc_free(&d);
	}
	double dt = now_s() - t0;
	CHECKF(dt < 20, "%s took %.1f s", what, dt);
	return rc;
}

static int run_file(const char *what, const char *path, size_t *ndigits)
{
	size_t len;
	uint8_t *b = slurp(path, &len);
	int rc = run(what, b ? b : (const uint8_t *)"", b ? len : 0, ndigits);
	free(b);
	return rc;
}

static int write_gray(const char *name, int w, int h, int fill, bool noise, char *path, size_t pathlen)
{
	img_t im;
	img_err e;
	snprintf(path, pathlen, "%s/%s", tmpdir, name);
	if (img_alloc(&im, w, h, 1, &e) < 0) return -1;
	memset(im.data, fill, (size_t)h * im.stride);
	unsigned s = 12345;
	if (noise)
		for (size_t i = 0; i < (size_t)h * im.stride; i++) im.data[i] = (uint8_t)((s = s * 1103515245u + 12345u) >> 23);
	int rc = img_write(path, &im, 1, 90, &e);
	img_free(&im);
	return rc;
}

static void test_cases(void)
{
	char path[512];
	size_t nd;
	CHECK(run("empty", (const uint8_t *)"", 0, &nd) < 0);

	/* A header claiming 100000 x 100000 pixels, and the rest missing. */
	uint8_t bomb[64] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
			     0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 0 };
	CHECK(run("bomb.png", bomb, sizeof bomb, &nd) < 0);

	/* A text file named .png. */
	snprintf(path, sizeof path, "%s/text.png", tmpdir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("This is not an image.\n", f);
		fclose(f);
	}
	CHECK(run_file("text.png", path, &nd) < 0);

	/* Truncated PNG, JPEG and TIFF of a real page with marks on it. */
	static const char *ext[] = { "png", "jpg", "tif" };
	for (int i = 0; i < 3; i++) {
		img_t im;
		img_err e;
		CHECK(img_alloc(&im, 600, 400, 1, &e) == 0);
		memset(im.data, 250, (size_t)im.h * im.stride);
		img_draw_text(&im, "1234", 100, 250, 5.0, (img_color){ 20, 20, 20 }, 12, 4);
		snprintf(path, sizeof path, "%s/page.%s", tmpdir, ext[i]);
		CHECK(img_write(path, &im, 1, 90, &e) == 0);
		img_free(&im);
		size_t len;
		uint8_t *b = slurp(path, &len);
		CHECK(b != NULL);
		if (!b) continue;
		for (size_t cut = 1; cut < len; cut = cut * 3 + 7) {
			char what[64];
			snprintf(what, sizeof what, "page.%s cut at %zu", ext[i], cut);
			run(what, b, cut, &nd);      /* refused or partial: either is fine */
		}
		CHECK(run(ext[i], b, len, &nd) == 0);
		free(b);
	}

	/* Degenerate shapes: all must be read, with nothing found. */
	CHECK(write_gray("one.png", 1, 1, 0, false, path, sizeof path) == 0);
	CHECK(run_file("1x1", path, &nd) == 0 && nd == 0);
	CHECK(write_gray("tall.png", 10, 100000, 255, false, path, sizeof path) == 0);
	CHECK(run_file("10x100000", path, &nd) == 0 && nd == 0);
	CHECK(write_gray("wide.png", 100000, 10, 0, false, path, sizeof path) == 0);
	CHECK(run_file("100000x10 black", path, &nd) == 0 && nd == 0);
	CHECK(write_gray("black.png", 1200, 1600, 0, false, path, sizeof path) == 0);
	CHECK(run_file("all black", path, &nd) == 0);
	CHECKF(nd == 0, "all black page: %zu digits", nd);
	CHECK(write_gray("white.png", 1200, 1600, 255, false, path, sizeof path) == 0);
	CHECK(run_file("all white", path, &nd) == 0 && nd == 0);
	CHECK(write_gray("noise.png", 1200, 1600, 0, true, path, sizeof path) == 0);
	CHECK(run_file("noise", path, &nd) == 0);
	CHECKF(nd < 20, "pure noise page: %zu digits", nd);

	/* A page of printed words and no digit at all.  Lower-case lines are
	 * told from digits by their x-height letters; an all-capitals heading
	 * needs a model with a "not a digit" class, so it is checked only then. */
	static const char *lines[] = { "Please read carefully before signing below.",
				       "The applicant declares that the information", "given in this form is true and complete.",
				       "TERMS AND CONDITIONS" };
	for (int pass = 0; pass < 2; pass++) {
		img_t im;
		img_err e;
		CHECK(img_alloc(&im, 1240, 1754, 1, &e) == 0);
		memset(im.data, 245, (size_t)im.h * im.stride);
		for (int i = 0; i < 3 + pass; i++)
			img_draw_text(&im, lines[i], 80, 200 + 120 * i, i == 3 ? 2.0 : 1.2, (img_color){ 30, 30, 30 }, 2, 1);
		snprintf(path, sizeof path, "%s/words%d.png", tmpdir, pass);
		CHECK(img_write(path, &im, 1, 0, &e) == 0);
		img_free(&im);
		CHECK(run_file("words only", path, &nd) == 0);
		if (nn && (pass == 0 || nn_model_classes(model) > NN_CLASS_REJECT))
			CHECKF(nd == 0, "a page of words (pass %d) gave %zu digits", pass, nd);
	}
}

/* A page of dense small print (digits included) and no handwriting: the
 * print is under any handwriting's size and must be dropped whole, and
 * quickly, whatever the model. */
static void test_dense_print(void)
{
	img_t im;
	img_err e;
	char path[512];
	size_t nd;
	CHECK(img_alloc(&im, 2480, 3508, 1, &e) == 0);
	memset(im.data, 245, (size_t)im.h * im.stride);
	for (int i = 0; i < 110; i++)
		img_draw_text(&im, "The quick brown fox 0123456789 jumps over the lazy dog, 42 times; lorem ipsum.", 60,
			      40 + i * 31, 0.9, (img_color){ 20, 20, 20 }, 1, 0);
	snprintf(path, sizeof path, "%s/dense.png", tmpdir);
	CHECK(img_write(path, &im, 1, 0, &e) == 0);
	img_free(&im);
	CHECK(run_file("dense print", path, &nd) == 0);
	CHECKF(nd == 0, "dense print gave %zu digits", nd);
}

/* Replay every file in dir (fuzzer crashers and seeds). */
static void replay(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) return;
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.') continue;
		char path[1024];
		size_t nd;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		run_file(de->d_name, path, &nd);
		n++;
	}
	closedir(d);
	fprintf(stderr, "replayed %d inputs from %s\n", n, dir);
}

int main(void)
{
	if (!getenv("DIGITD_SANITIZED")) {
		/* Runaway memory shows up as a failed allocation, not a dead machine. */
		struct rlimit rl = { (rlim_t)3 << 30, (rlim_t)3 << 30 };
		CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
	}
	if (!mkdtemp(tmpdir)) SKIP("mkdtemp failed");
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	char mpath[1024], err[512];
	snprintf(mpath, sizeof mpath, "%s/models/lenet5.model", root);
	model = nn_model_load(mpath, err, sizeof err);
	if (model) nn = nn_infer_new(model, 64);
	else fprintf(stderr, "no model (%s): load, clean and segment only\n", err);
	test_cases();
	test_dense_print();
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/tests/fuzz/crashers", root);
	replay(dir);
	snprintf(dir, sizeof dir, "%s/tests/fuzz/seeds", root);
	replay(dir);
	nn_infer_free(nn);
	nn_model_free(model);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (getenv("KEEP_TMP")) fprintf(stderr, "inputs kept in %s\n", tmpdir);
	else if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
	CHECK_DONE();
}
