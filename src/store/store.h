/* store.h: the daemon's database: opening, schema and migrations, and the
 * single writer's transactions.
 *
 * Invariants this module protects:
 *  - every connection runs in WAL mode with a busy timeout, foreign keys on
 *    and synchronous=FULL, so a committed document survives power loss and a
 *    person running sqlite3 beside the daemon neither blocks nor sees half a
 *    document;
 *  - a document's row, pages, fields and digits are written in ONE
 *    BEGIN IMMEDIATE transaction; nothing else is ever half-written;
 *  - a database whose schema is newer than this binary, or that is not a
 *    digitd database, is refused with a message saying what to do;
 *  - every statement is prepared with bound parameters (names are untrusted).
 *
 * Threads: a store handle is used by one thread at a time.  The daemon gives
 * its writer thread the only read-write handle; workers may hold read-only
 * handles for duplicate look-ups.
 *
 * Errors: -1 (or NULL) with a one-line message in err naming the database. */
#ifndef DIGITD_STORE_H
#define DIGITD_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "recognize/recognize.h"

#define STORE_APP_ID 0x44474954     /* 'DGIT' */
#define STORE_SCHEMA_VERSION 4      /* newest user_version this binary knows */
#define STORE_BUSY_MS 5000

typedef struct store store;

enum store_mode {
	STORE_RO,   /* read-only: the database must exist and be at the current version */
	STORE_RW,   /* read-write: created and migrated as needed */
};

/* Open (and with STORE_RW create or migrate) a database.  Refuses a file that
 * is not SQLite, a SQLite file of another application, a newer schema, and a
 * database directory where SQLite cannot create its -wal/-shm files
 * (read-only or full), each with a clear message. */
store *store_open(const char *path, enum store_mode mode, char *err, size_t errlen);
void store_close(store *s);
/* What digitd --check-config asks without writing anything: would
 * store_open(path, STORE_RW) succeed?  The directory must be usable for the
 * database and its -wal/-shm files; an existing file must be a digitd
 * database (or empty) no newer than this binary.  A missing file is fine
 * (digitd creates it).  0, or -1 with the reason in err. */
int store_probe(const char *path, char *err, size_t errlen);
/* The underlying connection, for read queries (digitctl, tests). */
sqlite3 *store_db(store *s);
const char *store_path(const store *s);

/* Why a document failed (documents.failure).  Only a content failure is
 * final: a later copy of content that failed for any other reason is
 * processed again, and its outcome replaces the failed row. */
#define STORE_FAILURE_CONTENT "content"       /* not a readable image */
#define STORE_FAILURE_TRANSIENT "transient"   /* out of memory, I/O error */
#define STORE_FAILURE_NAME "name"             /* name not accepted */
#define STORE_FAILURE_LIMIT "limit"           /* over max_file_size / max_pixels */

typedef struct store_result store_result;

/* What the spool knows about a file, recorded with its row. */
typedef struct {
	const char *sha256;       /* 64 hex digits, or a placeholder when unreadable */
	const char *name;         /* as dropped in incoming/ */
	const char *claim;        /* spool identity "ino:mtime_ns" (see schema) */
	const char *original;     /* where the original will go, e.g. "done/a.png"; may be NULL */
	int64_t size;
	const char *received_at;  /* ISO 8601 UTC */
	const char *model;        /* nn_model_id(); may be NULL */
	const char *failure;      /* failed rows: STORE_FAILURE_* (see sql/migrate-2.sql); NULL otherwise */
	bool recovered;           /* taken up from work/ after a restart: it may have been committed before
	                             (a fresh claim never has: a matching claim is a hard link of a committed file) */
	double ms;
	/* Called inside the transaction once the outcome is known (for every
	 * outcome), so the caller can decide where the original goes; returns the
	 * value for documents.original (overriding `original`), may be NULL. */
	const char *(*route)(void *arg, const store_result *r);
	void *route_arg;
} store_doc;

enum store_outcome {
	STORE_NEW,          /* rows inserted: status done or failed */
	STORE_DUPLICATE,    /* content already known: a 'duplicate' row points at it */
	STORE_DUP_IGNORED,  /* content already known, no row (duplicates = ignore) */
	STORE_ALREADY,      /* this very spool file was committed before a crash */
};

struct store_result {
	enum store_outcome outcome;
	int64_t id;              /* the row written (or found, for STORE_ALREADY); 0 if none */
	int64_t first_id;        /* for duplicates: the first document with this content */
	char status[12];         /* NEW: done/failed; DUPLICATE, DUP_IGNORED: the first's status;
	                            ALREADY: the found row's status */
	char first_status[12];   /* ALREADY on a duplicate row: the first's status */
	char error[256];         /* ALREADY on a failed row: its error */
	int64_t retried_id;      /* NEW read again after a failure that may pass: the failed row, kept
	                            and superseded by id */
	int64_t supersedes;      /* NEW read because digitctl retry/reprocess sent the content back
	                            (schema 4): the row kept beside it, now superseded_by id; 0 if none */
};

/* Commit a recognised document (r != NULL, status 'done') or a failure
 * (r == NULL, status 'failed' with `error`) in one transaction.  Inside that
 * transaction it first checks, for a recovered file only, whether this claim
 * was already committed (STORE_ALREADY, nothing written) and whether the content is already settled
 * (a duplicate row when record_duplicates, else STORE_DUP_IGNORED).  Content
 * whose only row failed for a reason that may pass (not STORE_FAILURE_CONTENT)
 * is not settled: the new outcome is a new row, and the failed one is kept
 * and linked to it (STORE_NEW with retried_id set).  Content whose row
 * digitctl sent back (requeued_at, schema 4) is not settled either: the new
 * outcome is a new row, and the old one is kept and linked to it
 * (superseded_by; STORE_NEW with supersedes set).  digits'
 * crop_png are stored when present. */
int store_commit_document(store *s, const store_doc *d, const rec_result *r, bool record_duplicates,
			  store_result *out, char *err, size_t errlen);
int store_record_failure(store *s, const store_doc *d, const char *error, bool record_duplicates,
			 store_result *out, char *err, size_t errlen);
/* Whether the last commit failed only because another connection kept the
 * write lock past the busy timeout (nothing was written; retrying is safe). */
bool store_busy(const store *s);

/* Whether the path still names the database file this handle opened.  An
 * operator's rm (or a restore that renamed another file into place) leaves
 * SQLite writing into an unlinked inode with no error, and every result
 * "committed" there is lost.  Returns 0 when it does, -1 with a message when
 * the path is gone or names another file; a read-write commit checks this
 * first and then fails (store_gone() tells that failure apart). */
int store_check_identity(store *s, char *err, size_t errlen);
bool store_gone(const store *s);

/* Look up the document that settles this content: its done row, or a failed
 * row whose failure is final (content, or from before failures had kinds).  Returns 1 and
 * fills *id and status (12 bytes), 0 when none, -1 on error. */
int store_find_sha(store *s, const char *sha256, int64_t *id, char status[12], char *err, size_t errlen);
/* Whether any row (any status) carries this sha256 and claim: 1, 0 or -1. */
int store_find_claim(store *s, const char *sha256, const char *claim, char *err, size_t errlen);
/* The latest processed_at (ISO text, "" when there is none). */
int store_last_processed(store *s, char out[40], char *err, size_t errlen);

/* Checkpoint policy: SQLite's wal_autocheckpoint runs passive checkpoints on
 * commit; those cannot shrink the WAL while a reader keeps an old snapshot.
 * store_checkpoint() runs a TRUNCATE checkpoint (waiting at most 200 ms for
 * readers, so commits never stall long) when the WAL has grown beyond
 * wal_limit bytes or when force is set; after readers refused one, unforced
 * attempts pause for 30 s.  Returns 0 when the WAL was reset, 1 when readers
 * kept it (retry later), -1 on error.  *wal_bytes gets the WAL size before. */
int store_checkpoint(store *s, bool force, int64_t wal_limit, int64_t *wal_bytes, char *err, size_t errlen);

/* ISO 8601 UTC with milliseconds, "2026-11-26T04:45:05.123Z". */
void store_now_iso(char out[40]);

/* --- migrations (exposed for tests) ---------------------------------------
 * Migration N takes user_version N-1 to N.  store_open applies the built-in
 * list; store_migrate applies any list, each step in its own transaction that
 * also sets user_version, so a crash leaves the database at a whole version. */
typedef struct {
	int version;
	const char *sql;
} store_migration;

int store_migrate(sqlite3 *db, const char *path, const store_migration *list, size_t n, int target,
		  char *err, size_t errlen);

/* Test hook: when $DIGITD_FAULT_STEP=N is set, the Nth sqlite3_step made
 * through this module (counted per process) fails with SQLITE_IOERR. */
int store_step(sqlite3_stmt *st);

#endif
