/* flags.h: the one table of reasons a digit, a field or an unread region is
 * put before a person, and of the reasons a candidate is dropped.
 *
 * Every reader of these bits (the JSON, `show`, `review`, the overlays, the
 * evaluation) goes through this table, so a new reason is one line here and
 * never an empty word somewhere else.  Bit values are stored in the database
 * (digits.why, fields.why, unread.why): they may be added, never renumbered.
 *
 * X(NAME, BIT, WORD, HELP): REC_FLAG_NAME = 1 << BIT; WORD is what people
 * read (short, stable: scripts match on it), HELP one line for --help and
 * the review screen. */
#ifndef DIGITD_FLAGS_H
#define DIGITD_FLAGS_H
#include <stddef.h>

#define REC_FLAGS(X) \
	X(LOWCONF,  0, "low-conf",   "the calibrated confidence is under the threshold") \
	X(SPLIT,    1, "split",      "cut out of a wider component (touching digits)") \
	X(MERGED,   2, "merged",     "several pieces of ink merged into one digit") \
	X(REJECT,   3, "not-digit?", "the model's \"not a digit\" class was likely") \
	X(ODDSIZE,  4, "odd-size",   "its size is unusual for its field") \
	X(TEXTNEAR, 5, "text-near",  "right beside marks rejected as text on its line") \
	X(SMALL,    7, "small",      "much smaller than the page's writing: small print or small writing") \
	X(PRINTLIKE, 8, "print-like", "as regular as type: printed, or very neat writing") \
	X(WEAKFIELD, 9, "weak-field", "its field reads poorly as a number (text or scribble?)") \
	X(WORDLIKE, 10, "word-like",  "on a line of lower-case writing: a word or a number?") \
	X(MARGIN,   11, "margin",     "a lone mark in the page's outer margin") \
	X(VERIFIER, 12, "unsure",     "the verifier doubts it is a handwritten digit") \
	X(LEANING,  13, "slash-or-1", "a straight stroke leaning 20-40 degrees between two groups: a slash or a 1?") \
	X(GAP,      16, "gap",        "a gap inside or beside the field where a digit may be missing") \
	X(UNREAD,   18, "unread",     "handwriting-like ink that was not read as digits") \
	X(BESIDE,   19, "beside",     "another number of its size right beside it: one number cut in two?")

enum {
#define REC_FLAG_ENUM(name, bit, word, help) REC_FLAG_##name = 1u << (bit),
	REC_FLAGS(REC_FLAG_ENUM)
#undef REC_FLAG_ENUM
};

/* The reasons a field has of its own, beside its digits'. */
#define REC_FIELD_FLAGS (REC_FLAG_GAP | REC_FLAG_BESIDE)

/* Why a candidate was dropped before anything is reported (the explain
 * overlay and the verifier's training data show them).  X(NAME, BIT, WORD). */
#define REC_DROPS(X) \
	X(CLASS,   0, "model-reject") \
	X(WEAK,    1, "weak-field") \
	X(LOWER,   2, "lower-case") \
	X(SMALL,   3, "small") \
	X(MARGIN,  4, "margin") \
	X(PRINTED, 5, "printed") \
	X(SLASH,   6, "slash") \
	X(ALT,     7, "other-split") \
	X(VERIFIER, 8, "verifier")

enum {
#define REC_DROP_ENUM(name, bit, word) REC_DROP_##name = 1u << (bit),
	REC_DROPS(REC_DROP_ENUM)
#undef REC_DROP_ENUM
};

/* "low-conf,split" for a set of REC_FLAG_* bits ("" for none). */
void rec_flag_words(unsigned why, char *buf, size_t n);
/* The same for REC_DROP_* bits. */
void rec_drop_words(unsigned drop, char *buf, size_t n);
/* The help line of one REC_FLAG_* bit, or NULL. */
const char *rec_flag_help(unsigned bit);

#endif
