/* lock.c: see lock.h. */
#include "daemon/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define PID_TEXT_MAX 32

/* The holder's PID as it wrote it; 0 when unreadable (it may be between
 * taking the lock and writing its PID). */
static pid_t read_holder(int fd)
{
	char buf[PID_TEXT_MAX];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0) return 0;
	buf[n] = 0;
	long pid = strtol(buf, NULL, 10);
	return pid > 0 ? (pid_t)pid : 0;
}

int lock_spool(int root_fd, const char *spool_path, pid_t *holder, char *err, size_t errlen)
{
	*holder = 0;
	/* O_NOFOLLOW: a symlink planted here must not make us create or
	 * truncate a file elsewhere */
	int fd = openat(root_fd, LOCK_FILE_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "spool %s: cannot open the lock file %s: %s", spool_path, LOCK_FILE_NAME,
			 strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int saved = errno;
		if (saved == EWOULDBLOCK) {
			*holder = read_holder(fd);
			close(fd);   /* read-only use: nothing written, nothing to lose */
			return -2;
		}
		snprintf(err, errlen, "spool %s: cannot lock %s: %s", spool_path, LOCK_FILE_NAME, strerror(saved));
		close(fd);
		return -1;
	}
	char text[PID_TEXT_MAX];
	int len = snprintf(text, sizeof text, "%ld\n", (long)getpid());
	err[0] = 0;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len)
		/* the lock holds all the same; only a second instance's message
		 * lacks our PID, so this is a warning for the caller to log */
		snprintf(err, errlen, "spool %s: cannot write our PID to %s: %s", spool_path, LOCK_FILE_NAME,
			 strerror(errno));
	return fd;
}
