/* workproc.c: the parent's side of a worker process (worker.h): start it,
 * hand it one document, watch its CPU and wall clocks while it works, and
 * read back what it says as untrusted input.
 *
 * Called from the pipeline's supervisor threads, so the child does nothing
 * between fork and exec but async-signal-safe calls (dup2, close_range,
 * prctl, execv): the parent's other threads may hold any lock at fork. */
#include "daemon/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/log.h"

/* Loading ~140 shared libraries and the model takes 0.2 s on an idle
 * machine; a minute covers a loaded one. */
#define HELLO_TIMEOUT_MS 60000.0
#define STOP_MS 2000.0
/* How often the clocks are looked at while a worker works. */
#define TICK_MS 50

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double wproc_wall_limit(double cpu_seconds) { return cpu_seconds * WPROC_WALL_PER_CPU + WPROC_WALL_SLACK_S; }

static double cpu_used(const wproc *w)
{
	struct timespec ts;
	if (!w->has_cpu || clock_gettime(w->cpu, &ts) < 0) return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reap the worker; describe how it ended in why. */
static void reap(wproc *w, bool kill_first, char *why, size_t n)
{
	if (w->fd >= 0) close(w->fd);
	w->fd = -1;
	if (w->pid <= 0) return;
	if (kill_first) kill(w->pid, SIGKILL);
	int st = 0;
	pid_t r;
	while ((r = waitpid(w->pid, &st, 0)) < 0 && errno == EINTR) {}
	if (why) {
		if (r < 0) snprintf(why, n, "lost (%s)", strerror(errno));
		else if (WIFSIGNALED(st)) snprintf(why, n, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
		else snprintf(why, n, "exited with status %d", WEXITSTATUS(st));
	}
	w->pid = 0;
	w->has_cpu = false;
}

bool wproc_reap_if_dead(wproc *w, char *why, size_t n)
{
	int st;
	if (w->pid <= 0) return false;
	pid_t r = waitpid(w->pid, &st, WNOHANG);
	if (r == 0) return false;
	if (r < 0) snprintf(why, n, "lost (%s)", strerror(errno));
	else if (WIFSIGNALED(st)) snprintf(why, n, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else snprintf(why, n, "exited with status %d", WEXITSTATUS(st));
	if (w->fd >= 0) close(w->fd);
	w->fd = -1;
	w->pid = 0;
	w->has_cpu = false;
	return true;
}

void wproc_stop(wproc *w)
{
	if (w->pid <= 0) {
		if (w->fd >= 0) close(w->fd);
		w->fd = -1;
		return;
	}
	/* EOF on its socket ends the worker's loop */
	if (w->fd >= 0) close(w->fd);
	w->fd = -1;
	double end = now_ms() + STOP_MS;
	int st;
	while (now_ms() < end) {
		pid_t r = waitpid(w->pid, &st, WNOHANG);
		if (r == w->pid || (r < 0 && errno != EINTR)) {
			w->pid = 0;
			return;
		}
		struct timespec ts = { 0, 10000000L };
		nanosleep(&ts, NULL);
	}
	reap(w, true, NULL, 0);
}

/* What a wait on the worker's socket ended with. */
enum io_end { IO_DONE, IO_EOF, IO_ERROR, IO_CPU, IO_WALL };

/* Send out (may be NULL) and then read exactly `in_len` bytes into in,
 * watching the budgets; cpu0 is the worker's CPU time when the document
 * was handed over, cpu_limit seconds (0: none) on top of it. */
static enum io_end xfer(wproc *w, const uint8_t *out, size_t out_len, uint8_t *in, size_t in_len, double cpu0,
			double cpu_limit, double wall_end)
{
	size_t sent = 0, got = 0;
	while (sent < out_len || got < in_len) {
		if (cpu_limit > 0 && cpu_used(w) - cpu0 > cpu_limit) return IO_CPU;
		if (now_ms() > wall_end) return IO_WALL;
		struct pollfd p = { .fd = w->fd, .events = sent < out_len ? POLLOUT : POLLIN };
		int n = poll(&p, 1, TICK_MS);
		if (n < 0 && errno != EINTR) return IO_ERROR;
		if (n <= 0) continue;
		if (sent < out_len) {
			ssize_t k = send(w->fd, out + sent, out_len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k < 0 && (errno == EAGAIN || errno == EINTR)) continue;
			if (k < 0) return errno == EPIPE || errno == ECONNRESET ? IO_EOF : IO_ERROR;
			sent += (size_t)k;
		} else {
			ssize_t k = recv(w->fd, in + got, in_len - got, MSG_DONTWAIT);
			if (k < 0 && (errno == EAGAIN || errno == EINTR)) continue;
			if (k < 0) return errno == ECONNRESET ? IO_EOF : IO_ERROR;
			if (k == 0) return IO_EOF;
			got += (size_t)k;
		}
	}
	return IO_DONE;
}

/* Read one message: *buf (malloc'd) and its type.  max bounds the payload. */
static enum io_end read_msg(wproc *w, enum wire_type *type, uint8_t **buf, uint64_t *len, uint64_t max, double cpu0,
			    double cpu_limit, double wall_end, char *err, size_t errlen)
{
	uint8_t h[WIRE_HEADER];
	*buf = NULL;
	enum io_end e = xfer(w, NULL, 0, h, sizeof h, cpu0, cpu_limit, wall_end);
	if (e != IO_DONE) return e;
	if (wire_header(h, type, len, max, err, errlen) < 0) return IO_ERROR;
	if (!(*buf = malloc(*len ? *len : 1))) {
		snprintf(err, errlen, "out of memory for a %llu-byte result", (unsigned long long)*len);
		return IO_ERROR;
	}
	e = xfer(w, NULL, 0, *buf, *len, cpu0, cpu_limit, wall_end);
	if (e != IO_DONE) {
		free(*buf);
		*buf = NULL;
	}
	return e;
}

int wproc_spawn(wproc *w, const wproc_conf *c, char *err, size_t errlen)
{
	int sv[2];
	char mem[32], lvl[16];
	memset(w, 0, sizeof *w);
	w->fd = -1;
	snprintf(mem, sizeof mem, "%llu", (unsigned long long)c->memory);
	snprintf(lvl, sizeof lvl, "%d", c->log_level);
	char *argv[] = { "digitd-worker", WORKER_ARG, (char *)c->model_path, mem, lvl, NULL };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* async-signal-safe calls only, up to exec */
		if (sv[1] == WORKER_FD) {
			if (fcntl(WORKER_FD, F_SETFD, 0) < 0) _exit(127);
		} else if (dup2(sv[1], WORKER_FD) < 0) {
			_exit(127);
		}
		/* the database, the spool's directories, the lock, inotify: none
		 * of them crosses into the worker */
		if (close_range(WORKER_FD + 1, ~0U, 0) < 0) _exit(127);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) _exit(127);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	w->has_cpu = clock_getcpuclockid(pid, &w->cpu) == 0;
	return 0;
}

int wproc_hello(wproc *w, const wproc_conf *c, char *err, size_t errlen)
{
	enum wire_type type = WIRE_HELLO;
	uint8_t *msg = NULL;
	uint64_t len = 0;
	char why[128];
	enum io_end e = read_msg(w, &type, &msg, &len, 256, 0, 0, now_ms() + HELLO_TIMEOUT_MS, err, errlen);
	if (e != IO_DONE || type != WIRE_HELLO) {
		reap(w, true, why, sizeof why);
		if (e == IO_WALL)
			snprintf(err, errlen, "a recognition worker did not start within %.0f s", HELLO_TIMEOUT_MS / 1e3);
		else if (e == IO_DONE)
			snprintf(err, errlen, "a recognition worker sent message type %d, not its hello", (int)type);
		else if (e == IO_EOF)
			snprintf(err, errlen, "a recognition worker could not start: it %s (its log line says why)", why);
		free(msg);
		return -1;
	}
	bool same = len == strlen(c->model_id) && memcmp(msg, c->model_id, len) == 0;
	if (!same) {
		snprintf(err, errlen, "a recognition worker loaded %s as model \"%.*s\", not \"%s\" as digitd did at start "
			 "(the file was replaced?); restart digitd to use the new model", c->model_path,
			 (int)(len < 100 ? len : 100), (const char *)msg, c->model_id);
		free(msg);
		reap(w, true, NULL, 0);
		return -1;
	}
	free(msg);
	return 0;
}

int wproc_start(wproc *w, const wproc_conf *c, char *err, size_t errlen)
{
	if (wproc_spawn(w, c, err, errlen) < 0) return -1;
	return wproc_hello(w, c, err, errlen);
}

/* The document cost its worker: say why, of which kind, and reap it. */
static enum wproc_outcome lost(wproc *w, enum io_end e, const wproc_conf *c, double cpu_seconds, const char *detail,
			       char *err, size_t errlen, const char **failure)
{
	char why[128];
	double cpu = cpu_used(w);
	reap(w, true, why, sizeof why);
	*failure = STORE_FAILURE_TRANSIENT;
	switch (e) {
	case IO_CPU:
		snprintf(err, errlen, "recognition took more than worker_cpu_time (%.2f s of CPU): its worker was "
			 "stopped", cpu_seconds);
		*failure = STORE_FAILURE_LIMIT;
		break;
	case IO_WALL:
		snprintf(err, errlen, "recognition took more than %.0f s (%.2f s of CPU): its worker was stopped",
			 wproc_wall_limit(cpu_seconds), cpu);
		*failure = STORE_FAILURE_LIMIT;
		break;
	case IO_EOF:
		/* SIGKILL that is not ours: the kernel's out-of-memory killer or
		 * a person; anything else is a crash of the decoder on these bytes */
		snprintf(err, errlen, "its recognition worker %s while reading it (memory limit %llu MiB)", why,
			 (unsigned long long)(c->memory >> 20));
		break;
	default:
		snprintf(err, errlen, "its recognition worker broke the protocol (%s) and was stopped", detail);
		break;
	}
	return WPROC_LOST;
}

enum wproc_outcome wproc_run(wproc *w, const wproc_conf *c, const wire_request *rq, double cpu_seconds,
			     rec_result *out, char *err, size_t errlen, const char **failure)
{
	wire_buf b = { 0 };
	char detail[256] = "";
	memset(out, 0, sizeof *out);
	wire_put_request(&b, rq);
	if (b.oom) {
		wire_buf_free(&b);
		snprintf(err, errlen, "out of memory handing the file to its worker");
		*failure = STORE_FAILURE_TRANSIENT;
		return WPROC_FAILED;
	}
	double cpu0 = cpu_used(w), wall_end = now_ms() + wproc_wall_limit(cpu_seconds) * 1e3;
	enum io_end e = xfer(w, b.p, b.len, NULL, 0, cpu0, cpu_seconds, wall_end);
	wire_buf_free(&b);
	if (e != IO_DONE) return lost(w, e, c, cpu_seconds, "sending", err, errlen, failure);
	enum wire_type type;
	uint8_t *msg;
	uint64_t len;
	e = read_msg(w, &type, &msg, &len, WIRE_MAX_RESULT, cpu0, cpu_seconds, wall_end, detail, sizeof detail);
	if (e != IO_DONE) return lost(w, e, c, cpu_seconds, detail, err, errlen, failure);
	wire_cur cur = { .p = msg, .len = len };
	enum wproc_outcome o = WPROC_OK;
	if (type == WIRE_RESULT) {
		if (wire_get_result(&cur, out, detail, sizeof detail) < 0) {
			rec_result_free(out);
			memset(out, 0, sizeof *out);
			o = lost(w, IO_ERROR, c, cpu_seconds, detail, err, errlen, failure);
			snprintf(err, errlen, "its recognition worker sent an invalid result (%s) and was stopped", detail);
		}
	} else if (type == WIRE_ERROR && len >= 1) {
		uint8_t kind = wire_get_u8(&cur);
		size_t n = len - 1 < errlen - 1 ? len - 1 : errlen - 1;
		memcpy(err, msg + 1, n);
		err[n] = 0;
		/* one log line, printable (OpenCV's messages end in a newline) */
		while (n > 0 && ((unsigned char)err[n - 1] <= 0x20 || err[n - 1] == 0x7f)) err[--n] = 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f) err[i] = ' ';
		o = WPROC_FAILED;
		if (kind == WIRE_ERR_MEMORY) {
			/* it exits after a memory error; a fresh one comes next time */
			char tail[96];
			snprintf(tail, sizeof tail, " (worker_memory = %llu MiB)", (unsigned long long)(c->memory >> 20));
			if (strlen(err) + strlen(tail) < errlen) strcat(err, tail);
			*failure = STORE_FAILURE_LIMIT;
			wproc_stop(w);
		} else if (strstr(err, "over the limit") || strstr(err, "larger than")) {
			*failure = STORE_FAILURE_LIMIT;
		} else {
			*failure = STORE_FAILURE_CONTENT;
		}
	} else {
		o = lost(w, IO_ERROR, c, cpu_seconds, "unexpected message", err, errlen, failure);
	}
	free(msg);
	return o;
}
