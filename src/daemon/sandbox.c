/* sandbox.c: see sandbox.h. */
#include "daemon/sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int sandbox_enter(uint64_t memory, char *err, size_t errlen)
{
	/* prlimit64, not setrlimit: digitd.service's SystemCallFilter drops
	 * @resources (setrlimit) but keeps prlimit64 (@system-service) */
	struct rlimit as = { memory, memory }, core = { 0, 0 };
	if (prlimit(0, RLIMIT_AS, &as, NULL) < 0) {
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
	return 0;
}
