/* worker.c: the worker process (see worker.h): load the model, lock itself
 * down, then read one request at a time from WORKER_FD and answer it.
 *
 * Order matters: everything that needs the file system (the model, the
 * verifier, the shared libraries OpenCV loads lazily) happens before the
 * limits and the seccomp filter (sandbox.c), and the first untrusted byte is
 * read only after them. */
#include "daemon/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/sandbox.h"
#include "imaging/imaging.h"
#include "util/heap.h"
#include "util/log.h"

/* The request header and settings around a file's bytes. */
#define REQUEST_OVERHEAD 4096
#define INFER_BATCH 64

int worker_load_model(const char *path, nn_model **model, rec_verifier *ver, bool *has_ver, char *err,
		      size_t errlen)
{
	*has_ver = false;
	*model = nn_model_load(path, err, errlen);
	if (!*model) return -1;
	/* The verifier ships beside its model; a model without one is judged
	 * by the hand rules alone.  One that is there but damaged stops the
	 * start: reading pages without it would silently change what is
	 * dropped. */
	char vpath[4096], verr[512];
	rec_verifier_path(path, vpath, sizeof vpath);
	if (access(vpath, F_OK) != 0) return 0;
	if (rec_verifier_load(vpath, ver, verr, sizeof verr) < 0 || rec_verifier_check_model(ver, *model, verr, sizeof verr) < 0) {
		snprintf(err, errlen, "%s: %s", vpath, verr);
		rec_verifier_free(ver);
		nn_model_free(*model);
		*model = NULL;
		return -1;
	}
	*has_ver = true;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR) continue;
		if (k <= 0) return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* 0, 1 on EOF before the first byte, -1 on error or EOF inside. */
static int read_all(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);
		if (k < 0 && errno == EINTR) continue;
		if (k < 0) return -1;
		if (k == 0) return got == 0 ? 1 : -1;
		got += (size_t)k;
	}
	return 0;
}

static int send_msg(wire_buf *b)
{
	wire_end(b);
	if (b->oom) return -1;
	return write_all(WORKER_FD, b->p, b->len);
}

static int send_error(wire_buf *b, enum wire_error_kind kind, const char *msg)
{
	wire_begin(b, WIRE_ERROR);
	wire_u8(b, (uint8_t)kind);
	size_t n = strlen(msg);
	wire_bytes(b, msg, n < WIRE_MAX_ERROR ? n : WIRE_MAX_ERROR);
	return send_msg(b);
}

static bool is_memory_error(const char *msg)
{
	return strstr(msg, "out of memory") || strstr(msg, "Insufficient memory") || strstr(msg, "Failed to allocate");
}

int worker_main(int argc, char **argv)
{
	char err[1024];
	if (argc != 5) {
		fprintf(stderr, "digitd: %s is for digitd's own use\n", WORKER_ARG);
		return 2;
	}
	const char *model_path = argv[2];
	uint64_t memory = strtoull(argv[3], NULL, 10);
	log_init("digitd-worker");
	heap_keep_pages();   /* the pages are decoded here now (heap.c) */
	log_set_level((enum log_level)atoi(argv[4]));
	/* The parent decides when a worker stops.  systemd's stop sends
	 * SIGTERM to every process of the unit, and a terminal's ^C reaches
	 * the whole process group: the documents in flight must still be
	 * finished, so those are the parent's alone.  Its death kills us
	 * (PR_SET_PDEATHSIG, set before exec) or closes our socket. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	nn_model *model = NULL;
	rec_verifier ver;
	bool has_ver = false;
	wire_buf b = { 0 };
	if (worker_load_model(model_path, &model, &ver, &has_ver, err, sizeof err) < 0) {
		log_err("%s", err);
		return 1;
	}
	img_set_threads(1);   /* one document per worker per core, as before */
	nn_infer *nn = nn_infer_new(model, INFER_BATCH);
	if (!nn) {
		log_err("cannot allocate inference buffers (out of memory)");
		return 1;
	}
	if (sandbox_enter(memory, err, sizeof err) < 0) {
		log_err("%s", err);
		return 1;
	}
	wire_begin(&b, WIRE_HELLO);
	wire_bytes(&b, nn_model_id(model), strlen(nn_model_id(model)));
	if (send_msg(&b) < 0) return 1;

	for (;;) {
		uint8_t h[WIRE_HEADER];
		enum wire_type type;
		uint64_t len;
		int rc = read_all(WORKER_FD, h, sizeof h);
		if (rc == 1) break;   /* the parent closed: done */
		if (rc < 0 || wire_header(h, &type, &len, memory, err, sizeof err) < 0 || type != WIRE_REQUEST) {
			log_err("bad request from digitd: %s", rc < 0 ? strerror(errno) : err);
			return 1;
		}
		uint8_t *msg = malloc(len ? len : 1);
		if (!msg) {
			/* the file alone does not fit under worker_memory: say so and
			 * start afresh (the parent restarts us after a memory error) */
			snprintf(err, sizeof err, "out of memory: a %llu-byte file does not fit in the worker's "
				 "memory limit", (unsigned long long)len);
			/* drain what was sent so the answer is read */
			uint8_t sink[65536];
			for (uint64_t left = len; left > 0;) {
				size_t k = left < sizeof sink ? (size_t)left : sizeof sink;
				if (read_all(WORKER_FD, sink, k) != 0) return 1;
				left -= k;
			}
			send_error(&b, WIRE_ERR_MEMORY, err);
			return 0;
		}
		if (read_all(WORKER_FD, msg, len) != 0) return 1;
		wire_cur c = { .p = msg, .len = len };
		wire_request rq;
		if (wire_get_request(&c, &rq) < 0) {
			log_err("malformed request from digitd");
			return 1;
		}
		rec_options opt;
		rec_options_default(&opt);
		opt.threshold = rq.threshold;
		opt.max_pixels = rq.max_pixels;
		opt.max_bytes = rq.max_bytes;
		opt.want_crop_png = rq.crop_png;
		opt.verifier = rq.verifier && has_ver ? &ver : NULL;
		rec_result res;
		bool memory_error = false;
		if (rec_buffer(rq.data, rq.len, rq.name, &opt, nn, &res, err, sizeof err) == 0) {
			wire_put_result(&b, &res);
			if (b.oom) {
				memory_error = true;
				send_error(&b, WIRE_ERR_MEMORY, "out of memory sending the result");
			} else if (send_msg(&b) < 0) {
				return 1;
			}
		} else {
			memory_error = is_memory_error(err);
			if (send_error(&b, memory_error ? WIRE_ERR_MEMORY : WIRE_ERR_OTHER, err) < 0) return 1;
		}
		rec_result_free(&res);
		free(msg);
		/* after an allocation failed, the heap (and OpenCV's state) may be
		 * in any state: exit, and the parent starts a fresh worker */
		if (memory_error) return 0;
		/* the largest buffers go back to the system between documents */
		wire_buf_free(&b);
	}
	nn_infer_free(nn);
	if (has_ver) rec_verifier_free(&ver);
	nn_model_free(model);
	return 0;
}
