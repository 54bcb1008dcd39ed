/* store_internal.h: what the store's files share and nobody else sees. */
#ifndef DIGITD_STORE_INTERNAL_H
#define DIGITD_STORE_INTERNAL_H
#include "store/store.h"

#include <sys/types.h>

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	/* prepared once, reset after each use */
	sqlite3_stmt *find_claim, *find_sha, *find_retry, *last_processed;
	sqlite3_stmt *upd_doc, *supersede, *mark_requeued, *ins_doc, *ins_page, *ins_field, *ins_digit, *ins_unread;
	sqlite3_stmt *begin, *commit, *rollback;
	long ckpt_retry_at;
	bool busy;                /* the last commit failed only for the write lock */
	bool gone;                /* the path no longer names the file we have open */
	dev_t dev;                /* the opened file's identity (read-write handles) */
	ino_t ino;
};

#define STORE_CKPT_WAIT_MS 200    /* how long a TRUNCATE checkpoint waits for readers */
#define STORE_CKPT_BACKOFF_S 30   /* after readers refused it */

const char *store_schema_sql(void);
extern const store_migration store_migrations[];
extern const size_t store_nmigrations;

/* Describe a failed SQLite call on s (or db) as "path: what: sqlite message",
 * turning the codes a person can act on (read-only, full, not a database)
 * into advice. */
void store_errmsg(sqlite3 *db, const char *path, const char *what, int rc, char *err, size_t errlen);

#endif
