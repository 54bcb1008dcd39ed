/* test_store.c: the daemon's database on real SQLite files: creation and
 * pragmas, one-transaction documents, crash-recovery and duplicate outcomes,
 * refusal of foreign/newer/garbage files, migrations, the sqlite3_step fault
 * hook (no half document), and checkpoints while a reader is open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store/store_internal.h"   /* the built-in schema and migrations, to build a schema-3 file */

static char dir[64];

static void path_in(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const char *text1(sqlite3 *db, const char *sql, char *buf, size_t n)
{
	sqlite3_stmt *st = NULL;
	buf[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

/* Two fields "12" and "7" on one page; the '7' flagged. */
static void fake_result(rec_result *r, rec_page *pg, rec_field *f, rec_digit *d, uint8_t *png)
{
	memset(r, 0, sizeof *r);
	pg->width = 800; pg->height = 600;
	memset(d, 0, 3 * sizeof *d);
	const int labels[3] = { 1, 2, 7 };
	for (int i = 0; i < 3; i++) {
		d[i].page = 0; d[i].x = 10 + 30 * i; d[i].y = 20; d[i].w = 20; d[i].h = 28;
		d[i].label = labels[i]; d[i].confidence = i == 2 ? 0.5f : 0.99f;
		d[i].alt_label = i == 2 ? 1 : -1; d[i].alt_confidence = 0.3f;
		d[i].field = i < 2 ? 0 : 1; d[i].flagged = i == 2; d[i].why = i == 2 ? REC_FLAG_LOWCONF : 0;
		memset(d[i].crop28, 40 * i, NN_PIXELS);
		d[i].crop_png = png; d[i].crop_png_len = 8;
	}
	f[0] = (rec_field){ 0, 10, 20, 50, 28, (char *)"12", 0.98f, false, 0 };
	f[1] = (rec_field){ 0, 70, 20, 20, 28, (char *)"7", 0.5f, true, REC_FLAG_LOWCONF };
	r->npages = 1; r->pages = pg;
	r->digits = d; r->ndigits = 3;
	r->fields = f; r->nfields = 2;
}

static store_doc doc(const char *sha, const char *name, const char *claim)
{
	static char now[40];
	store_now_iso(now);
	return (store_doc){ .sha256 = sha, .name = name, .claim = claim, .original = "done/x", .size = 1234,
			    .received_at = now, .model = "lenet5:test", .ms = 12.5 };
}

#define SHA_A "aaaa000000000000000000000000000000000000000000000000000000000000"
#define SHA_B "bbbb000000000000000000000000000000000000000000000000000000000000"

/* Schema 3: a field's own reasons and the unread regions are stored with
 * the document, in its one transaction, and shown by the queue view. */
static void test_unread(void)
{
	char db[128], err[512];
	path_in(db, sizeof db, "unread.db");
	store *s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	if (!s) return;
	sqlite3 *h = store_db(s);
	rec_result r; rec_page pg; rec_field f[2]; rec_digit d[3]; uint8_t png[8] = "PNGDATA";
	fake_result(&r, &pg, f, d, png);
	f[1].why = REC_FLAG_BESIDE;
	rec_unread un[2] = { { 0, 300, 40, 60, 30, REC_FLAG_UNREAD | REC_FLAG_SMALL },
			     { 0, 500, 90, 80, 35, REC_FLAG_UNREAD | REC_FLAG_WEAKFIELD } };
	r.unread = un;
	r.nunread = 2;
	store_doc dd = doc(SHA_A, "with unread.png", "9:9:9");
	store_result res;
	CHECKF(store_commit_document(s, &dd, &r, true, &res, err, sizeof err) == 0, "%s", err);
	CHECK(count(h, "SELECT count(*) FROM unread WHERE document_id = (SELECT id FROM documents)") == 2);
	CHECK(count(h, "SELECT count(*) FROM unread_queue") == 2);
	CHECK(count(h, "SELECT why FROM unread WHERE x = 300") == (int)(REC_FLAG_UNREAD | REC_FLAG_SMALL));
	CHECK(count(h, "SELECT why FROM fields WHERE idx = 1") == (int)REC_FLAG_BESIDE);
	CHECK(count(h, "UPDATE unread SET reviewed_text = '42' WHERE x = 300 RETURNING 1") == 1);
	CHECK(count(h, "SELECT count(*) FROM unread_queue") == 1);
	store_close(s);
}

static void test_create_and_commit(void)
{
	char db[128], err[512], buf[128];
	path_in(db, sizeof db, "a.db");
	store *s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	if (!s) return;
	sqlite3 *h = store_db(s);
	CHECK(strcmp(text1(h, "PRAGMA journal_mode", buf, sizeof buf), "wal") == 0);
	CHECK(count(h, "PRAGMA application_id") == STORE_APP_ID);
	CHECK(count(h, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
	CHECK(count(h, "PRAGMA foreign_keys") == 1);
	CHECK(count(h, "PRAGMA synchronous") == 2);   /* FULL */

	rec_result r; rec_page pg; rec_field f[2]; rec_digit d[3]; uint8_t png[8] = "PNGDATA";
	fake_result(&r, &pg, f, d, png);
	store_doc dd = doc(SHA_A, "cheque 1.png", "1:2:3");
	store_result res;
	CHECKF(store_commit_document(s, &dd, &r, true, &res, err, sizeof err) == 0, "%s", err);
	CHECK(res.outcome == STORE_NEW && res.id > 0 && strcmp(res.status, "done") == 0);
	CHECK(count(h, "SELECT count(*) FROM documents WHERE status = 'done' AND pages = 1") == 1);
	CHECK(count(h, "SELECT count(*) FROM pages") == 1);
	CHECK(count(h, "SELECT count(*) FROM fields") == 2);
	CHECK(count(h, "SELECT count(*) FROM digits WHERE length(crop28) = 784 AND length(crop_png) = 8") == 3);
	CHECK(count(h, "SELECT count(*) FROM review_queue") == 1);
	CHECK(strcmp(text1(h, "SELECT group_concat(text, ',') FROM document_text", buf, sizeof buf), "12,7") == 0);
	CHECK(count(h, "SELECT max(pos) FROM digits WHERE field_id = (SELECT id FROM fields WHERE idx = 0)") == 1);
	CHECK(count(h, "SELECT count(*) FROM unread") == 0);

	/* the same spool file again, taken up from work/ after a crash between
	 * commit and move: nothing new */
	store_result res2;
	dd.recovered = true;
	CHECKF(store_commit_document(s, &dd, &r, true, &res2, err, sizeof err) == 0, "%s", err);
	CHECK(res2.outcome == STORE_ALREADY && res2.id == res.id);
	CHECK(count(h, "SELECT count(*) FROM documents") == 1);

	/* same content, another file: a duplicate row pointing at the first */
	store_doc dup = doc(SHA_A, "copy.png", "1:9:3");
	CHECKF(store_commit_document(s, &dup, &r, true, &res2, err, sizeof err) == 0, "%s", err);
	CHECK(res2.outcome == STORE_DUPLICATE && res2.first_id == res.id && res2.id != res.id);
	CHECK(count(h, "SELECT count(*) FROM documents WHERE status = 'duplicate' AND duplicate_of = 1") == 1);
	CHECK(count(h, "SELECT count(*) FROM digits") == 3);
	store_doc dup2 = doc(SHA_A, "copy2.png", "1:10:3");
	CHECKF(store_commit_document(s, &dup2, &r, false, &res2, err, sizeof err) == 0, "%s", err);
	CHECK(res2.outcome == STORE_DUP_IGNORED && res2.id == 0 && res2.first_id == res.id);
	CHECK(count(h, "SELECT count(*) FROM documents") == 2);
	/* the first file's inode and mtime claimed fresh (a hard link of the
	 * committed file dropped in incoming/): a copy, not a recovery */
	store_doc link = doc(SHA_A, "link.png", "1:2:3");
	CHECKF(store_commit_document(s, &link, &r, false, &res2, err, sizeof err) == 0, "%s", err);
	CHECK(res2.outcome == STORE_DUP_IGNORED && res2.first_id == res.id);

	/* a failure */
	store_doc bad = doc(SHA_B, "junk.txt", "1:11:3");
	CHECKF(store_record_failure(s, &bad, "not an image", true, &res2, err, sizeof err) == 0, "%s", err);
	CHECK(res2.outcome == STORE_NEW && strcmp(res2.status, "failed") == 0);
	int64_t id = 0; char status[12];
	CHECK(store_find_sha(s, SHA_B, &id, status, err, sizeof err) == 1 && strcmp(status, "failed") == 0);
	CHECK(store_find_sha(s, "cccc", &id, status, err, sizeof err) == 0);
	CHECK(store_find_claim(s, SHA_A, "1:9:3", err, sizeof err) == 1);
	CHECK(store_find_claim(s, SHA_B, "1:9:3", err, sizeof err) == 0);
	char last[40];
	CHECK(store_last_processed(s, last, err, sizeof err) == 0 && strlen(last) == 24);

	/* a read-only handle sees the rows and cannot write */
	store *ro = store_open(db, STORE_RO, err, sizeof err);
	CHECKF(ro != NULL, "%s", err);
	if (ro) {
		CHECK(count(store_db(ro), "SELECT count(*) FROM documents") == 3);
		CHECK(sqlite3_exec(store_db(ro), "DELETE FROM documents", NULL, NULL, NULL) != SQLITE_OK);
		store_close(ro);
	}
	store_close(s);

	/* reopen: nothing re-applied, rows kept */
	s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	if (s) {
		CHECK(count(store_db(s), "SELECT count(*) FROM documents") == 3);
		store_close(s);
	}
}

static void test_refusals(void)
{
	char db[128], err[512];
	sqlite3 *h;

	/* garbage bytes */
	path_in(db, sizeof db, "garbage.db");
	FILE *f = fopen(db, "w");
	for (int i = 0; i < 2000; i++) fputc(i * 7, f);
	fclose(f);
	CHECK(store_open(db, STORE_RW, err, sizeof err) == NULL);
	CHECKF(strstr(err, "not a digitd database") != NULL, "%s", err);

	/* another program's SQLite file */
	path_in(db, sizeof db, "other.db");
	sqlite3_open(db, &h);
	sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL);
	sqlite3_close(h);
	CHECK(store_open(db, STORE_RW, err, sizeof err) == NULL);
	CHECKF(strstr(err, "not a digitd database") != NULL, "%s", err);

	/* a newer digitd's database */
	path_in(db, sizeof db, "newer.db");
	store *s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	store_close(s);
	sqlite3_open(db, &h);
	sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(h);
	CHECK(store_open(db, STORE_RW, err, sizeof err) == NULL);
	CHECKF(strstr(err, "newer than this digitd") != NULL, "%s", err);

	/* read-only open of a missing file; directory missing */
	path_in(db, sizeof db, "missing.db");
	CHECK(store_open(db, STORE_RO, err, sizeof err) == NULL);
	CHECKF(strstr(err, "start digitd") != NULL, "%s", err);
	path_in(db, sizeof db, "nodir/x.db");
	CHECK(store_open(db, STORE_RW, err, sizeof err) == NULL);
	CHECKF(strstr(err, "database directory") != NULL, "%s", err);
}

static void test_migrations(void)
{
	char db[128], err[512];
	sqlite3 *h;
	path_in(db, sizeof db, "mig.db");
	sqlite3_open(db, &h);
	static const store_migration list[] = {
		{ 3, "ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 3" },
		{ 2, "ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 2" },
		{ 4, "THIS IS NOT SQL" },
	};
	sqlite3_exec(h, "CREATE TABLE t(a); INSERT INTO t VALUES (1); PRAGMA user_version = 1", NULL, NULL, NULL);
	CHECKF(store_migrate(h, db, list, 3, 3, err, sizeof err) == 0, "%s", err);
	CHECK(count(h, "PRAGMA user_version") == 3);
	CHECK(count(h, "SELECT a + b + c FROM t") == 6);
	/* a broken step is refused and leaves the database at the last whole version */
	CHECK(store_migrate(h, db, list, 3, 4, err, sizeof err) == -1);
	CHECK(count(h, "PRAGMA user_version") == 3);
	CHECK(store_migrate(h, db, list, 3, 5, err, sizeof err) == -1);
	CHECKF(strstr(err, "no migration") != NULL || strstr(err, "NOT SQL") != NULL, "%s", err);
	sqlite3_close(h);
}

/* Schema 4 on a database made at schema 3 (as a digitd of December left it):
 * the migration keeps every row, and a row sent back by digitctl retry or
 * reprocess (requeued_at) stops settling its content: the new reading is a
 * new row, the old one kept and linked (superseded_by), out of the queues. */
static void test_requeue_migrated(void)
{
	char db[128], err[512], buf[128];
	sqlite3 *h;
	path_in(db, sizeof db, "v3.db");
	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, store_schema_sql(), NULL, NULL, NULL) == SQLITE_OK);
	snprintf(buf, sizeof buf, "PRAGMA application_id = %d; PRAGMA user_version = 1", (int)STORE_APP_ID);
	CHECK(sqlite3_exec(h, buf, NULL, NULL, NULL) == SQLITE_OK);
	CHECKF(store_migrate(h, db, store_migrations, store_nmigrations, 3, err, sizeof err) == 0, "%s", err);
	CHECK(count(h, "PRAGMA user_version") == 3);
	CHECK(sqlite3_exec(h,
		"INSERT INTO documents (id, sha256, name, size, received_at, processed_at, status, original) "
		"VALUES (1, '" SHA_A "', 'a.png', 10, '2026-12-01T00:00:00Z', '2026-12-01T00:00:01Z', 'done', 'done/a.png');"
		"INSERT INTO fields (id, document_id, page, x, y, w, h, text, confidence, flagged) "
		"VALUES (1, 1, 0, 0, 0, 9, 9, '4', 0.5, 1);"
		"INSERT INTO digits (document_id, field_id, page, x, y, w, h, label, confidence, flagged) "
		"VALUES (1, 1, 0, 0, 0, 9, 9, 4, 0.5, 1);"
		"INSERT INTO documents (id, sha256, name, size, received_at, processed_at, status, error, failure, original) "
		"VALUES (2, '" SHA_B "', 'b.png', 10, '2026-12-01T00:00:00Z', '2026-12-01T00:00:01Z', 'failed', "
		"'cannot decode', 'content', 'failed/b.png');", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);

	store *s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	if (!s) return;
	h = store_db(s);
	CHECK(count(h, "PRAGMA user_version") == 4);
	CHECK(count(h, "SELECT count(*) FROM documents WHERE requeued_at IS NULL AND superseded_by IS NULL") == 2);
	CHECK(count(h, "SELECT count(*) FROM review_queue") == 1);
	int64_t id;
	char status[12];
	/* before: both rows settle their content */
	CHECK(store_find_sha(s, SHA_A, &id, status, err, sizeof err) == 1 && id == 1);
	CHECK(store_find_sha(s, SHA_B, &id, status, err, sizeof err) == 1 && id == 2);

	/* reprocess: a done row sent back */
	CHECK(sqlite3_exec(h, "UPDATE documents SET requeued_at = '2026-12-08T00:00:00Z' WHERE id IN (1, 2)",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(store_find_sha(s, SHA_A, &id, status, err, sizeof err) == 0);
	CHECK(store_find_sha(s, SHA_B, &id, status, err, sizeof err) == 0);
	/* the moved file keeps the old claim token: not taken for the old commit */
	CHECK(sqlite3_exec(h, "UPDATE documents SET claim = '5:5' WHERE id = 1", NULL, NULL, NULL) == SQLITE_OK);
	rec_result r; rec_page pg; rec_field f[2]; rec_digit d[3]; uint8_t png[8] = "PNGDATA";
	fake_result(&r, &pg, f, d, png);
	store_doc dd = doc(SHA_A, "a.png", "5:5");
	dd.recovered = true;
	store_result res;
	CHECKF(store_commit_document(s, &dd, &r, true, &res, err, sizeof err) == 0, "%s", err);
	CHECK(res.outcome == STORE_NEW && res.id > 2 && res.supersedes == 1);
	snprintf(buf, sizeof buf, "SELECT superseded_by FROM documents WHERE id = 1");
	CHECK(count(h, buf) == res.id);
	CHECK(count(h, "SELECT count(*) FROM documents WHERE id = 1 AND status = 'done'") == 1);
	CHECK(count(h, "SELECT count(*) FROM digits WHERE document_id = 1") == 1);   /* nothing deleted */
	/* the queues and document_text show the current reading only */
	snprintf(buf, sizeof buf, "SELECT count(*) FROM review_queue WHERE document_id = %lld", (long long)res.id);
	CHECK(count(h, "SELECT count(*) FROM review_queue") == 1 && count(h, buf) == 1);
	CHECK(count(h, "SELECT count(*) FROM document_text WHERE document_id = 1") == 0);
	CHECK(count(h, "SELECT count(*) FROM document_text") == 2);
	int64_t newa = res.id;
	/* a crash after that commit: the same claim is now known as committed, the new row */
	CHECKF(store_commit_document(s, &dd, &r, true, &res, err, sizeof err) == 0, "%s", err);
	CHECK(res.outcome == STORE_ALREADY && res.id == newa);
	/* and a later copy is a duplicate of the new row */
	dd = doc(SHA_A, "a again.png", "6:6");
	CHECKF(store_commit_document(s, &dd, &r, true, &res, err, sizeof err) == 0, "%s", err);
	CHECK(res.outcome == STORE_DUPLICATE && res.first_id == newa);

	/* retry: a content failure sent back fails again -> a new failed row, the old kept */
	dd = doc(SHA_B, "b.png", "7:7");
	dd.failure = STORE_FAILURE_CONTENT;
	CHECKF(store_record_failure(s, &dd, "still cannot decode", true, &res, err, sizeof err) == 0, "%s", err);
	CHECK(res.outcome == STORE_NEW && res.supersedes == 2 && res.id != 2 && res.retried_id == 0);
	CHECK(count(h, "SELECT count(*) FROM documents WHERE sha256 = '" SHA_B "' AND status = 'failed'") == 2);
	CHECK(strcmp(text1(h, "SELECT error FROM documents WHERE id = 2", buf, sizeof buf), "cannot decode") == 0);
	CHECK(store_find_sha(s, SHA_B, &id, status, err, sizeof err) == 1 && id == res.id);
	CHECK(strcmp(text1(h, "PRAGMA integrity_check", buf, sizeof buf), "ok") == 0);
	store_close(s);
}

/* Fail every sqlite3_step in turn during a commit: either the whole document
 * is there or nothing is.  The hook counts per process, so fork each try. */
static void test_fault_step(void)
{
	char db[128], err[512];
	path_in(db, sizeof db, "fault.db");
	store *s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	store_close(s);
	int whole = 0, none = 0;
	for (int n = 1; n <= 30; n++) {
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			char v[16];
			snprintf(v, sizeof v, "%d", n);
			setenv("DIGITD_FAULT_STEP", v, 1);
			store *c = store_open(db, STORE_RW, err, sizeof err);
			if (!c) _exit(3);
			rec_result r; rec_page pg; rec_field f[2]; rec_digit d[3]; uint8_t png[8] = "PNGDATA";
			fake_result(&r, &pg, f, d, png);
			char claim[32];
			snprintf(claim, sizeof claim, "9:%d:0", n);
			char sha[65];
			snprintf(sha, sizeof sha, "%064d", n);
			store_doc dd = doc(sha, "f.png", claim);
			store_result res;
			int rc = store_commit_document(c, &dd, &r, true, &res, err, sizeof err);
			store_close(c);
			_exit(rc == 0 ? 0 : 1);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		CHECK(WIFEXITED(st));
		sqlite3 *h;
		sqlite3_open(db, &h);
		char q[256];
		snprintf(q, sizeof q, "SELECT count(*) FROM documents WHERE sha256 = '%064d'", n);
		long docs = count(h, q);
		snprintf(q, sizeof q, "SELECT count(*) FROM digits JOIN documents d ON d.id = document_id "
			 "WHERE d.sha256 = '%064d'", n);
		long digits = count(h, q);
		CHECKF((docs == 1 && digits == 3) || (docs == 0 && digits == 0), "n=%d docs=%ld digits=%ld", n,
		       docs, digits);
		CHECK((WEXITSTATUS(st) == 0) == (docs == 1));
		if (docs == 1) whole++; else none++;
		CHECK(count(h, "PRAGMA integrity_check") != -1);
		sqlite3_close(h);
	}
	CHECKF(none >= 5 && whole >= 1, "none=%d whole=%d", none, whole);
	printf("fault_step: %d injected failures left nothing, %d runs past the last step committed\n", none, whole);
}

static void test_checkpoint(void)
{
	char db[128], err[512];
	path_in(db, sizeof db, "ckpt.db");
	store *s = store_open(db, STORE_RW, err, sizeof err);
	CHECKF(s != NULL, "%s", err);
	if (!s) return;
	sqlite3 *reader;
	sqlite3_open_v2(db, &reader, SQLITE_OPEN_READONLY, NULL);
	sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL);
	CHECK(count(reader, "SELECT count(*) FROM documents") == 0);   /* holds a snapshot */
	rec_result r; rec_page pg; rec_field f[2]; rec_digit d[3]; uint8_t png[8] = "PNGDATA";
	fake_result(&r, &pg, f, d, png);
	for (int i = 0; i < 200; i++) {
		char sha[65], claim[32];
		snprintf(sha, sizeof sha, "%064d", i);
		snprintf(claim, sizeof claim, "c:%d", i);
		store_doc dd = doc(sha, "n.png", claim);
		store_result res;
		CHECK(store_commit_document(s, &dd, &r, true, &res, err, sizeof err) == 0);
	}
	int64_t wal = 0;
	/* the open snapshot keeps the WAL: the checkpoint says so instead of hanging */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(store_checkpoint(s, true, 0, &wal, err, sizeof err) == 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(wal > 0);
	/* it waited briefly, not the 5 s busy timeout */
	CHECK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1000);
	/* unforced: backs off without waiting at all */
	CHECK(store_checkpoint(s, false, 0, &wal, err, sizeof err) == 1);
	/* the reader sees none of the new documents, and no half of one */
	CHECK(count(reader, "SELECT count(*) FROM documents") == 0);
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	CHECK(count(reader, "SELECT count(*) FROM documents") == 200);
	CHECK(store_checkpoint(s, true, 0, &wal, err, sizeof err) == 0);
	char walpath[160];
	struct stat sb;
	snprintf(walpath, sizeof walpath, "%s-wal", db);
	CHECK(stat(walpath, &sb) == 0 && sb.st_size == 0);
	printf("checkpoint: WAL was %lld bytes, truncated to 0 once the reader let go\n", (long long)wal);
	sqlite3_close(reader);
	store_close(s);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_store.XXXXXX");
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	test_create_and_commit();
	test_unread();
	test_refusals();
	test_migrations();
	test_requeue_migrated();
	test_fault_step();
	test_checkpoint();
	if (check_failures == 0) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
	}
	CHECK_DONE();
}
