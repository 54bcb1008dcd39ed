/* store.c: opening a digitd database safely, applying its schema and
 * migrations, and keeping its WAL bounded.
 *
 * Opening is where most operator mistakes show: a path on a read-only or full
 * file system, a file of another program, a database from a newer digitd, a
 * corrupt file.  Each is detected here, before any document is touched, and
 * refused with a message that says what to do. */
#include "store/store_internal.h"
#include "util/log.h"

#include <errno.h>
#include <libgen.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* --- fault injection hook ------------------------------------------------ */

static atomic_long fault_step;        /* 0: off */
static atomic_long step_count;

/* Read at every open, so a test that forks after setting it is obeyed. */
static void fault_init(void)
{
	const char *e = getenv("DIGITD_FAULT_STEP");
	atomic_store(&fault_step, e && *e ? strtol(e, NULL, 10) : 0);
}

int store_step(sqlite3_stmt *st)
{
	long n = atomic_load(&fault_step);
	if (n > 0 && atomic_fetch_add(&step_count, 1) + 1 == n) {
		/* as if the disk failed under this statement; the transaction it
		 * belongs to must then be rolled back by the caller */
		log_warn("test hook: sqlite3_step #%ld fails (DIGITD_FAULT_STEP)", n);
		return SQLITE_IOERR;
	}
	return sqlite3_step(st);
}

/* --- errors ---------------------------------------------------------------- */

void store_errmsg(sqlite3 *db, const char *path, const char *what, int rc, char *err, size_t errlen)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	if (db && sqlite3_errcode(db) == SQLITE_OK) msg = sqlite3_errstr(rc);
	const char *advice = "";
	switch (rc & 0xff) {
	case SQLITE_READONLY:
		advice = " (the database or its directory is read-only: digitd needs to write the file "
			 "and create -wal/-shm beside it)";
		break;
	case SQLITE_FULL:
		advice = " (the file system holding the database is full: free space and restart)";
		break;
	case SQLITE_CANTOPEN:
		advice = " (check that the directory exists and digitd may create files in it)";
		break;
	case SQLITE_NOTADB:
		advice = " (not a SQLite database: point `database` at a digitd database or a new path)";
		break;
	case SQLITE_CORRUPT:
		advice = " (the database is corrupt: restore it from a backup; the originals in done/ "
			 "can be re-queued)";
		break;
	default:
		break;
	}
	snprintf(err, errlen, "%s: %s: %s%s", path, what, msg, advice);
}

static int exec(sqlite3 *db, const char *path, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_errmsg(db, path, sql, rc, err, errlen);
		return -1;
	}
	return 0;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) rc = store_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* How many schema objects of any kind the database holds (0 = empty file). */
static int count_objects(sqlite3 *db, int *n)
{
	return pragma_int(db, "SELECT count(*) FROM sqlite_master", n);
}

/* --- directory checks ------------------------------------------------------ */

/* SQLite's own errors for an unwritable directory are vague ("unable to open
 * database file"), so look first and say precisely what is wrong. */
static int check_dir(const char *path, enum store_mode mode, char *err, size_t errlen)
{
	char *copy = strdup(path);
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	const char *dir = dirname(copy);
	struct stat sb;
	struct statvfs vfs;
	int ret = -1;
	if (stat(dir, &sb) < 0) {
		snprintf(err, errlen, "%s: database directory %s: %s", path, dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a directory", path, dir);
		goto out;
	}
	if (mode == STORE_RW) {
		if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
			snprintf(err, errlen, "%s: database directory %s is on a read-only file system; "
				 "digitd must write the database and create -wal/-shm files beside it",
				 path, dir);
			goto out;
		}
		if (access(dir, W_OK) < 0) {
			snprintf(err, errlen, "%s: database directory %s is not writable (%s); digitd must create "
				 "-wal/-shm files beside the database: fix the owner or mode",
				 path, dir, strerror(errno));
			goto out;
		}
		if (statvfs(dir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < 1024 * 1024) {
			snprintf(err, errlen, "%s: database directory %s is full (%llu KiB free); free space "
				 "and start again", path, dir,
				 (unsigned long long)vfs.f_bavail * vfs.f_frsize / 1024);
			goto out;
		}
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

/* --- schema ---------------------------------------------------------------- */

static int apply_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char sql[160];
	int version = 0, nobj = 0;
	if (exec(db, path, "BEGIN IMMEDIATE", err, errlen) < 0) return -1;
	/* another process may have created it while we waited for the lock */
	if (pragma_int(db, "PRAGMA user_version", &version) != SQLITE_OK ||
	    count_objects(db, &nobj) != SQLITE_OK) {
		store_errmsg(db, path, "reading the schema version", sqlite3_errcode(db), err, errlen);
		goto fail;
	}
	if (version == 0 && nobj == 0) {
		if (exec(db, path, store_schema_sql(), err, errlen) < 0) goto fail;
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = 1",
			 (int)STORE_APP_ID);
		if (exec(db, path, sql, err, errlen) < 0) goto fail;
	}
	if (exec(db, path, "COMMIT", err, errlen) < 0) goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int store_migrate(sqlite3 *db, const char *path, const store_migration *list, size_t n, int target,
		  char *err, size_t errlen)
{
	for (;;) {
		int version = 0;
		if (pragma_int(db, "PRAGMA user_version", &version) != SQLITE_OK) {
			store_errmsg(db, path, "reading user_version", sqlite3_errcode(db), err, errlen);
			return -1;
		}
		if (version >= target) return 0;
		const store_migration *m = NULL;
		for (size_t i = 0; i < n; i++)
			if (list[i].version == version + 1) m = &list[i];
		if (!m) {
			snprintf(err, errlen, "%s: no migration from schema version %d to %d", path, version,
				 version + 1);
			return -1;
		}
		if (exec(db, path, "BEGIN IMMEDIATE", err, errlen) < 0) return -1;
		/* re-read under the lock: a concurrent migrator may have won */
		int now = 0;
		if (pragma_int(db, "PRAGMA user_version", &now) != SQLITE_OK) {
			store_errmsg(db, path, "reading user_version", sqlite3_errcode(db), err, errlen);
			goto fail;
		}
		if (now == version) {
			char sql[64];
			if (exec(db, path, m->sql, err, errlen) < 0) goto fail;
			snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
			if (exec(db, path, sql, err, errlen) < 0) goto fail;
		}
		if (exec(db, path, "COMMIT", err, errlen) < 0) goto fail;
		continue;
fail:
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
}

/* --- open/close -------------------------------------------------------------- */

static int prepare(store *s, sqlite3_stmt **st, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
	if (rc != SQLITE_OK) {
		store_errmsg(s->db, s->path, "preparing a statement", rc, err, errlen);
		return -1;
	}
	return 0;
}

static int prepare_all(store *s, char *err, size_t errlen)
{
	if (prepare(s, &s->find_claim,
		    "SELECT d.id, d.status, d.duplicate_of, f.status, d.error FROM documents d "
		    "LEFT JOIN documents f ON f.id = d.duplicate_of WHERE d.sha256 = ?1 AND d.claim = ?2 "
		    /* a row sent back by digitctl (schema 4) keeps its claim token, which the
		     * moved file still carries: it is not this file's commit until replaced */
		    "AND NOT (d.requeued_at IS NOT NULL AND d.superseded_by IS NULL) ORDER BY d.id DESC LIMIT 1", err, errlen) < 0 ||
	    prepare(s, &s->find_sha,
		    "SELECT id, status FROM documents WHERE sha256 = ?1 AND (status = 'done' OR "
		    "(status = 'failed' AND coalesce(failure, 'content') = 'content')) AND requeued_at IS NULL "
		    "ORDER BY id LIMIT 1",
		    err, errlen) < 0 ||
	    prepare(s, &s->find_retry,
		    "SELECT id FROM documents WHERE sha256 = ?1 AND status = 'failed' AND requeued_at IS NULL "
		    "ORDER BY id LIMIT 1",
		    err, errlen) < 0 ||
	    prepare(s, &s->last_processed, "SELECT coalesce(max(processed_at), '') FROM documents",
		    err, errlen) < 0)
		return -1;
	if (s->mode == STORE_RO) return 0;
	if (prepare(s, &s->begin, "BEGIN IMMEDIATE", err, errlen) < 0 ||
	    prepare(s, &s->commit, "COMMIT", err, errlen) < 0 ||
	    prepare(s, &s->rollback, "ROLLBACK", err, errlen) < 0 ||
	    prepare(s, &s->ins_doc,
		    "INSERT INTO documents (sha256, name, size, received_at, processed_at, status, error, "
		    "model, ms, duplicate_of, pages, width, height, original, claim, failure) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		    err, errlen) < 0 ||
	    prepare(s, &s->upd_doc,
		    "UPDATE documents SET sha256 = ?1, name = ?2, size = ?3, received_at = ?4, processed_at = ?5, "
		    "status = ?6, error = ?7, model = ?8, ms = ?9, duplicate_of = ?10, pages = ?11, width = ?12, "
		    "height = ?13, original = ?14, claim = ?15, failure = ?16 WHERE id = ?17",
		    err, errlen) < 0 ||
	    prepare(s, &s->mark_requeued, "UPDATE documents SET requeued_at = ?2 WHERE id = ?1", err, errlen) < 0 ||
	    prepare(s, &s->supersede,
		    "UPDATE documents SET superseded_by = ?2 WHERE sha256 = ?1 AND requeued_at IS NOT NULL "
		    "AND superseded_by IS NULL AND id <> ?2 RETURNING id", err, errlen) < 0 ||
	    prepare(s, &s->ins_page,
		    "INSERT INTO pages (document_id, page, width, height) VALUES (?1, ?2, ?3, ?4)",
		    err, errlen) < 0 ||
	    prepare(s, &s->ins_field,
		    "INSERT INTO fields (document_id, page, x, y, w, h, text, confidence, flagged, idx, why) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err, errlen) < 0 ||
	    prepare(s, &s->ins_unread,
		    "INSERT INTO unread (document_id, page, x, y, w, h, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		    err, errlen) < 0 ||
	    prepare(s, &s->ins_digit,
		    "INSERT INTO digits (document_id, field_id, page, x, y, w, h, label, confidence, "
		    "alt_label, alt_confidence, flagged, crop28, crop_png, pos, why) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		    err, errlen) < 0)
		return -1;
	return 0;
}

store *store_open(const char *path, enum store_mode mode, char *err, size_t errlen)
{
	store *s = calloc(1, sizeof *s);
	struct stat sb;
	int rc, appid = 0, version = 0, nobj = 0;
	if (!s || !(s->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(s);
		return NULL;
	}
	s->mode = mode;
	fault_init();
	if (check_dir(path, mode, err, errlen) < 0) goto fail;
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file", path);
			goto fail;
		}
	} else if (errno != ENOENT || mode == STORE_RO) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (no database yet: start digitd to create it)" : "");
		goto fail;
	}
	int flags = (mode == STORE_RW ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
		    SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		store_errmsg(s->db, path, "cannot open", rc, err, errlen);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);

	/* The first read is where "file is not a database" shows. */
	rc = pragma_int(s->db, "PRAGMA application_id", &appid);
	if (rc == SQLITE_OK) rc = pragma_int(s->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK) rc = count_objects(s->db, &nobj);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
			snprintf(err, errlen, "%s: not a digitd database: the file is not SQLite or is corrupt; "
				 "move it away or point `database` elsewhere", path);
		else
			store_errmsg(s->db, path, "cannot read", rc, err, errlen);
		goto fail;
	}
	if (appid != STORE_APP_ID && nobj > 0) {
		snprintf(err, errlen, "%s: not a digitd database (a SQLite file with application_id "
			 "0x%08x and %d schema objects); refusing to touch it", path, (unsigned)appid, nobj);
		goto fail;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %d is newer than this digitd knows (%d); "
			 "run the digitd that created it, or upgrade", path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (mode == STORE_RO) {
		if (nobj == 0 || version < STORE_SCHEMA_VERSION) {
			snprintf(err, errlen, "%s: database at schema version %d, expected %d: start digitd "
				 "once to create or migrate it", path, version, STORE_SCHEMA_VERSION);
			goto fail;
		}
	} else {
		/* WAL: readers never block the writer nor see half a commit.
		 * synchronous=FULL: the WAL is fsynced at each commit, so a document
		 * committed before its file leaves work/ survives power loss.
		 * journal_size_limit: a reset WAL is truncated, not left large. */
		if (exec(s->db, path, "PRAGMA journal_mode = WAL", err, errlen) < 0 ||
		    exec(s->db, path, "PRAGMA synchronous = FULL", err, errlen) < 0 ||
		    exec(s->db, path, "PRAGMA foreign_keys = ON", err, errlen) < 0 ||
		    exec(s->db, path, "PRAGMA wal_autocheckpoint = 1000", err, errlen) < 0 ||
		    exec(s->db, path, "PRAGMA journal_size_limit = 67108864", err, errlen) < 0)
			goto fail;
		if (nobj == 0 && apply_schema(s->db, path, err, errlen) < 0) goto fail;
		if (store_migrate(s->db, path, store_migrations, store_nmigrations, STORE_SCHEMA_VERSION,
				  err, errlen) < 0)
			goto fail;
	}
	if (exec(s->db, path, "PRAGMA foreign_keys = ON", err, errlen) < 0) goto fail;
	if (prepare_all(s, err, errlen) < 0) goto fail;
	/* the file SQLite has open now exists (the first read or the schema
	 * created it): remember which one it is */
	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	return s;
fail:
	store_close(s);
	return NULL;
}

/* The file's header is read by hand rather than through SQLite: opening a
 * WAL database, even read-only, may create -wal/-shm files, and
 * `sudo digitd --check-config` would leave them owned by root, which the
 * daemon then cannot open.  Offsets are SQLite's file format (fileformat2.html):
 * magic at 0, schema cookie at 40, user_version at 60, application_id at 68,
 * all big-endian.  A database whose changes still sit in its -wal may show an
 * older header: then the check is as good as the last checkpoint. */
#define SQLITE_HEADER_BYTES 100
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int store_probe(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	unsigned char h[SQLITE_HEADER_BYTES];
	if (check_dir(path, STORE_RW, err, errlen) < 0) return -1;
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT) return 0;   /* created at the first start */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (access(path, R_OK | W_OK) < 0) {
		snprintf(err, errlen, "%s: %s; digitd must read and write it: fix the owner or mode", path,
			 strerror(errno));
		return -1;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(h, 1, sizeof h, f);
	fclose(f);
	if (n == 0) return 0;   /* an empty file becomes the database */
	if (n < sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
		snprintf(err, errlen, "%s: not a digitd database: the file is not SQLite; move it away or point "
			 "`database` elsewhere", path);
		return -1;
	}
	uint32_t cookie = be32(h + 40), version = be32(h + 60), appid = be32(h + 68);
	if (appid != STORE_APP_ID && cookie != 0) {
		snprintf(err, errlen, "%s: not a digitd database (a SQLite file with application_id 0x%08x); "
			 "refusing to touch it", path, (unsigned)appid);
		return -1;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %u is newer than this digitd knows (%d); "
			 "run the digitd that created it, or upgrade", path, (unsigned)version, STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

void store_close(store *s)
{
	if (!s) return;
	sqlite3_stmt *all[] = { s->find_claim, s->find_sha, s->find_retry, s->upd_doc, s->supersede, s->mark_requeued, s->last_processed, s->ins_doc, s->ins_page,
				s->ins_field, s->ins_digit, s->ins_unread, s->begin, s->commit, s->rollback };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sqlite3_finalize(all[i]);
	/* sqlite3_close (not _v2) so a leaked statement shows as an error in tests */
	if (s->db && sqlite3_close(s->db) != SQLITE_OK) sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int store_check_identity(store *s, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(s->path, &sb) < 0) {
		if (errno != ENOENT) return 0;   /* cannot tell (EACCES, EIO...): SQLite reports real trouble */
		snprintf(err, errlen, "%s: the database file was deleted while digitd had it open; nothing more is "
			 "written to the unlinked copy", s->path);
		s->gone = true;
		return -1;
	}
	if (sb.st_dev != s->dev || sb.st_ino != s->ino) {
		snprintf(err, errlen, "%s: the database file was replaced while digitd had it open (inode %llu, the "
			 "path now names inode %llu); nothing more is written to the old copy", s->path,
			 (unsigned long long)s->ino, (unsigned long long)sb.st_ino);
		s->gone = true;
		return -1;
	}
	return 0;
}

bool store_gone(const store *s) { return s->gone; }

sqlite3 *store_db(store *s) { return s->db; }
const char *store_path(const store *s) { return s->path; }

void store_now_iso(char out[40])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* --- checkpoints --------------------------------------------------------------- */

int store_checkpoint(store *s, bool force, int64_t wal_limit, int64_t *wal_bytes, char *err, size_t errlen)
{
	char wal[4096];
	struct stat sb;
	int64_t size = 0;
	snprintf(wal, sizeof wal, "%s-wal", s->path);
	if (stat(wal, &sb) == 0) size = sb.st_size;
	if (wal_bytes) *wal_bytes = size;
	if (!force && size <= wal_limit) return 0;
	/* A reader holding an old snapshot makes TRUNCATE wait in the busy
	 * handler; the writer must not stall documents for the full busy
	 * timeout each time, so wait briefly and, after a refusal, leave it to
	 * the passive autocheckpoints for a while (unless forced). */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && now.tv_sec < s->ckpt_retry_at) return 1;
	int nlog = 0, nckpt = 0;
	sqlite3_busy_timeout(s->db, STORE_CKPT_WAIT_MS);
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (rc == SQLITE_BUSY) {
		s->ckpt_retry_at = now.tv_sec + STORE_CKPT_BACKOFF_S;
		return 1;
	}
	if (rc != SQLITE_OK) {
		store_errmsg(s->db, s->path, "checkpoint", rc, err, errlen);
		return -1;
	}
	return 0;
}
