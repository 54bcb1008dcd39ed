/* lock.h: one daemon per spool.
 *
 * work/ belongs to the process that claimed its files: at start-up (and when
 * idle) digitd takes up every file there as its own unfinished work.  A second
 * digitd on the same spool (a second service, or `digitd --once` from cron
 * while the service runs) would take up the first one's files mid-recognition
 * and record them twice or as failed.  So the spool root holds a lock file,
 * SPOOL/digitd.lock, locked with flock(2) for the life of the process and
 * holding its PID for the message a second instance prints.
 *
 * flock locks belong to the open file description: the kernel drops the lock
 * when the process dies, however it dies (kill -9 included), so a stale lock
 * file never blocks a restart.  On NFS, Linux emulates flock with POSIX byte
 * locks, which the server arbitrates across hosts. */
#ifndef DIGITD_LOCK_H
#define DIGITD_LOCK_H
#include <stddef.h>
#include <sys/types.h>

#define LOCK_FILE_NAME "digitd.lock"

/* Lock SPOOL/digitd.lock (created 0640 if missing) relative to the spool root
 * fd.  Returns the locked fd (keep it open; close releases), -2 when another
 * process holds the lock (*holder = its PID from the file, 0 if unknown), or
 * -1 on error with a message in err.  On success err is "" or a warning to
 * log (the PID could not be written; the lock holds). */
int lock_spool(int root_fd, const char *spool_path, pid_t *holder, char *err, size_t errlen);

#endif
