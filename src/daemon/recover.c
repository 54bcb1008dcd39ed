/* recover.c: putting the spool right at start-up, and pruning done/.
 *
 * work/ holds only files a previous run claimed and had not finished; each is
 * handed straight back to the pipeline, unless the last MAX_STARTS runs all
 * ended while a worker was reading it (SPOOL/digitd.inflight says what the
 * workers were reading, SPOOL/digitd.recovered counts the runs in a row): a
 * decoder crash, a decode longer than the watchdog allows.  Reading it again
 * would be a crash loop, so it fails unread, to failed/ with the reason (Postfix moves its active queue back
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
#include "daemon/pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/file.h"
#include "util/log.h"

/* Starts that find one file still in work/ before it is set aside.  A file
 * is there at a start only if the run before ended while it was being read:
 * one crash, kill -9 or watchdog timeout is not the file's fault (a power
 * cut, an operator), three in a row with it in flight are. */
#define MAX_STARTS 3
#define STARTS_FILE "digitd.recovered"   /* in the spool root: "COUNT TOKEN" per file in work/ */
#define STARTS_MAX_LINES 100000          /* work/ never holds more than the pipeline's few */

typedef struct {
	char token[64];
	int count;
} start_count;

typedef struct {
	intake *in;
	start_count *old, *now;
	size_t nold, nnow, cap;
	char (*inflight)[PIPELINE_SLOT]; /* what the workers were reading when the last run ended */
	size_t ninflight;
	long set_aside;
} recover_ctx;

/* The last run's in-flight records (pipeline.h); none when absent. */
static size_t load_inflight(spool *sp, char (**out)[PIPELINE_SLOT])
{
	char path[4096], err[256];
	uint8_t *buf;
	size_t len;
	*out = NULL;
	snprintf(path, sizeof path, "%s/" PIPELINE_INFLIGHT, sp->path);
	if (file_read_all(path, (size_t)4096 * PIPELINE_SLOT, &buf, &len, err, sizeof err) < 0) return 0;
	size_t n = len / PIPELINE_SLOT;
	*out = (char (*)[PIPELINE_SLOT])buf;
	for (size_t i = 0; i < n; i++) (*out)[i][PIPELINE_SLOT - 1] = 0;
	return n;
}

/* The counts the last start wrote; none when the file is missing or unreadable. */
static size_t load_starts(spool *sp, start_count **out)
{
	char path[4096], err[256];
	uint8_t *buf;
	size_t len, n = 0;
	*out = NULL;
	snprintf(path, sizeof path, "%s/" STARTS_FILE, sp->path);
	if (file_read_all(path, (size_t)STARTS_MAX_LINES * 80, &buf, &len, err, sizeof err) < 0) return 0;
	start_count *v = calloc(STARTS_MAX_LINES, sizeof *v);
	char *text = malloc(len + 1);
	if (!v || !text) {
		free(v);
		free(text);
		free(buf);
		return 0;
	}
	memcpy(text, buf, len);
	text[len] = 0;
	free(buf);
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l && n < STARTS_MAX_LINES; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%d %63s", &v[n].count, v[n].token) == 2 && v[n].count > 0) n++;
	free(text);
	*out = v;
	return n;
}

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

/* Count one more start with this work/ file in flight. */
static int count_one(void *arg, const char *name, const struct stat *st)
{
	recover_ctx *rc = arg;
	(void)name;
	if (!S_ISREG(st->st_mode) || rc->nnow >= rc->cap) return 0;
	char token[64];
	spool_claim_token(st, token);
	/* merely queued when the run ended: not this file's doing */
	bool read_then = false;
	for (size_t i = 0; i < rc->ninflight; i++) read_then |= strcmp(rc->inflight[i], token) == 0;
	if (!read_then) return 0;
	int count = 1;
	for (size_t i = 0; i < rc->nold; i++)
		if (strcmp(rc->old[i].token, token) == 0) count = rc->old[i].count + 1;
	snprintf(rc->now[rc->nnow].token, sizeof rc->now[rc->nnow].token, "%s", token);
	rc->now[rc->nnow++].count = count;
	return 1;
}

static int recover_one(void *arg, const char *name, const struct stat *st)
{
	recover_ctx *rc = arg;
	intake *in = rc->in;
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
	int count = 0;
	for (size_t i = 0; i < rc->nnow; i++)
		if (strcmp(rc->now[i].token, j->claim) == 0) count = rc->now[i].count;
	if (count >= MAX_STARTS) {
		j->set_aside = true;
		snprintf(j->set_aside_why, sizeof j->set_aside_why,
			 "digitd ended %d times in a row while reading this file (a crash, a kill, or a watchdog "
			 "timeout): set aside unread", count);
		log_err("work/\"%s\": %s", name, j->set_aside_why);
		rc->set_aside++;
	}
	j->claimed = *st;
	j->recovered = true;
	store_now_iso(j->received_at);
	j->t_detect = mono_ms();
	/* blocks while the pipeline is full: the workers are already running */
	pipeline_submit(in->pl, j);
	return 1;
}

/* Empty the in-flight file before any worker reads anything of this run. */
static int ftruncateat_inflight(spool *sp)
{
	int fd = openat(sp->root, PIPELINE_INFLIGHT, O_WRONLY | O_CLOEXEC);
	if (fd < 0) return errno == ENOENT ? 0 : -1;
	int rc = ftruncate(fd, 0);
	int e = errno;
	if (close(fd) < 0 && rc == 0) return -1;
	errno = e;
	return rc;
}

/* Write this start's counts (only the files in work/ now) before anything
 * is read: if this run ends while reading them, the next start knows. */
static void save_starts(spool *sp, const start_count *v, size_t n)
{
	char path[4096], err[512];
	snprintf(path, sizeof path, "%s/" STARTS_FILE, sp->path);
	if (n == 0) {
		if (unlinkat(sp->root, STARTS_FILE, 0) < 0 && errno != ENOENT) log_warn("%s: %s", path, strerror(errno));
		return;
	}
	size_t cap = n * 80, off = 0;
	char *buf = malloc(cap);
	if (!buf) fatal("out of memory recovering work/");
	for (size_t i = 0; i < n; i++) off += (size_t)snprintf(buf + off, cap - off, "%d %s\n", v[i].count, v[i].token);
	if (file_write_atomic(path, buf, off, err, sizeof err) < 0)
		log_warn("%s (a file that ends every run may be read again at each start)", err);
	free(buf);
}

long recover_work(intake *in)
{
	recover_ctx rc = { .in = in };
	rc.nold = load_starts(in->sp, &rc.old);
	rc.ninflight = load_inflight(in->sp, &rc.inflight);
	rc.cap = STARTS_MAX_LINES;
	rc.now = calloc(rc.cap, sizeof *rc.now);
	if (!rc.now) fatal("out of memory recovering work/");
	/* counted and saved first, submitted after: a job must not start
	 * before the count that would set it aside next time is on disk */
	each_entry(in->sp, SPOOL_WORK, count_one, &rc);
	save_starts(in->sp, rc.now, rc.nnow);
	/* this run's workers write their records from here on */
	if (ftruncateat_inflight(in->sp) < 0) log_warn("%s/" PIPELINE_INFLIGHT ": %s", in->sp->path, strerror(errno));
	long n;
	n = each_entry(in->sp, SPOOL_WORK, recover_one, &rc);
	if (n > 0) log_notice("recovering %ld file(s) left in work/ by an interrupted run or a failed move", n);
	free(rc.old);
	free(rc.now);
	free(rc.inflight);
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
