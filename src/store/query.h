/* query.h: the read side of the database, for digitctl (and its tests).
 *
 * The daemon owns the database's life (creating it, migrating it, writing
 * results); these functions only look at a database that already exists and,
 * for review decisions, make short single-row writes.  They are safe on a live
 * database while digitd writes: every connection gets a busy timeout, and every
 * write is one BEGIN IMMEDIATE transaction that holds the lock for one UPDATE.
 *
 * Errors: functions return 0 (or a count) on success and -1 with a message in
 * err that names the file and says what to do. */
#ifndef DIGITD_QUERY_H
#define DIGITD_QUERY_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store/store.h"   /* STORE_APP_ID, STORE_SCHEMA_VERSION, STORE_BUSY_MS */


/* Open an existing digitd database.  writable=0 opens it read-only.  Refuses a
 * missing file, a file that is not SQLite, a SQLite file that is not a digitd
 * database, and a schema newer than STORE_SCHEMA_VERSION. */
int query_open(const char *path, int writable, sqlite3 **db, char *err, size_t errlen);

/* Resolve a document given as a numeric id, an original file name or a sha256
 * prefix (>= 4 hex digits).  When several rows match, the one that is not a
 * duplicate wins; still ambiguous is an error listing the candidates.
 * Returns 0 and *id, or -1. */
int query_doc_resolve(sqlite3 *db, const char *spec, int64_t *id, char *err, size_t errlen);

/* The review decision a digit had before a change, so it can be undone. */
typedef struct {
	int64_t digit_id;
	int had_review;             /* 0: reviewed_label was NULL */
	int label;
	char by[128];
	char at[40];
} query_review_prev;

/* Store one review decision (label 0-9) at once in its own transaction.  When
 * prev is not NULL it receives the decision the digit had before.  Fails if the
 * digit does not exist. */
int query_review_set(sqlite3 *db, int64_t digit_id, int label, const char *by, const char *at,
		     query_review_prev *prev, char *err, size_t errlen);
/* Put back what query_review_set replaced. */
int query_review_restore(sqlite3 *db, const query_review_prev *prev, char *err, size_t errlen);

/* Store what a person read in an unread region (schema 3): text is the
 * digits written there, "" when nothing is; it leaves unread_queue.  Fails
 * if the region does not exist or text is not digits. */
int query_unread_set(sqlite3 *db, int64_t id, const char *text, const char *by, const char *at, char *err,
		     size_t errlen);

/* The document_text view's per-field columns, for the field whose id is the
 * SQL expression F, with the view's definitions (sql/schema.sql) but written
 * so each is one look-up in digits_field.  Reading the view itself costs more
 * as the database grows: it is evaluated whole, and without ANALYZE statistics
 * SQLite answers its unreviewed_flags column through digits_review, scanning
 * the review backlog once per field (minutes for `show` on 100,000 fields).
 * tests/scenario/review_cli.sh checks these against the view. */
#define QUERY_FIELD_TEXT(F) \
	"(SELECT group_concat(CAST(coalesce(x.reviewed_label, x.label) AS TEXT), '') " \
	"FROM (SELECT reviewed_label, label FROM digits WHERE field_id = " F " ORDER BY pos) x)"
#define QUERY_FIELD_REVIEWED(F) \
	"(SELECT count(*) FROM digits WHERE field_id = " F " AND reviewed_label IS NOT NULL)"
#define QUERY_FIELD_PENDING(F) \
	"(SELECT count(*) FROM digits WHERE field_id = " F " AND +flagged = 1 AND reviewed_label IS NULL)"

/* The current time as ISO 8601 UTC with seconds, "2026-11-26T04:45:05Z". */
void query_now_iso(char out[32]);

/* --- threshold advice (query_stats.c) -------------------------------------
 * Pure functions over arrays of confidences, so they can be checked against
 * hand-worked answers.  A digit is flagged when confidence < threshold. */

/* The smallest threshold (rounded up to 4 decimals, strictly above the caught
 * errors' confidences) under which at least `catch_share` of the errors fall.
 * err_conf: confidences of the digits the model got wrong (any order).
 * Returns the threshold, or -1 when there are no errors. */
double query_threshold_catching(const double *err_conf, size_t nerr, double catch_share);

/* For a target error rate among the digits accepted without review: the
 * smallest threshold whose accepted digits (confidence >= t) have an expected
 * error rate, mean(1 - confidence), at or below target.  conf is sorted
 * ascending in place.  *read_rate receives the accepted share.  With no digits
 * returns -1. */
double query_threshold_for_error(double *conf, size_t n, double target, double *read_rate);

#endif
