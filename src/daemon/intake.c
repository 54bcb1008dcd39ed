/* intake.c: see intake.h. */
#include "daemon/intake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define RING_CAP 4096

int intake_init(intake *in, spool *sp, pipeline *pl, const struct digitd_config *cfg, const char *db_dir,
		bool once)
{
	memset(in, 0, sizeof *in);
	in->sp = sp;
	in->pl = pl;
	in->cfg = cfg;
	in->db_dir = db_dir;
	in->once = once;
	in->cap = RING_CAP;
	in->ring = calloc(in->cap, sizeof *in->ring);
	in->need_scan = true;
	return in->ring ? 0 : -1;
}

void intake_free(intake *in)
{
	free(in->ring);
	free(in->reported);
	free(in->held);
	in->ring = NULL;
	in->reported = NULL;
	in->held = NULL;
}

bool intake_quiet(const intake *in) { return in->len == 0 && !in->need_scan && in->next_mature == 0; }

/* The same rules `digitctl` and the documentation use (util/config.c):
 * built-in temporaries, then `ignore`, then `accept`. */
static bool ignored(const intake *in, const char *name)
{
	return config_match_name(in->cfg, name) == CONFIG_NAME_IGNORE;
}

static bool accepted(const intake *in, const char *name)
{
	return config_match_name(in->cfg, name) == CONFIG_NAME_ACCEPT;
}

static bool held_open(const intake *in, ino_t ino)
{
	for (size_t i = 0; i < in->nheld; i++)
		if (in->held[i] == ino) return true;
	return false;
}

static bool push(intake *in, const char *name, ino_t ino)
{
	if (in->len == in->cap) {
		in->need_scan = true;   /* the directory still has it */
		return false;
	}
	intake_entry *e = &in->ring[(in->head + in->len) % in->cap];
	snprintf(e->name, sizeof e->name, "%s", name);
	e->ino = ino;
	in->len++;
	return true;
}

/* Something that is not a regular file: never opened, never followed. */
static void refuse(intake *in, const char *name, const struct stat *st)
{
	const char *what = S_ISLNK(st->st_mode) ? "a symbolic link" : S_ISFIFO(st->st_mode) ? "a FIFO" :
			   S_ISSOCK(st->st_mode) ? "a socket" : S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ?
			   "a device" : S_ISDIR(st->st_mode) ? "a directory" : "not a regular file";
	if (S_ISDIR(st->st_mode)) {
		for (size_t i = 0; i < in->nreported; i++)
			if (in->reported[i] == st->st_ino) return;
		log_warn("incoming/\"%s\" is a directory: sub-directories are not processed; "
			 "drop files directly into incoming/", name);
		ino_t *r = realloc(in->reported, (in->nreported + 1) * sizeof *r);
		if (r) {
			in->reported = r;
			r[in->nreported++] = st->st_ino;
		}
		return;
	}
	char dest[NAME_MAX + 1], msg[256];
	if (spool_unique_name(in->sp, SPOOL_FAILED, name, dest) < 0) return;
	snprintf(msg, sizeof msg, "refused: %s (only regular files are read; links are never followed)", what);
	if (spool_write_error(in->sp, dest, msg) < 0) {
		/* left in incoming/; the next scan tries again */
		log_warn("incoming/\"%s\" is %s but failed/%s.error cannot be written: %s", name, what, dest,
			 strerror(errno));
		return;
	}
	if (spool_move(in->sp, SPOOL_INCOMING, name, SPOOL_FAILED, dest) < 0) {
		log_warn("incoming/\"%s\" is %s and cannot be moved to failed/: %s", name, what, strerror(errno));
		return;
	}
	in->n_refused++;
	log_warn("incoming/\"%s\" refused: %s, never followed -> failed/%s", name, what, dest);
}

void intake_on_event(const char *name, void *arg)
{
	intake *in = arg;
	struct stat st;
	if (!spool_name_ok(name) || ignored(in, name)) return;
	if (fstatat(in->sp->fd[SPOOL_INCOMING], name, &st, AT_SYMLINK_NOFOLLOW) < 0) return;
	if (!S_ISREG(st.st_mode)) {
		refuse(in, name, &st);
		return;
	}
	push(in, name, st.st_ino);
}

long intake_scan(intake *in)
{
	int fd = openat(in->sp->fd[SPOOL_INCOMING], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_err("cannot read incoming/: %s", strerror(errno));
		return -1;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		log_err("cannot read incoming/: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double mono = mono_ms(), stable_ms = in->cfg->stable_time * 1e3;
	long queued = 0;
	in->need_scan = false;
	in->next_mature = 0;
	for (struct dirent *e; (e = readdir(d));) {
		const char *name = e->d_name;
		struct stat st;
		if (!spool_name_ok(name) || ignored(in, name)) continue;
		if (fstatat(in->sp->fd[SPOOL_INCOMING], name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
		if (!S_ISREG(st.st_mode)) {
			refuse(in, name, &st);
			continue;
		}
		double age_ms = (now.tv_sec - st.st_mtim.tv_sec) * 1e3 + (now.tv_nsec - st.st_mtim.tv_nsec) / 1e6;
		if (!in->once && age_ms < stable_ms) {
			/* maybe still being written by someone inotify cannot see; a
			 * future mtime (clock skew) waits one full stable_time */
			double wait = age_ms < 0 ? stable_ms : stable_ms - age_ms;
			if (in->next_mature == 0 || mono + wait < in->next_mature) in->next_mature = mono + wait + 5;
			continue;
		}
		if (in->once && held_open(in, st.st_ino)) continue;   /* reported once; next run */
		if (!push(in, name, st.st_ino)) break;
		queued++;
	}
	closedir(d);
	return queued;
}

/* Pause intake while the spool or database file system is nearly full:
 * failing documents for want of space would be worse than waiting. */
static bool space_ok(intake *in)
{
	double now = mono_ms();
	if (now < in->next_space_check) return !in->paused;
	in->next_space_check = now + 1000;
	uint64_t spool_free = 0, db_free = UINT64_MAX;
	struct statvfs v;
	if (spool_free_bytes(in->sp, &spool_free) < 0) spool_free = UINT64_MAX;
	if (in->db_dir && statvfs(in->db_dir, &v) == 0) db_free = (uint64_t)v.f_bavail * v.f_frsize;
	uint64_t need = in->cfg->min_free_space;
	bool low = spool_free < need || db_free < need;
	if (low && !in->paused)
		log_err("intake paused: only %llu MiB free on the %s file system (min_free_space is %llu MiB); "
			"files wait in incoming/ until space is freed",
			(unsigned long long)((spool_free < db_free ? spool_free : db_free) >> 20),
			spool_free < need ? "spool" : "database", (unsigned long long)(need >> 20));
	else if (!low && in->paused)
		log_notice("intake resumed: free space is back above min_free_space");
	in->paused = low;
	return !low;
}

/* A claim that failed for now: look again in a while, never in a tight loop.
 * --once does not wait for it (the file stays for the next run). */
static void retry_later(intake *in)
{
	if (in->once) return;
	double at = mono_ms() + 500;
	if (in->next_mature == 0 || at < in->next_mature) in->next_mature = at;
}

static void claim_one(intake *in, const intake_entry *e)
{
	struct stat st;
	int incoming = in->sp->fd[SPOOL_INCOMING];
	if (fstatat(incoming, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0) return;   /* gone: claimed earlier */
	if (st.st_ino != e->ino) return;   /* a new file under an old name: its own event will come */
	if (!S_ISREG(st.st_mode)) {
		refuse(in, e->name, &st);
		return;
	}
	job *j = calloc(1, sizeof *j);
	if (!j) {
		log_err("out of memory claiming \"%s\"; retrying later", e->name);
		retry_later(in);
		return;
	}
	enum spool_writer writer;
	int rc = spool_claim_finished(in->sp, e->name, e->ino, &st, &writer);
	if (rc != 0) {
		if (rc == 1) {
			/* work/ holds a file of that name still being processed */
			if (in->once) log_warn("incoming/\"%s\" waits: work/ holds a file of the same name", e->name);
			retry_later(in);
		} else if (rc == 2) {
			/* still open for writing: its close (IN_CLOSE_WRITE) or the
			 * next rescan brings it back */
			if (in->once) {
				log_notice("incoming/\"%s\" is still open for writing; left for the next run", e->name);
				ino_t *h = realloc(in->held, (in->nheld + 1) * sizeof *h);
				if (!h) fatal("out of memory");
				in->held = h;
				h[in->nheld++] = e->ino;
			} else
				log_debug("incoming/\"%s\" is still open for writing; waiting for its writer to close it", e->name);
		} else if (rc == -1 && errno != ENOENT) {
			log_warn("cannot claim incoming/\"%s\": %s; retrying later", e->name, strerror(errno));
			retry_later(in);
		}
		free(j);
		return;
	}
	snprintf(j->name, sizeof j->name, "%s", e->name);
	spool_claim_token(&st, j->claim);
	j->claimed = st;
	store_now_iso(j->received_at);
	j->t_detect = mono_ms();
	if (!accepted(in, e->name)) j->pre_error = "name does not match the accepted patterns (`accept` in the configuration)";
	in->n_claimed++;
	pipeline_submit(in->pl, j);
}

void intake_run(intake *in)
{
	for (;;) {
		if (atomic_load(&in->pl->inflight) >= pipeline_capacity(in->pl)) return;
		if (in->len == 0) {
			bool due = in->need_scan || (in->next_mature && mono_ms() >= in->next_mature);
			if (!due || intake_scan(in) <= 0) return;
			continue;
		}
		if (!space_ok(in)) return;
		intake_entry e = in->ring[in->head];
		in->head = (in->head + 1) % in->cap;
		in->len--;
		claim_one(in, &e);
	}
}
