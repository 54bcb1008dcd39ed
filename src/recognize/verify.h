/* verify.h: the verifier: is a candidate a handwritten digit?
 *
 * The segmenter offers candidates; the model reads each in isolation.  What
 * tells a handwritten digit from print, a letter, a signature's loop or a
 * speck is mostly context: its size against its field, line and page, its
 * stroke against the page's, print-like regularity, words beside it.  The
 * reject stage measures those as features (one row per candidate, the order
 * below); the verifier is a logistic regression over them, trained on
 * generated pages (MNIST *train* digits among print, words, stamps and
 * signatures) by `digitctl train-verifier` and shipped beside the model.
 * Its probability decides: at least keep, reported; at least flag,
 * reported and flagged (REC_FLAG_VERIFIER); under that, dropped, and a field
 * of such drops is an unread region, so doubt always reaches a person.
 *
 * File format (text, one key per line, so a diff shows what training
 * changed): "digitd-verifier 1", "features N", then "mean", "scale" and
 * "weight" lines of N numbers, "bias B", "keep K", "flag F", "unread U",
 * "network NAME SHA256" (the verifier network's file, in the verifier
 * file's directory, or "network - -"), "model SHA256" (the classifier it
 * was fitted with), and last "sha256 HEX" of every byte before that line.  A file that does not check out, or whose network is
 * missing or not the one it was trained with, is refused whole. */
#ifndef DIGITD_VERIFY_H
#define DIGITD_VERIFY_H
#include <stdbool.h>
#include <stddef.h>

/* Features, in order: X(NAME, what it measures). */
#define REC_FEATURES(X) \
	X(TOP,       "top digit probability (reject mass included)") \
	X(REJECT,    "the model's \"not a digit\" probability") \
	X(TOP_COND,  "top digit's share of the digit classes") \
	X(LOG_PAGE_H, "log of height over the page's writing height") \
	X(FIELD_H,   "height over its field's median height") \
	X(ASPECT,    "width over height") \
	X(STROKE,    "stroke width over the page's median stroke") \
	X(DENSITY,   "ink share of its box") \
	X(FIELD_N,   "candidates in its field (capped at 8), over 8") \
	X(FIELD_TOP, "mean top_cond of its field") \
	X(PRINTED,   "in a run of type or a printed twin (1/0)") \
	X(TYPESET,   "its field is as regular as type (1/0)") \
	X(LOWER,     "its line holds lower-case writing (1/0)") \
	X(MARGIN,    "a lone mark in the outer margin (1/0)") \
	X(WORD,      "a word goes on beside its field (1/0)") \
	X(PIECE,     "split from or merged into a wider component (1/0)") \
	X(PAGE_REJECT, "the verifier network's \"not a handwritten digit\" probability")

enum {
#define REC_FEAT_ENUM(name, help) REC_FEAT_##name,
	REC_FEATURES(REC_FEAT_ENUM)
#undef REC_FEAT_ENUM
	REC_NFEAT
};

struct nn_model;

typedef struct rec_verifier {
	float mean[REC_NFEAT], scale[REC_NFEAT]; /* standardisation: (x - mean) * scale */
	float weight[REC_NFEAT];
	float bias;
	float keep;             /* report unflagged at or above this probability */
	float flag;             /* report flagged at or above this */
	float unread;           /* a dropped field with a candidate at or above this is unread */
	/* The verifier network: an 11-output LeNet-5 trained on page crops
	 * (`digitctl train --pages`), whose class 10 says "not a handwritten
	 * digit" of print as well; its file name (beside the verifier file)
	 * and SHA-256, and the network once loaded.  "-" for none. */
	char network[256];
	char network_sha[65];
	struct nn_model *net;
	/* SHA-256 of the classifier the rows were read with: TOP, REJECT and
	 * TOP_COND are its outputs, so the weights hold for that model only. */
	char model_sha[65];
	bool features_only;     /* only the network, to compute features for training: the rules decide */
} rec_verifier;

_Static_assert(REC_NFEAT <= 24, "rec_cand.feat holds 24 features");

/* Probability that the candidate with these features is a handwritten digit. */
float rec_verifier_prob(const rec_verifier *v, const float *feat);
/* Load and check a verifier file and its network; -1 with a message naming
 * the file and line.  rec_verifier_free releases the network. */
int rec_verifier_load(const char *path, rec_verifier *v, char *err, size_t errlen);
void rec_verifier_free(rec_verifier *v);
/* Was v fitted with the classifier m?  -1 with a message when not (a model
 * retrained or replaced beside an old verifier). */
int rec_verifier_check_model(const rec_verifier *v, const struct nn_model *m, char *err, size_t errlen);
/* Write one (checksummed); -1 with a message. */
int rec_verifier_save(const char *path, const rec_verifier *v, char *err, size_t errlen);
/* The verifier file that goes with a model: FOO.model -> FOO.verifier. */
void rec_verifier_path(const char *model_path, char *out, size_t n);
/* Name of feature k, or NULL. */
const char *rec_feature_name(int k);

#endif
