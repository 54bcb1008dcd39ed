/* watch.h: inotify on incoming/, as a hint.
 *
 * The directory is the truth: events only say "look at this name now".  A
 * name reported by IN_CLOSE_WRITE or IN_MOVED_TO is a file its writer has
 * finished; IN_Q_OVERFLOW, or the watch going away, means events were lost
 * and the caller must rescan.  Uses the inotify system calls directly. */
#ifndef DIGITD_WATCH_H
#define DIGITD_WATCH_H
#include <stdbool.h>
#include <stddef.h>

typedef struct {
	int fd;        /* inotify instance, non-blocking; poll it for POLLIN */
	int wd;
} watch;

int watch_open(watch *w, const char *dir, char *err, size_t errlen);
void watch_close(watch *w);

/* Read pending events; call on_name for each finished file name.  Returns 1
 * when a rescan is needed (overflow, watch lost), 0 otherwise, -1 on error. */
int watch_read(watch *w, void (*on_name)(const char *name, void *arg), void *arg);

#endif
