/* notify.c: see notify.h.  The protocol is a single datagram per message to
 * the AF_UNIX socket in $NOTIFY_SOCKET; we do not need libsystemd for that.
 *
 * This works under PrivateNetwork=yes: that setting gives the service its own
 * network namespace, which isolates abstract-namespace sockets but not socket
 * *files*, and systemd's notify socket is a file (/run/systemd/notify).  If a
 * manager ever hands us an abstract "@" address inside a private network
 * namespace, the send fails and we log it once rather than every time. */
#include "daemon/notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static atomic_int warned;

/* Build the socket address from $NOTIFY_SOCKET.  Returns the address length,
 * 0 when the variable is unset, -1 when it is malformed. */
static int notify_addr(struct sockaddr_un *sa, socklen_t *len)
{
	const char *e = getenv("NOTIFY_SOCKET");
	if (!e || !*e) return 0;
	size_t n = strlen(e);
	/* a path must be absolute; "@" marks the abstract namespace (leading NUL) */
	if ((e[0] != '/' && e[0] != '@') || n >= sizeof sa->sun_path || n < 2) {
		errno = EINVAL;
		return -1;
	}
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, e, n);
	if (e[0] == '@') {
		sa->sun_path[0] = '\0';
		/* abstract names are length-delimited, not NUL-terminated */
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 1;
}

int notify_send(const char *msg)
{
	struct sockaddr_un sa;
	socklen_t salen = 0;
	int fd = -1, saved;
	int r = notify_addr(&sa, &salen);
	if (r == 0) return 0;
	if (r < 0) goto fail;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) goto fail;
	size_t len = strlen(msg);
	ssize_t w;
	do {
		w = sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	} while (w < 0 && errno == EINTR);
	if (w >= 0 && (size_t)w != len) errno = EMSGSIZE, w = -1;
	if (w < 0) goto fail;
	if (close(fd) < 0) { fd = -1; goto fail; }
	return 1;

fail:
	saved = errno;
	if (fd >= 0) close(fd);
	if (atomic_exchange(&warned, 1) == 0)
		log_warn("sd_notify to $NOTIFY_SOCKET=%s failed: %s", getenv("NOTIFY_SOCKET"), strerror(saved));
	errno = saved;
	return -1;
}

int notify_ready(void) { return notify_send("READY=1"); }
int notify_stopping(void) { return notify_send("STOPPING=1"); }
int notify_watchdog(void) { return notify_send("WATCHDOG=1"); }

int notify_status(const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg, "STATUS=");
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0) return -1;
	/* STATUS is one line; a newline would start a bogus new assignment */
	for (char *p = msg + n; *p; p++)
		if (*p == '\n' || *p == '\r') *p = ' ';
	return notify_send(msg);
}

int notify_reloading(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) return -1;
	uint64_t usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	char msg[64];
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, usec);
	return notify_send(msg);
}

/* Parse a decimal unsigned integer that fills the whole string. */
static int parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9') return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end) return -1;
	*out = v;
	return 0;
}

uint64_t notify_watchdog_usec(void)
{
	uint64_t usec, pid;
	if (parse_u64(getenv("WATCHDOG_USEC"), &usec) < 0 || usec == 0) return 0;
	/* WATCHDOG_PID guards against a child inheriting the parent's watchdog */
	const char *p = getenv("WATCHDOG_PID");
	if (p && *p) {
		if (parse_u64(p, &pid) < 0 || pid != (uint64_t)getpid()) return 0;
	}
	return usec;
}
