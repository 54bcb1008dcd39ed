/* The real digitd talking sd_notify to a socket standing in for systemd, as
 * the unit runs it: in a private network namespace (PrivateNetwork=yes, when
 * we may create one), with the watchdog on.  Checks the protocol the unit
 * relies on: no READY=1 with a bad config; READY=1 after start-up; WATCHDOG=1
 * pings at the watchdog rate; SIGHUP gives RELOADING=1 then READY=1, also
 * when the new file is broken (and the daemon stays up); SIGTERM gives
 * STOPPING=1 and a clean exit within 5 s.
 *
 * The daemon binary is the one beside this test's build directory
 * (BUILD/tests/test_notify_daemon -> BUILD/digitd); skipped if not built. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/test_notify_daemon.XXXXXX";
static char daemon_path[PATH_MAX], conf[PATH_MAX + 32], logpath[PATH_MAX + 32];
static char sockpath[sizeof ((struct sockaddr_un *)0)->sun_path];
static char model[PATH_MAX + 32];
static int private_net;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void write_file(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	if (!f) { perror(path); exit(1); }
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0) { perror(path); exit(1); }
}

static void write_config(const char *extra)
{
	write_file(conf, "spool = \"spool\";\ndatabase = \"state/digitd.db\";\nmodel = \"%s\";\n"
		   "workers = 1;\nrescan_interval = 1.0;\n%s", model, extra);
}

/* Receive datagrams until one contains `want` or `secs` pass.  Returns 1 if
 * found; every message received is appended to `seen` (for failure output). */
static int wait_for(int fd, const char *want, double secs, char *seen, size_t seenlen)
{
	double end = now() + secs;
	while (now() < end) {
		char buf[1024];
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
			return 0;
		}
		buf[n] = '\0';
		size_t used = strlen(seen);
		snprintf(seen + used, seenlen - used, "[%s] ", buf);
		if (strstr(buf, want)) return 1;
	}
	return 0;
}

static pid_t start_daemon(void)
{
	pid_t pid = fork();
	if (pid < 0) { perror("fork"); exit(1); }
	if (pid > 0) return pid;
	/* the child: the environment systemd gives a Type=notify service */
	int log = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (log < 0 || dup2(log, 2) < 0 || dup2(log, 1) < 0) _exit(126);
	if (private_net && unshare(CLONE_NEWNET) < 0) _exit(125);
	setenv("NOTIFY_SOCKET", sockpath, 1);
	setenv("WATCHDOG_USEC", "2000000", 1);
	char pid_s[32];
	snprintf(pid_s, sizeof pid_s, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid_s, 1);
	execl(daemon_path, "digitd", "-f", "-c", conf, (char *)NULL);
	_exit(127);
}

/* Wait for the child with a deadline; returns its wait status or -1 on timeout (child killed). */
static int reap(pid_t pid, double secs)
{
	double end = now() + secs;
	int st;
	while (now() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) return st;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void show_log(void)
{
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "sed 's/^/    digitd| /' '%s' >&2", logpath);
	if (system(cmd) != 0) fprintf(stderr, "(no log)\n");
}

int main(int argc, char **argv)
{
	(void)argc;
	char self[PATH_MAX];
	snprintf(self, sizeof self, "%s", argv[0]);
	snprintf(daemon_path, sizeof daemon_path, "%s/../digitd", dirname(self));
	if (access(daemon_path, X_OK) != 0) SKIP("skipped: %s not built", daemon_path);
	const char *root = getenv("DIGITD_ROOT");
	char cwd[PATH_MAX];
	if (!root) root = getcwd(cwd, sizeof cwd);
	snprintf(model, sizeof model, "%s/models/lenet5.model", root);
	if (access(model, R_OK) != 0) SKIP("skipped: no model at %s", model);

	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(conf, sizeof conf, "%s/digitd.conf", dir);
	snprintf(logpath, sizeof logpath, "%s/digitd.log", dir);
	snprintf(sockpath, sizeof sockpath, "%s/notify", dir);
	char p[PATH_MAX + 32];
	snprintf(p, sizeof p, "%s/spool", dir);
	CHECK(mkdir(p, 0750) == 0);
	snprintf(p, sizeof p, "%s/state", dir);
	CHECK(mkdir(p, 0750) == 0);

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sockpath, sizeof sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
	struct timeval tv = { .tv_usec = 200000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	/* PrivateNetwork=yes is a new network namespace: try one (root or userns) */
	pid_t probe = fork();
	if (probe == 0) _exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
	int st;
	waitpid(probe, &st, 0);
	private_net = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("network namespace: %s\n", private_net ? "private (as PrivateNetwork=yes)" : "shared (unshare not permitted)");

	char seen[8192] = "";

	/* 1. a broken config: exit 1, and never READY=1 */
	write_config("treshold = 0.5;\n");
	pid_t pid = start_daemon();
	st = reap(pid, 20);
	CHECKF(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "bad config: status %d", st);
	CHECKF(!wait_for(fd, "READY=1", 0.5, seen, sizeof seen), "READY=1 sent with a bad config: %s", seen);

	/* 2. a good config: READY=1, STATUS=, WATCHDOG=1 at the watchdog rate */
	write_config("");
	seen[0] = '\0';
	pid = start_daemon();
	double t0 = now();
	int ready = wait_for(fd, "READY=1", 60, seen, sizeof seen);
	CHECKF(ready, "no READY=1 within 60 s: %s", seen);
	if (!ready) { kill(pid, SIGKILL); reap(pid, 5); show_log(); goto done; }
	printf("READY=1 after %.2f s\n", now() - t0);
	seen[0] = '\0';
	t0 = now();
	/* systemd would restart a service silent for a whole period (2 s here) */
	CHECKF(wait_for(fd, "WATCHDOG=1", 4, seen, sizeof seen), "no WATCHDOG=1 within 4 s (WATCHDOG_USEC=2 s): %s", seen);
	double first = now();
	CHECKF(wait_for(fd, "WATCHDOG=1", 4, seen, sizeof seen), "no second WATCHDOG=1: %s", seen);
	printf("watchdog pings %.2f s apart (period 2 s)\n", now() - first);
	CHECKF(now() - first <= 2.0, "pings %.2f s apart, longer than the 2 s watchdog period", now() - first);

	/* 3. SIGHUP with a good file, then with a broken one */
	write_config("threshold = 0.8;\n");
	seen[0] = '\0';
	CHECK(kill(pid, SIGHUP) == 0);
	CHECKF(wait_for(fd, "RELOADING=1", 10, seen, sizeof seen), "no RELOADING=1 after SIGHUP: %s", seen);
	CHECKF(strstr(seen, "MONOTONIC_USEC=") != NULL, "RELOADING=1 without MONOTONIC_USEC: %s", seen);
	CHECKF(wait_for(fd, "READY=1", 10, seen, sizeof seen), "no READY=1 after reload: %s", seen);
	write_config("threshold = \"high\";\n");
	seen[0] = '\0';
	CHECK(kill(pid, SIGHUP) == 0);
	CHECKF(wait_for(fd, "RELOADING=1", 10, seen, sizeof seen), "no RELOADING=1 after a bad SIGHUP: %s", seen);
	CHECKF(wait_for(fd, "READY=1", 10, seen, sizeof seen), "no READY=1 after a bad reload: %s", seen);
	CHECKF(waitpid(pid, &st, WNOHANG) == 0, "daemon exited after a bad reload");
	seen[0] = '\0';
	CHECKF(wait_for(fd, "WATCHDOG=1", 4, seen, sizeof seen), "no WATCHDOG=1 after reloads: %s", seen);

	/* 4. SIGTERM: STOPPING=1 and exit 0 within 5 s */
	seen[0] = '\0';
	t0 = now();
	CHECK(kill(pid, SIGTERM) == 0);
	CHECKF(wait_for(fd, "STOPPING=1", 5, seen, sizeof seen), "no STOPPING=1 after SIGTERM: %s", seen);
	st = reap(pid, 5.5 - (now() - t0));
	CHECKF(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM: status %d after %.2f s", st, now() - t0);
	printf("stopped %.2f s after SIGTERM\n", now() - t0);

	/* the log says what happened on the bad reload */
	char cmd[PATH_MAX + 128];
	snprintf(cmd, sizeof cmd, "grep -q \"digitd.conf:[0-9]*: 'threshold' must be a number\" '%s'", logpath);
	CHECKF(system(cmd) == 0, "the log does not report the bad reload with file:line");
	snprintf(cmd, sizeof cmd, "grep -q \"unknown key 'treshold' (did you mean 'threshold'?)\" '%s'", logpath);
	CHECKF(system(cmd) == 0, "the log does not report the bad start-up config");
	if (check_failures) show_log();

done:
	close(fd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
	CHECK_DONE();
}
