/* bench_page: whole-page speed, one thread, per stage.
 *
 * Pages are composed from MNIST test digits (tests/unit/page_fixture.h): a
 * 300 dpi A4 form (2480 x 3508, PNG and JPEG) and a colour cheque (PNG and
 * JPEG).  Each is recognised repeatedly through rec_buffer, OpenCV limited
 * to one thread; the median of each stage (wall clock) is printed as
 * "BENCH page_<name>_<stage>_ms <value> ms", then the CPU time per page and
 * pages/s from it (one core's throughput, fair on a busy machine).  The images are
 * left in $DIGITD_BUILD/bench/ for bench_tesseract.sh to read the same
 * pages, with our pages/s in page-figures.txt for its comparison. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/unit/page_fixture.h"
#include "imaging/ops.h"
#include "nn/nn.h"
#include "recognize/recognize.h"
#include "recognize/verify.h"
#include "util/file.h"
#include "util/heap.h"

static const rec_verifier *verifier;     /* the model's, when it has one */

/* CPU time of this process: on a shared machine wall-clock times include
 * waiting for a core; CPU time is what one page costs one core. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *b;
	char err[512];
	if (file_read_all(path, SIZE_MAX, &b, len, err, sizeof err) < 0) return NULL;
	return b;
}

/* Recognise path iters times; print the stage medians; return pages/s
 * (median CPU time), and in *best_pps those of the fastest run. */
static double bench_file(const char *name, const char *path, const fx_truth *t, nn_infer *nn, int iters, double *best_pps)
{
	*best_pps = 0;
	size_t len;
	uint8_t *buf = slurp(path, &len);
	if (!buf) {
		fprintf(stderr, "bench_page: cannot read %s\n", path);
		return 0;
	}
	double st[6][1000];
	rec_options o;
	rec_options_default(&o);
	o.verifier = verifier;
	char err[512];
	size_t found = 0, right = 0;
	int n = 0;
	for (int i = -1; i < iters && n < 1000; i++) {
		rec_result r;
		double c0 = cpu_ms();
		int rc = rec_buffer(buf, len, name, &o, nn, &r, err, sizeof err);
		double c1 = cpu_ms();
		if (rc < 0) {
			fprintf(stderr, "bench_page: %s\n", err);
			break;
		}
		if (i >= 0) {
			st[0][n] = r.ms_decode, st[1][n] = r.ms_clean, st[2][n] = r.ms_segment, st[3][n] = r.ms_classify;
			st[4][n] = r.ms;
			st[5][n] = c1 - c0;
			n++;
		} else {
			found = r.ndigits;
			for (size_t f = 0; f < r.nfields; f++)
				for (int k = 0; k < t->nfields; k++)
					if (strcmp(r.fields[f].text, t->text[k]) == 0) right++;
		}
		rec_result_free(&r);
	}
	free(buf);
	if (n == 0) return 0;
	static const char *stage[] = { "decode", "clean", "segment", "classify", "total" };
	printf("%s: %zu bytes, %zu digits found (%d true), %zu of %d fields read exactly\n", name, len, found, t->n,
	       right, t->nfields);
	double total = 0;
	for (int s = 0; s < 5; s++) {
		double m = median(st[s], n);
		printf("BENCH page_%s_%s_ms %.1f ms\n", name, stage[s], m);
		if (s == 4) total = m;
	}
	double cpu = median(st[5], n), best = st[5][0];       /* sorted by median() */
	printf("BENCH page_%s_cpu_ms %.1f ms\n", name, cpu);
	/* The fastest run too: on a shared machine a whole run can land on a
	 * busy core and take half as long again; the best of many is what the
	 * code costs, and bench_tesseract compares like with like. */
	printf("BENCH page_%s_cpu_best_ms %.1f ms\n", name, best);
	/* pages/s from CPU time: one core's throughput, whatever else runs. */
	double pps = cpu > 0 ? 1000.0 / cpu : 0;
	printf("BENCH page_%s_pages_per_s %.2f pages/s\n", name, pps);
	(void)total;
	*best_pps = best > 0 ? 1000.0 / best : 0;
	return pps;
}

/* Usage: bench_page [ITERS [CASE]]; CASE (a4_png, cheque_jpg, ...) benches
 * that page alone, e.g. under perf record. */
int main(int argc, char **argv)
{
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	const char *build = getenv("DIGITD_BUILD") ? getenv("DIGITD_BUILD") : "build";
	char path[1024], err[512];
	fx_mnist m;
	snprintf(path, sizeof path, "%s/data/mnist", root);
	if (fx_mnist_load(path, &m) < 0) {
		printf("bench_page: no MNIST test set in %s (make data): skipped\n", path);
		return 0;
	}
	snprintf(path, sizeof path, "%s/models/lenet5-reject.model", root);
	nn_model *model = nn_model_load(path, err, sizeof err);
	if (!model) {
		printf("bench_page: %s: skipped\n", err);
		fx_mnist_free(&m);
		return 0;
	}
	/* the verifier that ships beside the model, as digitd and digitctl load it */
	static rec_verifier ver;
	char vpath[4096];
	rec_verifier_path(path, vpath, sizeof vpath);
	if (access(vpath, F_OK) == 0) {
		if (rec_verifier_load(vpath, &ver, err, sizeof err) < 0 ||
		    rec_verifier_check_model(&ver, model, err, sizeof err) < 0) {
			fprintf(stderr, "bench_page: %s: %s\n", vpath, err);
			fx_mnist_free(&m);
			nn_model_free(model);
			return 1;
		}
		verifier = &ver;
	}
	printf("bench_page: %s\n", verifier ? "with the model's verifier" : "no verifier (hand rules)");
	nn_infer *nn = nn_infer_new(model, 256);
	img_set_threads(1);
	heap_keep_pages();      /* as digitd and digitctl do */
	int iters = getenv("DIGITD_SANITIZED") ? 2 : 10;
	if (argc > 1 && atoi(argv[1]) > 0) iters = atoi(argv[1]);
	const char *only = argc > 2 ? argv[2] : NULL;

	fx_truth form_t, cheque_t;
	img_t form, cheque;
	img_err e;
	if (fx_form(&form, 2480, 3508, 1, &m, 11, &form_t) < 0 || fx_cheque(&cheque, 2000, 900, &m, 5, &cheque_t) < 0) {
		fprintf(stderr, "bench_page: cannot compose the pages\n");
		return 1;
	}
	static const struct {
		const char *name, *ext;
		int which;
	} cases[] = { { "a4_png", "png", 0 }, { "a4_jpg", "jpg", 0 }, { "cheque_png", "png", 1 }, { "cheque_jpg", "jpg", 1 } };
	char fig[1024];
	snprintf(fig, sizeof fig, "%s/bench/page-figures.txt", build);
	FILE *ff = only ? NULL : fopen(fig, "w");     /* one case alone: bench_tesseract's pairs */
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (only && strcmp(only, cases[i].name) != 0) continue;
		snprintf(path, sizeof path, "%s/bench/page-%s.%s", build, cases[i].which ? "cheque" : "a4", cases[i].ext);
		if (img_write(path, cases[i].which ? &cheque : &form, 1, 90, &e) < 0) {
			fprintf(stderr, "bench_page: %s\n", e.msg);
			continue;
		}
		double best = 0, pps = bench_file(cases[i].name, path, cases[i].which ? &cheque_t : &form_t, nn, iters, &best);
		if (ff) fprintf(ff, "%s %s %.3f %.3f\n", cases[i].name, path, pps, best);
	}
	if (ff) fclose(ff);
	img_free(&form);
	img_free(&cheque);
	nn_infer_free(nn);
	nn_model_free(model);
	if (verifier) rec_verifier_free(&ver);
	fx_mnist_free(&m);
	return 0;
}
