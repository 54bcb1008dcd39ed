/* watch.c: see watch.h. */
#include "daemon/watch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

int watch_open(watch *w, const char *dir, char *err, size_t errlen)
{
	w->wd = -1;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "inotify_init1: %s (relying on rescans)", strerror(errno));
		return -1;
	}
	/* IN_ONLYDIR|IN_DONT_FOLLOW: never watch through a symlink swapped in */
	w->wd = inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW |
				  IN_DELETE_SELF | IN_MOVE_SELF);
	if (w->wd < 0) {
		snprintf(err, errlen, "inotify_add_watch %s: %s%s (relying on rescans)", dir, strerror(errno),
			 errno == ENOSPC ? "; raise fs.inotify.max_user_watches" : "");
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	return 0;
}

void watch_close(watch *w)
{
	if (w->fd >= 0) close(w->fd);
	w->fd = w->wd = -1;
}

int watch_read(watch *w, void (*on_name)(const char *name, void *arg), void *arg)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int rescan = 0;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR) continue;
			if (errno == EAGAIN) return rescan;
			return -1;
		}
		if (n == 0) return rescan;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) rescan = 1;
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) rescan = 1;
			if ((ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) && !(ev->mask & IN_ISDIR) && ev->len > 0)
				on_name(ev->name, arg);
		}
	}
}
