/* worker.h: recognition in worker processes, apart from the daemon.
 *
 * Decoding a file is the one thing digitd does with bytes anybody could
 * have written, through ~140 shared libraries.  So it happens in a worker
 * process that holds no database handle, no spool directory and no lock
 * (only its end of a socketpair, stdin and stderr), under a memory limit
 * (RLIMIT_AS, worker_memory) and PR_SET_NO_NEW_PRIVS, and that the parent
 * kills once a document has used its CPU budget (worker_cpu_time).  Whatever
 * the bytes make it do, the worst is that the worker dies: that costs the one
 * document it was reading, which is recorded failed with the reason, and the
 * parent starts another worker.
 *
 *   digitd thread (supervisor)                 worker process
 *     spool_read, SHA-256 (the parent's bytes)
 *     WIRE_REQUEST: settings, name, bytes  --->  rec_buffer
 *     wait: CPU clock, wall clock, EOF     <---  WIRE_RESULT | WIRE_ERROR
 *     validate (wire_get_result) -> writer
 *
 * A worker is digitd itself, re-executed from /proc/self/exe with
 * "--worker": a fresh process image (nothing of the parent's memory, no
 * inherited locks from its threads), the same binary even after a package
 * upgrade replaced the file.  It loads the model at the configured path and
 * says which in its WIRE_HELLO; a model other than the parent's stops
 * digitd (the file was replaced: a restart loads the new one everywhere). */
#ifndef DIGITD_WORKER_H
#define DIGITD_WORKER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "daemon/wire.h"
#include "nn/nn.h"
#include "recognize/recognize.h"
#include "recognize/verify.h"

/* The first argument that makes digitd a worker (the socket is fd 3). */
#define WORKER_ARG "--worker"
#define WORKER_FD 3

/* Load the model at path and its verifier when one lies beside it (the
 * daemon and each worker load them the same way).  0, or -1 with a message. */
int worker_load_model(const char *path, nn_model **model, rec_verifier *ver, bool *has_ver, char *err,
		      size_t errlen);

/* main() of a worker: argv = { name, WORKER_ARG, MODEL, MEMORY_BYTES, LOG_LEVEL }.
 * Returns the exit status. */
int worker_main(int argc, char **argv);

/* --- the parent's side (workproc.c) --- */

typedef struct {
	const char *model_path;
	const char *model_id;      /* what the worker must report it loaded */
	uint64_t memory;           /* RLIMIT_AS, bytes */
	int log_level;
} wproc_conf;

typedef struct {
	pid_t pid;                 /* 0: none running */
	int fd;
	clockid_t cpu;             /* the worker's CPU-time clock */
	bool has_cpu;
} wproc;

/* Start a worker and wait for its hello.  0, or -1 with a message (and no
 * worker).  wproc_spawn and wproc_hello are its two halves, so that many
 * workers load their libraries at once. */
int wproc_start(wproc *w, const wproc_conf *c, char *err, size_t errlen);
int wproc_spawn(wproc *w, const wproc_conf *c, char *err, size_t errlen);
int wproc_hello(wproc *w, const wproc_conf *c, char *err, size_t errlen);

enum wproc_outcome {
	WPROC_OK,       /* *out holds a validated result */
	WPROC_FAILED,   /* the worker could not read the document: err, *failure */
	WPROC_LOST,     /* the worker died, overran its budget or broke the protocol: err,
	                   *failure; it has been reaped, wproc_start gives a new one */
};

/* Have the worker recognise one document within cpu_seconds of its CPU time
 * (and WPROC_WALL_PER_CPU times that in wall time).  *failure is a
 * STORE_FAILURE_* when not WPROC_OK.  *out is to be rec_result_free'd. */
enum wproc_outcome wproc_run(wproc *w, const wproc_conf *c, const wire_request *rq, double cpu_seconds,
			     rec_result *out, char *err, size_t errlen, const char **failure);

/* The wall-clock bound of one document given its CPU budget: a worker that
 * stalls without using CPU (a lock, a sleep) must not hold a document for
 * ever.  4x covers several workers sharing each core. */
#define WPROC_WALL_PER_CPU 4.0
#define WPROC_WALL_SLACK_S 10.0
double wproc_wall_limit(double cpu_seconds);

/* A worker that died while idle (an operator's kill, the OOM killer) owes
 * no document anything: reap it before handing it one.  true (and why) when
 * it was dead. */
bool wproc_reap_if_dead(wproc *w, char *why, size_t n);

/* Close the socket (the worker exits on EOF) and reap it; SIGKILL after
 * WPROC_STOP_MS. */
void wproc_stop(wproc *w);

#endif
