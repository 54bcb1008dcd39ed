/* retain.c: see retain.h. */
#include "daemon/retain.h"

#include <stdlib.h>
#include <string.h>

#include "store/purge.h"
#include "store/query.h"
#include "util/log.h"

static void *retain_main(void *arg)
{
	retain *r = arg;
	sqlite3 *db = NULL;
	char err[1024], before[40];
	purge_stats st;
	if (query_open(r->db, 1, &db, err, sizeof err) < 0) {
		log_warn("retain_days: %s", err);
		goto out;
	}
	purge_cutoff(r->days, before, sizeof before);
	purge_opts o = { .before = before, .spool = r->spool, .stop = &r->stop };
	int rc = purge_run(db, &o, &st, err, sizeof err);
	if (rc < 0) log_warn("retain_days %d: %s (%ld documents purged before it)", r->days, err, st.documents);
	else if (st.documents || st.originals)
		log_notice("retain_days %d: purged %ld document(s) received before %s: %ld digit(s), %ld original(s); "
			   "longest write transaction %.1f ms", r->days, st.documents, before, st.digits, st.originals,
			   st.max_hold_ms);
	else log_info("retain_days %d: nothing received before %s", r->days, before);
out:
	sqlite3_close(db);
	atomic_store(&r->finished, true);
	return NULL;
}

void retain_start(retain *r, const char *db, const char *spool, int days)
{
	if (r->running) return;
	free(r->db);
	free(r->spool);
	r->db = strdup(db);
	r->spool = strdup(spool);
	if (!r->db || !r->spool) {
		log_warn("retain_days: out of memory; skipped today");
		return;
	}
	r->days = days;
	r->stop = 0;
	atomic_store(&r->finished, false);
	if (pthread_create(&r->th, NULL, retain_main, r) != 0) {
		log_warn("retain_days: cannot start a thread; skipped today");
		return;
	}
	r->running = true;
}

void retain_poll(retain *r)
{
	if (!r->running || !atomic_load(&r->finished)) return;
	pthread_join(r->th, NULL);
	r->running = false;
}

void retain_stop(retain *r)
{
	if (r->running) {
		r->stop = 1;
		pthread_join(r->th, NULL);
		r->running = false;
	}
	free(r->db);
	free(r->spool);
	r->db = r->spool = NULL;
}
