/* faultinj.c: an LD_PRELOAD shim that makes the Nth call of one file-system
 * operation fail, for the daemon's fault-injection scenario (in the spirit of
 * SQLite's own I/O-error tests).  Built as build/tests/libfaultinj.so; lives
 * in its own directory so the wildcard over tests/tools/ does not link it as a
 * program.
 *
 * Environment:
 *   FAULT_OP     write | fsync | rename | malloc   (write covers write/pwrite/
 *                pwrite64/writev; fsync covers fsync/fdatasync; rename covers
 *                rename/renameat/renameat2; malloc covers malloc/calloc/
 *                realloc, which then return NULL with ENOMEM)
 *   FAULT_THREADS  "workers": count only calls made outside the main thread,
 *                that is in the pipeline's worker and writer threads (start-up
 *                and intake run on the main thread)
 *   FAULT_N      the call number (1-based, counted across threads) that fails
 *   FAULT_ERRNO  errno to fail with: EIO (default), ENOSPC, EROFS
 *   FAULT_MARK   file created when the fault fires, so a test knows it did
 *   FAULT_COUNT  file that receives "op calls" at exit, to size a test loop
 * Writes to stdout/stderr are neither counted nor failed (they are the log).
 * Only digitd itself counts: in its worker processes (`digitd --worker`,
 * which only write their socket) the shim stays inert; what a worker's
 * failure costs is daemon_isolation's.  It stays in LD_PRELOAD, because
 * digitd executes itself once at start (to set OpenCV's pixel limit) and
 * the daemon that runs is that second image. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long calls;
static long fail_at = -1;
static int op = -1;          /* 0 write, 1 fsync, 2 rename, 3 malloc */
static int fail_errno = EIO;
static int workers_only;     /* FAULT_THREADS=workers */
static pid_t main_tid;
static int inert;            /* a digitd worker process */

/* Is "--worker" among this process's arguments?  (Read with raw system
 * calls: the allocator is not ready to be counted yet.) */
static int is_worker(void)
{
	char buf[4096];
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/cmdline", O_RDONLY);
	if (fd < 0) return 0;
	long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
	syscall(SYS_close, fd);
	if (n <= 0) return 0;
	buf[n] = 0;
	for (long i = 0; i < n; i += (long)strlen(buf + i) + 1)
		if (strcmp(buf + i, "--worker") == 0) return 1;
	return 0;
}

/* glibc's own allocator entry points: calling them needs no dlsym (which
 * itself allocates) */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static void init(void) __attribute__((constructor));
static void init(void)
{
	const char *o = getenv("FAULT_OP"), *n = getenv("FAULT_N"), *e = getenv("FAULT_ERRNO");
	if (o) op = strcmp(o, "write") == 0 ? 0 : strcmp(o, "fsync") == 0 ? 1 : strcmp(o, "rename") == 0 ? 2
		  : strcmp(o, "malloc") == 0 ? 3 : -1;
	const char *t = getenv("FAULT_THREADS");
	workers_only = t && strcmp(t, "workers") == 0;
	main_tid = (pid_t)syscall(SYS_gettid);
	if (n) fail_at = strtol(n, NULL, 10);
	if (e) fail_errno = strcmp(e, "ENOSPC") == 0 ? ENOSPC : strcmp(e, "EROFS") == 0 ? EROFS : EIO;
	if (is_worker()) inert = 1, op = -1;
}

static void fini(void) __attribute__((destructor));
static void fini(void)
{
	const char *c = getenv("FAULT_COUNT");
	if (!c || inert) return;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, c, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) return;
	char buf[64];
	int len = snprintf(buf, sizeof buf, "%ld\n", atomic_load(&calls));
	if (syscall(SYS_write, fd, buf, (size_t)len) < 0) { /* nothing to do */ }
	syscall(SYS_close, fd);
}

/* Count a call of kind k; true when this one must fail. */
static int hit(int k)
{
	if (k != op) return 0;
	if (workers_only && (pid_t)syscall(SYS_gettid) == main_tid) return 0;
	long c = atomic_fetch_add(&calls, 1) + 1;
	if (c != fail_at) return 0;
	const char *m = getenv("FAULT_MARK");
	if (m) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, m, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) syscall(SYS_close, fd);
	}
	errno = k == 3 ? ENOMEM : fail_errno;
	return 1;
}

#define REAL(ret, name, ...) \
	static ret (*real_##name)(__VA_ARGS__); \
	if (!real_##name) real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);
	if (fd > 2 && hit(0)) return -1;
	return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
	if (hit(0)) return -1;
	return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite64, int, const void *, size_t, off_t);
	if (hit(0)) return -1;
	return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(ssize_t, writev, int, const struct iovec *, int);
	if (fd > 2 && hit(0)) return -1;
	return real_writev(fd, iov, cnt);
}

int fsync(int fd)
{
	REAL(int, fsync, int);
	if (hit(1)) return -1;
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	REAL(int, fdatasync, int);
	if (hit(1)) return -1;
	return real_fdatasync(fd);
}

int rename(const char *a, const char *b)
{
	REAL(int, rename, const char *, const char *);
	if (hit(2)) return -1;
	return real_rename(a, b);
}

int renameat(int fa, const char *a, int fb, const char *b)
{
	REAL(int, renameat, int, const char *, int, const char *);
	if (hit(2)) return -1;
	return real_renameat(fa, a, fb, b);
}

int renameat2(int fa, const char *a, int fb, const char *b, unsigned flags)
{
	REAL(int, renameat2, int, const char *, int, const char *, unsigned);
	if (hit(2)) return -1;
	return real_renameat2(fa, a, fb, b, flags);
}

void *malloc(size_t n)
{
	if (op == 3 && hit(3)) return NULL;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (op == 3 && hit(3)) return NULL;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	/* realloc(p, 0) frees: not a failure point */
	if (op == 3 && n && hit(3)) return NULL;
	return __libc_realloc(p, n);
}
