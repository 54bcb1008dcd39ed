/* spool.h: the Postfix-style spool directory and every file operation on it.
 *
 *   SPOOL/incoming/  producers drop files here (names are never trusted)
 *   SPOOL/work/      claimed by atomic rename; at most one process works here
 *   SPOOL/done/      originals whose results are committed
 *   SPOOL/failed/    files that could not be read, each with NAME.error
 *
 * Invariants: every path is relative to a directory fd opened once (openat,
 * renameat2, unlinkat with O_NOFOLLOW), and every name is one path component
 * checked by spool_name_ok, so no name from a producer can reach outside the
 * spool.  A file moves only by rename(2) within one file system, so at every
 * instant it is in exactly one of the four directories.  Originals are never
 * opened for writing.  Moves never overwrite (RENAME_NOREPLACE): a name already
 * taken in done/ or failed/ gets a numbered variant. */
#ifndef DIGITD_SPOOL_H
#define DIGITD_SPOOL_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

enum spool_dir { SPOOL_INCOMING, SPOOL_WORK, SPOOL_DONE, SPOOL_FAILED, SPOOL_NDIRS };

typedef struct {
	char *path;
	int root;
	int fd[SPOOL_NDIRS];
	bool remote;           /* NFS/SMB/CIFS/FUSE: inotify cannot see other hosts' writes */
	char fstype[16];
} spool;

extern const char *const spool_dir_names[SPOOL_NDIRS];

/* Open (creating missing sub-directories, mode 0770 so a producers' group can
 * write incoming/) the spool at path.  -1 with a message when the path is not
 * a directory, the sub-directories cannot be made, or they sit on different
 * file systems (rename would not be atomic). */
int spool_open(spool *sp, const char *path, char *err, size_t errlen);
void spool_close(spool *sp);

/* One path component a producer may have chosen: not empty, not . or .., no
 * '/', at most NAME_MAX bytes.  Anything else is skipped, never used. */
bool spool_name_ok(const char *name);

/* The identity of a spool file for the exactly-once check: "ino:mtime_ns".
 * rename keeps inode and mtime, so it is the same in incoming/, work/ or after
 * a crash.  The device number is left out: all four directories share one
 * file system, and its number may change across a reboot. */
void spool_claim_token(const struct stat *st, char out[64]);

/* Atomically move name from incoming/ to work/.  Returns 0, 1 when work/
 * already holds that name (try later), -1 on error (errno set; ENOENT when it
 * vanished). */
int spool_claim(spool *sp, const char *name);

/* Whether some process holds dir/name open for writing, asked the only way
 * Linux answers without privileges over other processes: a read lease
 * (fcntl F_SETLEASE F_RDLCK) is refused with EAGAIN while any descriptor is
 * open for writing.  The kernel grants leases only to the file's owner or to
 * a process with CAP_LEASE (root), only on local file systems, and only when
 * fs.leases-enable is 1; where it cannot tell, the answer is "unknown" and
 * the caller falls back to the mtime rule (stable_time).  A writer on another
 * host (NFS, SMB) is never visible this way. */
enum spool_writer { SPOOL_WRITER_NONE, SPOOL_WRITER_OPEN, SPOOL_WRITER_UNKNOWN };

/* Claim incoming/name (inode ino, as seen when it was found ready) into
 * work/, only if no process has it open for writing.  The read lease is held
 * across the rename, so a writer that opens the file in between waits (the
 * kernel breaks the lease) until the file is in work/ under our claim.
 * Returns 0 claimed (*st: its stat at the claim, *writer: what the check
 * found), 1 when work/ already holds that name, 2 while a writer has it open,
 * 3 when name is now another file (or gone), -1 on error (errno set). */
int spool_claim_finished(spool *sp, const char *name, ino_t ino, struct stat *st, enum spool_writer *writer);

/* The same question for a file already in dir (work/ at recovery). */
enum spool_writer spool_writer_state(spool *sp, enum spool_dir dir, const char *name);

/* lstat of dir/name: 0 or -1 with errno. */
int spool_stat(spool *sp, enum spool_dir dir, const char *name, struct stat *st);

/* Same size and mtime: a file that has not been written between two stats. */
bool spool_same_content_stat(const struct stat *a, const struct stat *b);

/* Choose a free name in dir for name (name, then "stem.1.ext", ...), short
 * enough that "<result>.error" also fits.  In failed/ a name ending in
 * ".error" gets a '_' appended, so .error files never collide with
 * originals.  0 or -1. */
int spool_unique_name(spool *sp, enum spool_dir dir, const char *name, char out[NAME_MAX + 1]);

/* Move from/name_from to to/name_to without overwriting.  0, or -1 with errno
 * (EEXIST when the target appeared meanwhile). */
int spool_move(spool *sp, enum spool_dir from, const char *name_from, enum spool_dir to, const char *name_to);

/* Write failed/<name>.error (replacing an older one): what went wrong, for a
 * person looking at the directory.  0 or -1 with errno. */
int spool_write_error(spool *sp, const char *name, const char *text);

/* Free bytes on the spool's file system. */
int spool_free_bytes(spool *sp, uint64_t *bytes);

/* Read a file of dir fully (at most max bytes) through O_NOFOLLOW and fstat
 * checks: only a regular file is read.  On success *buf (malloc'd), *len and
 * *st are set.  If the file is larger than max, returns -2 with *st set and
 * the SHA-256 still computed into sha_hex (streamed), buf NULL.  -3 when the
 * file changed while it was read (size or mtime moved: a writer is still at
 * it; nothing read may be trusted).  -1 with a message on other errors. */
int spool_read(spool *sp, enum spool_dir dir, const char *name, uint64_t max, uint8_t **buf, size_t *len,
	       struct stat *st, char sha_hex[65], char *err, size_t errlen);

/* Case-insensitive fnmatch against a NULL-terminated list (NULL list: no match). */
bool spool_name_matches(const char *name, char *const *patterns);

#endif
