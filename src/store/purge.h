/* purge.h: removing old documents for good: their rows (pages, fields,
 * digits with their crops, unread regions, by the schema's ON DELETE
 * CASCADE), the 'duplicate' rows that point at them, and their originals in
 * the spool (done/NAME, failed/NAME and failed/NAME.error).
 *
 * The invariants it protects:
 *   - the daemon's writer is never held up for long: documents go in small
 *     write transactions, each ended once it has held the lock for
 *     PURGE_HOLD_MS, with PURGE_PAUSE_MS between them so a waiting writer
 *     (whose busy handler polls every few milliseconds at first) gets in;
 *   - no file outlives its row where the daemon would take it for work not
 *     yet committed: an original is deleted *before* its row (a crash in
 *     between leaves a row whose original is gone, which `show` already
 *     handles, never a file in done/ without a row, which the next start
 *     could re-queue);
 *   - a row that changed since it was chosen (a failed document retried in
 *     place, which renews received_at) is not deleted: the age test is
 *     repeated inside the transaction, and a document that gained a new
 *     duplicate meanwhile is kept (its foreign key refuses the delete).
 * Reviewed digits go with their documents: export them first
 * (`digitctl review --export-crops`) if they are training data. */
#ifndef DIGITD_STORE_PURGE_H
#define DIGITD_STORE_PURGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* A transaction ends once it has held the lock this long (checked after
 * each document, so it may run over by one document's deletes).  A waiting
 * writer's busy handler polls after 1, 2, 5, 10, 15, 20 ms..., so after a
 * 20 ms hold it gets in within about 35 ms, and the pause lets it.
 * tests/scenario/purge.sh measures it (tests/tools/writeprobe timing BEGIN
 * IMMEDIATE during a purge of 405 documents, 2 cores, the daemon running):
 * 7 transactions, the longest 19 ms, a writer's longest wait 9-34 ms over
 * several runs, against the 100 ms a commit may lose to a purge. */
#define PURGE_HOLD_MS 20.0
#define PURGE_PAUSE_MS 30.0

/* Which statuses to purge (bits); 0 means all. */
#define PURGE_DONE 1u
#define PURGE_FAILED 2u
#define PURGE_DUPLICATE 4u

typedef struct {
	const char *before;          /* "YYYY-MM-DDTHH:MM:SS": documents received before this */
	unsigned statuses;           /* PURGE_* bits; 0 = every status */
	bool dry_run;                /* count only; delete nothing */
	const char *spool;           /* the spool whose done/ failed/ hold originals; NULL = rows only */
	const volatile int *stop;    /* when set and non-zero, stop between transactions */
} purge_opts;

typedef struct {
	long documents;              /* rows removed (or that would be), duplicates included */
	long digits;
	long long crop_bytes;        /* crop28 + crop_png */
	long originals;              /* files removed (or present, with dry_run) */
	long long original_bytes;
	long kept;                   /* chosen but kept: changed meanwhile */
	long transactions;
	double max_hold_ms;          /* longest write transaction */
} purge_stats;

/* Purge per opts on db (opened read-write).  0, or -1 with a message in
 * err; stats are filled either way with what was done. */
int purge_run(sqlite3 *db, const purge_opts *o, purge_stats *st, char *err, size_t errlen);

/* The cut-off "days" days before now, in the form documents.received_at uses. */
void purge_cutoff(double days, char *buf, size_t n);

#endif
