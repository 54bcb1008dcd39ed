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

/* Why a digit was flagged, beyond a low confidence (bit set in rec_digit.why). */
enum {
	REC_FLAG_LOWCONF = 1 << 0,  /* calibrated confidence under the threshold */
	REC_FLAG_SPLIT   = 1 << 1,  /* cut out of a wider component (touching digits) */
	REC_FLAG_MERGED  = 1 << 2,  /* pieces merged into one digit */
	REC_FLAG_REJECT  = 1 << 3,  /* the model's "not a digit" class was likely */
	REC_FLAG_ODDSIZE = 1 << 4,  /* box size unusual for its field */
	REC_FLAG_TEXTNEAR = 1 << 5, /* touches marks rejected as text or scribble on its line */
	REC_FLAG_SMALL = 1 << 7,    /* much smaller than the page's writing (kept on the model's word) */
};

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
	bool flagged;               /* any digit flagged */
} rec_field;

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
	double ms;                  /* whole recognition, wall clock */
	double ms_decode, ms_clean, ms_segment, ms_classify;
} rec_result;

typedef struct {
	float threshold;            /* flag under this confidence; default 0.90 */
	uint64_t max_pixels;        /* refuse larger pages before decoding; default 100e6 */
	size_t max_bytes;           /* refuse larger files; default 256 MiB */
	bool want_crop_png;         /* fill rec_digit.crop_png */
	const char *debug_dir;      /* write an overlay PNG per input when set */
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
