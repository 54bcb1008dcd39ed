/* shapes.c: what a component or candidate looks like, from its box and
 * its ink's second moments: hairlines and dashes of broken or dashed rules,
 * leaning strokes (slashes or slanted 1s), ruler-straight printed bars.
 * Judged against h, the page's typical component height, never absolute
 * pixels beyond a hairline's few. */
#include <math.h>
#include <stdlib.h>

#include "segment/seg_internal.h"

/* A hairline piece of a broken printed border or rule. */
static bool is_hair(const img_comp *k)
{
	return k->w <= 4 && k->w * 4 <= k->h && k->area * 20 >= k->w * k->h * 17;
}

/* Another hairline in line with this one (a broken rule), or level with it
 * a few digits away, top and bottom to the pixel (the sides of comb cells
 * whose faint rules did not survive binarisation). */
static bool has_collinear_hair(const img_comp *cc, int n, int i, double h)
{
	const img_comp *a = &cc[i];
	int ax = a->x + a->w / 2;
	for (int j = 0; j < n; j++) {
		const img_comp *b = &cc[j];
		if (j == i || !is_hair(b)) continue;
		int dx = abs(b->x + b->w / 2 - ax);
		int gap = b->y > a->y ? b->y - (a->y + a->h) : a->y - (b->y + b->h);
		if (dx <= 3 && gap < 2 * h) return true;
		if (dx > 3 && dx < 3 * a->h && abs(b->y - a->y) <= 2 && abs(b->y + b->h - a->y - a->h) <= 2) return true;
	}
	return false;
}

/* A dash of a dashed rule: a short solid bar, level or upright, four
 * pixels thick at most. */
static bool is_dash(const img_comp *k)
{
	if (k->area * 10 < k->w * k->h * 8) return false;
	return (k->w <= 4 && k->h >= 3 * k->w) || (k->h <= 4 && k->w >= 3 * k->h);
}

/* Another dash in line with dash i, within a few of the page's heights:
 * a dashed rule or box side (a broken stroke's piece has none). */
static bool has_collinear_dash(const img_comp *cc, int n, int i, double h)
{
	const img_comp *a = &cc[i];
	bool up = a->h > a->w;
	int ac = up ? a->x + a->w / 2 : a->y + a->h / 2;
	for (int j = 0; j < n; j++) {
		const img_comp *b = &cc[j];
		if (j == i || !is_dash(b) || (b->h > b->w) != up) continue;
		int bc = up ? b->x + b->w / 2 : b->y + b->h / 2;
		int gap = up ? (b->y > a->y ? b->y - (a->y + a->h) : a->y - (b->y + b->h))
			     : (b->x > a->x ? b->x - (a->x + a->w) : a->x - (b->x + b->w));
		if (abs(bc - ac) <= 3 && gap >= 0 && gap < 2 * h) return true;
	}
	return false;
}

/* Orientation of a candidate's ink from its second moments: *elong is the
 * minor/major axis ratio (0 for a perfect line), return value the major
 * axis's angle from vertical in degrees (0..90). */
double seg_ink_axis(const seg_cand *c, double *elong)
{
	double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			if (c->mask[(size_t)y * c->w + x]) n++, sx += x, sy += y, sxx += (double)x * x, syy += (double)y * y, sxy += (double)x * y;
	if (n < 2) {
		*elong = 1;
		return 0;
	}
	double mx = sx / n, my = sy / n;
	double a = sxx / n - mx * mx, b = syy / n - my * my, cxy = sxy / n - mx * my;
	double tr = a + b, det = a * b - cxy * cxy, disc = sqrt(fmax(0, tr * tr / 4 - det));
	double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
	*elong = l1 > 0 ? sqrt(fmax(0, l2) / l1) : 1;
	/* Major axis direction (vx, vy); angle from the vertical axis. */
	double vx = cxy, vy = l1 - a;
	if (fabs(vx) < 1e-9 && fabs(vy) < 1e-9) vx = a >= b ? 1 : 0, vy = a >= b ? 0 : 1;
	return atan2(fabs(vx), fabs(vy)) * 180 / M_PI;
}

/* A slash between date groups, or a dash: a thin straight stroke leaning
 * over 40 degrees (MNIST's 1s lean up to about 35): 2.  Leaning 30 to 40
 * degrees it may be either: 1.  Upright or curved: 0.  Either way it is
 * only taken for a slash with writing on both sides of it. */
int seg_lean_class(const seg_cand *c, double h)
{
	double elong;
	if (c->h < 0.5 * h && c->w < 0.5 * h) return 0;
	double ang = seg_ink_axis(c, &elong);
	if (elong >= 0.16) return 0;
	return ang > 40 ? 2 : ang > 30 ? 1 : 0;
}

/* A straight stroke leaning over 20 degrees (LEAN_MIN_DEG): a slash, or a
 * 1 written with a slant; what it is between two groups is for a person. */
#define LEAN_MIN_DEG 20
bool seg_leaning(const seg_cand *c, double h)
{
	double elong;
	if (c->h < 0.5 * h && c->w < 0.5 * h) return false;
	double ang = seg_ink_axis(c, &elong);
	return elong < 0.16 && ang > LEAN_MIN_DEG;
}

/* A ruler-straight upright bar: a printed 1, a piece of a rule or a box's
 * side (minor axis under 6 % of the major; written 1s measure 9 % and more
 * on samples/).  A bar that thin and straight can also be a 1 from a fine
 * pen, so the caller only drops it when it is also thinner than the page's
 * handwriting. */
bool seg_ruled_bar(const seg_cand *c, double h)
{
	double elong;
	if (c->h < 0.5 * h) return false;
	double ang = seg_ink_axis(c, &elong);
	return elong < 0.06 && ang <= 20;
}

/* A printed slash: ruler-straight (minor axis under 7 % of the major) and
 * leaning over 20 degrees.  Same caveat as is_ruled_bar. */
bool seg_ruled_slash(const seg_cand *c, double h)
{
	double elong;
	if (c->h < 0.5 * h && c->w < 0.5 * h) return false;
	double ang = seg_ink_axis(c, &elong);
	return elong < 0.07 && ang > 20;
}

bool seg_hairline(const img_comp *cc, int n, int i, double h)
{
	return is_hair(&cc[i]) && has_collinear_hair(cc, n, i, h);
}

bool seg_dash(const img_comp *cc, int n, int i, double h)
{
	return is_dash(&cc[i]) && has_collinear_dash(cc, n, i, h);
}
