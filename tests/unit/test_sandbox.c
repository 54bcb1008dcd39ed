/* The worker's sandbox (daemon/sandbox.c), entered in a child process as a
 * worker enters it: what recognition needs still works (memory, reading a
 * file, writing an open descriptor), and what a subverted decoder would
 * want fails: opening for writing or creating, sockets, new processes,
 * exec, signals to its parent, raising its own limits, allocating past
 * RLIMIT_AS. */
#include "check.h"
#include "daemon/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int bad;

#define EXPECT(cond, what) do { if (!(cond)) { bad++; fprintf(stderr, "child: %s (errno %s)\n", what, strerror(errno)); } } while (0)

static void child(const char *path, uint64_t memory, int out)
{
	char err[256];
	if (sandbox_enter(memory, err, sizeof err) < 0) {
		fprintf(stderr, "child: %s\n", err);
		_exit(100);
	}
	/* allowed */
	void *p = malloc(1 << 20);
	EXPECT(p != NULL, "malloc of 1 MiB failed");
	free(p);
	int fd = open(path, O_RDONLY);
	EXPECT(fd >= 0, "read-only open refused");
	char b[4];
	EXPECT(fd < 0 || read(fd, b, 4) == 4, "read failed");
	if (fd >= 0) close(fd);
	EXPECT(write(out, "ok", 2) == 2, "write to an inherited descriptor failed");
	/* refused */
	errno = 0;
	EXPECT(open(path, O_WRONLY) < 0 && errno == EPERM, "open for writing allowed");
	EXPECT(open(path, O_RDWR) < 0 && errno == EPERM, "open read-write allowed");
	EXPECT(open(path, O_RDONLY | O_TRUNC) < 0 && errno == EPERM, "open with O_TRUNC allowed");
	char created[4096];
	snprintf(created, sizeof created, "%s.new", path);
	EXPECT(open(created, O_RDONLY | O_CREAT, 0600) < 0 && errno == EPERM, "open with O_CREAT allowed");
	EXPECT(unlink(path) < 0 && errno == EPERM, "unlink allowed");
	EXPECT(rename(path, created) < 0 && errno == EPERM, "rename allowed");
	EXPECT(socket(AF_UNIX, SOCK_STREAM, 0) < 0 && errno == EPERM, "socket allowed");
	EXPECT(kill(getppid(), 0) < 0 && errno == EPERM, "kill of the parent allowed");
	pid_t pid = fork();
	if (pid == 0) _exit(0);
	EXPECT(pid < 0 && errno == EPERM, "fork allowed");
	char *argv[] = { "true", NULL };
	EXPECT(execv("/bin/true", argv) < 0 && errno == EPERM, "exec allowed");
	struct rlimit up = { RLIM_INFINITY, RLIM_INFINITY };
	EXPECT(prlimit(0, RLIMIT_AS, &up, NULL) < 0, "raising RLIMIT_AS allowed");
	struct rlimit now;
	EXPECT(getrlimit(RLIMIT_AS, &now) == 0 && (memory == (uint64_t)RLIM_INFINITY || now.rlim_max == (rlim_t)memory),
	       "getrlimit failed or limit not set");
	if (memory != (uint64_t)RLIM_INFINITY) {
		void *big = malloc((size_t)memory);
		EXPECT(big == NULL, "an allocation of the whole limit succeeded");
		free(big);
	}
	/* no exit handlers (a sanitizer's leak check would need ptrace) */
	_exit(bad);
}

int main(void)
{
	char path[] = "/tmp/digitd-sandbox.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) SKIP("mkstemp: %s", strerror(errno));
	CHECK(write(fd, "data", 4) == 4);
	close(fd);
	int pp[2];
	CHECK(pipe(pp) == 0);
	/* a sanitizer reserves terabytes of address space for its shadow: no
	 * RLIMIT_AS under it, the rest of the sandbox the same */
	uint64_t memory = getenv("DIGITD_SANITIZED") ? (uint64_t)RLIM_INFINITY : (uint64_t)512 << 20;
	pid_t pid = fork();
	if (pid == 0) {
		close(pp[0]);
		child(path, memory, pp[1]);
	}
	close(pp[1]);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: status %#x (%d expectations failed)", st,
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	char b[4] = "";
	CHECK(read(pp[0], b, sizeof b) == 2 && memcmp(b, "ok", 2) == 0);
	close(pp[0]);
	/* the file is still there, unchanged */
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	char d[8] = "";
	CHECK(fd >= 0 && read(fd, d, sizeof d) == 4 && memcmp(d, "data", 4) == 0);
	if (fd >= 0) close(fd);
	char created[4096];
	snprintf(created, sizeof created, "%s.new", path);
	CHECK(access(created, F_OK) != 0);
	unlink(path);
	CHECK_DONE();
}
