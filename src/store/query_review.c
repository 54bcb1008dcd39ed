/* query_review.c: review decisions, one short write transaction each.
 *
 * A decision is stored the moment it is made, so a reviewer who closes the
 * terminal loses nothing.  Each write takes the write lock with BEGIN IMMEDIATE
 * (so it waits on the busy timeout instead of failing half way through when the
 * daemon commits) and holds it for a single-row read and update. */
#include <stdio.h>
#include <string.h>

#include "store/query.h"

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static void copy(char *dst, size_t n, const unsigned char *src)
{
	snprintf(dst, n, "%s", src ? (const char *)src : "");
}

/* Update one digit; with prev, read the old decision first in the same transaction. */
static int write_review(sqlite3 *db, int64_t digit_id, int has_label, int label, const char *by,
			const char *at, query_review_prev *prev, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (exec(db, "BEGIN IMMEDIATE", err, errlen) < 0) return -1;
	if (sqlite3_prepare_v2(db, "SELECT reviewed_label, reviewed_by, reviewed_at FROM digits WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, digit_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "no digit with id %lld", (long long)digit_id);
		goto fail;
	}
	if (rc != SQLITE_ROW) goto sqlfail;
	if (prev) {
		memset(prev, 0, sizeof *prev);
		prev->digit_id = digit_id;
		prev->had_review = sqlite3_column_type(st, 0) != SQLITE_NULL;
		prev->label = sqlite3_column_int(st, 0);
		copy(prev->by, sizeof prev->by, sqlite3_column_text(st, 1));
		copy(prev->at, sizeof prev->at, sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "UPDATE digits SET reviewed_label = ?1, reviewed_by = ?2, reviewed_at = ?3 "
			       "WHERE id = ?4", -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	if (has_label) {
		sqlite3_bind_int(st, 1, label);
		sqlite3_bind_text(st, 2, by, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, at, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 4, digit_id);
	if (sqlite3_step(st) != SQLITE_DONE) goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if (exec(db, "COMMIT", err, errlen) < 0) goto fail;
	return 0;
sqlfail:
	snprintf(err, errlen, "cannot store review of digit %lld: %s", (long long)digit_id, sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int query_review_set(sqlite3 *db, int64_t digit_id, int label, const char *by, const char *at,
		     query_review_prev *prev, char *err, size_t errlen)
{
	if (label < 0 || label > 9) {
		snprintf(err, errlen, "label %d is not a digit 0-9", label);
		return -1;
	}
	return write_review(db, digit_id, 1, label, by, at, prev, err, errlen);
}

int query_review_restore(sqlite3 *db, const query_review_prev *prev, char *err, size_t errlen)
{
	return write_review(db, prev->digit_id, prev->had_review, prev->label,
			    prev->by[0] ? prev->by : NULL, prev->at[0] ? prev->at : NULL, NULL, err, errlen);
}

int query_unread_set(sqlite3 *db, int64_t id, const char *text, const char *by, const char *at, char *err,
		     size_t errlen)
{
	if (strspn(text, "0123456789") != strlen(text) || strlen(text) > 64) {
		snprintf(err, errlen, "'%.70s' is not a number (digits 0-9, or nothing)", text);
		return -1;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "UPDATE unread SET reviewed_text = ?1, reviewed_by = ?2, reviewed_at = ?3 WHERE id = ?4",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, id);
	if (sqlite3_step(st) != SQLITE_DONE) goto sqlfail;
	sqlite3_finalize(st);
	if (sqlite3_changes(db) == 0) {
		snprintf(err, errlen, "no unread region with id %lld", (long long)id);
		return -1;
	}
	return 0;
sqlfail:
	snprintf(err, errlen, "cannot store unread region %lld: %s", (long long)id, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return -1;
}
