/* sandbox.c: see sandbox.h.
 *
 * The allow-list is what `strace -f` shows a worker doing while it reads
 * every format the spool accepts (PNG, JPEG, TIFF through a memfd, BMP, PNM,
 * WebP), plus the calls glibc makes on its own paths (abort, the time, a
 * getrlimit): memory, its socket, stderr, the clock, exit.  Everything else
 * fails with EPERM, as digitd.service's own filter does (a default of
 * killing would turn one missed, harmless call into a lost document each
 * time; EPERM turns it into an error the document reports).
 *
 * Two holes, both narrowed by arguments: openat is allowed read-only,
 * because OpenCV's multi-page TIFF reader takes a path (load.cpp hands it
 * /proc/self/fd/N of a memfd) and its GDAL driver looks for its plugins on
 * the first decode; and tgkill only to the worker itself (abort()).  So a
 * subverted worker can still read what the service user can read, never
 * write, create or connect anything. */
#include "daemon/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* System calls allowed with any arguments. */
static const int allowed[] = {
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
	/* the socket, stderr, the TIFF memfd and what openat gave */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64), SCMP_SYS(lseek),
	SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(getdents64),
	SCMP_SYS(memfd_create), SCMP_SYS(ftruncate), SCMP_SYS(fcntl), SCMP_SYS(readlink), SCMP_SYS(faccessat),
	SCMP_SYS(access), SCMP_SYS(getcwd),
	/* time, identity, system facts libraries look up */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(getrandom), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(futex),
	/* signals to itself (sigaltstack: the sanitizers' handlers), and the end */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

static int load_filter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc = ctx ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof allowed[0]; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* read-only opens: none of the bits that write, create or truncate */
	const scmp_datum_t writes = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND
#ifdef __O_TMPFILE
				    | __O_TMPFILE
#endif
		;
	if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, writes, 0));
	/* abort() signals its own thread */
	if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	/* getrlimit is prlimit64 with no new limit */
	if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_EQ, 0));
	if (rc == 0) rc = seccomp_load(ctx);
	if (ctx) seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "cannot install the worker's system-call filter (seccomp): %s", strerror(-rc));
		return -1;
	}
	return 0;
}

/* AddressSanitizer reserves terabytes of address space for its shadow at
 * start: under it (SANITIZE=1 builds, for tests) no address-space limit can
 * apply, and the rest of the sandbox is entered as usual. */
#if defined(__SANITIZE_ADDRESS__)
#define AS_LIMIT_POSSIBLE 0
#else
#define AS_LIMIT_POSSIBLE 1
#endif

int sandbox_enter(uint64_t memory, char *err, size_t errlen)
{
	/* prlimit64, not setrlimit: digitd.service's SystemCallFilter drops
	 * @resources (setrlimit) but keeps prlimit64 (@system-service) */
	struct rlimit as = { memory, memory }, core = { 0, 0 };
	if (AS_LIMIT_POSSIBLE && prlimit(0, RLIMIT_AS, &as, NULL) < 0) {
		snprintf(err, errlen, "cannot set the worker's memory limit (RLIMIT_AS %llu bytes): %s",
			 (unsigned long long)memory, strerror(errno));
		return -1;
	}
	if (prlimit(0, RLIMIT_CORE, &core, NULL) < 0) {
		snprintf(err, errlen, "cannot set RLIMIT_CORE: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -1;
	}
	return load_filter(err, errlen);
}
