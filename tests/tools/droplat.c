/* droplat: drop-to-commit latency of a running digitd, for bench_daemon.sh.
 *
 *   droplat SPOOL N FILE...
 *
 * N times, one at a time: write a copy of the next FILE (with a unique trailer
 * after the image data, so it is never a duplicate) under a hidden name in
 * SPOOL/incoming/, rename it in (the moment of the drop), and wait for the
 * daemon to move it into SPOOL/done/ or failed/, which it does only after the
 * document's transaction has committed.  Prints each latency and then
 * "p50 p99 max" in milliseconds on the last line. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "util/file.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	uint8_t *b;
	char err[512];
	if (file_read_all(path, SIZE_MAX, &b, len, err, sizeof err) < 0) return NULL;
	if (*len == 0) {
		free(b);
		return NULL;
	}
	return b;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: droplat SPOOL N FILE...\n");
		return 2;
	}
	const char *spool = argv[1];
	int n = atoi(argv[2]), nfiles = argc - 3;
	double *lat = calloc((size_t)n, sizeof *lat);
	char done[PATH_MAX], failed[PATH_MAX];
	snprintf(done, sizeof done, "%s/done", spool);
	snprintf(failed, sizeof failed, "%s/failed", spool);
	int in = inotify_init1(IN_CLOEXEC);
	if (in < 0 || inotify_add_watch(in, done, IN_MOVED_TO) < 0 || inotify_add_watch(in, failed, IN_MOVED_TO) < 0) {
		perror("inotify");
		return 1;
	}
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	for (int i = 0; i < n; i++) {
		const char *src = argv[3 + i % nfiles];
		size_t len;
		unsigned char *data = slurp(src, &len);
		if (!data) { perror(src); return 1; }
		const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		char name[NAME_MAX + 1], tmp[PATH_MAX], dst[PATH_MAX], trailer[64];
		snprintf(name, sizeof name, "lat-%d-%s", i, base);
		snprintf(tmp, sizeof tmp, "%s/incoming/.%s", spool, name);
		snprintf(dst, sizeof dst, "%s/incoming/%s", spool, name);
		int tl = snprintf(trailer, sizeof trailer, "droplat %u %d", seed, i);
		FILE *f = fopen(tmp, "wb");
		if (!f || fwrite(data, 1, len, f) != len || fwrite(trailer, 1, (size_t)tl, f) != (size_t)tl || fclose(f)) {
			perror(tmp);
			return 1;
		}
		free(data);
		double t0 = now_ms();
		if (rename(tmp, dst) < 0) { perror(dst); return 1; }
		for (int got = 0; !got;) {
			struct pollfd p = { .fd = in, .events = POLLIN };
			if (poll(&p, 1, 30000) <= 0) {
				fprintf(stderr, "droplat: %s not committed within 30 s\n", name);
				return 1;
			}
			char buf[8192] __attribute__((aligned(8)));
			ssize_t r = read(in, buf, sizeof buf);
			for (char *q = buf; r > 0 && q < buf + r;) {
				struct inotify_event *ev = (struct inotify_event *)q;
				if (ev->len && strncmp(ev->name, "lat-", 4) == 0 &&
				    strncmp(ev->name, name, strlen(name) - strlen(strrchr(name, '.'))) == 0)
					got = 1;
				q += sizeof *ev + ev->len;
			}
		}
		lat[i] = now_ms() - t0;
		printf("%s %.1f ms\n", name, lat[i]);
		usleep(100000);   /* idle between drops: this measures latency, not throughput */
	}
	qsort(lat, (size_t)n, sizeof *lat, cmp);
	int i99 = (int)(0.99 * (n - 1) + 0.5);
	printf("%.1f %.1f %.1f\n", lat[n / 2], lat[i99], lat[n - 1]);
	return 0;
}
