/* seg_internal.h: what the segment layer's files share among themselves.
 * Not a public contract: only src/segment/ and its unit tests include it. */
#ifndef DIGITD_SEG_INTERNAL_H
#define DIGITD_SEG_INTERNAL_H
#include "imaging/ops.h"       /* img_comp */
#include "segment/segment.h"

#define SEG_SOLID_DIV 4

/* DIGITD_PROFILE=1 prints each step's wall time on stderr ("clean flatten
 * 6.3 ms"): how to see where a page's time goes without a profiler. */
typedef struct {
	const char *stage;      /* NULL: profiling is off */
	double t;
} seg_prof;
void seg_prof_start(seg_prof *p, const char *stage);
void seg_prof_step(seg_prof *p, const char *step);

/* The cleaned page: a binary working image (ink 255) plus what it took. */
typedef struct {
	img_t bin;              /* working binary, lines removed */
	img_t lines;            /* ruling lines that were removed (mask); may be empty */
	img_t solid;            /* areas of solid ink (banners, filled boxes), 1/SEG_SOLID_DIV size */
	img_t gray;             /* the flattened working page bin was cut from (paper near 255) */
	double scale;           /* working = page * scale, then rotated by angle */
	double angle;
	int page_w, page_h;
	int ink_channel, threshold;
	double h0;              /* typical component height before line removal */
} seg_clean_out;

int seg_clean(const img_t *page, const seg_options *o, seg_clean_out *c, img_err *err);
void seg_clean_free(seg_clean_out *c);

/* Skew of the ink's dominant lines, degrees within +-max_deg (0 if unsure);
 * rotating the image by this angle (img_rotate) levels them. */
double seg_skew_angle(const img_t *bin, double max_deg);

/* Typical height of the mid-sized components of bin (0 if none); *tall
 * (if not NULL) gets the height of the tall ones (the 90th percentile:
 * on a form, the writing rather than the print). */
double seg_typical_height(const img_t *bin, img_err *err, int *rc, double *tall);
/* The same on a copy q times smaller than the page (no further shrinking;
 * the speck bound scaled by q): seg_clean's quick look before it chooses
 * the working size. */
double seg_probe_height(const img_t *bin, int q, img_err *err, int *rc, double *tall);

/* Remove horizontal and vertical ruling lines longer than minlen from bin,
 * repairing strokes that cross them; the removed pixels go to *mask, with
 * bits telling which direction they ran. */
#define SEG_LINE_H 0x0F
#define SEG_LINE_V 0xF0
int seg_remove_lines(img_t *bin, int minlen, int repair, img_t *mask, img_err *err);

/* A candidate: box in the working image and its own ink mask (w*h, 255 ink). */
typedef struct {
	int x, y, w, h;
	int area;
	unsigned why;
	uint8_t *mask;
	int field;
	int id;                 /* caller's index, carried through sorting */
	int alt;                /* split group or -1 */
	bool alt_piece;
	bool in_ink;            /* set in a banner's ink (candidates.c) */
} seg_cand;

/* A printed box around a digit that touches it (three or four solid sides):
 * the sides are erased and the components left inside are appended to *v.
 * Returns 1 when c was such a box (its mask is then spent: free it), 0 if
 * not, -1 when out of memory.  h: the page's typical height. */
int seg_strip_box(seg_cand *c, double h, seg_cand **v, size_t *n, size_t *cap);
/* A frame (comb, boxes side by side) that a digit touches: its rules are
 * cut out along their edges (strokes across them kept) and the pieces of
 * a digit's size appended to *v marked SEG_SPLIT.  c is not changed.
 * Returns the number of pieces, -1 when out of memory. */
int seg_cut_frame(const seg_cand *c, double h, seg_cand **v, size_t *n, size_t *cap);

/* d[i].ink_left / ink_right for the n candidates c (working coordinates):
 * the share of the columns within a digit's height of each side holding
 * faint ink that no candidate's box and no removed rule explains
 * (beside.c).  -1 when out of memory. */
int seg_ink_beside(const seg_clean_out *cl, const seg_cand *c, size_t n, seg_digit *d, img_err *err);

/* Candidates of the cleaned page, with the separators found among them
 * and the marks (seg_mark) too small to be candidates. */
int seg_find_candidates(const seg_clean_out *c, seg_cand **out, size_t *n, seg_sep **seps, size_t *nseps,
			seg_mark **marks, size_t *nmarks, double *digit_h, img_err *err);
void seg_cands_free(seg_cand *c, size_t n);

/* Candidate primitives (cand.c).  seg_cand_make: the candidate of
 * component `label` (stats k) from the label image; seg_cand_merge: a
 * becomes the union of a and b; seg_cand_cmp_x: qsort order by x, then y.
 * seg_mask_any: does any pixel of the box (clipped) carry one of bits;
 * seg_touches_mask: any bit at all.  -1 means out of memory. */
int seg_cand_make(seg_cand *c, const int32_t *labels, int lw, int label, const img_comp *k);
int seg_cand_merge(seg_cand *a, const seg_cand *b);
int seg_cand_cmp_x(const void *a, const void *b);
bool seg_mask_any(const img_t *m, int x0, int y0, int x1, int y1, uint8_t bits);
bool seg_touches_mask(const img_t *m, int x0, int y0, int x1, int y1);

/* Shapes (shapes.c), h being the page's typical component height.
 * seg_hairline: component i (of n) is a hairline piece of a broken rule,
 * with another in line; seg_dash: a dash of a dashed rule, likewise.
 * seg_ink_axis: the ink's main direction, degrees from vertical, and in
 * *elong its minor/major axis ratio.  seg_lean_class: 0 upright or not a
 * stroke, 1 leaning 30-40 degrees (a slash or a slanted 1: the model
 * decides), 2 leaning more (a slash).  seg_ruled_bar / seg_ruled_slash:
 * ruler-straight upright or leaning strokes (print). */
bool seg_hairline(const img_comp *cc, int n, int i, double h);
bool seg_dash(const img_comp *cc, int n, int i, double h);
double seg_ink_axis(const seg_cand *c, double *elong);
int seg_lean_class(const seg_cand *c, double h);
bool seg_leaning(const seg_cand *c, double h);
bool seg_ruled_bar(const seg_cand *c, double h);
bool seg_ruled_slash(const seg_cand *c, double h);

/* Fragments (fragments.c): seg_is_fragment: component i is worth keeping
 * as a possible piece of a digit; seg_push_fragment appends it to *v;
 * seg_attach_fragments joins each fragment to the candidate (v, sorted by
 * x) its ink nearly touches; seg_chain_fragments turns chains of leftover
 * fragments (each within r of the next) between min_h and max_h tall into
 * candidates appended to *v.  Spent fragments lose their mask. */
bool seg_is_fragment(const img_comp *cc, int n, int i, double h, const img_t *lines);
int seg_push_fragment(seg_cand **v, size_t *n, size_t *cap, const int32_t *labels, int lw, int label,
		      const img_comp *k);
int seg_attach_fragments(seg_cand *v, size_t n, seg_cand *fr, size_t nfr);
int seg_chain_fragments(seg_cand *fr, size_t nfr, int r, double min_h, double max_h, seg_cand **v, size_t *n,
			size_t *cap);

/* Group candidates into fields: sorts cands in reading order (fields top to
 * bottom, digits left to right inside), sets cand.field, fills *fields with
 * boxes in working coordinates.  No field spans a separator. */
int seg_group_fields(seg_cand *c, size_t n, const seg_sep *seps, size_t nseps, seg_field **fields, size_t *nfields);

/* Mean stroke width of a mask: area over half its boundary length. */
double seg_stroke_width(const uint8_t *mask, int w, int h);

/* MNIST normalisation of one mask (w*h bytes, ink 255). */
int seg_normalize(const uint8_t *mask, int w, int h, uint8_t out[SEG_PIXELS], img_err *err);

/* The same from the grey levels under the mask (at x, y in gray): the ink's
 * own anti-aliased edges, as MNIST kept them, instead of the binary cut.
 * stroke: the mask's seg_stroke_width, which the caller has measured. */
int seg_normalize_gray(const uint8_t *mask, int w, int h, double stroke, const img_t *gray, int x, int y,
		       uint8_t out[SEG_PIXELS], img_err *err);

/* Working-image box -> page box (undo rotation and scale; clipped to page). */
void seg_box_to_page(const seg_clean_out *c, int x, int y, int w, int h, int *px, int *py, int *pw, int *ph);

#endif
