/* purge.c: see purge.h.
 *
 * One pass walks the documents chosen (received before the cut-off, of the
 * statuses asked for) in id order, a batch at a time: it reads each one's
 * group (the row and the duplicates pointing at it) with their originals
 * and sizes, deletes the originals, then deletes the rows in write
 * transactions bounded by PURGE_HOLD_MS.  Reads take no write lock. */
#include "store/purge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Documents read per batch.  Only reads and unlinks happen per batch; the
 * write transactions inside it are bounded by time, not by this. */
#define PURGE_BATCH 64
#define MAX_GROUP 64            /* duplicates of one document handled per pass; more wait for the next */

typedef struct {
	int64_t id;
	int nmembers;
	int64_t member[MAX_GROUP];  /* member[0] is the document itself */
	char *original[MAX_GROUP];
} group;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void purge_cutoff(double days, char *buf, size_t n)
{
	time_t t = time(NULL) - (time_t)(days * 86400.0);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static int sql_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "purge: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* An original as documents.original records it: "done/NAME" or
 * "failed/NAME", one path component under the spool.  Anything else (an
 * edited row) is not a file purge may delete. */
static bool original_ok(const char *o)
{
	const char *name = strncmp(o, "done/", 5) == 0 ? o + 5 : strncmp(o, "failed/", 7) == 0 ? o + 7 : NULL;
	return name && *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Delete (or with dry_run, count) one original and, for failed/, its .error. */
static int remove_original(const purge_opts *o, const char *orig, purge_stats *st, char *err, size_t errlen)
{
	if (!o->spool || !orig || !original_ok(orig)) return 0;
	char path[4200];
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && strncmp(orig, "failed/", 7) != 0) break;
		snprintf(path, sizeof path, "%s/%s%s", o->spool, orig, pass ? ".error" : "");
		struct stat sb;
		if (lstat(path, &sb) < 0) {
			if (errno == ENOENT) continue;   /* pruned from done/, or moved away by hand */
			snprintf(err, errlen, "purge: %s: %s", path, strerror(errno));
			return -1;
		}
		if (!S_ISREG(sb.st_mode)) continue;
		if (pass == 0) { st->originals++; st->original_bytes += (long long)sb.st_size; }
		if (!o->dry_run && unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "purge: cannot delete %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static bool in_groups(const group *gs, int ng, int64_t id)
{
	for (int i = 0; i < ng; i++)
		for (int m = 0; m < gs[i].nmembers; m++)
			if (gs[i].member[m] == id) return true;
	return false;
}

static void group_free(group *g)
{
	for (int i = 0; i < g->nmembers; i++) free(g->original[i]);
	g->nmembers = 0;
}

/* The document and its duplicates, with their originals; adds their digits
 * and crop bytes to st. */
static int read_group(sqlite3 *db, int64_t id, group *g, purge_stats *st, char *err, size_t errlen)
{
	sqlite3_stmt *q = NULL;
	g->id = id;
	g->nmembers = 0;
	if (sqlite3_prepare_v2(db, "SELECT id, original FROM documents WHERE id = ?1 UNION ALL "
			       "SELECT id, original FROM documents WHERE duplicate_of = ?1 AND id != ?1 LIMIT ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return sql_fail(db, "reading a document", err, errlen);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int(q, 2, MAX_GROUP);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *orig = (const char *)sqlite3_column_text(q, 1);
		g->member[g->nmembers] = sqlite3_column_int64(q, 0);
		g->original[g->nmembers] = orig ? strdup(orig) : NULL;
		g->nmembers++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		group_free(g);
		return sql_fail(db, "reading a document", err, errlen);
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(length(crop28)), 0) + coalesce(sum(length(crop_png)), 0) "
			       "FROM digits WHERE document_id = ?1", -1, &q, NULL) != SQLITE_OK) {
		group_free(g);
		return sql_fail(db, "counting digits", err, errlen);
	}
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		st->digits += sqlite3_column_int64(q, 0);
		st->crop_bytes += sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return 0;
}

/* Inside a write transaction: delete the group's rows, the document only if
 * it is still as chosen.  Returns the rows deleted, 0 when kept, -1 on error. */
static int delete_group(sqlite3 *db, sqlite3_stmt *del_dup, sqlite3_stmt *del_doc, const group *g, const char *before)
{
	int n = 0;
	for (int i = 1; i < g->nmembers; i++) {
		sqlite3_reset(del_dup);
		sqlite3_bind_int64(del_dup, 1, g->member[i]);
		sqlite3_bind_int64(del_dup, 2, g->id);
		if (sqlite3_step(del_dup) != SQLITE_DONE) return -1;
		n += sqlite3_changes(db);
	}
	sqlite3_reset(del_doc);
	sqlite3_bind_int64(del_doc, 1, g->id);
	sqlite3_bind_text(del_doc, 2, before, -1, SQLITE_STATIC);
	int rc = sqlite3_step(del_doc);
	if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) return n;  /* a new duplicate points at it */
	if (rc != SQLITE_DONE) return -1;
	return n + sqlite3_changes(db);
}

static int flush(sqlite3 *db, const purge_opts *o, group *gs, int ng, purge_stats *st, char *err, size_t errlen)
{
	sqlite3_stmt *del_dup = NULL, *del_doc = NULL;
	int ret = -1, i = 0;
	if (sqlite3_prepare_v2(db, "DELETE FROM documents WHERE id = ?1 AND duplicate_of = ?2", -1, &del_dup, NULL) ||
	    sqlite3_prepare_v2(db, "DELETE FROM documents WHERE id = ?1 AND received_at < ?2", -1, &del_doc, NULL)) {
		sql_fail(db, "preparing", err, errlen);
		goto out;
	}
	while (i < ng) {
		if (o->stop && *o->stop) break;
		double t0 = now_ms();
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
			sql_fail(db, "BEGIN", err, errlen);
			goto out;
		}
		do {
			int n = delete_group(db, del_dup, del_doc, &gs[i], o->before);
			if (n < 0) {
				sql_fail(db, "deleting", err, errlen);
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
				goto out;
			}
			if (n == 0) st->kept++;
			st->documents += n;
			i++;
		} while (i < ng && now_ms() - t0 < PURGE_HOLD_MS);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			sql_fail(db, "COMMIT", err, errlen);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
		double held = now_ms() - t0;
		if (held > st->max_hold_ms) st->max_hold_ms = held;
		st->transactions++;
		/* let a waiting writer in before taking the lock again */
		struct timespec pause = { 0, (long)(PURGE_PAUSE_MS * 1e6) };
		nanosleep(&pause, NULL);
	}
	ret = 0;
out:
	sqlite3_finalize(del_dup);
	sqlite3_finalize(del_doc);
	return ret;
}

int purge_run(sqlite3 *db, const purge_opts *o, purge_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	err[0] = '\0';
	group *gs = calloc(PURGE_BATCH, sizeof *gs);   /* ~70 KB: not on a thread's stack */
	if (!gs) {
		snprintf(err, errlen, "purge: out of memory");
		return -1;
	}
	/* the cascades to pages, fields, digits and unread need it on this connection */
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
		free(gs);
		return sql_fail(db, "PRAGMA foreign_keys", err, errlen);
	}
	char sel[768], in[64];
	unsigned s = o->statuses ? o->statuses : PURGE_DONE | PURGE_FAILED | PURGE_DUPLICATE;
	snprintf(in, sizeof in, "%s%s%s", s & PURGE_DONE ? "'done'," : "", s & PURGE_FAILED ? "'failed'," : "",
		 s & PURGE_DUPLICATE ? "'duplicate'," : "");
	*strrchr(in, ',') = '\0';   /* the last status's comma: s has at least one bit */
	/* a duplicate whose document is chosen too goes with that document's group */
	snprintf(sel, sizeof sel, "SELECT id FROM documents d WHERE received_at < ?1 AND id > ?2 AND status IN (%s) "
		 "AND NOT (status = 'duplicate' AND EXISTS (SELECT 1 FROM documents f WHERE f.id = d.duplicate_of "
		 "AND f.received_at < ?1 AND f.status IN (%s))) ORDER BY id LIMIT %d", in, in, PURGE_BATCH);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db, sel, -1, &q, NULL) != SQLITE_OK) {
		free(gs);
		return sql_fail(db, "choosing", err, errlen);
	}
	int64_t last = 0;
	int ret = 0;
	for (;;) {
		if (o->stop && *o->stop) break;
		int64_t ids[PURGE_BATCH];
		int n = 0, rc;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, o->before, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, last);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) ids[n++] = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);   /* no read transaction held across the writes below */
		if (rc != SQLITE_DONE) { ret = sql_fail(db, "choosing", err, errlen); break; }
		if (n == 0) break;
		last = ids[n - 1];
		int ng = 0;
		for (int i = 0; i < n && ret == 0; i++) {
			if (in_groups(gs, ng, ids[i])) continue;   /* a duplicate of one chosen before it */
			if (read_group(db, ids[i], &gs[ng], st, err, errlen) < 0) { ret = -1; break; }
			if (gs[ng].nmembers == 0) continue;   /* gone meanwhile */
			ng++;
		}
		/* originals first (purge.h says why) */
		for (int i = 0; i < ng && ret == 0; i++)
			for (int m = 0; m < gs[i].nmembers && ret == 0; m++)
				ret = remove_original(o, gs[i].original[m], st, err, errlen);
		if (ret == 0) {
			if (o->dry_run) {
				for (int i = 0; i < ng; i++) st->documents += gs[i].nmembers;
			} else {
				ret = flush(db, o, gs, ng, st, err, errlen);
			}
		}
		for (int i = 0; i < ng; i++) group_free(&gs[i]);
		if (ret < 0) break;
	}
	sqlite3_finalize(q);
	free(gs);
	return ret;
}
