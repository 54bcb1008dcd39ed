/* spool.c: see spool.h.  Everything here works through directory fds and
 * single checked path components; the only full paths ever built are the
 * spool's own sub-directory names at open time. */
#include "daemon/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/sha256.h"

const char *const spool_dir_names[SPOOL_NDIRS] = { "incoming", "work", "done", "failed" };

/* File systems whose writers inotify may not see (other hosts, or a FUSE
 * daemon that does not report). */
static const struct { unsigned long magic; const char *name; } remote_fs[] = {
	{ 0x6969, "nfs" },            /* NFS_SUPER_MAGIC */
	{ 0x517B, "smb" },            /* SMB_SUPER_MAGIC */
	{ 0xFF534D42, "cifs" },       /* CIFS_SUPER_MAGIC */
	{ 0xFE534D42, "smb2" },       /* SMB2_SUPER_MAGIC */
	{ 0x65735546, "fuse" },       /* FUSE_SUPER_MAGIC */
	{ 0x01021997, "9p" },         /* V9FS_MAGIC */
	{ 0x00C36400, "ceph" },
	{ 0x47504653, "gpfs" },
	{ 0x0BD00BD0, "lustre" },
};

int spool_open(spool *sp, const char *path, char *err, size_t errlen)
{
	struct stat root_st, st;
	struct statfs sfs;
	memset(sp, 0, sizeof *sp);
	sp->root = -1;
	for (int i = 0; i < SPOOL_NDIRS; i++) sp->fd[i] = -1;
	if (!(sp->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	sp->root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The spool itself is created when its parent exists (a new
	 * /var/spool/digitd without tmpfiles.d, or a spool beside the config);
	 * a missing parent is more likely a typo in `spool` than a wish for a
	 * new tree, so that stays an error. */
	if (sp->root < 0 && errno == ENOENT) {
		if (mkdir(path, 0770) < 0 && errno != EEXIST) {
			int e = errno;
			snprintf(err, errlen, "spool %s: %s%s", path, e == ENOENT ? "does not exist" : "cannot create it: ",
				 e == ENOENT ? ", nor does its parent directory: create it, or fix `spool` in the "
				 "configuration" : strerror(e));
			goto fail;
		}
		sp->root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (sp->root < 0) {
		snprintf(err, errlen, "spool %s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(sp->root, &root_st) < 0) {
		snprintf(err, errlen, "spool %s: %s", path, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < SPOOL_NDIRS; i++) {
		const char *d = spool_dir_names[i];
		/* no setgid bit here: systemd's RestrictSUIDSGID refuses such a mode even for an
		 * existing directory; tmpfiles.d sets the group bits on incoming/ */
		if (mkdirat(sp->root, d, 0770) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "spool %s: cannot create %s/: %s", path, d, strerror(errno));
			goto fail;
		}
		/* O_NOFOLLOW: a symlinked incoming/ would move files outside the spool */
		sp->fd[i] = openat(sp->root, d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sp->fd[i] < 0) {
			snprintf(err, errlen, "spool %s: cannot open %s/: %s%s", path, d, strerror(errno),
				 errno == ELOOP ? " (a symlink; spool directories must be real)" : "");
			goto fail;
		}
		if (fstat(sp->fd[i], &st) < 0) {
			snprintf(err, errlen, "spool %s/%s: %s", path, d, strerror(errno));
			goto fail;
		}
		if (st.st_dev != root_st.st_dev) {
			snprintf(err, errlen, "spool %s: %s/ is on another file system; the spool's "
				 "directories must share one so that moves are atomic renames", path, d);
			goto fail;
		}
	}
	if (fstatfs(sp->fd[SPOOL_INCOMING], &sfs) == 0) {
		snprintf(sp->fstype, sizeof sp->fstype, "0x%lx", (unsigned long)sfs.f_type);
		for (size_t i = 0; i < sizeof remote_fs / sizeof remote_fs[0]; i++)
			if ((unsigned long)sfs.f_type == remote_fs[i].magic) {
				sp->remote = true;
				snprintf(sp->fstype, sizeof sp->fstype, "%s", remote_fs[i].name);
			}
	}
	return 0;
fail:
	spool_close(sp);
	return -1;
}

void spool_close(spool *sp)
{
	for (int i = 0; i < SPOOL_NDIRS; i++)
		if (sp->fd[i] >= 0) close(sp->fd[i]);
	if (sp->root >= 0) close(sp->root);
	free(sp->path);
	memset(sp, 0, sizeof *sp);
	sp->root = -1;
	for (int i = 0; i < SPOOL_NDIRS; i++) sp->fd[i] = -1;
}

bool spool_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > NAME_MAX) return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return false;
	return strchr(name, '/') == NULL;
}

void spool_claim_token(const struct stat *st, char out[64])
{
	snprintf(out, 64, "%llx:%lld.%09ld", (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec,
		 st->st_mtim.tv_nsec);
}

int spool_move(spool *sp, enum spool_dir from, const char *name_from, enum spool_dir to, const char *name_to)
{
	if (!spool_name_ok(name_from) || !spool_name_ok(name_to)) {
		errno = EINVAL;
		return -1;
	}
	return renameat2(sp->fd[from], name_from, sp->fd[to], name_to, RENAME_NOREPLACE);
}

int spool_claim(spool *sp, const char *name)
{
	if (spool_move(sp, SPOOL_INCOMING, name, SPOOL_WORK, name) == 0) return 0;
	return errno == EEXIST ? 1 : -1;
}

/* Try a read lease on fd (opened read-only by us). */
static enum spool_writer take_lease(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) return SPOOL_WRITER_NONE;
	/* EAGAIN: open for writing somewhere.  EACCES: not our file and no
	 * CAP_LEASE; EINVAL: leases off or unsupported here */
	return errno == EAGAIN ? SPOOL_WRITER_OPEN : SPOOL_WRITER_UNKNOWN;
}

static void drop_lease(int fd)
{
	/* cannot fail for a lease we hold; closing the fd would drop it anyway */
	if (fcntl(fd, F_SETLEASE, F_UNLCK) < 0) { /* released by close() below */ }
}

static int open_for_lease(int dirfd, const char *name)
{
	/* O_NONBLOCK: a FIFO swapped in must not hang us; O_NOFOLLOW: never a link */
	return openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

enum spool_writer spool_writer_state(spool *sp, enum spool_dir dir, const char *name)
{
	if (!spool_name_ok(name)) return SPOOL_WRITER_UNKNOWN;
	int fd = open_for_lease(sp->fd[dir], name);
	if (fd < 0) return SPOOL_WRITER_UNKNOWN;
	enum spool_writer w = take_lease(fd);
	if (w == SPOOL_WRITER_NONE) drop_lease(fd);
	close(fd);   /* read-only descriptor: nothing to flush, nothing to report */
	return w;
}

int spool_claim_finished(spool *sp, const char *name, ino_t ino, struct stat *st, enum spool_writer *writer)
{
	*writer = SPOOL_WRITER_UNKNOWN;
	if (!spool_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	int fd = open_for_lease(sp->fd[SPOOL_INCOMING], name);
	int ret;
	if (fd < 0) {
		/* unreadable to us (a producer's umask): claim it all the same, the
		 * worker reports why it cannot be read */
		if (errno == ENOENT) return 3;
		if (fstatat(sp->fd[SPOOL_INCOMING], name, st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 3 : -1;
		if (st->st_ino != ino || !S_ISREG(st->st_mode)) return 3;
		return spool_claim(sp, name);
	}
	if (fstat(fd, st) < 0) {
		ret = -1;
		goto out;
	}
	if (st->st_ino != ino || !S_ISREG(st->st_mode)) {
		ret = 3;
		goto out;
	}
	*writer = take_lease(fd);
	if (*writer == SPOOL_WRITER_OPEN) {
		ret = 2;
		goto out;
	}
	/* under the lease no one can have opened it for writing since: the
	 * stat is the content we claim */
	if (fstat(fd, st) < 0) ret = -1;
	else ret = spool_claim(sp, name);
	if (*writer == SPOOL_WRITER_NONE) drop_lease(fd);
out:;
	int saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

int spool_stat(spool *sp, enum spool_dir dir, const char *name, struct stat *st)
{
	if (!spool_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	return fstatat(sp->fd[dir], name, st, AT_SYMLINK_NOFOLLOW);
}

bool spool_same_content_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool taken(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* In failed/, names ending in ".error" are ours: a dropped file called that
 * gets a trailing '_' so no .error we write can ever replace an original.  An
 * existing NAME.error without NAME is one we wrote before a crash (or whose
 * file a person removed); it is simply rewritten. */
int spool_unique_name(spool *sp, enum spool_dir dir, const char *name_in, char out[NAME_MAX + 1])
{
	const size_t max = NAME_MAX - strlen(".error");
	char name[NAME_MAX + 2];
	snprintf(name, sizeof name, "%s%s", name_in, dir == SPOOL_FAILED && ends_with(name_in, ".error") ? "_" : "");
	const char *dot = strrchr(name, '.');
	size_t extlen = dot && dot != name ? strlen(dot) : 0;
	if (extlen > 16) extlen = 0;            /* not a real extension */
	size_t stemlen = strlen(name) - extlen;
	for (unsigned i = 0; i < 100000; i++) {
		char num[16] = "";
		if (i) snprintf(num, sizeof num, ".%u", i);
		size_t keep = stemlen;
		if (keep + strlen(num) + extlen > max) keep = max - strlen(num) - extlen;
		size_t nl = strlen(num);
		memcpy(out, name, keep);
		memcpy(out + keep, num, nl);
		memcpy(out + keep + nl, name + stemlen, extlen);
		out[keep + nl + extlen] = 0;
		if (!taken(sp->fd[dir], out)) return 0;
	}
	errno = EEXIST;
	return -1;
}

int spool_write_error(spool *sp, const char *name, const char *text)
{
	char ename[NAME_MAX + 1];
	if (snprintf(ename, sizeof ename, "%s.error", name) >= (int)sizeof ename) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = openat(sp->fd[SPOOL_FAILED], ename, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) return -1;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR) continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1) goto fail;
	return close(fd);
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int spool_free_bytes(spool *sp, uint64_t *bytes)
{
	struct statvfs v;
	if (fstatvfs(sp->fd[SPOOL_INCOMING], &v) < 0) return -1;
	*bytes = (uint64_t)v.f_bavail * v.f_frsize;
	return 0;
}

int spool_read(spool *sp, enum spool_dir dir, const char *name, uint64_t max, uint8_t **buf, size_t *len,
	       struct stat *st, char sha_hex[65], char *err, size_t errlen)
{
	*buf = NULL;
	*len = 0;
	sha_hex[0] = 0;
	if (!spool_name_ok(name)) {
		snprintf(err, errlen, "unsafe file name");
		return -1;
	}
	/* O_NONBLOCK: opening a FIFO swapped in after the claim must not hang */
	int fd = openat(sp->fd[dir], name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s%s", strerror(errno),
			 errno == ELOOP ? " (a symbolic link; not followed)" : "");
		return -1;
	}
	int ret = -1;
	uint8_t *data = NULL;
	if (fstat(fd, st) < 0) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto out;
	}
	sha256_ctx c;
	sha256_init(&c);
	if ((uint64_t)st->st_size > max) {
		/* too large to recognise, but its identity is still its content */
		uint8_t chunk[65536];
		for (;;) {
			ssize_t r = read(fd, chunk, sizeof chunk);
			if (r < 0 && errno == EINTR) continue;
			if (r < 0) {
				snprintf(err, errlen, "read: %s", strerror(errno));
				goto out;
			}
			if (r == 0) break;
			sha256_update(&c, chunk, (size_t)r);
		}
		uint8_t d[32];
		sha256_final(&c, d);
		sha256_hex(d, sha_hex);
		snprintf(err, errlen, "file too large: %lld bytes (max_file_size is %llu)", (long long)st->st_size,
			 (unsigned long long)max);
		ret = -2;
		goto out;
	}
	size_t cap = (size_t)st->st_size + 1, n = 0;
	if (!(data = malloc(cap))) {
		snprintf(err, errlen, "out of memory for %lld bytes", (long long)st->st_size);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, data + n, cap - n);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			goto out;
		}
		if (r == 0) break;
		n += (size_t)r;
		if (n == cap) {
			/* it grew after fstat: a writer is still at it */
			snprintf(err, errlen, "file changed while being read (still being written?)");
			ret = -3;
			goto out;
		}
	}
	/* a writer that rewrote bytes in place, or truncated, moved the mtime */
	struct stat after;
	if (fstat(fd, &after) < 0) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		goto out;
	}
	if (!spool_same_content_stat(st, &after) || n != (size_t)st->st_size) {
		snprintf(err, errlen, "file changed while being read (still being written?)");
		ret = -3;
		goto out;
	}
	sha256_buf_hex(data, n, sha_hex);
	*buf = data;
	*len = n;
	data = NULL;
	ret = 0;
out:
	free(data);
	close(fd);
	return ret;
}

bool spool_name_matches(const char *name, char *const *patterns)
{
	if (!patterns) return false;
	for (size_t i = 0; patterns[i]; i++)
		if (fnmatch(patterns[i], name, FNM_CASEFOLD | FNM_PERIOD) == 0) return true;
	return false;
}
