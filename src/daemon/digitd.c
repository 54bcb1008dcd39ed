/* digitd.c: the daemon's main thread: options, start-up order, the event
 * loop, reload and shutdown.
 *
 * Start-up order is what READY=1 promises: configuration valid, database
 * opened and migrated, model loaded, spool recovered, first scan started.
 * The main thread then waits on one poll(2) for signals (signalfd), inotify
 * and the writer's progress eventfd; it alone claims files, so the spool's
 * incoming/ side needs no locks. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon/checkconf.h"
#include "daemon/intake.h"
#include "daemon/lock.h"
#include "daemon/notify.h"
#include "daemon/pipeline.h"
#include "daemon/retain.h"
#include "daemon/spool.h"
#include "daemon/watch.h"
#include "daemon/worker.h"
#include "imaging/imaging.h"
#include "imaging/load.h"
#include "nn/nn.h"
#include "recognize/verify.h"
#include "store/store.h"
#include "util/config.h"
#include "util/heap.h"
#include "util/log.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE_ 2
#define EXIT_LOCKED 3        /* another digitd owns the spool */
#define SHUTDOWN_MS 4500.0
#define CHECKPOINT_MS 60000.0
#define PRUNE_MS 3600000.0

static const char usage_text[] =
"NAME\n"
"    digitd - read handwritten digits from scanned documents dropped in a spool\n"
"\n"
"SYNOPSIS\n"
"    digitd [-c FILE] [-f] [--once]\n"
"    digitd [-c FILE] --check-config\n"
"    digitd --help | --version\n"
"\n"
"DESCRIPTION\n"
"    digitd watches SPOOL/incoming/ for scanned images (PNG, JPEG, TIFF, ...).\n"
"    Each file is claimed by an atomic rename into SPOOL/work/, recognised by a\n"
"    pool of worker processes, and its pages, fields and digits are committed to\n"
"    the SQLite database in one transaction before the original moves to\n"
"    SPOOL/done/ (or SPOOL/failed/ with a NAME.error file when it cannot be\n"
"    read).  A file is processed exactly once, even across kill -9 or power\n"
"    loss: files left in work/ are recovered at start-up.  A second file with\n"
"    the same content (SHA-256) is recorded as a duplicate of the first.\n"
"\n"
"    Files are claimed once their writer closes them (inotify) or, for writers\n"
"    inotify cannot see (network file systems), once unchanged for\n"
"    stable_time seconds.  Names starting with '.' or '~' and names ending in\n"
"    .tmp or .part are ignored until renamed.  Symbolic links, FIFOs and\n"
"    devices are never followed: they go to failed/.\n"
"\n"
"OPTIONS\n"
"    -c, --config FILE   configuration file (default: $DIGITD_CONFIG, else\n"
"                        " DIGITD_SYSCONFDIR "/digitd/digitd.conf)\n"
"    -f, --foreground    stay in the foreground and log to stderr; this is how\n"
"                        systemd runs it (digitd never forks itself; the flag\n"
"                        is accepted for clarity and compatibility)\n"
"        --once          process everything waiting in the spool, then exit\n"
"                        (cron and batch use); files present count as complete\n"
"        --check-config  validate the configuration file, and that the spool,\n"
"                        database and model it names are usable by this user\n"
"                        (run it as the service's user); every error is listed\n"
"    -h, --help          show this help\n"
"    -V, --version       show the version\n"
"\n"
"SIGNALS\n"
"    SIGTERM, SIGINT  finish the documents being recognised, leave queued files\n"
"                     in work/ for the next start, exit within 5 seconds\n"
"    SIGHUP           reload the configuration; a file with errors is reported\n"
"                     and the settings in force stay.  spool, database, model\n"
"                     and workers only change at restart\n"
"\n"
"EXIT STATUS\n"
"    0  success (--once: spool drained; --check-config: configuration valid)\n"
"    1  configuration invalid, or start-up failed (spool, database, model), or\n"
"       the database refused a write (files stay in work/; a restart retries)\n"
"    2  usage error\n"
"    3  another digitd (service or --once) already runs on this spool; nothing\n"
"       was touched\n"
"\n"
"ENVIRONMENT\n"
"    DIGITD_CONFIG                 configuration file when -c is not given\n"
"    NOTIFY_SOCKET, WATCHDOG_USEC  systemd readiness and watchdog (sd_notify)\n"
"    JOURNAL_STREAM                log lines carry <N> priority prefixes\n"
"\n"
"FILES\n"
"    " DIGITD_SYSCONFDIR "/digitd/digitd.conf   configuration (libconfig syntax)\n"
"    SPOOL/{incoming,work,done,failed}/  the spool\n"
"    SPOOL/digitd.lock   held (flock) by the running digitd; holds its PID\n"
"\n"
"SEE ALSO\n"
"    digitctl(1) to list, show, review and export results; sqlite3(1).\n";

typedef struct {
	const char *config_path;
	struct digitd_config cfg;
	spool sp;
	store *db;
	nn_model *model;
	rec_verifier ver;       /* the model's verifier (FOO.verifier beside FOO.model) */
	bool has_ver;
	pipeline pl;
	intake in;
	watch w;
	int sigfd;
	int lock_fd;                 /* SPOOL/digitd.lock, locked for our whole life */
	bool once, stopping;
	char *db_dir;
	retain ret;                  /* retain_days' daily purge */
	uint64_t decoder_limit;      /* OpenCV's pixel limit, max_pixels at start (load.h) */
} daemon_state;

static void report_problem(const char *msg, void *arg)
{
	fprintf(stderr, "digitd: %s: %s\n", (const char *)arg, msg);
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "digitd: %s\nTry 'digitd --help'.\n", msg);
	exit(EXIT_USAGE_);
}

/* SIGHUP: load into a fresh struct; swap only when it is valid. */
static void reload(daemon_state *d)
{
	struct digitd_config fresh;
	char err[1024];
	notify_reloading();
	if (config_load(d->config_path, &fresh, err, sizeof err) < 0) {
		for (char *p = err; (p = strchr(p, '\n'));) *p = ';';   /* one log line */
		log_err("reload failed, keeping the settings in force: %s", err);
		notify_ready();
		return;
	}
	const char *restart[5] = { NULL, NULL, NULL, NULL, NULL };
	int nr = 0;
	if (strcmp(fresh.spool, d->cfg.spool) != 0) restart[nr++] = "spool";
	if (strcmp(fresh.database, d->cfg.database) != 0) restart[nr++] = "database";
	if (strcmp(fresh.model, d->cfg.model) != 0) restart[nr++] = "model";
	if (fresh.workers != d->cfg.workers) restart[nr++] = "workers";
	if (fresh.worker_memory != d->cfg.worker_memory) restart[nr++] = "worker_memory";
	for (int i = 0; i < nr; i++)
		log_warn("reload: '%s' changed; it takes effect at the next restart", restart[i]);
	if (fresh.max_pixels > d->decoder_limit)
		log_warn("reload: 'max_pixels' raised to %llu; OpenCV's own limit stays at %llu (the value at start) until "
			 "the next restart, so larger BMP, PNM, WebP and TIFF pages still fail until then",
			 (unsigned long long)fresh.max_pixels, (unsigned long long)d->decoder_limit);
	/* keep the ones that need a restart as they are, so the running state and
	 * d->cfg agree */
	char *keep[3] = { fresh.spool, fresh.database, fresh.model };
	fresh.spool = d->cfg.spool;
	fresh.database = d->cfg.database;
	fresh.model = d->cfg.model;
	fresh.workers = d->cfg.workers;
	fresh.worker_memory = d->cfg.worker_memory;
	d->cfg.spool = keep[0];
	d->cfg.database = keep[1];
	d->cfg.model = keep[2];
	struct digitd_config old = d->cfg;
	d->cfg = fresh;
	config_free(&old);
	log_set_level(d->cfg.log_level);
	pipeline_settings set;
	pipeline_settings_from(&set, &d->cfg);
	set.verifier = d->has_ver ? &d->ver : NULL;
	pipeline_set(&d->pl, &set);
	d->in.need_scan = true;        /* accept/ignore patterns may have changed */
	log_notice("configuration reloaded from %s", d->config_path);
	notify_ready();
}

static int setup_signals(daemon_state *d)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* blocked before any thread starts, so every thread inherits the mask and
	 * only the signalfd sees them */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
	signal(SIGPIPE, SIG_IGN);
	/* intake holds a read lease on a file for the instant of its claim; a
	 * writer opening it then makes the kernel send SIGIO, whose default
	 * action would kill us.  The writer waits only until our rename is done. */
	signal(SIGIO, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sigfd < 0 ? -1 : 0;
}

static void handle_signals(daemon_state *d)
{
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			reload(d);
		} else if (!d->stopping) {
			log_notice("%s received: finishing documents in flight", strsignal((int)si.ssi_signo));
			d->stopping = true;
		}
	}
}

static void on_event(const char *name, void *arg) { intake_on_event(name, arg); }

/* Everything up to READY=1.  Returns 0, or an exit status (EXIT_RUNTIME,
 * EXIT_LOCKED) after logging why. */
static int start(daemon_state *d)
{
	char err[1024];
	if (spool_open(&d->sp, d->cfg.spool, err, sizeof err) < 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	/* before anything reads work/ or done/: those are the lock holder's */
	pid_t holder = 0;
	d->lock_fd = lock_spool(d->sp.root, d->cfg.spool, &holder, err, sizeof err);
	if (d->lock_fd == -2) {
		char who[32] = "another process";
		if (holder > 0) snprintf(who, sizeof who, "PID %ld", (long)holder);
		log_err("spool %s is in use by another digitd (%s holds %s/%s); not starting. Stop that one "
			"first (with the service running, do not run digitd --once on its spool)",
			d->cfg.spool, who, d->cfg.spool, LOCK_FILE_NAME);
		return EXIT_LOCKED;
	}
	if (d->lock_fd < 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	if (err[0]) log_warn("%s", err);
	if (d->sp.remote)
		log_notice("spool %s is on %s: inotify does not see writes from other hosts; relying on scans every "
			   "%.0f s and stable_time %.0f s", d->cfg.spool, d->sp.fstype,
			   d->cfg.rescan_interval < d->cfg.stable_time ? d->cfg.rescan_interval : d->cfg.stable_time,
			   d->cfg.stable_time);
	d->db = store_open(d->cfg.database, STORE_RW, err, sizeof err);
	if (!d->db) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	/* the same load as each worker's (worker.h): their hellos are checked
	 * against this model's id */
	if (worker_load_model(d->cfg.model, &d->model, &d->ver, &d->has_ver, err, sizeof err) < 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	if (setup_signals(d) < 0) {
		log_err("signals: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	recover_done(&d->sp, d->db);   /* before the writer thread owns d->db */
	/* one document per worker per core: OpenCV's own pool would only
	 * oversubscribe the cores the workers already fill */
	img_set_threads(1);
	pipeline_settings set;
	pipeline_settings_from(&set, &d->cfg);
	set.verifier = d->has_ver ? &d->ver : NULL;
	wproc_conf wc = {
		.model_path = d->cfg.model, .model_id = nn_model_id(d->model),
		.memory = d->cfg.worker_memory, .log_level = (int)d->cfg.log_level,
	};
	if (pipeline_start(&d->pl, &d->sp, d->db, d->cfg.database, d->model, &wc, d->cfg.workers, &set, err,
			   sizeof err) < 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	char *copy = strdup(d->cfg.database);
	d->db_dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	if (intake_init(&d->in, &d->sp, &d->pl, &d->cfg, d->db_dir, d->once) < 0)
		fatal("out of memory");
	if (!d->once) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/incoming", d->cfg.spool);
		if (watch_open(&d->w, dir, err, sizeof err) < 0) log_warn("%s", err);
	}
	recover_work(&d->in);
	if (d->cfg.originals == ORIGINALS_MOVE) prune_done(&d->sp, d->cfg.done_days);
	intake_scan(&d->in);
	log_notice("ready: %d worker(s), spool %s, database %s, model %s%s", d->cfg.workers, d->cfg.spool,
		   d->cfg.database, nn_model_id(d->model), d->has_ver ? " with its verifier" : " (no verifier: hand rules)");
	notify_ready();
	return 0;
}

/* The event loop; returns the exit status. */
static int run(daemon_state *d)
{
	double rescan_ms = d->cfg.rescan_interval * 1e3;
	if (d->sp.remote && d->cfg.stable_time * 1e3 < rescan_ms) rescan_ms = d->cfg.stable_time * 1e3;
	double now = mono_ms(), next_rescan = now + rescan_ms, next_status = now, next_ckpt = now + CHECKPOINT_MS;
	double next_prune = now + PRUNE_MS, next_wd = now, next_retain = now;
	uint64_t wd_usec = notify_watchdog_usec();
	long wd_progress = -1, last_status_progress = -1;
	size_t last_status_len = 0;
	for (;;) {
		intake_run(&d->in);
		now = mono_ms();
		int inflight = atomic_load(&d->pl.inflight);
		long progress = atomic_load(&d->pl.n_progress);
		if (atomic_load(&d->pl.failed_hard)) return EXIT_RUNTIME;
		if (d->stopping) return 0;
		if (d->once && inflight == 0 && intake_quiet(&d->in)) {
			/* one last look: anything dropped meanwhile is part of the batch */
			if (intake_scan(&d->in) == 0 && intake_quiet(&d->in)) return 0;
			continue;
		}
		if (!d->once && now >= next_rescan) {
			d->in.need_scan = true;
			next_rescan = now + rescan_ms;
			/* with nothing in flight, a file in work/ is one whose move
			 * failed (or an operator put it there): hand it back */
			if (inflight == 0) recover_work(&d->in);
		}
		if (now >= next_status && (progress != last_status_progress || d->in.len != last_status_len)) {
			notify_status("queue: %d in flight, %zu ready in incoming/; %ld done, %ld failed, %ld duplicates%s",
				      inflight, d->in.len, atomic_load(&d->pl.n_done), atomic_load(&d->pl.n_failed), atomic_load(&d->pl.n_dup),
				      d->in.paused ? "; intake paused: disk full" : "");
			last_status_progress = progress;
			last_status_len = d->in.len;
			next_status = now + 1000;
		}
		/* the watchdog is fed while documents complete, nothing is
		 * waiting, or a worker process reads one within its budget (its
		 * supervisor kills it at the budget's end, so a long page is no
		 * hang); a stuck writer or supervisor starves it and systemd
		 * restarts us */
		if (wd_usec && now >= next_wd) {
			if (progress != wd_progress || inflight == 0 || pipeline_working(&d->pl, now)) notify_watchdog();
			wd_progress = progress;
			next_wd = now + wd_usec / 2000.0;
		}
		if (now >= next_ckpt) {
			if (inflight == 0) pipeline_checkpoint(&d->pl);
			next_ckpt = now + CHECKPOINT_MS;
		}
		retain_poll(&d->ret);
		if (!d->once && d->cfg.retain_days > 0 && now >= next_retain) {
			retain_start(&d->ret, d->cfg.database, d->cfg.spool, d->cfg.retain_days);
			next_retain = now + RETAIN_INTERVAL_MS;
		}
		if (now >= next_prune) {
			if (d->cfg.originals == ORIGINALS_MOVE) prune_done(&d->sp, d->cfg.done_days);
			next_prune = now + PRUNE_MS;
		}

		double wake = next_rescan < next_ckpt ? next_rescan : next_ckpt;
		bool room = inflight < pipeline_capacity(&d->pl);   /* else the writer's eventfd wakes us */
		if (room && d->in.next_mature && d->in.next_mature < wake) wake = d->in.next_mature;
		if (wd_usec && next_wd < wake) wake = next_wd;
		if (room && d->in.len > 0) wake = now;   /* only when paused on space */
		if (d->in.paused && now + 1000 < wake) wake = now + 1000;
		int timeout = wake <= now ? (d->in.paused ? 1000 : 0) : (int)(wake - now) + 1;
		if (timeout > 1000) timeout = 1000;
		struct pollfd fds[3] = {
			{ .fd = d->sigfd, .events = POLLIN },
			{ .fd = d->pl.event_fd, .events = POLLIN },
			{ .fd = d->w.fd, .events = POLLIN },
		};
		int n = poll(fds, d->w.fd >= 0 ? 3 : 2, timeout);
		if (n < 0 && errno != EINTR) fatal("poll: %s", strerror(errno));
		if (n <= 0) continue;
		if (fds[0].revents) handle_signals(d);
		if (fds[1].revents) {
			uint64_t v;
			if (read(d->pl.event_fd, &v, sizeof v) < 0 && errno != EAGAIN)
				log_warn("eventfd: %s", strerror(errno));
		}
		if (d->w.fd >= 0 && fds[2].revents) {
			int r = watch_read(&d->w, on_event, &d->in);
			if (r != 0) {
				log_notice("inotify %s: rescanning incoming/", r > 0 ? "overflow or watch lost" : "error");
				d->in.need_scan = true;
				if (r < 0) watch_close(&d->w);
			}
		}
	}
}

/* Let in-flight documents finish for up to SHUTDOWN_MS; queued ones stay in
 * work/.  Returns false when threads are still busy at the deadline. */
static bool shutdown_pipeline(daemon_state *d)
{
	notify_stopping();
	retain_stop(&d->ret);   /* at most one purge transaction more */
	pipeline_stop(&d->pl);
	double deadline = mono_ms() + SHUTDOWN_MS;
	while (!pipeline_idle_threads(&d->pl)) {
		double left = deadline - mono_ms();
		if (left <= 0) return false;
		struct pollfd p = { .fd = d->pl.event_fd, .events = POLLIN };
		if (poll(&p, 1, left > 100 ? 100 : (int)left + 1) > 0) {
			uint64_t v;
			if (read(d->pl.event_fd, &v, sizeof v) < 0 && errno != EAGAIN) log_warn("eventfd: %s", strerror(errno));
		}
	}
	pipeline_join(&d->pl);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	daemon_state d;
	bool check = false;
	char err[4096];
	memset(&d, 0, sizeof d);
	d.config_path = config_default_path();   /* $DIGITD_CONFIG, else the installed file */
	d.sigfd = -1;
	d.lock_fd = -1;
	d.w.fd = d.w.wd = -1;
	if (argc > 1 && strcmp(argv[1], WORKER_ARG) == 0) return worker_main(argc, argv);
	log_init("digitd");
	heap_keep_pages();
	for (int c; (c = getopt_long(argc, argv, "c:fhV", opts, NULL)) != -1;) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 'f': break;
		case 'o': d.once = true; break;
		case 'k': check = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("digitd %s\n", DIGITD_VERSION); return 0;
		default: usage_error("unknown option");
		}
	}
	if (optind < argc) usage_error("unexpected argument");

	if (config_load(d.config_path, &d.cfg, err, sizeof err) < 0) {
		/* one error per line, each prefixed as a log line would be */
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "digitd: %s\n", line);
		return EXIT_RUNTIME;
	}
	if (check) {
		int problems = config_check_paths(&d.cfg, report_problem, (void *)d.config_path);
		if (problems == 0) printf("%s: configuration ok\n", d.config_path);
		config_free(&d.cfg);
		return problems ? EXIT_RUNTIME : 0;
	}
	log_set_level(d.cfg.log_level);
	/* OpenCV's own pixel limit, max_pixels as a second wall behind the
	 * probe: read by OpenCV as it is loaded, so set by executing ourselves
	 * again (once, before any thread; load.h) */
	if (img_decoder_limit_reexec(d.cfg.max_pixels, argv) < 0)
		log_warn("cannot set OpenCV's pixel limit to max_pixels (%s); it stays at %llu", strerror(errno),
			 (unsigned long long)img_decoder_limit());
	d.decoder_limit = img_decoder_limit();
	img_decoders_init();
	int started = start(&d);
	if (started != 0) {
		/* nothing was started yet: no thread, no file claimed */
		notify_status("start-up failed; see the log");
		store_close(d.db);
		if (d.model) nn_model_free(d.model);
		spool_close(&d.sp);
		if (d.sigfd >= 0) close(d.sigfd);
		if (d.lock_fd >= 0 && close(d.lock_fd) < 0) log_warn("closing the lock file: %s", strerror(errno));
		config_free(&d.cfg);
		return started;
	}
	int rc = run(&d);
	if (!shutdown_pipeline(&d)) {
		/* a recognition is still running: its file stays in work/ and is
		 * recovered at the next start; do not run exit handlers under it */
		log_warn("shutdown: documents still in recognition after %.1f s stay in work/ for the next start",
			 SHUTDOWN_MS / 1e3);
		_exit(rc);
	}
	log_notice("stopped: %ld done, %ld failed, %ld duplicates, %ld refused", atomic_load(&d.pl.n_done),
		   atomic_load(&d.pl.n_failed), atomic_load(&d.pl.n_dup), d.in.n_refused);
	watch_close(&d.w);
	intake_free(&d.in);
	store_close(d.db);
	nn_model_free(d.model);
	if (d.has_ver) rec_verifier_free(&d.ver);
	spool_close(&d.sp);
	if (d.sigfd >= 0) close(d.sigfd);
	free(d.db_dir);
	/* the lock goes last: until here work/ may still be ours */
	if (d.lock_fd >= 0 && close(d.lock_fd) < 0) log_warn("closing the lock file: %s", strerror(errno));
	config_free(&d.cfg);
	return rc;
}
