/* rec_internal.h: shared between the files of src/recognize/ only. */
#ifndef DIGITD_REC_INTERNAL_H
#define DIGITD_REC_INTERNAL_H
#include "imaging/load.h"
#include "recognize/recognize.h"
#include "recognize/verify.h"
#include "segment/segment.h"

/* Number of classes the context's model outputs (10 or 11), or -1. */
int rec_classes(nn_infer *nn);
/* Classify n images in as few nn_infer_run calls as the context allows. */
int rec_classify(nn_infer *nn, const uint8_t *img, size_t n, int classes, float *probs);
/* Highest probability among the ten digit classes. */
float rec_top_digit(const float *p);
/* The digit (0-9) it is. */
int rec_top_label(const float *p);
/* Label, confidence, alternative and reject bit from one probability row. */
void rec_score(const float *p, int classes, rec_digit *d);
/* Choose between whole and pieces for each split hypothesis; the losing
 * side gets REC_DROP_ALT in cands (indexed by seg_digit.tag). */
int rec_resolve_splits(seg_page *sp, const float *probs, int classes, rec_cand *cands, img_err *err);
/* Decide what is a digit: drop what is not (the model's reject class,
 * slashes, and, by the rules or the verifier when ver is set, print, words,
 * marks), flag what is doubtful, and add an unread region (page
 * coordinates of sp) for each field left with nothing read that might have
 * held a number.  probs rows and cands are indexed by seg_digit.tag; each
 * cand gets its features (vprobs: the verifier network's 11 outputs per
 * tag, or NULL), verifier probability, drop bits, and the flags
 * this stage gives it (why); sp's candidates are only filtered. */
int rec_reject(seg_page *sp, const float *probs, const float *vprobs, int classes, const rec_verifier *ver,
	       rec_cand *cands, rec_unread **unread, size_t *nunread, img_err *err);
/* Machine-printed glyphs (runs of one height, baseline, stroke and pitch;
 * glyphs repeated exactly): printed[i] for each candidate; line[f] is the
 * text line of field f, as the index of its first field. */
void rec_find_printed(const seg_page *sp, const int *line, const float *probs, int classes, bool *printed);
/* Are all glyphs of field fd (two or more) of one face: one height to a few
 * per cent, one width (wide glyphs), one stroke, one baseline?  Too short a
 * group for a run, but as regular as type. */
bool rec_typeset_field(const seg_page *sp, const seg_field *fd);
/* PNG of a digit's box cut from the decoded page. */
int rec_crop_png(const img_t *page, const seg_digit *s, rec_digit *d);
/* Overlay PNG(s) for a document into dir. */
int rec_write_overlay(const char *dir, const char *name, const img_doc *doc, const rec_result *r, char *err,
		      size_t errlen);

#endif
