/* recover.c: putting the spool right at start-up, and pruning done/.
 *
 * work/ holds only files a previous run claimed and had not finished; each is
 * handed straight back to the pipeline (Postfix moves its active queue back
 * to incoming/; processing in place is the same, and cannot collide with a
 * newer file of the same name in incoming/).  The writer's claim check then
 * tells "committed, only the move was lost" from "never committed".
 *
 * done/ should only hold files with a committed document.  One without
 * (a database restored from an older backup, or replaced) is moved back to
 * incoming/.  Hashing all of done/ at every start would be slow on a large
 * archive, so only files moved there (ctime) since shortly before the newest
 * committed document are checked; with an empty database, all are. */
#include "daemon/intake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

typedef int (*entry_fn)(void *arg, const char *name, const struct stat *st);

/* Call fn for each entry of a spool directory, lstat'ed, names checked. */
static long each_entry(spool *sp, enum spool_dir dir, entry_fn fn, void *arg)
{
	int fd = openat(sp->fd[dir], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_err("cannot read %s/: %s", spool_dir_names[dir], strerror(errno));
		return -1;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		log_err("cannot read %s/: %s", spool_dir_names[dir], strerror(errno));
		return -1;
	}
	long n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		struct stat st;
		if (!spool_name_ok(e->d_name)) continue;
		if (fstatat(sp->fd[dir], e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
		n += fn(arg, e->d_name, &st);
	}
	closedir(d);
	return n;
}

static int recover_one(void *arg, const char *name, const struct stat *st)
{
	intake *in = arg;
	if (!S_ISREG(st->st_mode)) {
		log_warn("work/\"%s\" is not a regular file; leaving it alone", name);
		return 0;
	}
	/* a writer that kept the file open across its claim is still at it;
	 * only a finished file is taken up (the next idle rescan looks again) */
	if (spool_writer_state(in->sp, SPOOL_WORK, name) == SPOOL_WRITER_OPEN) {
		log_notice("work/\"%s\" is still open for writing; taken up once its writer closes it", name);
		return 0;
	}
	job *j = calloc(1, sizeof *j);
	if (!j) fatal("out of memory recovering work/");
	snprintf(j->name, sizeof j->name, "%s", name);
	spool_claim_token(st, j->claim);
	j->claimed = *st;
	j->recovered = true;
	store_now_iso(j->received_at);
	j->t_detect = mono_ms();
	/* blocks while the pipeline is full: the workers are already running */
	pipeline_submit(in->pl, j);
	return 1;
}

long recover_work(intake *in)
{
	long n = each_entry(in->sp, SPOOL_WORK, recover_one, in);
	if (n > 0) log_notice("recovering %ld file(s) left in work/ by an interrupted run or a failed move", n);
	return n;
}

typedef struct {
	spool *sp;
	store *db;
	time_t since;
	long requeued;
} done_ctx;

static int check_done(void *arg, const char *name, const struct stat *st)
{
	done_ctx *c = arg;
	char sha[65], err[512], status[12], dest[NAME_MAX + 1];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st2;
	int64_t id;
	if (!S_ISREG(st->st_mode) || st->st_ctim.tv_sec < c->since) return 0;
	/* max 0: never hold the file in memory, only stream its hash */
	int rc = spool_read(c->sp, SPOOL_DONE, name, 0, &buf, &len, &st2, sha, err, sizeof err);
	free(buf);
	if (rc == -1 || !sha[0]) {
		log_warn("done/\"%s\": %s", name, err);
		return 0;
	}
	if (store_find_sha(c->db, sha, &id, status, err, sizeof err) != 0) return 0;
	if (spool_unique_name(c->sp, SPOOL_INCOMING, name, dest) < 0 ||
	    spool_move(c->sp, SPOOL_DONE, name, SPOOL_INCOMING, dest) < 0) {
		log_err("done/\"%s\" has no document in the database but cannot be re-queued: %s", name,
			strerror(errno));
		return 0;
	}
	log_notice("done/\"%s\" has no document in the database (sha=%.12s); re-queued as incoming/\"%s\"", name,
		   sha, dest);
	return 1;
}

long recover_done(spool *sp, store *db)
{
	char last[40], err[512];
	done_ctx c = { .sp = sp, .db = db, .since = 0 };
	if (store_last_processed(db, last, err, sizeof err) < 0) {
		log_warn("%s", err);
		return -1;
	}
	if (last[0]) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		if (strptime(last, "%Y-%m-%dT%H:%M:%S", &tm)) c.since = timegm(&tm) - 120;
	}
	return each_entry(sp, SPOOL_DONE, check_done, &c);
}

typedef struct {
	spool *sp;
	time_t before;
} prune_ctx;

static int prune_one(void *arg, const char *name, const struct stat *st)
{
	prune_ctx *c = arg;
	if (!S_ISREG(st->st_mode) || st->st_ctim.tv_sec >= c->before) return 0;
	if (unlinkat(c->sp->fd[SPOOL_DONE], name, 0) < 0) {
		log_warn("cannot prune done/\"%s\": %s", name, strerror(errno));
		return 0;
	}
	return 1;
}

long prune_done(spool *sp, int done_days)
{
	prune_ctx c = { .sp = sp, .before = time(NULL) - (time_t)done_days * 86400 };
	long n = each_entry(sp, SPOOL_DONE, prune_one, &c);
	if (n > 0) log_info("pruned %ld file(s) older than %d days from done/", n, done_days);
	return n;
}
