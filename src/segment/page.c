/* page.c: the segment layer's entry points, tying clean -> candidates ->
 * fields -> normalisation together and mapping boxes back to the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "segment/seg_internal.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void seg_page_free(seg_page *p)
{
	if (!p) return;
	free(p->digits);
	free(p->fields);
	free(p->seps);
	free(p->marks);
	p->digits = NULL;
	p->fields = NULL;
	p->seps = NULL;
	p->marks = NULL;
	p->ndigits = p->nfields = p->nseps = p->nmarks = 0;
}

/* Field boxes in page coordinates: the union of their digits' page boxes. */
static void field_boxes(seg_page *p)
{
	for (size_t f = 0; f < p->nfields; f++) {
		seg_field *o = &p->fields[f];
		int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
		for (int i = o->first; i < o->first + o->n; i++) {
			const seg_digit *d = &p->digits[i];
			if (d->x < x0) x0 = d->x;
			if (d->y < y0) y0 = d->y;
			if (d->x + d->w > x1) x1 = d->x + d->w;
			if (d->y + d->h > y1) y1 = d->y + d->h;
		}
		if (x1 < 0) x0 = y0 = x1 = y1 = 0;
		o->x = x0, o->y = y0, o->w = x1 - x0, o->h = y1 - y0;
	}
}

/* Flag digits whose height is far from their field's median: a stray mark
 * or a fragment grouped with real digits. */
static void odd_sizes(seg_page *p)
{
	for (size_t f = 0; f < p->nfields; f++) {
		seg_field *o = &p->fields[f];
		if (o->n < 3) continue;
		int hs[64], k = 0;
		for (int i = o->first; i < o->first + o->n && k < 64; i++) hs[k++] = p->digits[i].wh;
		for (int a = 1; a < k; a++)
			for (int b = a; b > 0 && hs[b - 1] > hs[b]; b--) {
				int t = hs[b];
				hs[b] = hs[b - 1];
				hs[b - 1] = t;
			}
		int med = hs[k / 2];
		for (int i = o->first; i < o->first + o->n; i++)
			if (p->digits[i].wh < 0.55 * med || p->digits[i].wh > 1.6 * med) p->digits[i].why |= SEG_ODDSIZE;
			else p->digits[i].why &= ~(unsigned)SEG_ODDSIZE;
	}
}

int seg_page_run(const img_t *page, const seg_options *o, seg_page *out, img_err *err)
{
	seg_clean_out cl;
	seg_cand *c = NULL;
	size_t n = 0;
	memset(out, 0, sizeof *out);
	out->page_w = page->w;
	out->page_h = page->h;
	double t0 = now_ms();
	if (seg_clean(page, o, &cl, err) < 0) return -1;
	double t1 = now_ms();
	out->ms_clean = t1 - t0;
	out->work_w = cl.bin.w;
	out->work_h = cl.bin.h;
	out->scale = cl.scale;
	out->angle = cl.angle;
	out->ink_channel = cl.ink_channel;
	out->threshold = cl.threshold;
	if (seg_find_candidates(&cl, &c, &n, &out->seps, &out->nseps, &out->marks, &out->nmarks, &out->digit_h,
				err) < 0) goto fail;
	seg_prof prof;
	seg_prof_start(&prof, "segment");
	if (seg_group_fields(c, n, out->seps, out->nseps, &out->fields, &out->nfields) < 0) goto oom;
	seg_prof_step(&prof, "fields");
	if (n > 0 && !(out->digits = calloc(n, sizeof *out->digits))) goto oom;
	for (size_t i = 0; i < n; i++) {
		seg_digit *d = &out->digits[i];
		d->wx = c[i].x, d->wy = c[i].y, d->ww = c[i].w, d->wh = c[i].h;
		d->area = c[i].area;
		double sw = seg_stroke_width(c[i].mask, c[i].w, c[i].h);
		d->stroke = (float)sw;
		d->why = c[i].why;
		d->field = c[i].field;
		d->tag = (int)i;
		d->alt = c[i].alt;
		d->alt_piece = c[i].alt_piece;
		seg_box_to_page(&cl, c[i].x, c[i].y, c[i].w, c[i].h, &d->x, &d->y, &d->w, &d->h);
		if (seg_normalize_gray(c[i].mask, c[i].w, c[i].h, sw, &cl.gray, c[i].x, c[i].y, d->img, err) < 0) goto fail;
	}
	out->ndigits = n;
	seg_prof_step(&prof, "normalize");
	if (seg_ink_beside(&cl, c, n, out->digits, err) < 0) goto fail;
	seg_prof_step(&prof, "beside");
	field_boxes(out);
	seg_cands_free(c, n);
	seg_clean_free(&cl);
	out->ms_segment = now_ms() - t1;
	return 0;
oom:
	snprintf(err->msg, sizeof err->msg, "segmentation: out of memory");
fail:
	seg_cands_free(c, n);
	seg_clean_free(&cl);
	seg_page_free(out);
	return -1;
}

int seg_page_filter(seg_page *p, const bool *keep, img_err *err)
{
	size_t m = 0;
	for (size_t i = 0; i < p->ndigits; i++)
		if (keep[i]) p->digits[m++] = p->digits[i];
	p->ndigits = m;
	free(p->fields);
	p->fields = NULL;
	p->nfields = 0;
	if (m == 0) return 0;
	seg_cand *c = calloc(m, sizeof *c);
	seg_digit *d = malloc(m * sizeof *d);
	if (!c || !d) goto oom;
	for (size_t i = 0; i < m; i++) {
		const seg_digit *s = &p->digits[i];
		c[i] = (seg_cand){ .x = s->wx, .y = s->wy, .w = s->ww, .h = s->wh, .area = s->area, .id = (int)i };
	}
	if (seg_group_fields(c, m, p->seps, p->nseps, &p->fields, &p->nfields) < 0) goto oom;
	for (size_t i = 0; i < m; i++) {
		d[i] = p->digits[c[i].id];
		d[i].field = c[i].field;
	}
	free(p->digits);
	p->digits = d;
	free(c);
	field_boxes(p);
	odd_sizes(p);
	return 0;
oom:
	free(c);
	free(d);
	snprintf(err->msg, sizeof err->msg, "out of memory");
	return -1;
}
