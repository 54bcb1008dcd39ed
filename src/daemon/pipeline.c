/* pipeline.c: see pipeline.h.  Supervisors never touch the database except
 * through read-only look-ups; the writer never recognises; neither ever
 * builds a path from a name (spool.c does every file operation by dirfd);
 * and no thread of this process decodes a file: worker processes do. */
#include "daemon/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define COMMIT_TRIES 5

static job checkpoint_request;   /* sentinel on the results queue */

double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void pipeline_settings_from(pipeline_settings *s, const struct digitd_config *cfg)
{
	s->threshold = (float)cfg->threshold;
	s->max_pixels = cfg->max_pixels;
	s->max_file_size = cfg->max_file_size;
	s->crop_png = cfg->crop_png;
	s->cpu_time = cfg->worker_cpu_time;
	s->originals = cfg->originals;
	s->duplicates = cfg->duplicates;
}

static void get_settings(pipeline *p, pipeline_settings *out)
{
	pthread_mutex_lock(&p->set_mu);
	*out = p->set;
	pthread_mutex_unlock(&p->set_mu);
}

void pipeline_set(pipeline *p, const pipeline_settings *set)
{
	pthread_mutex_lock(&p->set_mu);
	p->set = *set;
	pthread_mutex_unlock(&p->set_mu);
}

/* --- supervisors ---------------------------------------------------------------- */

/* How many times in a row a supervisor tries to start its worker before
 * digitd stops: a worker that cannot start at all (the program or the model
 * unreadable, no memory for even one) is not something waiting fixes. */
#define START_TRIES 3
#define START_PAUSE_MS 1000

/* Have the slot's worker recognise buf; starts it first when there is none
 * (the first document, or the one after a worker was lost).  -1 when no
 * worker can be started: digitd stops, the file stays in work/. */
static int recognise(pipeline *p, wproc *w, job *j, const pipeline_settings *set, const uint8_t *buf, size_t len)
{
	char err[sizeof j->error], why[128];
	if (wproc_reap_if_dead(w, why, sizeof why))
		log_warn("a recognition worker %s while idle; starting another", why);
	for (int t = 0; w->pid <= 0; t++) {
		if (wproc_start(w, &p->wconf, err, sizeof err) == 0) break;
		log_err("%s", err);
		if (t + 1 >= START_TRIES) return -1;
		struct timespec ts = { START_PAUSE_MS / 1000, 0 };
		nanosleep(&ts, NULL);
	}
	wire_request rq = {
		.threshold = set->threshold, .max_pixels = set->max_pixels, .max_bytes = set->max_file_size,
		.crop_png = set->crop_png, .verifier = set->verifier != NULL, .data = buf, .len = len,
	};
	snprintf(rq.name, sizeof rq.name, "%s", j->name);
	const char *failure = STORE_FAILURE_TRANSIENT;
	enum wproc_outcome o = wproc_run(w, &p->wconf, &rq, set->cpu_time, &j->res, err, sizeof err, &failure);
	if (o == WPROC_OK) {
		j->recognised = true;
		return 0;
	}
	if (o == WPROC_LOST)
		log_warn("\"%s\": %s; a new worker takes the next document", j->name, err);
	snprintf(j->error, sizeof j->error, "%s", err);
	j->failure = failure;
	return 0;
}

static void work_one(pipeline *p, wproc *w, job *j, store **ro)
{
	pipeline_settings set;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	char err[512];
	get_settings(p, &set);
	double t0 = mono_ms();

	int rc = spool_read(p->sp, SPOOL_WORK, j->name, set.max_file_size, &buf, &len, &st, j->sha, err, sizeof err);
	if (rc == 0 || rc == -2) j->size = st.st_size;
	if (rc == -3 || ((rc == 0 || rc == -2) && !spool_same_content_stat(&st, &j->claimed))) {
		/* written to since the claim: what was read is not the document */
		j->changed = true;
		goto out;
	}
	if (rc != 0) {
		snprintf(j->error, sizeof j->error, "%s", err);
		/* too large for max_file_size; or an I/O error, not the content's fault */
		j->failure = rc == -2 ? STORE_FAILURE_LIMIT : STORE_FAILURE_TRANSIENT;
		goto out;
	}
	if (j->pre_error) {
		snprintf(j->error, sizeof j->error, "%s", j->pre_error);
		j->failure = STORE_FAILURE_NAME;
		goto out;
	}
	if (j->set_aside) {
		/* transient: dropped again once its cause is fixed, it is read again */
		snprintf(j->error, sizeof j->error, "%s", j->set_aside_why);
		j->failure = STORE_FAILURE_TRANSIENT;
		goto out;
	}
	/* Known content is not recognised again (the writer re-checks under its
	 * lock, so a race between two copies only costs time, never a row). */
	if (!*ro) *ro = store_open(p->db_path, STORE_RO, err, sizeof err);
	if (*ro) {
		int64_t id;
		char status[12];
		if (store_find_sha(*ro, j->sha, &id, status, err, sizeof err) == 1) {
			j->known_dup = true;
			goto out;
		}
	}
	if (recognise(p, w, j, &set, buf, len) < 0) {
		log_err("no recognition worker can be started; digitd stops (\"%s\" stays in work/)", j->name);
		atomic_store(&p->failed_hard, true);
	}
out:
	free(buf);
	j->ms = mono_ms() - t0;
}

/* Record (token) or clear (NULL) what worker slot is reading; best effort. */
static void mark_inflight(pipeline *p, int slot, const char *token)
{
	char rec[PIPELINE_SLOT] = { 0 };
	if (p->inflight_fd < 0) return;
	if (token) snprintf(rec, sizeof rec, "%s", token);
	if (pwrite(p->inflight_fd, rec, sizeof rec, (off_t)slot * PIPELINE_SLOT) != (ssize_t)sizeof rec && token)
		log_warn("%s/" PIPELINE_INFLIGHT ": %s (a crash on this file would not be told from others)",
			 p->sp->path, strerror(errno));
}

bool pipeline_working(pipeline *p, double now)
{
	for (int i = 0; i < p->nworkers; i++) {
		double until = atomic_load(&p->busy_until[i]);
		if (until > 0 && now < until) return true;
	}
	return false;
}

/* One per worker process: pipeline_start started the worker (before
 * READY=1, so the first document does not wait for the libraries to load);
 * this thread feeds it the jobs and starts another when one is lost.
 * Replacements die with this thread (PR_SET_PDEATHSIG follows the thread
 * that forked), which outlives them. */
static void *supervisor_main(void *arg)
{
	pipeline *p = arg;
	int slot = atomic_fetch_add(&p->next_slot, 1);
	wproc *w = &p->procs[slot];
	store *ro = NULL;
	char err[1024];
	for (job *j; (j = queue_pop(&p->jobs));) {
		pipeline_settings set;
		get_settings(p, &set);
		/* the read and the hash, then at most the worker's wall limit */
		atomic_store(&p->busy_until[slot], mono_ms() + (wproc_wall_limit(set.cpu_time) + 60) * 1e3);
		mark_inflight(p, slot, j->claim);
		work_one(p, w, j, &ro);
		mark_inflight(p, slot, NULL);
		atomic_store(&p->busy_until[slot], 0.0);
		/* the results queue closes only after every supervisor has left */
		queue_push(&p->results, j);
		/* a lost worker is replaced at once, not when the next document
		 * comes (recognise() tries again then if this fails) */
		if (w->pid <= 0 && !atomic_load(&p->stopping) && wproc_start(w, &p->wconf, err, sizeof err) < 0)
			log_err("%s", err);
	}
	wproc_stop(w);
	store_close(ro);
	if (atomic_fetch_sub(&p->workers_alive, 1) == 1) queue_close(&p->results);
	return NULL;
}

/* --- the writer ---------------------------------------------------------------- */

typedef struct {
	pipeline *p;
	job *j;
	pipeline_settings set;
} route_ctx;

static void pick(pipeline *p, job *j, enum job_dest dest)
{
	j->dest = dest;
	j->dest_name[0] = j->dest_path[0] = 0;
	if (dest == DEST_DELETE || dest == DEST_NONE) return;
	enum spool_dir d = dest == DEST_DONE ? SPOOL_DONE : SPOOL_FAILED;
	if (spool_unique_name(p->sp, d, j->name, j->dest_name) < 0) {
		j->dest = DEST_NONE;
		return;
	}
	snprintf(j->dest_path, sizeof j->dest_path, "%s/%s", spool_dir_names[d], j->dest_name);
}

/* Decide where the original goes once the outcome is known; runs inside
 * the commit's transaction so documents.original records the final place. */
static const char *route(void *arg, const store_result *r)
{
	route_ctx *c = arg;
	job *j = c->j;
	enum job_dest keep = c->set.originals == ORIGINALS_DELETE ? DEST_DELETE : DEST_DONE;
	/* a committed duplicate found again after a crash is routed as one */
	bool dup = r->outcome == STORE_DUPLICATE || r->outcome == STORE_DUP_IGNORED ||
		   (r->outcome == STORE_ALREADY && strcmp(r->status, "duplicate") == 0);
	const char *first = r->outcome == STORE_ALREADY ? r->first_status : r->status;
	j->dest_error[0] = 0;
	if (dup && strcmp(first, "failed") == 0) {
		snprintf(j->dest_error, sizeof j->dest_error, "same content as failed document %lld",
			 (long long)r->first_id);
		j->dest = DEST_FAILED;
	} else if (dup && c->set.duplicates == DUPLICATES_REJECT) {
		snprintf(j->dest_error, sizeof j->dest_error, "duplicate of document %lld", (long long)r->first_id);
		j->dest = DEST_FAILED;
	} else if (dup) {
		j->dest = keep;
	} else if (strcmp(r->status, "failed") == 0) {
		/* on recovery the worker may not have re-read the file: the
		 * committed row says why it failed */
		const char *why = r->outcome == STORE_ALREADY && r->error[0] ? r->error : j->error;
		snprintf(j->dest_error, sizeof j->dest_error, "%s", why[0] ? why : "recognition failed");
		j->dest = DEST_FAILED;
	} else {
		j->dest = keep;
	}
	pick(c->p, j, j->dest);
	return j->dest_path[0] ? j->dest_path : NULL;
}

static int finish_move(pipeline *p, job *j)
{
	spool *sp = p->sp;
	switch (j->dest) {
	case DEST_DELETE:
		if (unlinkat(sp->fd[SPOOL_WORK], j->name, 0) < 0) {
			log_err("\"%s\": cannot delete from work/: %s; it stays there until the next start", j->name,
				strerror(errno));
			return -1;
		}
		return 0;
	case DEST_DONE:
	case DEST_FAILED: {
		enum spool_dir d = j->dest == DEST_DONE ? SPOOL_DONE : SPOOL_FAILED;
		for (int tries = 0; tries < 3; tries++) {
			/* A failed file never reaches failed/ without its .error: if the
			 * explanation cannot be written (disk full, I/O error) the file
			 * stays in work/ and is taken up again later. */
			if (d == SPOOL_FAILED && spool_write_error(sp, j->dest_name, j->dest_error) < 0) {
				log_err("\"%s\": cannot write failed/%s.error: %s; it stays in work/ until it can be",
					j->name, j->dest_name, strerror(errno));
				return -1;
			}
			if (spool_move(sp, SPOOL_WORK, j->name, d, j->dest_name) == 0) return 0;
			if (errno != EEXIST) break;
			/* someone else put a file there since we chose the name */
			pick(p, j, j->dest);
			if (j->dest == DEST_NONE) break;
		}
		log_err("\"%s\": cannot move work/ -> %s: %s; it stays in work/ until the next start", j->name,
			j->dest_path, strerror(errno));
		return -1;
	}
	case DEST_NONE:
	default:
		log_err("\"%s\": no free name in done/ or failed/; it stays in work/", j->name);
		return -1;
	}
}

static void log_job(const job *j, const store_result *r)
{
	char where[NAME_MAX + 32];
	if (j->dest == DEST_DELETE) snprintf(where, sizeof where, "deleted");
	else snprintf(where, sizeof where, "%s", j->dest_path);
	const char *sha = j->sha;
	switch (r->outcome) {
	case STORE_ALREADY:
		log_info("\"%s\" sha=%.12s already committed as document %lld before a restart -> %s", j->name, sha,
			 (long long)r->id, where);
		break;
	case STORE_DUPLICATE:
	case STORE_DUP_IGNORED:
		log_info("\"%s\" sha=%.12s duplicate of document %lld%s -> %s", j->name, sha, (long long)r->first_id,
			 r->outcome == STORE_DUP_IGNORED ? " (ignored, no row)" : "", where);
		break;
	case STORE_NEW:
		if (r->retried_id)
			log_notice("\"%s\" sha=%.12s: this content failed before for a reason that may pass; "
				   "read again: document %lld is kept, superseded by document %lld", j->name, sha,
				   (long long)r->retried_id, (long long)r->id);
		else if (r->supersedes)
			log_notice("\"%s\" sha=%.12s: sent back by digitctl; document %lld is kept, superseded by "
				   "document %lld", j->name, sha, (long long)r->supersedes, (long long)r->id);
		if (j->recognised) {
			size_t flagged = 0;
			for (size_t i = 0; i < j->res.ndigits; i++) flagged += j->res.digits[i].flagged;
			log_info("\"%s\" sha=%.12s pages=%d digits=%zu flagged=%zu ms=%.0f -> %s", j->name, sha,
				 j->res.npages, j->res.ndigits, flagged, j->ms, where);
		} else {
			log_warn("\"%s\" sha=%.12s failed: %s -> %s", j->name, sha, j->error, where);
		}
		break;
	}
}

static int try_commit(pipeline *p, job *j, const store_doc *d, bool record, store_result *r, char *err,
		      size_t errlen)
{
	if (j->recognised) return store_commit_document(p->db, d, &j->res, record, r, err, errlen);
	return store_record_failure(p->db, d, j->error[0] ? j->error : "unknown error", record, r, err, errlen);
}

/* Whether work/name is still the file that was claimed and read: a writer
 * that kept it open (or reopened it) across the claim would otherwise have
 * a partial read committed under the full file's inode. */
static bool still_as_claimed(pipeline *p, const job *j)
{
	struct stat now;
	if (j->changed) return false;
	if (spool_stat(p->sp, SPOOL_WORK, j->name, &now) < 0) return true;   /* the move reports it */
	return spool_same_content_stat(&now, &j->claimed);
}

static void write_one(pipeline *p, job *j)
{
	char err[1024], model_id[128] = "";
	if (!still_as_claimed(p, j)) {
		log_notice("\"%s\" changed after it was claimed (still being written?): not committed; it stays in "
			   "work/ and is read again once its writer has closed it", j->name);
		return;
	}
	route_ctx c = { .p = p, .j = j };
	get_settings(p, &c.set);
	if (!j->sha[0]) snprintf(j->sha, sizeof j->sha, "unreadable:%.50s", j->claim);
	if (p->model) snprintf(model_id, sizeof model_id, "%s", nn_model_id(p->model));
	store_doc d = {
		.sha256 = j->sha, .name = j->name, .claim = j->claim, .size = j->size,
		.received_at = j->received_at, .model = j->recognised ? model_id : NULL, .ms = j->ms,
		.failure = j->failure, .recovered = j->recovered,
		.route = route, .route_arg = &c,
	};
	bool record = c.set.duplicates != DUPLICATES_IGNORE;
	store_result r;
	double t0 = mono_ms();
	int rc = try_commit(p, j, &d, record, &r, err, sizeof err);
	for (int t = 1; rc < 0 && !store_gone(p->db) && t < COMMIT_TRIES; t++) {
		if (store_busy(p->db) && !atomic_load(&p->stopping)) {
			/* someone else (sqlite3 with an open write transaction) holds
			 * the lock past the busy timeout: wait it out for as long as
			 * it lasts; it costs time, never a document */
			log_warn("\"%s\": the database is locked by another connection; waiting", j->name);
			t--;
		} else {
			log_warn("\"%s\": database write failed (%s); retrying", j->name, err);
			struct timespec ts = { 0, 50000000L << t };
			nanosleep(&ts, NULL);
		}
		rc = try_commit(p, j, &d, record, &r, err, sizeof err);
	}
	/* The path may have been deleted or replaced during the commit: then
	 * the row went into a file nobody will read again, and the original is
	 * all that is left of the document.  Keep it in work/ and stop; the
	 * restart opens the database at the path and redoes it. */
	if (rc == 0 && store_check_identity(p->db, err, sizeof err) < 0) rc = -1;
	if (rc < 0 && store_gone(p->db)) {
		log_err("%s. \"%s\" stays in work/ with its original; digitd stops taking new files and exits so "
			"that a restart opens the database at its path (results committed since the change are in "
			"the lost copy: their originals are re-queued from done/ at the next start)", err, j->name);
		atomic_store(&p->failed_hard, true);
		return;
	}
	if (rc < 0) {
		log_err("\"%s\": %s; the file stays in work/ and digitd stops (a restart retries it)", j->name, err);
		atomic_store(&p->failed_hard, true);
		return;
	}
	double t1 = mono_ms();
	if (finish_move(p, j) == 0) log_job(j, &r);
	log_debug("\"%s\": commit %.1f ms, move %.1f ms, drop to commit %.1f ms", j->name, t1 - t0, mono_ms() - t1,
		  t1 - j->t_detect);
	if (r.outcome == STORE_NEW && j->recognised) {
		atomic_fetch_add(&p->n_done, 1);
		atomic_fetch_add(&p->n_pages, j->res.npages);
	} else if (r.outcome == STORE_NEW) {
		atomic_fetch_add(&p->n_failed, 1);
	} else if (r.outcome != STORE_ALREADY) {
		atomic_fetch_add(&p->n_dup, 1);
	}
	int64_t wal = 0;
	int ck = store_checkpoint(p->db, false, p->wal_limit, &wal, err, sizeof err);
	static double warned_at = -1e9;   /* writer thread only */
	if (ck == 1 && mono_ms() - warned_at > 60000) {
		warned_at = mono_ms();
		log_warn("database WAL is %lld MiB and a reader holds an old snapshot; it will be checkpointed "
			 "once that reader finishes", (long long)(wal >> 20));
	} else if (ck < 0) {
		log_warn("%s", err);
	}
}

static void *writer_main(void *arg)
{
	pipeline *p = arg;
	for (job *j; (j = queue_pop(&p->results));) {
		if (j == &checkpoint_request) {
			char err[512];
			int64_t wal = 0;
			if (store_checkpoint(p->db, true, 0, &wal, err, sizeof err) < 0) log_warn("%s", err);
			continue;
		}
		if (!atomic_load(&p->failed_hard)) write_one(p, j);
		rec_result_free(&j->res);
		free(j);
		atomic_fetch_sub(&p->inflight, 1);
		atomic_fetch_add(&p->n_progress, 1);
		uint64_t one = 1;
		if (write(p->event_fd, &one, sizeof one) < 0 && errno != EAGAIN)
			log_warn("writer: eventfd: %s", strerror(errno));
	}
	atomic_store(&p->writer_alive, false);
	uint64_t one = 1;
	if (write(p->event_fd, &one, sizeof one) < 0 && errno != EAGAIN) log_warn("writer: eventfd: %s", strerror(errno));
	return NULL;
}

/* --- life cycle ------------------------------------------------------------------ */

int pipeline_start(pipeline *p, spool *sp, store *db, const char *db_path, const nn_model *model,
		   const wproc_conf *wconf, int nworkers, const pipeline_settings *set, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	p->sp = sp;
	p->db = db;
	p->db_path = db_path;
	p->model = model;
	p->wconf = *wconf;
	p->nworkers = nworkers;
	p->set = *set;
	p->wal_limit = 64 << 20;
	pthread_mutex_init(&p->set_mu, NULL);
	/* not truncated here: recover_work reads what the last run left first */
	p->inflight_fd = openat(sp->root, PIPELINE_INFLIGHT, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (p->inflight_fd < 0)
		log_warn("%s/" PIPELINE_INFLIGHT ": %s (files a crash ends on cannot be set aside)", sp->path,
			 strerror(errno));
	p->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->event_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	/* two jobs per worker queued: enough to keep every worker busy while the
	 * main thread claims more, small enough that a burst stays in incoming/ */
	if (queue_init(&p->jobs, (size_t)nworkers * 2) < 0 || queue_init(&p->results, (size_t)nworkers * 2 + 2) < 0 ||
	    !(p->workers = calloc((size_t)nworkers, sizeof *p->workers)) ||
	    !(p->busy_until = calloc((size_t)nworkers, sizeof *p->busy_until)) ||
	    !(p->procs = calloc((size_t)nworkers, sizeof *p->procs))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* every worker loads its libraries and the model at once; one that
	 * cannot start stops the start-up with the reason */
	int bad = -1;
	for (int i = 0; i < nworkers; i++) {
		p->procs[i].fd = -1;
		if (bad < 0 && wproc_spawn(&p->procs[i], wconf, err, errlen) < 0) bad = i;
	}
	for (int i = 0; bad < 0 && i < nworkers; i++)
		if (wproc_hello(&p->procs[i], wconf, err, errlen) < 0) bad = i;
	if (bad >= 0) {
		for (int i = 0; i < nworkers; i++) wproc_stop(&p->procs[i]);
		return -1;
	}
	atomic_store(&p->workers_alive, nworkers);
	atomic_store(&p->writer_alive, true);
	int rc = pthread_create(&p->writer, NULL, writer_main, p);
	for (int i = 0; rc == 0 && i < nworkers; i++) {
		rc = pthread_create(&p->workers[i], NULL, supervisor_main, p);
		if (rc) fatal("cannot start supervisor thread %d: %s", i, strerror(rc));
	}
	if (rc) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		return -1;
	}
	return 0;
}

int pipeline_capacity(const pipeline *p) { return (int)p->jobs.cap + p->nworkers; }

void pipeline_submit(pipeline *p, job *j)
{
	atomic_fetch_add(&p->inflight, 1);
	if (!queue_push(&p->jobs, j)) {
		/* stopping: the file stays in work/ for the next start */
		free(j);
		atomic_fetch_sub(&p->inflight, 1);
	}
}

void pipeline_checkpoint(pipeline *p) { queue_push(&p->results, &checkpoint_request); }

void pipeline_stop(pipeline *p)
{
	atomic_store(&p->stopping, true);
	queue_close_discard(&p->jobs);
	for (job *j; (j = queue_try_pop(&p->jobs));) {
		free(j);
		atomic_fetch_sub(&p->inflight, 1);
	}
}

bool pipeline_idle_threads(pipeline *p)
{
	return atomic_load(&p->workers_alive) == 0 && !atomic_load(&p->writer_alive);
}

void pipeline_join(pipeline *p)
{
	for (int i = 0; i < p->nworkers; i++) pthread_join(p->workers[i], NULL);
	pthread_join(p->writer, NULL);
	free(p->workers);
	p->workers = NULL;
	free(p->busy_until);
	p->busy_until = NULL;
	free(p->procs);
	p->procs = NULL;
	queue_destroy(&p->jobs);
	queue_destroy(&p->results);
	close(p->event_fd);
	if (p->inflight_fd >= 0) close(p->inflight_fd);
	pthread_mutex_destroy(&p->set_mu);
}
