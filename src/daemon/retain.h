/* retain.h: `retain_days`, applied by the daemon once a day.
 *
 * The purge (store/purge.h) runs in a thread of its own on its own
 * connection: it may take minutes on a large backlog and sleeps between its
 * transactions, which the main loop (signals, the watchdog) must not wait
 * for.  Only one runs at a time; a stop request is seen between two
 * transactions, so shutdown waits for at most one. */
#ifndef DIGITD_RETAIN_H
#define DIGITD_RETAIN_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Once a day; the first at start. */
#define RETAIN_INTERVAL_MS (24 * 3600 * 1000.0)

typedef struct {
	pthread_t th;
	bool running;                /* a thread was started and not yet joined */
	atomic_bool finished;        /* the thread is done: join it */
	volatile int stop;
	char *db, *spool;
	int days;
} retain;

/* Start a purge of documents older than days, unless one is running. */
void retain_start(retain *r, const char *db, const char *spool, int days);
/* Join a purge that finished (its outcome is logged by the thread). */
void retain_poll(retain *r);
/* Ask a running purge to stop and wait for it. */
void retain_stop(retain *r);

#endif
