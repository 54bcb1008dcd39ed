/* sd_notify against a real datagram socket standing in for systemd: a path
 * socket and an abstract "@" one, each message read back and compared;
 * no-op without $NOTIFY_SOCKET; the watchdog variables. */
#include "check.h"
#include "daemon/notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Bind a datagram socket at `name` ("/path" or "@abstract"); -1 on failure. */
static int listen_at(const char *name)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	memcpy(sa.sun_path, name, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/'));
	if (name[0] == '@') sa.sun_path[0] = '\0';
	if (bind(fd, (struct sockaddr *)&sa, len) < 0) { close(fd); return -1; }
	/* never block the test on a missing message */
	struct timeval tv = { .tv_sec = 2 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* Receive one datagram as a string ("" on timeout). */
static const char *recv_msg(int fd)
{
	static char buf[1024];
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void exercise(int fd)
{
	CHECK(notify_ready() == 1);
	const char *m = recv_msg(fd);
	CHECKF(strcmp(m, "READY=1") == 0, "got '%s'", m);
	CHECK(notify_status("queue %d, %s", 12, "two\nlines") == 1);
	m = recv_msg(fd);
	CHECKF(strcmp(m, "STATUS=queue 12, two lines") == 0, "got '%s'", m);
	CHECK(notify_watchdog() == 1);
	CHECK(strcmp(recv_msg(fd), "WATCHDOG=1") == 0);
	CHECK(notify_stopping() == 1);
	CHECK(strcmp(recv_msg(fd), "STOPPING=1") == 0);

	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t before = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	CHECK(notify_reloading() == 1);
	m = recv_msg(fd);
	uint64_t usec = 0;
	CHECKF(sscanf(m, "RELOADING=1\nMONOTONIC_USEC=%" SCNu64, &usec) == 1, "got '%s'", m);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t after = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	CHECKF(usec >= before && usec <= after, "MONOTONIC_USEC %" PRIu64 " not in [%" PRIu64 ", %" PRIu64 "]",
	       usec, before, after);
	CHECK(notify_send("READY=1\nSTATUS=idle") == 1);
	CHECK(strcmp(recv_msg(fd), "READY=1\nSTATUS=idle") == 0);
}

int main(void)
{
	/* not under systemd: silent no-ops */
	unsetenv("NOTIFY_SOCKET");
	CHECK(notify_ready() == 0 && notify_status("x") == 0 && notify_watchdog() == 0);

	/* a socket file, as systemd uses (/run/systemd/notify) */
	char dir[] = "/tmp/test_notify.XXXXXX";
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	char path[64];
	snprintf(path, sizeof path, "%s/notify", dir);
	int fd = listen_at(path);
	CHECKF(fd >= 0, "bind %s: %s", path, strerror(errno));
	if (fd >= 0) {
		setenv("NOTIFY_SOCKET", path, 1);
		exercise(fd);
		close(fd);
	}

	/* the abstract namespace */
	char abs[64];
	snprintf(abs, sizeof abs, "@digitd-test-notify-%ld", (long)getpid());
	fd = listen_at(abs);
	CHECKF(fd >= 0, "bind %s: %s", abs, strerror(errno));
	if (fd >= 0) {
		setenv("NOTIFY_SOCKET", abs, 1);
		exercise(fd);
		close(fd);
	}

	/* nobody listening, or a malformed address: an error, not a crash */
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK(unlink(path) == 0);
	CHECK(notify_ready() == -1);
	setenv("NOTIFY_SOCKET", "relative/name", 1);
	CHECK(notify_ready() == -1 && errno == EINVAL);
	unsetenv("NOTIFY_SOCKET");
	CHECK(rmdir(dir) == 0);

	/* watchdog */
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	CHECK(notify_watchdog_usec() == 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	CHECK(notify_watchdog_usec() == 30000000);
	char pid[32];
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK(notify_watchdog_usec() == 30000000);
	setenv("WATCHDOG_PID", "1", 1);
	CHECK(notify_watchdog_usec() == 0);  /* meant for another process */
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "abc", 1);
	CHECK(notify_watchdog_usec() == 0);
	setenv("WATCHDOG_USEC", "0", 1);
	CHECK(notify_watchdog_usec() == 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	CHECK(notify_watchdog_usec() == 0);
	CHECK_DONE();
}
