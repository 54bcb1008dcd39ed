/* pipeline.h: claimed files -> recognition workers -> the one writer.
 *
 *   main thread --jobs queue (bounded)--> N supervisors --results queue--> writer
 *                                              |  socketpair
 *                                         N worker processes (worker.h)
 *
 * Supervisor threads read the file from work/ and hash exactly those bytes;
 * each hands them to its own worker process, which decodes and recognises
 * them, and validates what comes back.  A worker that dies or overruns its
 * budget costs that one document (failed, with the reason) and is replaced.
 * Nothing of the database, the spool or the lock is ever in a worker.  The writer thread
 * owns the database's only read-write connection: for each job it commits the
 * document in one transaction, THEN moves the file out of work/.  That order
 * is the exactly-once guarantee: a crash before the commit leaves the file in
 * work/ with no row (it is redone); a crash after it leaves a row carrying the
 * file's claim token, so the redo finds it and only finishes the move.
 *
 * The main thread counts jobs in flight (claimed, not yet finished) and claims
 * no more than pipeline_capacity(), so back-pressure reaches the spool: extra
 * files simply wait in incoming/. */
#ifndef DIGITD_PIPELINE_H
#define DIGITD_PIPELINE_H
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "daemon/queue.h"
#include "daemon/spool.h"
#include "daemon/worker.h"
#include "nn/nn.h"
#include "recognize/recognize.h"
#include "store/store.h"
#include "util/config.h"

/* The settings workers and the writer read per job; swapped on SIGHUP. */
typedef struct {
	float threshold;
	uint64_t max_pixels, max_file_size;
	bool crop_png;
	double cpu_time;              /* worker_cpu_time: seconds of a worker's CPU per document */
	enum config_originals originals;
	enum config_duplicates duplicates;
	const struct rec_verifier *verifier; /* the model's verifier or NULL; loaded with the model */
} pipeline_settings;

enum job_dest { DEST_NONE, DEST_DONE, DEST_FAILED, DEST_DELETE };

typedef struct job {
	/* set by the claimer */
	char name[NAME_MAX + 1];      /* in work/ */
	char claim[64];
	struct stat claimed;          /* the file as claimed: a later size/mtime change means "still being written" */
	bool recovered;               /* taken up from work/ (recover_work), not claimed from incoming/ */
	bool set_aside;               /* in flight at too many ends of digitd: fail it unread (pre_error) */
	char set_aside_why[160];
	char received_at[40];
	double t_detect;              /* monotonic ms when the file was seen ready */
	const char *pre_error;        /* fail without recognising (e.g. name not accepted) */
	/* set by the worker */
	char sha[65];
	int64_t size;
	bool recognised;              /* res holds results */
	bool known_dup;               /* the content was already in the database */
	bool changed;                 /* written to since the claim: not committed, left in work/ */
	rec_result res;
	char error[512];              /* when failed */
	const char *failure;          /* when failed: STORE_FAILURE_*, whether a later copy is retried */
	double ms;
	/* set by the writer's route callback */
	enum job_dest dest;
	char dest_name[NAME_MAX + 1];
	char dest_path[NAME_MAX + 16];
	char dest_error[700];
} job;

typedef struct {
	spool *sp;
	store *db;                    /* the writer's; used by no other thread once started */
	const char *db_path;
	const nn_model *model;
	wproc_conf wconf;             /* how supervisors start their worker processes */
	int nworkers;
	queue jobs, results;
	pthread_t *workers, writer;
	pthread_mutex_t set_mu;
	pipeline_settings set;
	int event_fd;                 /* written by the writer after each job: wakes main */
	atomic_int inflight;          /* claimed and not finished */
	atomic_int workers_alive;
	int inflight_fd;              /* SPOOL/digitd.inflight: each worker's current claim token, or -1 */
	atomic_int next_slot;
	wproc *procs;                 /* per slot: its worker process */
	_Atomic double *busy_until;   /* per slot: monotonic ms by which its document ends, 0 idle */
	atomic_bool writer_alive;
	atomic_bool failed_hard;      /* the database refused writes: main should exit */
	atomic_bool stopping;         /* shutdown began: stop waiting out foreign locks */
	atomic_long n_done, n_failed, n_dup, n_progress;
	atomic_long n_pages;
	int64_t wal_limit;
} pipeline;

/* Start nworkers workers and the writer.  -1 with a message on failure. */
/* SPOOL/digitd.inflight: one PIPELINE_SLOT-byte record per worker, the
 * claim token of the file it is reading, NUL-padded (zeros when idle).  No
 * fsync: it only has to outlive the process, not the machine.  At the next
 * start recover_work reads it to tell the files a run ended on from those
 * merely queued in work/. */
#define PIPELINE_INFLIGHT "digitd.inflight"
#define PIPELINE_SLOT 64

int pipeline_start(pipeline *p, spool *sp, store *db, const char *db_path, const nn_model *model,
		   const wproc_conf *wconf, int nworkers, const pipeline_settings *set, char *err, size_t errlen);
/* Whether some worker is reading a document within its budget: the parent
 * is alive and its supervisors are watching (the watchdog is fed). */
bool pipeline_working(pipeline *p, double now_ms);
/* Jobs that may be in flight at once (queue slots plus one per worker). */
int pipeline_capacity(const pipeline *p);
/* Hand a claimed job over (never blocks when inflight < capacity). */
void pipeline_submit(pipeline *p, job *j);
void pipeline_set(pipeline *p, const pipeline_settings *set);
void pipeline_settings_from(pipeline_settings *s, const struct digitd_config *cfg);
/* Ask the writer for a TRUNCATE checkpoint when idle. */
void pipeline_checkpoint(pipeline *p);
/* Stop taking new jobs; documents being recognised are finished and committed.
 * Queued, unstarted jobs stay in work/ for the next start. */
void pipeline_stop(pipeline *p);
/* True once every thread has finished; then pipeline_join is immediate. */
bool pipeline_idle_threads(pipeline *p);
void pipeline_join(pipeline *p);

double mono_ms(void);

#endif
