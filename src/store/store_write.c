/* store_write.c: the writer's transactions and the look-ups the spool needs.
 *
 * A document is one BEGIN IMMEDIATE transaction: its documents row, pages,
 * fields and digits, or nothing.  The checks that make the spool exactly-once
 * run inside that same transaction, so no other writer can slip between the
 * check and the insert:
 *   1. a file recovered from work/ whose claim (sha256 + claim) already has a
 *      row -> it was committed before a crash; write nothing, report
 *      STORE_ALREADY;
 *   2. the content is settled (a done row, or a failure that will not pass)
 *      -> a duplicate;
 *   3. the content failed before for a reason that may pass -> that failed
 *      row steps aside (requeued_at) to be superseded by the new one;
 *   4. insert; a row sent back for this content (by 3, or by digitctl retry
 *      or reprocess) is linked to the new one (superseded_by) and kept. */
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

#define STEP_DONE(st) (store_step(st) == SQLITE_DONE)

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, i);
}

static int reset(sqlite3_stmt *st)
{
	int rc = sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int store_find_claim(store *s, const char *sha256, const char *claim, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->find_claim;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, claim, -1, SQLITE_TRANSIENT);
	int rc = store_step(st), found = -1;
	if (rc == SQLITE_ROW) found = 1;
	else if (rc == SQLITE_DONE) found = 0;
	else store_errmsg(s->db, s->path, "looking up a claim", rc, err, errlen);
	reset(st);
	return found;
}

static int find_claim_row(store *s, const store_doc *d, store_result *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->find_claim;
	sqlite3_bind_text(st, 1, d->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->claim, -1, SQLITE_TRANSIENT);
	int rc = store_step(st), found = -1;
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		snprintf(out->status, sizeof out->status, "%s", (const char *)sqlite3_column_text(st, 1));
		out->first_id = sqlite3_column_int64(st, 2);
		if (sqlite3_column_text(st, 3))
			snprintf(out->first_status, sizeof out->first_status, "%s", (const char *)sqlite3_column_text(st, 3));
		if (sqlite3_column_text(st, 4))
			snprintf(out->error, sizeof out->error, "%s", (const char *)sqlite3_column_text(st, 4));
		found = 1;
	} else if (rc == SQLITE_DONE) {
		found = 0;
	} else {
		store_errmsg(s->db, s->path, "looking up a claim", rc, err, errlen);
	}
	reset(st);
	return found;
}

int store_find_sha(store *s, const char *sha256, int64_t *id, char status[12], char *err, size_t errlen)
{
	sqlite3_stmt *st = s->find_sha;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
	int rc = store_step(st), found = -1;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(status, 12, "%s", (const char *)sqlite3_column_text(st, 1));
		found = 1;
	} else if (rc == SQLITE_DONE) {
		found = 0;
	} else {
		store_errmsg(s->db, s->path, "looking up a sha256", rc, err, errlen);
	}
	reset(st);
	return found;
}

int store_last_processed(store *s, char out[40], char *err, size_t errlen)
{
	sqlite3_stmt *st = s->last_processed;
	int rc = store_step(st), ret = -1;
	if (rc == SQLITE_ROW) {
		snprintf(out, 40, "%s", (const char *)sqlite3_column_text(st, 0));
		ret = 0;
	} else {
		store_errmsg(s->db, s->path, "reading the last processed time", rc, err, errlen);
	}
	reset(st);
	return ret;
}

/* The id of a failed row for this content that a new outcome may replace:
 * 1 found, 0 none, -1 error. */
static int find_retry(store *s, const char *sha256, int64_t *id)
{
	sqlite3_stmt *st = s->find_retry;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
	int rc = store_step(st), found = -1;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		found = 1;
	} else if (rc == SQLITE_DONE) {
		found = 0;
	}
	reset(st);
	return found;
}

/* Insert the documents row (or, with *id set on entry to a retryable failed
 * row, rewrite that row); status and its extras depend on the outcome. */
static int insert_doc(store *s, const store_doc *d, const char *status, const char *error,
		      int64_t duplicate_of, const rec_result *r, int64_t *id)
{
	int64_t replace = *id;
	sqlite3_stmt *st = replace ? s->upd_doc : s->ins_doc;
	char now[40];
	store_now_iso(now);
	sqlite3_bind_text(st, 1, d->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, d->size);
	sqlite3_bind_text(st, 4, d->received_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
	bind_text_or_null(st, 7, error);
	bind_text_or_null(st, 8, d->model);
	sqlite3_bind_double(st, 9, d->ms);
	if (duplicate_of) sqlite3_bind_int64(st, 10, duplicate_of);
	if (r) {
		sqlite3_bind_int(st, 11, r->npages);
		if (r->npages > 0) {
			sqlite3_bind_int(st, 12, r->pages[0].width);
			sqlite3_bind_int(st, 13, r->pages[0].height);
		}
	}
	bind_text_or_null(st, 14, d->original);
	bind_text_or_null(st, 15, d->claim);
	bind_text_or_null(st, 16, error ? (d->failure ? d->failure : STORE_FAILURE_CONTENT) : NULL);
	if (replace) sqlite3_bind_int64(st, 17, replace);
	int ok = STEP_DONE(st);
	reset(st);
	if (ok && !replace) *id = sqlite3_last_insert_rowid(s->db);
	return ok ? 0 : -1;
}

static int insert_results(store *s, int64_t doc, const rec_result *r)
{
	for (int p = 0; p < r->npages; p++) {
		sqlite3_stmt *st = s->ins_page;
		sqlite3_bind_int64(st, 1, doc);
		sqlite3_bind_int(st, 2, p);
		sqlite3_bind_int(st, 3, r->pages[p].width);
		sqlite3_bind_int(st, 4, r->pages[p].height);
		int ok = STEP_DONE(st);
		reset(st);
		if (!ok) return -1;
	}
	/* field ids, indexed like r->fields, so digits can point at theirs */
	int64_t field_ids_small[64];
	int64_t *field_ids = field_ids_small;
	if (r->nfields > 64) {
		field_ids = sqlite3_malloc64(r->nfields * sizeof *field_ids);
		if (!field_ids) return -1;
	}
	int ret = -1;
	for (size_t i = 0; i < r->nfields; i++) {
		const rec_field *f = &r->fields[i];
		sqlite3_stmt *st = s->ins_field;
		sqlite3_bind_int64(st, 1, doc);
		sqlite3_bind_int(st, 2, f->page);
		sqlite3_bind_int(st, 3, f->x);
		sqlite3_bind_int(st, 4, f->y);
		sqlite3_bind_int(st, 5, f->w);
		sqlite3_bind_int(st, 6, f->h);
		sqlite3_bind_text(st, 7, f->text ? f->text : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 8, f->confidence);
		sqlite3_bind_int(st, 9, f->flagged);
		sqlite3_bind_int64(st, 10, (int64_t)i);
		sqlite3_bind_int(st, 11, (int)f->why);
		int ok = STEP_DONE(st);
		reset(st);
		if (!ok) goto out;
		field_ids[i] = sqlite3_last_insert_rowid(s->db);
	}
	/* pos: a digit's rank in its field; digits come grouped left to right */
	int last_field = -1, pos = 0;
	for (size_t i = 0; i < r->ndigits; i++) {
		const rec_digit *g = &r->digits[i];
		sqlite3_stmt *st = s->ins_digit;
		pos = g->field == last_field ? pos + 1 : 0;
		last_field = g->field;
		sqlite3_bind_int64(st, 1, doc);
		if (g->field >= 0 && (size_t)g->field < r->nfields) sqlite3_bind_int64(st, 2, field_ids[g->field]);
		sqlite3_bind_int(st, 3, g->page);
		sqlite3_bind_int(st, 4, g->x);
		sqlite3_bind_int(st, 5, g->y);
		sqlite3_bind_int(st, 6, g->w);
		sqlite3_bind_int(st, 7, g->h);
		sqlite3_bind_int(st, 8, g->label);
		sqlite3_bind_double(st, 9, g->confidence);
		if (g->alt_label >= 0) {
			sqlite3_bind_int(st, 10, g->alt_label);
			sqlite3_bind_double(st, 11, g->alt_confidence);
		}
		sqlite3_bind_int(st, 12, g->flagged);
		sqlite3_bind_blob(st, 13, g->crop28, NN_PIXELS, SQLITE_STATIC);
		if (g->crop_png && g->crop_png_len)
			sqlite3_bind_blob64(st, 14, g->crop_png, g->crop_png_len, SQLITE_STATIC);
		sqlite3_bind_int(st, 15, pos);
		sqlite3_bind_int(st, 16, (int)g->why);
		int ok = STEP_DONE(st);
		reset(st);
		if (!ok) goto out;
	}
	for (size_t i = 0; i < r->nunread; i++) {
		const rec_unread *u = &r->unread[i];
		sqlite3_stmt *st = s->ins_unread;
		sqlite3_bind_int64(st, 1, doc);
		sqlite3_bind_int(st, 2, u->page);
		sqlite3_bind_int(st, 3, u->x);
		sqlite3_bind_int(st, 4, u->y);
		sqlite3_bind_int(st, 5, u->w);
		sqlite3_bind_int(st, 6, u->h);
		sqlite3_bind_int(st, 7, (int)u->why);
		int ok = STEP_DONE(st);
		reset(st);
		if (!ok) goto out;
	}
	ret = 0;
out:
	if (field_ids != field_ids_small) sqlite3_free(field_ids);
	return ret;
}

static int mark_requeued(store *s, int64_t id)
{
	char now[40];
	store_now_iso(now);
	sqlite3_stmt *st = s->mark_requeued;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	int ok = STEP_DONE(st);
	reset(st);
	return ok ? 0 : -1;
}

/* Link the rows digitctl sent back for this content to the new row `id`:
 * *old gets one of them (there is one unless a person sent back two copies). */
static int supersede(store *s, const char *sha256, int64_t id, int64_t *old)
{
	sqlite3_stmt *st = s->supersede;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	int rc;
	while ((rc = store_step(st)) == SQLITE_ROW) *old = sqlite3_column_int64(st, 0);
	reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int commit(store *s, const store_doc *d, const rec_result *r, const char *error,
		  bool record_duplicates, store_result *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	s->busy = false;
	if (store_check_identity(s, err, errlen) < 0) return -1;
	int rc = store_step(s->begin);
	sqlite3_reset(s->begin);
	if (rc != SQLITE_DONE) {
		/* another connection holds the write lock beyond the busy timeout
		 * (a person's open transaction): not an error of ours */
		s->busy = (rc & 0xff) == SQLITE_BUSY;
		store_errmsg(s->db, s->path, "BEGIN IMMEDIATE", rc, err, errlen);
		return -1;
	}
	int64_t id = 0;
	store_doc dd = *d;
	/* Only a file taken up from work/ can be one we committed before: a fresh
	 * claim whose token matches is a hard link of a committed file (same
	 * inode and mtime), a new copy to be recorded as such */
	int found = d->recovered ? find_claim_row(s, d, out, err, errlen) : 0;
	if (found < 0) goto fail;
	if (found) {
		out->outcome = STORE_ALREADY;
		if (d->route) d->route(d->route_arg, out);
	} else {
		char status[12];
		found = store_find_sha(s, d->sha256, &id, status, err, errlen);
		if (found < 0) goto fail;
		if (found) {
			out->first_id = id;
			snprintf(out->status, sizeof out->status, "%s", status);
			out->outcome = record_duplicates ? STORE_DUPLICATE : STORE_DUP_IGNORED;
			if (d->route) dd.original = d->route(d->route_arg, out);
			if (record_duplicates) {
				if (insert_doc(s, &dd, "duplicate", NULL, id, NULL, &out->id) < 0) goto sqlfail;
			}
		} else {
			const char *st = r ? "done" : "failed";
			int64_t old = 0;
			found = find_retry(s, d->sha256, &old);
			if (found < 0) goto sqlfail;
			/* the failed row steps aside (requeued_at) and is linked to the new
			 * one below: every copy dropped keeps a row of its own */
			if (found && mark_requeued(s, old) < 0) goto sqlfail;
			out->retried_id = old;
			out->outcome = STORE_NEW;
			snprintf(out->status, sizeof out->status, "%s", st);
			if (d->route) dd.original = d->route(d->route_arg, out);
			if (insert_doc(s, &dd, st, r ? NULL : error, 0, r, &out->id) < 0) goto sqlfail;
			if (r && insert_results(s, out->id, r) < 0) goto sqlfail;
			if (supersede(s, d->sha256, out->id, &out->supersedes) < 0) goto sqlfail;
		}
	}
	rc = store_step(s->commit);
	sqlite3_reset(s->commit);
	if (rc != SQLITE_DONE) {
		store_errmsg(s->db, s->path, "COMMIT", rc, err, errlen);
		goto fail;
	}
	return 0;
sqlfail:
	store_errmsg(s->db, s->path, "writing a document", sqlite3_errcode(s->db), err, errlen);
fail:
	/* A failed COMMIT may have rolled back already; ROLLBACK then just errors. */
	if (!sqlite3_get_autocommit(s->db)) {
		/* not store_step: an injected fault must not leave the transaction open */
		if (sqlite3_step(s->rollback) != SQLITE_DONE)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_reset(s->rollback);
	}
	return -1;
}

bool store_busy(const store *s) { return s->busy; }

int store_commit_document(store *s, const store_doc *d, const rec_result *r, bool record_duplicates,
			  store_result *out, char *err, size_t errlen)
{
	return commit(s, d, r, NULL, record_duplicates, out, err, errlen);
}

int store_record_failure(store *s, const store_doc *d, const char *error, bool record_duplicates,
			 store_result *out, char *err, size_t errlen)
{
	return commit(s, d, NULL, error ? error : "unknown error", record_duplicates, out, err, errlen);
}
