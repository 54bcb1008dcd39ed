/* recognize.h: one document in, digits and fields out.
 *
 * The pipeline: bytes -> decode (imaging) -> clean + segment (segment) ->
 * normalise to 28x28 -> classify in one batch per page (nn) -> fields.
 * The caller supplies the bytes (the daemon hashes exactly what it recognises)
 * and a per-thread nn_infer context.  Boxes are in the original image's pixel
 * coordinates, whatever reduced decoding or deskew happened inside. */
#ifndef DIGITD_RECOGNIZE_H
#define DIGITD_RECOGNIZE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "nn/nn.h"

#include "recognize/flags.h"     /* REC_FLAG_* and REC_DROP_*: the one table of reasons */

typedef struct {
	int page, x, y, w, h;
	int label;
	float confidence;
	int alt_label;
	float alt_confidence;
	int field;                  /* index into rec_result.fields */
	bool flagged;
	unsigned why;               /* REC_FLAG_* bits */
	float reject;               /* the model's "not a digit" probability (0 with a 10-class model) */
	uint8_t crop28[NN_PIXELS];  /* normalised input the model saw */
	uint8_t *crop_png;          /* PNG of the original crop when rec_options.want_crop_png */
	size_t crop_png_len;
} rec_digit;

typedef struct {
	int page, x, y, w, h;
	char *text;                 /* digits left to right, NUL-terminated */
	float confidence;           /* product of its digits' confidences */
	bool flagged;               /* any digit flagged, or why has a field reason */
	unsigned why;               /* REC_FLAG_* bits: its digits' reasons and its own (REC_FIELD_FLAGS) */
} rec_field;

/* Ink that may be handwriting but was not read as digits (a field whose
 * candidates were all dropped as not convincing): reported so that a number
 * that could not be read is never simply absent.  why: REC_FLAG_UNREAD and
 * the flag bits that stand for the drop reasons (SMALL, WEAKFIELD, ...). */
typedef struct {
	int page, x, y, w, h;
	unsigned why;
} rec_unread;

/* Every candidate the segmenter offered and what became of it: for
 * `recognize --explain` and for training the verifier.  Filled only when
 * rec_options.explain is set. */
typedef struct {
	int page, x, y, w, h;
	int label;
	float confidence;           /* top digit probability */
	float reject;               /* the model's "not a digit" probability */
	unsigned drop;              /* REC_DROP_* bits; 0 when reported */
	unsigned why;               /* REC_FLAG_* bits when reported */
	float verifier;             /* the verifier's probability that it is a handwritten digit, or -1 */
	float feat[24];             /* context features (verify.h), for training the verifier */
	uint8_t img[NN_PIXELS];     /* the 28x28 input the model saw, for training on page crops */
} rec_cand;

typedef struct {
	int width, height;
} rec_page;

typedef struct {
	char sha256[65];
	int npages;
	rec_page *pages;
	rec_digit *digits;
	size_t ndigits;
	rec_field *fields;
	size_t nfields;
	rec_unread *unread;
	size_t nunread;
	rec_cand *cands;            /* only with rec_options.explain */
	size_t ncands;
	bool explained;             /* rec_options.explain was set: cands is the whole list, maybe empty */
	double ms;                  /* whole recognition, wall clock */
	double ms_decode, ms_clean, ms_segment, ms_classify;
} rec_result;

typedef struct {
	float threshold;            /* flag under this confidence; default 0.90 */
	uint64_t max_pixels;        /* refuse larger pages before decoding; default 100e6 */
	size_t max_bytes;           /* refuse larger files; default 256 MiB */
	bool want_crop_png;         /* fill rec_digit.crop_png */
	const char *debug_dir;      /* write an overlay PNG per input when set */
	bool explain;               /* fill rec_result.cands; the overlay draws dropped candidates too */
	const struct rec_verifier *verifier; /* verify.h; NULL: the hand rules decide alone */
} rec_options;

void rec_options_default(rec_options *o);

/* Recognise a document held in memory.  name is used for messages and the
 * debug overlay's file name only.  Returns 0, or -1 with a message in err
 * (unreadable, too large, not an image...); *out is then empty but valid. */
int rec_buffer(const uint8_t *buf, size_t len, const char *name, const rec_options *opt,
	       nn_infer *nn, rec_result *out, char *err, size_t errlen);
/* Read path (bounded by max_bytes) and call rec_buffer. */
int rec_file(const char *path, const rec_options *opt, nn_infer *nn, rec_result *out,
	     char *err, size_t errlen);
void rec_result_free(rec_result *r);

/* One JSON object on one line (the `recognize --json` shape; error may be NULL). */
void rec_result_json(FILE *out, const char *file, const rec_result *r, const char *error);

#endif
