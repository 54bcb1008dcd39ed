/* segment.h: from one decoded page to normalised digit candidates in fields.
 *
 * seg_page_run cleans the page (ink channel, illumination flattening,
 * binarisation, deskew, ruling-line removal), finds digit candidates
 * (components, speck and blob filtering, merging of broken digits, splitting
 * of touching ones), groups them into fields (lines of nearby candidates,
 * left to right) and normalises each one as MNIST was made.  Boxes come out
 * in the page's own pixel coordinates (deskew and working scale undone).
 *
 * Candidates are not yet digits: the caller classifies them, then drops
 * what is not a digit (and the losing side of each split hypothesis) with
 * seg_page_filter, which regroups the fields.  Separators (decimal points,
 * slashes, table rules, gaps between rule segments) end fields. */
#ifndef DIGITD_SEGMENT_H
#define DIGITD_SEGMENT_H
#include <stdbool.h>
#include <stddef.h>
#include "imaging/imaging.h"

#define SEG_SIDE 28
#define SEG_PIXELS (SEG_SIDE * SEG_SIDE)

/* Why a candidate is doubtful (same bit values as recognize.h's REC_FLAG_*). */
enum {
	SEG_SPLIT = 1 << 1,     /* cut out of a wider component */
	SEG_MERGED = 1 << 2,    /* several components merged */
	SEG_ODDSIZE = 1 << 4,   /* size unusual for its field */
	SEG_SLASHLIKE = 1 << 6, /* a straight stroke leaning 30-40 degrees between two groups of
	                         * writing: a slash or a slanted 1; the model decides */
	SEG_LEANING = 1 << 13,  /* a straight stroke leaning 20-40 degrees between two groups:
	                         * read as a 1, but a person should see it */
};

typedef struct {
	int x, y, w, h;         /* box in page coordinates */
	int wx, wy, ww, wh;     /* box in the working (deskewed, scaled) image */
	int area;               /* ink pixels in the working image */
	float stroke;           /* mean stroke width, working pixels */
	float ink_left, ink_right; /* share of the columns a digit's height to each side with faint
	                         * ink no candidate explains (beside.c): a digit lost there? */
	unsigned why;           /* SEG_* bits */
	int field;              /* index into seg_page.fields */
	int tag;                /* candidate's index at segmentation; kept by seg_page_filter */
	int alt;                /* -1, or the split hypothesis group this candidate is in */
	bool alt_piece;         /* in group alt: a piece (else the whole component) */
	uint8_t img[SEG_PIXELS]; /* MNIST-style: ink 255 on 0, 20x20 fitted, centred by mass */
} seg_digit;

typedef struct {
	int x, y, w, h;         /* page coordinates */
	int first, n;           /* digits[first .. first+n) left to right */
} seg_field;

/* A mark that separates fields without being a digit: a decimal point, a
 * slash in a date (working-image box). */
enum { SEG_SEP_DOT, SEG_SEP_SLASH, SEG_SEP_RULE, SEG_SEP_GAP, SEG_SEP_TICK, SEG_SEP_SIDE };

typedef struct {
	int x, y, w, h;
	int kind;               /* SEG_SEP_*: a point, a slash, a vertical rule, a gap between rules,
	                         * a comb's tick (no separator: evidence of a comb), or a box's
	                         * outer side (a vertical rule with ruling on one side only) */
} seg_sep;

/* Ink too small to be a candidate (under the smallest digit's height, or a
 * speck beside the page's writing): the lower-case letters of fine print and
 * of small script.  Kept (working-image box) so that the reject stage can
 * see a word go on beside a candidate whose letters never became candidates. */
typedef struct {
	int x, y, w, h;
} seg_mark;

typedef struct {
	bool sauvola;           /* local binarisation instead of Otsu after flattening */
	bool deskew;
	bool remove_lines;
	double max_angle;       /* deskew search range, degrees */
	int work_side;          /* downscale the page while its long side exceeds this */
	bool coarsen;           /* and halve it once more when its writing is large (clean.c) */
} seg_options;

typedef struct {
	int page_w, page_h;
	int work_w, work_h;
	double scale;           /* working = page * scale (before rotation) */
	double angle;           /* degrees the working image was rotated to deskew */
	int ink_channel;        /* -1 luminance, 0 B, 1 G, 2 R */
	int threshold;          /* binarisation level (Otsu) */
	double digit_h;         /* typical candidate height in the working image */
	seg_digit *digits;
	size_t ndigits;
	seg_field *fields;
	size_t nfields;
	seg_sep *seps;          /* separators found between candidates */
	size_t nseps;
	seg_mark *marks;        /* components too small to be candidates */
	size_t nmarks;
	double ms_clean, ms_segment;
} seg_page;

void seg_options_default(seg_options *o);
int seg_page_run(const img_t *page, const seg_options *o, seg_page *out, img_err *err);
void seg_page_free(seg_page *p);

/* Drop candidates (keep[i] false), then rebuild the fields from those left.
 *
 * A wide component comes out twice: whole (alt_piece false) and cut into
 * pieces (alt_piece true, SEG_SPLIT), all with the same alt group, so the
 * caller can keep whichever reading the model finds more convincing and
 * drop the other with this function. */
int seg_page_filter(seg_page *p, const bool *keep, img_err *err);

#endif
