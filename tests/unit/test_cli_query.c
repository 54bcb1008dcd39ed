/* test_cli_query: the store-layer queries digitctl is built on (query.h,
 * reviewed.h) against real SQLite databases: opening checks (missing,
 * corrupt, foreign, newer), document look-up by id/name/hash prefix, review
 * writes and their undo, threshold advice against hand-worked answers, and
 * reviewed crops read back byte for byte from MNIST images. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "nn/nn.h"
#include "store/query.h"
#include "store/reviewed.h"
#include "store/store.h"
#include "util/file.h"

static char dir[] = "/tmp/test_cli_query.XXXXXX";

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sql failed: %s: %s\n", sql, msg);
		check_failures++;
	}
	sqlite3_free(msg);
}

static void test_thresholds(void)
{
	double e1[] = { 0.95, 0.3, 0.5 };
	CHECKF(fabs(query_threshold_catching(e1, 3, 0.99) - 0.9501) < 1e-9, "%f", query_threshold_catching(e1, 3, 0.99));
	CHECK(fabs(query_threshold_catching(e1, 3, 0.5) - 0.5001) < 1e-9);
	CHECK(query_threshold_catching(e1, 0, 0.99) < 0);
	double e100[100];
	for (int i = 0; i < 100; i++) e100[i] = (i + 1) / 100.0;
	/* 99 of 100 errors: the 99th smallest is 0.99 */
	CHECKF(fabs(query_threshold_catching(e100, 100, 0.99) - 0.9901) < 1e-9, "%f",
	       query_threshold_catching(e100, 100, 0.99));
	double one[] = { 0.99995 };
	CHECK(query_threshold_catching(one, 1, 0.99) == 1.0);   /* capped */

	double rr;
	double c1[] = { 0.999, 0.5, 0.99, 0.9 };
	/* expected error of the accepted: all 0.15275, from 0.9 0.037, from 0.99 0.0055 */
	CHECK(fabs(query_threshold_for_error(c1, 4, 0.01, &rr) - 0.99) < 1e-12);
	CHECK(fabs(rr - 0.5) < 1e-12);
	double c2[] = { 0.999, 0.5, 0.99, 0.9 };
	CHECK(query_threshold_for_error(c2, 4, 0.2, &rr) == 0.5 && rr == 1.0);
	double c3[] = { 0.999, 0.5 };
	CHECK(query_threshold_for_error(c3, 2, 0.0001, &rr) > 1.0 && rr == 0);
	double c4[] = { 0.9, 0.99, 0.9 };
	/* ties: 0.9 cannot be accepted alone; from 0.99 the error is 0.01 */
	CHECK(fabs(query_threshold_for_error(c4, 3, 0.05, &rr) - 0.99) < 1e-12);
	CHECK(fabs(rr - 1.0 / 3) < 1e-12);
	CHECK(query_threshold_for_error(c4, 0, 0.05, &rr) < 0);
}

/* A database made by the daemon's own store_open, so the schema is the real one. */
static int make_db(const char *path)
{
	char err[512];
	store *s = store_open(path, STORE_RW, err, sizeof err);
	if (!s) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	store_close(s);
	return 0;
}

static void test_open(void)
{
	char p[512], err[1024];
	sqlite3 *db = NULL;
	FILE *f;

	path_in(p, sizeof p, "missing.db");
	CHECK(query_open(p, 0, &db, err, sizeof err) < 0 && strstr(err, "no such database") && !db);
	CHECK(access(p, F_OK) < 0);   /* not created */

	CHECK(query_open(dir, 0, &db, err, sizeof err) < 0 && strstr(err, "not a regular file"));

	path_in(p, sizeof p, "corrupt.db");
	f = fopen(p, "wb");
	for (int i = 0; i < 4096; i++) fputc((i * 7919) & 0xff, f);
	fclose(f);
	CHECKF(query_open(p, 0, &db, err, sizeof err) < 0 && strstr(err, "not a digitd database"), "%s", err);

	path_in(p, sizeof p, "foreign.db");
	sqlite3_open(p, &db);
	exec(db, "CREATE TABLE t (x); PRAGMA application_id = 1234");
	sqlite3_close(db);
	db = NULL;
	CHECKF(query_open(p, 0, &db, err, sizeof err) < 0 && strstr(err, "application_id"), "%s", err);

	path_in(p, sizeof p, "newer.db");
	CHECK(make_db(p) == 0);
	sqlite3_open(p, &db);
	exec(db, "PRAGMA user_version = 42");
	sqlite3_close(db);
	db = NULL;
	CHECKF(query_open(p, 0, &db, err, sizeof err) < 0 && strstr(err, "schema version 42 is newer"), "%s", err);

	path_in(p, sizeof p, "good.db");
	CHECK(make_db(p) == 0);
	CHECKF(query_open(p, 0, &db, err, sizeof err) == 0, "%s", err);
	/* read-only really is read-only */
	CHECK(sqlite3_exec(db, "DELETE FROM documents", NULL, NULL, NULL) == SQLITE_READONLY);
	sqlite3_close(db);
}

static void add_doc(sqlite3 *db, int id, const char *name, const char *sha, const char *status, int dup_of)
{
	char *q = sqlite3_mprintf("INSERT INTO documents (id, sha256, name, size, received_at, status, duplicate_of) "
				  "VALUES (%d, '%q', '%q', 1, '2026-11-26T04:00:00.000Z', '%q', %s)", id, sha, name,
				  status, dup_of ? "1" : "NULL");
	exec(db, q);
	sqlite3_free(q);
}

static void test_resolve_and_review(void)
{
	char p[512], err[1024];
	sqlite3 *db;
	int64_t id = 0;
	char sha1[65], sha3[65], sha4[65], sha5[65];
	memset(sha1, 'a', 64); sha1[64] = 0; memcpy(sha1, "abcd1234", 8);
	memset(sha3, 'b', 64); sha3[64] = 0;
	memset(sha4, 'c', 64); sha4[64] = 0; memcpy(sha4, "abce", 4);
	memset(sha5, 'd', 64); sha5[64] = 0;

	path_in(p, sizeof p, "docs.db");
	CHECK(make_db(p) == 0);
	CHECK(query_open(p, 1, &db, err, sizeof err) == 0);
	add_doc(db, 1, "a.png", sha1, "done", 0);
	add_doc(db, 2, "a.png", sha1, "duplicate", 1);
	add_doc(db, 3, "12", sha3, "done", 0);
	add_doc(db, 4, "c.png", sha4, "done", 0);
	add_doc(db, 5, "c.png", sha5, "failed", 0);
	/* scan.png: a new document, and a second drop of a.png's bytes under its name */
	char sha6[65];
	memset(sha6, 'e', 64); sha6[64] = 0;
	add_doc(db, 6, "scan.png", sha6, "done", 0);
	add_doc(db, 8, "scan.png", sha1, "duplicate", 1);
	exec(db, "INSERT INTO digits (id, document_id, page, x, y, w, h, label, confidence, flagged) "
		 "VALUES (7, 1, 0, 0, 0, 5, 5, 3, 0.5, 1)");

	CHECK(query_doc_resolve(db, "1", &id, err, sizeof err) == 0 && id == 1);
	CHECK(query_doc_resolve(db, "2", &id, err, sizeof err) == 0 && id == 2);
	CHECK(query_doc_resolve(db, "a.png", &id, err, sizeof err) == 0 && id == 1);     /* not the duplicate */
	CHECK(query_doc_resolve(db, "12", &id, err, sizeof err) == 0 && id == 3);        /* no id 12: the name */
	CHECK(query_doc_resolve(db, "abcd", &id, err, sizeof err) == 0 && id == 1);      /* hash, primary wins */
	CHECK(query_doc_resolve(db, "ABCD12", &id, err, sizeof err) == 0 && id == 1);    /* case-insensitive */
	CHECK(query_doc_resolve(db, "abce", &id, err, sizeof err) == 0 && id == 4);
	CHECKF(query_doc_resolve(db, "c.png", &id, err, sizeof err) < 0 && strstr(err, "matches 2 documents"), "%s", err);
	CHECK(query_doc_resolve(db, "abc", &id, err, sizeof err) < 0 && strstr(err, "no document 'abc'"));
	/* a name whose duplicate row stands for another document: not picked silently */
	CHECKF(query_doc_resolve(db, "scan.png", &id, err, sizeof err) < 0 && strstr(err, "matches 2 documents") &&
	       strstr(err, "ids 8 6"), "%s", err);
	CHECK(query_doc_resolve(db, "", &id, err, sizeof err) < 0);
	CHECK(query_doc_resolve(db, "zzzz", &id, err, sizeof err) < 0);

	/* review writes and their undo */
	query_review_prev p1, p2;
	CHECK(query_review_set(db, 7, 5, "ann", "2026-11-26T05:00:00Z", &p1, err, sizeof err) == 0);
	CHECK(p1.digit_id == 7 && !p1.had_review);
	CHECK(query_review_set(db, 7, 6, "bob", "2026-11-26T05:01:00Z", &p2, err, sizeof err) == 0);
	CHECK(p2.had_review && p2.label == 5 && strcmp(p2.by, "ann") == 0 && strcmp(p2.at, "2026-11-26T05:00:00Z") == 0);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "SELECT coalesce(reviewed_label, -1), coalesce(reviewed_by, ''), "
			   "(SELECT count(*) FROM review_queue) FROM digits WHERE id = 7", -1, &st, NULL);
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 6 && sqlite3_column_int(st, 2) == 0);
	sqlite3_reset(st);
	CHECK(query_review_restore(db, &p2, err, sizeof err) == 0);
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 5 &&
	      strcmp((const char *)sqlite3_column_text(st, 1), "ann") == 0);
	sqlite3_reset(st);
	CHECK(query_review_restore(db, &p1, err, sizeof err) == 0);
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == -1 && sqlite3_column_int(st, 2) == 1);
	sqlite3_finalize(st);
	CHECK(query_review_set(db, 7, 10, "ann", "x", NULL, err, sizeof err) < 0);
	CHECK(query_review_set(db, 8, 1, "ann", "x", NULL, err, sizeof err) < 0 && strstr(err, "no digit with id 8"));
	/* a read-only connection cannot review */
	sqlite3 *ro;
	CHECK(query_open(p, 0, &ro, err, sizeof err) == 0);
	CHECK(query_review_set(ro, 7, 1, "ann", "x", NULL, err, sizeof err) < 0);
	sqlite3_close(ro);
	sqlite3_close(db);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *b;
	char err[512];
	if (file_read_all(path, SIZE_MAX, &b, len, err, sizeof err) < 0) return NULL;
	return b;
}

static void test_reviewed_crops(void)
{
	char p[512], err[1024], mp[1024];
	const char *root = getenv("DIGITD_ROOT");
	size_t ilen = 0, llen = 0, n = 99;
	uint8_t *imgs, *labs;
	sqlite3 *db;

	path_in(p, sizeof p, "none.db");
	CHECK(store_reviewed_crops(p, &imgs, &labs, &n, err, sizeof err) < 0 && strstr(err, "no such database"));
	path_in(p, sizeof p, "crops.db");
	CHECK(make_db(p) == 0);
	CHECK(store_reviewed_crops(p, &imgs, &labs, &n, err, sizeof err) == 0 && n == 0 && !imgs && !labs);

	snprintf(mp, sizeof mp, "%s/data/mnist/t10k-images-idx3-ubyte", root ? root : ".");
	uint8_t *mi = slurp(mp, &ilen);
	snprintf(mp, sizeof mp, "%s/data/mnist/t10k-labels-idx1-ubyte", root ? root : ".");
	uint8_t *ml = slurp(mp, &llen);
	if (!mi || !ml || ilen < 16 + 10 * NN_PIXELS || llen < 18) {
		printf("no MNIST test set: reviewed-crop read-back skipped\n");
		free(mi);
		free(ml);
		return;
	}
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	add_doc(db, 1, "m.png", "00", "done", 0);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO digits (id, document_id, page, x, y, w, h, label, confidence, flagged, "
			   "reviewed_label, crop28) VALUES (?1, 1, 0, 0, 0, 1, 1, 0, 0.5, 1, ?2, ?3)", -1, &st, NULL);
	/* ids 1..6 from images 0..5: 1,3,5 reviewed; 4 reviewed but a short crop; 2, 6 not reviewed */
	for (int k = 0; k < 6; k++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, k + 1);
		if (k % 2 == 0 || k == 3) sqlite3_bind_int(st, 2, ml[8 + k]); else sqlite3_bind_null(st, 2);
		sqlite3_bind_blob(st, 3, mi + 16 + (size_t)k * NN_PIXELS, k == 3 ? 100 : NN_PIXELS, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	CHECKF(store_reviewed_crops(p, &imgs, &labs, &n, err, sizeof err) == 0, "%s", err);
	CHECKF(n == 3, "n = %zu", n);
	for (size_t i = 0; i < n && i < 3; i++) {
		size_t k = i * 2;   /* images 0, 2, 4 in id order */
		CHECK(memcmp(imgs + i * NN_PIXELS, mi + 16 + k * NN_PIXELS, NN_PIXELS) == 0);
		CHECK(labs[i] == ml[8 + k]);
	}
	free(imgs);
	free(labs);
	free(mi);
	free(ml);
}

int main(void)
{
	char cmd[600];
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	test_thresholds();
	test_open();
	test_resolve_and_review();
	test_reviewed_crops();
	if (check_failures == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
	} else {
		fprintf(stderr, "kept %s\n", dir);
	}
	CHECK_DONE();
}
