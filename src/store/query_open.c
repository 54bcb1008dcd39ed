/* query_open.c: open an existing digitd database for digitctl, and refuse
 * anything else with a message a person can act on.
 *
 * The checks happen before any query runs, so a command never prints half a
 * table from the wrong file: the file must exist (SQLite would otherwise create
 * it, or fail later with "unable to open"), must be SQLite (the first read is
 * where "file is not a database" shows), must carry digitd's application_id or
 * at least its tables, and must not be newer than the schema we understand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/query.h"

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int found = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

int query_open(const char *path, int writable, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int appid = 0, version = 0, rc;

	*out = NULL;
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "%s: no such database (start digitd to create it, or pass --db FILE)", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	rc = sqlite3_open_v2(path, &db, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	rc = pragma_int(db, "PRAGMA application_id", &appid);
	if (rc == SQLITE_OK) rc = pragma_int(db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
			snprintf(err, errlen, "%s: not a digitd database (the file is not SQLite or is corrupt)", path);
		else
			snprintf(err, errlen, "%s: cannot read: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	/* A database made by hand from sql/schema.sql may lack the application id;
	 * accept it when the public tables are there. */
	if (appid != STORE_APP_ID && !(appid == 0 && has_table(db, "documents") && has_table(db, "digits"))) {
		snprintf(err, errlen, "%s: not a digitd database (application_id 0x%08x, expected 0x%08x)",
			 path, (unsigned)appid, STORE_APP_ID);
		goto fail;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: database schema version %d is newer than this digitctl understands (%d); "
			 "use the digitctl that came with the running digitd", path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (version < 1 || !has_table(db, "digits") || !has_table(db, "document_text")) {
		snprintf(err, errlen, "%s: digitd database without its schema (user_version %d); "
			 "has digitd ever started on it?", path, version);
		goto fail;
	}
	/* SQLite quietly opens a file it may not write read-only; a reviewer
	 * should hear that before the first decision, not at it */
	if (writable && sqlite3_db_readonly(db, "main") == 1) {
		snprintf(err, errlen, "%s: no write access (reviews are stored in the database; "
			 "run as a user who may write it and its directory)", path);
		goto fail;
	}
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return -1;
}

void query_now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
