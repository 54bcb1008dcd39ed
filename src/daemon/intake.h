/* intake.h: deciding which files in incoming/ are ready, and claiming them.
 *
 * A file is ready when inotify saw its writer close it (IN_CLOSE_WRITE) or
 * rename it in (IN_MOVED_TO), or, for writers inotify cannot see, when a scan
 * finds its mtime at least stable_time old (every write moves the mtime, so
 * that is "unchanged for stable_time").  Whatever made it ready, it is
 * claimed only when no process holds it open for writing (a read lease, see
 * spool_claim_finished; the lease is held across the rename), so a writer
 * pausing mid-file longer than stable_time is waited for.  The pipeline
 * checks size and mtime again after reading and before committing: a file
 * written to after its claim is not committed but left in work/ and read
 * again once closed.  Ready names wait in a bounded FIFO
 * with the inode they had; claiming checks the inode again, so a new file
 * that reused a name is not taken before its own writer closes it.
 *
 * Only as many files are claimed as the pipeline has room for; the rest stay
 * in incoming/ (back-pressure).  Scans run at start-up, after an inotify
 * overflow, every rescan interval, and whenever the FIFO could not hold every
 * ready name; they only run when the FIFO is empty, so a backlog is read from
 * the directory a slice at a time instead of being held in memory.
 *
 * Refused, never followed: symlinks, FIFOs, sockets and devices are moved to
 * failed/ with a .error (rename moves the link itself, not its target);
 * sub-directories are left alone and reported once.  Ignored until renamed:
 * dotfiles and the configured temporary patterns. */
#ifndef DIGITD_INTAKE_H
#define DIGITD_INTAKE_H
#include <stdbool.h>
#include <sys/types.h>

#include "daemon/pipeline.h"
#include "daemon/spool.h"
#include "util/config.h"

typedef struct {
	char name[NAME_MAX + 1];
	ino_t ino;
} intake_entry;

typedef struct {
	spool *sp;
	pipeline *pl;
	const struct digitd_config *cfg;   /* owned by main; swapped on reload */
	const char *db_dir;                /* for the free-space check */
	bool once;                         /* --once: every file present counts as complete */
	intake_entry *ring;
	size_t cap, head, len;
	bool need_scan;
	double next_mature;                /* monotonic ms a young file becomes ready; 0: none */
	bool paused;
	double next_space_check;
	ino_t *reported;                   /* sub-directories already reported */
	size_t nreported;
	ino_t *held;                       /* --once: files found open for writing, left for the next run */
	size_t nheld;
	long n_claimed, n_refused;
} intake;

int intake_init(intake *in, spool *sp, pipeline *pl, const struct digitd_config *cfg, const char *db_dir,
		bool once);
void intake_free(intake *in);
/* A name from inotify: queue it if it is a regular file we may claim. */
void intake_on_event(const char *name, void *arg);
/* Claim what is ready while the pipeline has room; scan when due. */
void intake_run(intake *in);
/* Read incoming/ now: queue ready files, refuse what must be refused.
 * Returns the number of names queued. */
long intake_scan(intake *in);
/* Nothing queued, no scan pending, nothing young waiting. */
bool intake_quiet(const intake *in);

/* Start-up recovery (recover.c): hand every file left in work/ by a crash
 * back to the pipeline, and re-queue done/ files whose content has no
 * committed document (run before the writer thread owns db).  Return the
 * number of files recovered/re-queued. */
long recover_work(intake *in);
long recover_done(spool *sp, store *db);
/* originals = move: remove done/ files moved there more than done_days ago. */
long prune_done(spool *sp, int done_days);

#endif
