/* checkconf.c: see checkconf.h.  Nothing here writes: a check run beside
 * the service (or as root) must not create a directory or a database file
 * the service would then find with the wrong owner. */
#include "daemon/checkconf.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/spool.h"
#include "nn/nn.h"
#include "recognize/verify.h"
#include "store/store.h"

struct checker {
	checkconf_report report;
	void *arg;
	int n;
};

static void problem(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct checker *c, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->report(msg, c->arg);
	c->n++;
}

/* A directory digitd must read, write and enter.  Returns 0 when it does
 * not exist (errno ENOENT), 1 when usable, -1 after reporting. */
static int check_rw_dir(struct checker *c, const char *what, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT) return 0;
		problem(c, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		problem(c, "%s %s: not a directory%s", what, path, S_ISLNK(st.st_mode) ? " (a symlink)" : "");
		return -1;
	}
	if (access(path, R_OK | W_OK | X_OK) < 0) {
		problem(c, "%s %s: not writable by this user (%s); fix the owner or mode", what, path, strerror(errno));
		return -1;
	}
	return 1;
}

static void check_spool(struct checker *c, const char *root)
{
	int r = check_rw_dir(c, "spool", root);
	if (r < 0) return;
	if (r == 0) {
		/* spool_open creates the spool itself, not a chain of parents:
		 * a typo in the path should fail, not grow a new tree */
		char *copy = strdup(root);
		if (!copy) { problem(c, "out of memory"); return; }
		const char *parent = dirname(copy);
		int p = check_rw_dir(c, "spool's parent", parent);
		if (p == 0)
			problem(c, "spool %s does not exist, nor does its parent %s; create it, or fix `spool`", root,
				parent);
		free(copy);
		return;
	}
	for (int i = 0; i < SPOOL_NDIRS; i++) {
		char sub[4200];
		snprintf(sub, sizeof sub, "%s/%s", root, spool_dir_names[i]);
		check_rw_dir(c, "spool directory", sub);   /* a missing one is created at start */
	}
}

static void check_model(struct checker *c, const char *path)
{
	char err[1024], vpath[4096];
	nn_model *m = nn_model_load(path, err, sizeof err);
	if (!m) {
		problem(c, "model: %s", err);
		return;
	}
	rec_verifier_path(path, vpath, sizeof vpath);
	if (access(vpath, F_OK) == 0) {
		rec_verifier ver;
		memset(&ver, 0, sizeof ver);
		if (rec_verifier_load(vpath, &ver, err, sizeof err) < 0 ||
		    rec_verifier_check_model(&ver, m, err, sizeof err) < 0)
			problem(c, "verifier %s: %s", vpath, err);
		rec_verifier_free(&ver);
	}
	nn_model_free(m);
}

int config_check_paths(const struct digitd_config *cfg, checkconf_report report, void *arg)
{
	struct checker c = { .report = report, .arg = arg, .n = 0 };
	char err[1024];
	check_spool(&c, cfg->spool);
	if (store_probe(cfg->database, err, sizeof err) < 0) problem(&c, "database: %s", err);
	check_model(&c, cfg->model);
	return c.n;
}
