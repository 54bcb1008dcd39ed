/* writeprobe: how long a writer waits for the database's write lock, for
 * the purge test: the daemon's commit begins the same way (BEGIN IMMEDIATE
 * with SQLite's busy handler, STORE_BUSY_MS), so the wait measured here is
 * what a commit would lose to another writer at that moment.
 *
 *   writeprobe DB SECONDS
 *
 * Every 5 ms: BEGIN IMMEDIATE, COMMIT, timing the BEGIN.  Prints
 * "waits N max_ms p99_ms" on exit (0 when every BEGIN succeeded). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: writeprobe DB SECONDS\n");
		return 2;
	}
	sqlite3 *db;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "writeprobe: %s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	double end = now_ms() + atof(argv[2]) * 1e3;
	size_t n = 0, cap = 1 << 16;
	double *w = malloc(cap * sizeof *w);
	if (!w) return 1;
	while (now_ms() < end && n < cap) {
		double t0 = now_ms();
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "writeprobe: BEGIN IMMEDIATE: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		w[n++] = now_ms() - t0;
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "writeprobe: COMMIT: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	qsort(w, n, sizeof *w, cmp);
	printf("waits %zu max_ms %.1f p99_ms %.1f\n", n, n ? w[n - 1] : 0.0, n ? w[(n * 99) / 100] : 0.0);
	free(w);
	sqlite3_close(db);
	return 0;
}
