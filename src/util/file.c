/* file.c: see file.h. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_all(const char *path, size_t max, uint8_t **bufp, size_t *lenp, char *err, size_t errlen)
{
	*bufp = NULL;
	*lenp = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	uint8_t *buf = NULL;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: file is %lld bytes, over the limit of %zu", path, (long long)st.st_size,
			 max);
		goto fail;
	}
	size_t len = (size_t)st.st_size, done = 0;
	buf = malloc(len ? len : 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (done < len) {
		ssize_t k = read(fd, buf + done, len - done);
		if (k < 0 && errno == EINTR) continue;
		if (k < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (k == 0) break;      /* shrank while we read: take what is there */
		done += (size_t)k;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "%s: close: %s", path, strerror(errno));
		goto fail;
	}
	*bufp = buf;
	*lenp = done;
	return 0;
fail:
	if (fd >= 0) close(fd);
	free(buf);
	return -1;
}

int file_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	const uint8_t *p = buf;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		snprintf(err, errlen, "%s: fsync failed: %s", tmp, strerror(errno));
		goto fail;
	}
	int rc = close(fd);
	fd = -1;
	if (rc < 0) {
		snprintf(err, errlen, "%s: close failed: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0) close(fd);
	unlink(tmp);
	return -1;
}
