/* query_doc.c: find the document a person means.
 *
 * People name documents three ways: the id `list` printed, the file name they
 * dropped in the spool, or the start of its sha256 (as in git).  The same file
 * dropped twice gives one primary row and 'duplicate' rows pointing at it, so
 * when a name or hash matches a row and only duplicates of that row, the
 * primary one is meant.  Anything else (two scans dropped under one name, or
 * a name whose duplicate row points at another document) is ambiguous, and
 * the candidates' ids are listed rather than one picked silently. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/query.h"

#define MAX_CANDIDATES 8
/* each match's id and the document it stands for */
#define DOC_SELECT \
	"SELECT id, CASE WHEN status = 'duplicate' THEN coalesce(duplicate_of, id) ELSE id END FROM documents"

/* Run sql with spec bound to ?1; collect up to MAX_CANDIDATES ids and the
 * document each stands for (its own id, or for a duplicate the row it
 * duplicates).  Returns the number of matches, -1 on error. */
static int collect(sqlite3 *db, const char *sql, const char *spec, int64_t *ids, int64_t *dup,
		   char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int n = 0, rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "query failed: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, spec, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < MAX_CANDIDATES) {
			ids[n] = sqlite3_column_int64(st, 0);
			dup[n] = sqlite3_column_int64(st, 1);
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "query failed: %s", sqlite3_errmsg(db));
		n = -1;
	}
	sqlite3_finalize(st);
	return n;
}

/* Pick the one match: a single row, or a row with only its own duplicates
 * beside it.  0 found, 1 none, -1 ambiguous. */
static int pick(const int64_t *ids, const int64_t *doc, int n, int64_t *id)
{
	if (n == 1) { *id = ids[0]; return 0; }
	if (n == 0) return 1;
	if (n > MAX_CANDIDATES) return -1;
	for (int i = 1; i < n; i++)
		if (doc[i] != doc[0]) return -1;
	for (int i = 0; i < n; i++)
		if (ids[i] == doc[i]) { *id = ids[i]; return 0; }
	*id = ids[0];   /* only duplicates of one row by another name: the newest stands for them */
	return 0;
}

static void ambiguous(const char *spec, const char *how, const int64_t *ids, int n, char *err, size_t errlen)
{
	size_t off = (size_t)snprintf(err, errlen, "'%s' matches %d documents by %s (ids", spec, n, how);
	for (int i = 0; i < n && i < MAX_CANDIDATES && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, " %lld", (long long)ids[i]);
	if (off < errlen)
		snprintf(err + off, errlen - off, "%s); give the id", n > MAX_CANDIDATES ? " ..." : "");
}

int query_doc_resolve(sqlite3 *db, const char *spec, int64_t *id, char *err, size_t errlen)
{
	int64_t ids[MAX_CANDIDATES];
	int64_t dup[MAX_CANDIDATES];
	int n, r;
	size_t len = strlen(spec), i;

	if (len == 0) {
		snprintf(err, errlen, "empty document name");
		return -1;
	}
	/* 1. a plain number is an id, if such a row exists */
	for (i = 0; i < len && isdigit((unsigned char)spec[i]); i++) ;
	if (i == len && len < 19) {
		n = collect(db, DOC_SELECT " WHERE id = CAST(?1 AS INTEGER)",
			    spec, ids, dup, err, errlen);
		if (n < 0) return -1;
		if (n == 1) { *id = ids[0]; return 0; }
	}
	/* 2. the name as dropped in incoming/ */
	n = collect(db, DOC_SELECT " WHERE name = ?1 ORDER BY id DESC",
		    spec, ids, dup, err, errlen);
	if (n < 0) return -1;
	r = pick(ids, dup, n, id);
	if (r == 0) return 0;
	if (r < 0) { ambiguous(spec, "name", ids, n, err, errlen); return -1; }
	/* 3. a sha256 prefix: at least 4 hex digits, compared lower-case */
	if (len >= 4 && len <= 64 && strspn(spec, "0123456789abcdefABCDEF") == len) {
		char lower[65];
		for (i = 0; i <= len; i++) lower[i] = (char)tolower((unsigned char)spec[i]);
		n = collect(db, DOC_SELECT " "
			    "WHERE substr(sha256, 1, length(?1)) = ?1 ORDER BY id DESC", lower, ids, dup, err, errlen);
		if (n < 0) return -1;
		r = pick(ids, dup, n, id);
		if (r == 0) return 0;
		if (r < 0) { ambiguous(spec, "sha256 prefix", ids, n, err, errlen); return -1; }
	}
	snprintf(err, errlen, "no document '%s' (give an id, a file name or a sha256 prefix; see digitctl list)", spec);
	return -1;
}
