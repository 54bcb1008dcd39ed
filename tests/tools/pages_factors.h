/* pages_factors.h: the factors mkpages varies, one table (name, where it is
 * drawn, what it means), so the parser, the truth writer and
 * docs/evaluation.md agree.  Each is drawn independently per page or per
 * field; `--factor NAME=VALUE` pins one for a whole run (robustness sweeps).
 * The scorer (scripts/score-pages.js) bins the recorded values. */
#ifndef DIGITD_PAGES_FACTORS_H
#define DIGITD_PAGES_FACTORS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages_rng.h"

/* X(ID, name, per, meaning) */
#define PAGES_FACTORS(X) \
	X(HEIGHT_RATIO, "height_ratio", "field", "writing height / the page's body print cap height (1/3 .. 3)") \
	X(TOUCHING, "touching", "field", "1: a pair or triple of the field's digits touch or overlap (negative gap)") \
	X(GAP, "gap", "field", "space between the digits' ink / writing height (negative: overlap)") \
	X(SLANT, "slant", "field", "shear of the writing in degrees, positive leaning right") \
	X(STROKE, "stroke", "field", "pen width relative to MNIST's own (0.5 thin .. 2.5 thick)") \
	X(IN_COMB, "in_comb", "field", "0 free writing, 1 in cells or a box, 2 ink touching a cell side, box or rule") \
	X(PEN, "pen", "page", "0 black, 1 blue, 2 red, 3 green, 4 pencil (names accepted)") \
	X(SKEW, "skew", "page", "rotation of the page on the scanner, degrees (-8 .. 8)") \
	X(BLUR, "blur", "page", "Gaussian blur sigma in pixels") \
	X(NOISE, "noise", "page", "sensor noise, grey levels (sd)") \
	X(JPEG, "jpeg", "page", "JPEG quality 40 .. 95; 0 lossless (PNG or TIFF)") \
	X(DPI, "dpi", "page", "resolution the page is drawn at (150 .. 400)")

enum {
#define X(id, name, per, help) FAC_##id,
	PAGES_FACTORS(X)
#undef X
	FAC_N
};

static const char *const fac_name[FAC_N] = {
#define X(id, name, per, help) name,
	PAGES_FACTORS(X)
#undef X
};
static const char *const fac_help[FAC_N] = {
#define X(id, name, per, help) per ": " help,
	PAGES_FACTORS(X)
#undef X
};

static const char *const pen_name[] = { "black", "blue", "red", "green", "pencil" };
#define PEN_N 5

typedef struct {
	int pinned[FAC_N];
	double value[FAC_N];
} factor_pins;

/* "NAME=VALUE" -> pins; 0, or -1 with a message. */
static int factor_parse(factor_pins *fp, const char *arg)
{
	const char *eq = strchr(arg, '=');
	for (int i = 0; eq && i < FAC_N; i++) {
		if (strlen(fac_name[i]) != (size_t)(eq - arg) || strncmp(arg, fac_name[i], (size_t)(eq - arg)) != 0) continue;
		char *end;
		double v = strtod(eq + 1, &end);
		if (i == FAC_PEN)
			for (int k = 0; k < PEN_N; k++)
				if (strcmp(eq + 1, pen_name[k]) == 0) { v = k; end = (char *)eq + 1 + strlen(eq + 1); }
		if (end == eq + 1 || *end) {
			fprintf(stderr, "mkpages: --factor %s: '%s' is not a number\n", fac_name[i], eq + 1);
			return -1;
		}
		fp->pinned[i] = 1;
		fp->value[i] = v;
		return 0;
	}
	fprintf(stderr, "mkpages: --factor '%s': expected NAME=VALUE with NAME one of:\n", arg);
	for (int i = 0; i < FAC_N; i++) fprintf(stderr, "  %-13s %s\n", fac_name[i], fac_help[i]);
	return -1;
}

/* The drawn value, unless the run pinned this factor. */
static double fac(const factor_pins *fp, int id, double drawn)
{
	return fp->pinned[id] ? fp->value[id] : drawn;
}

#endif
