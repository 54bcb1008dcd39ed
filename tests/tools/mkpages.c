/* mkpages: a second, independent page generator for judging the recogniser.
 *
 *   build/tests/mkpages [--seed N] [--count N] [--family F[,F...]]
 *                       [--digits test|train] [--factor NAME=VALUE ...] data/mnist OUTDIR
 *
 * samples/ (tests/tools/mksamples.c) has 18 fixed layouts, and the
 * recogniser was tuned on them: checking it on the same layouts with other
 * digits cannot see what it overfitted.  mkpages shares no code with
 * mksamples.  Its families (cheque, form, sheet, receipt; pages_families.h)
 * draw a new layout for every page, and every field draws its own writing
 * height, slant, pen width, spacing (touching digits included) and relation
 * to its cells or rule; pages draw their resolution, skew, blur, noise, pen
 * colour and file format (pages_factors.h lists them all).  Each is written
 * into the truth, so the scorer (scripts/score-pages.js) can say how each
 * one moves the figures; docs/evaluation.md has the whole story.
 *
 * Handwriting is MNIST, from one split per run: `--digits test` (default)
 * for evaluation, `--digits train` for pages a learned component may train
 * on.  Each image is used at most once per run.  Same arguments, same
 * bytes: everything random comes from pages_rng.h.  MKPAGES_OVERLAY=1 also
 * writes NAME.overlay.png with the truth boxes drawn (do not score those). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pages_families.h"
#include "pages_scan.h"

#define DEFAULT_SEED 0x9A6E5ull
#define DEFAULT_COUNT 12
#define MAX_PAGES_PER_FILE 3

typedef struct {
	uint64_t seed;
	int count;
	int fam[N_FAMILIES], nfam;
	const char *split;
	factor_pins pins;
	const char *mnist, *out;
} options;

static void usage(void)
{
	fprintf(stderr, "usage: mkpages [--seed N] [--count N] [--family F[,F...]] [--digits test|train]\n"
			"               [--factor NAME=VALUE ...] MNIST-DIR OUTDIR\n"
			"families:");
	for (int i = 0; i < N_FAMILIES; i++) fprintf(stderr, " %s", families[i].name);
	fprintf(stderr, "\nfactors:\n");
	for (int i = 0; i < FAC_N; i++) fprintf(stderr, "  %-13s %s\n", fac_name[i], fac_help[i]);
	exit(2);
}

static int parse_families(options *o, const char *list)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	o->nfam = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = -1;
		for (int i = 0; i < N_FAMILIES; i++)
			if (strcmp(t, families[i].name) == 0) k = i;
		if (k < 0 || o->nfam >= N_FAMILIES) {
			fprintf(stderr, "mkpages: --family '%s': unknown or repeated (run without arguments for the list)\n", t);
			return -1;
		}
		o->fam[o->nfam++] = k;
	}
	return o->nfam > 0 ? 0 : -1;
}

static void parse(options *o, int argc, char **argv)
{
	memset(o, 0, sizeof *o);
	o->seed = DEFAULT_SEED, o->count = DEFAULT_COUNT, o->split = "test";
	for (int i = 0; i < N_FAMILIES; i++) o->fam[o->nfam++] = i;
	int pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		char *end;
		if (strcmp(a, "--seed") == 0 && more) {
			o->seed = strtoull(argv[++i], &end, 0);
			if (*end) usage();
		} else if (strcmp(a, "--count") == 0 && more) {
			o->count = (int)strtol(argv[++i], &end, 10);
			if (*end || o->count < 1 || o->count > 10000) usage();
		} else if (strcmp(a, "--family") == 0 && more) {
			if (parse_families(o, argv[++i]) < 0) exit(2);
		} else if (strcmp(a, "--digits") == 0 && more) {
			o->split = argv[++i];
			if (strcmp(o->split, "test") != 0 && strcmp(o->split, "train") != 0) usage();
		} else if (strcmp(a, "--factor") == 0 && more) {
			if (factor_parse(&o->pins, argv[++i]) < 0) exit(2);
		} else if (a[0] == '-')
			usage();
		else if (pos == 0)
			o->mnist = a, pos++;
		else if (pos == 1)
			o->out = a, pos++;
		else
			usage();
	}
	if (pos != 2) usage();
}

/* Draw, scan and write one file (one to three pages) of family fam. */
static int make_file(const options *o, mnist_pool *pool, int index, const family *fam)
{
	prng r = prng_for(o->seed, 0x70616765, (uint64_t)index);
	ppage *pg = calloc(MAX_PAGES_PER_FILE, sizeof *pg);
	pscan sc[MAX_PAGES_PER_FILE];
	img_t out[MAX_PAGES_PER_FILE] = { { 0 } };
	char name[64], path[600];
	img_err e;
	int rc = -1, n = 1;
	FILE *f = NULL;
	if (!pg) return -1;
	if (fam->multipage && prng_chance(&r, 0.2)) n = prng_int(&r, 2, MAX_PAGES_PER_FILE);
	/* One writer per file: one pen, one resolution, one file format. */
	int pen = (int)fac(&o->pins, FAC_PEN, prng_pick(&r, (const double[]){ 3, 4, 1, 0.5, 1 }, PEN_N));
	if (pen < 0 || pen >= PEN_N) pen = 0;
	static const img_color pen_colour[PEN_N] = { { 35, 30, 30 }, { 150, 50, 25 }, { 40, 35, 190 }, { 60, 130, 30 }, { 105, 105, 110 } };
	double dpi = fac(&o->pins, FAC_DPI, prng_int(&r, fam->dpi_lo, fam->dpi_hi));
	const char *ext = n > 1 ? "tif" : (const char *[]){ "jpg", "png", "tif" }[prng_pick(&r, (const double[]){ 5, 3, 1.5 }, 3)];
	if (o->pins.pinned[FAC_JPEG] && n == 1) ext = o->pins.value[FAC_JPEG] > 0 ? "jpg" : "png";
	int lossless = strcmp(ext, "jpg") != 0;
	snprintf(name, sizeof name, "%s-%03d.%s", fam->name, index, ext);
	for (int i = 0; i < n; i++) {
		ppage *p = &pg[i];
		p->r = &r, p->pool = pool, p->pins = &o->pins, p->dpi = dpi, p->pen = pen, p->ink = pen_colour[pen];
		p->paper = "plain";
		if (fam->draw(p) < 0) goto done;
		scan_draw(p, &sc[i], lossless);
		if (i > 0) sc[i].channels = sc[0].channels, sc[i].jpeg = sc[0].jpeg;
		if (scan_page(p, &sc[i], &out[i]) < 0) goto done;
	}
	snprintf(path, sizeof path, "%s/%s", o->out, name);
	if (img_write(path, out, n, lossless ? 0 : sc[0].jpeg, &e) < 0) {
		fprintf(stderr, "mkpages: %s\n", e.msg);
		goto done;
	}
	snprintf(path, sizeof path, "%s/%.*s.truth.json", o->out, (int)(strrchr(name, '.') - name), name);
	if (!(f = fopen(path, "w"))) {
		fprintf(stderr, "mkpages: %s: %s\n", path, strerror(errno));
		goto done;
	}
	fprintf(f, "{\"file\": \"%s\", \"kind\": \"%s\", \"family\": \"%s\", \"description\": \"%s, %d page%s, %d dpi, %s pen, %s\", "
		"\"generator\": \"tests/tools/mkpages.c\", \"seed\": %llu, \"mnist_split\": \"%s\",\n \"pages\": [\n",
		name, fam->name, fam->name, fam->name, n, n > 1 ? "s" : "", (int)dpi, pen_name[pen], ext,
		(unsigned long long)o->seed, pool->split);
	for (int i = 0; i < n; i++) {
		truth_page(f, &pg[i], &sc[i], i);
		fprintf(f, "%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, " ]}\n");
	if (fclose(f) != 0) {
		f = NULL;
		fprintf(stderr, "mkpages: %s: %s\n", path, strerror(errno));
		goto done;
	}
	f = NULL;
	if (getenv("MKPAGES_OVERLAY")) {
		snprintf(path, sizeof path, "%s/%.*s.overlay.png", o->out, (int)(strrchr(name, '.') - name), name);
		overlay_write(path, &out[0], &pg[0], &sc[0]);
	}
	rc = 0;
done:
	if (f) fclose(f);
	for (int i = 0; i < n; i++) {
		img_free(&out[i]);
		page_free(&pg[i]);
	}
	free(pg);
	return rc;
}

int main(int argc, char **argv)
{
	options o;
	mnist_pool pool;
	parse(&o, argc, argv);
	if (mkdir(o.out, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "mkpages: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	if (mnist_pool_open(&pool, o.mnist, o.split, o.seed) < 0) return 1;
	img_set_threads(1);  /* same pixels whatever the machine's core count */
	int rc = 0;
	for (int i = 0; i < o.count && rc == 0; i++)
		rc = make_file(&o, &pool, i, &families[o.fam[i % o.nfam]]);
	mnist_pool_free(&pool);
	if (rc == 0) printf("mkpages: %d files in %s (MNIST %s digits, seed %llu)\n", o.count, o.out, o.split, (unsigned long long)o.seed);
	return rc == 0 ? 0 : 1;
}
