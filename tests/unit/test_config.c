/* The config loader against real files in a temporary directory: the shipped
 * etc/digitd.conf, every key, the defaults, relative paths, and each kind of
 * error with the file:line and wording an operator would see. */
#include "check.h"
#include "util/config.h"

#include <limits.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static char dir[PATH_MAX];
static char cfgpath[PATH_MAX + 32];
static char err[1024];

/* Write the file and load it; returns config_load's result. */
static int load(struct digitd_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int load(struct digitd_config *c, const char *fmt, ...)
{
	FILE *f = fopen(cfgpath, "w");
	if (!f) { perror(cfgpath); exit(1); }
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0) { perror(cfgpath); exit(1); }
	err[0] = '\0';
	return config_load(cfgpath, c, err, sizeof err);
}

#define MIN "spool = \"/s\";\ndatabase = \"/d.db\";\nmodel = \"/m.model\";\n"

/* A load that must fail with a message containing `want` (and the file name). */
#define CHECK_FAILS(want, ...) do { struct digitd_config c_; \
	CHECKF(load(&c_, __VA_ARGS__) < 0, "loaded but should have failed with '%s'", want); \
	CHECKF(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want); \
	CHECKF(strncmp(err, cfgpath, strlen(cfgpath)) == 0, "error '%s' does not name the file", err); \
} while (0)

static void test_defaults(void)
{
	struct digitd_config c;
	CHECK(load(&c, MIN) == 0);
	CHECKF(err[0] == '\0', "%s", err);
	CHECK(strcmp(c.spool, "/s") == 0 && strcmp(c.database, "/d.db") == 0 && strcmp(c.model, "/m.model") == 0);
	CHECK(strcmp(c.path, cfgpath) == 0);
	CHECK(c.threshold == 0.90);
	CHECK(c.review_error_rate == 0);
	CHECK(c.workers >= 1 && c.workers <= (int)sysconf(_SC_NPROCESSORS_ONLN));
	CHECK(c.rescan_interval == 30 && c.stable_time == 5);
	CHECK(c.n_accept == 11 && c.accept[11] == NULL && strcmp(c.accept[0], "*.png") == 0 && strcmp(c.accept[10], "*.pdf") == 0);
	CHECK(c.n_ignore == 4 && c.ignore[4] == NULL && strcmp(c.ignore[0], ".*") == 0);
	CHECK(c.max_file_size == 256u << 20 && c.max_pixels == 100000000u && c.min_free_space == 64u << 20);
	CHECK(c.originals == ORIGINALS_KEEP && c.done_days == 30 && c.duplicates == DUPLICATES_RECORD);
	CHECK(c.log_level == LOG_INFO && c.crop_png);
	CHECK(c.retain_days == 0);
	CHECK(c.worker_memory == 2ull << 30 && c.worker_cpu_time == 120);
	config_free(&c);
	config_free(&c); /* idempotent */
}

static void test_every_key(void)
{
	struct digitd_config c;
	int r = load(&c, "spool = \"spool\";\ndatabase = \"db/x.db\";\nmodel = \"../m.model\";\n"
		"threshold = 0.75;\nreview_error_rate = 0.001;\nworkers = 3;\nrescan_interval = 2;\n"
		"stable_time = 0.5;\naccept = [\"*.PNG\", \"scan-*\"];\nignore = [];\n"
		"max_file_size = \"1.5M\";\nmax_pixels = 2000000;\nmin_free_space = 0;\n"
		"originals = \"move\";\ndone_days = 7;\nduplicates = \"reject\";\nlog_level = \"debug\";\n"
		"crop_png = false;\nretain_days = 400;\nworker_memory = \"512M\";\nworker_cpu_time = 2.5;\n");
	CHECKF(r == 0, "%s", err);
	if (r < 0) return;
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "%s/spool", dir);
	CHECKF(strcmp(c.spool, want) == 0, "spool %s", c.spool);
	snprintf(want, sizeof want, "%s/db/x.db", dir);
	CHECKF(strcmp(c.database, want) == 0, "database %s", c.database);
	snprintf(want, sizeof want, "%s/../m.model", dir);
	CHECKF(strcmp(c.model, want) == 0, "model %s", c.model);
	CHECK(c.threshold == 0.75 && c.review_error_rate == 0.001 && c.workers == 3);
	CHECK(c.rescan_interval == 2 && c.stable_time == 0.5);
	CHECK(c.n_accept == 2 && strcmp(c.accept[1], "scan-*") == 0 && c.n_ignore == 0 && c.ignore[0] == NULL);
	CHECK(c.max_file_size == 1572864 && c.max_pixels == 2000000 && c.min_free_space == 0);
	CHECK(c.originals == ORIGINALS_MOVE && c.done_days == 7 && c.duplicates == DUPLICATES_REJECT);
	CHECK(c.retain_days == 400);
	CHECK(c.log_level == LOG_DEBUG && !c.crop_png);
	CHECK(c.worker_memory == 512u << 20 && c.worker_cpu_time == 2.5);
	/* case-insensitive accept; an empty ignore list keeps the built-in temporaries */
	CHECK(config_match_name(&c, "a.png") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, "A.Png") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, "SCAN-7.tif") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, ".hidden.png") == CONFIG_NAME_IGNORE);
	CHECK(config_match_name(&c, "a.png.part") == CONFIG_NAME_IGNORE);
	CHECK(config_match_name(&c, "x.jpg") == CONFIG_NAME_REJECT);
	CHECK(strcmp(config_originals_name(c.originals), "move") == 0);
	CHECK(strcmp(config_duplicates_name(c.duplicates), "reject") == 0);
	config_free(&c);

	/* the other enum values, sizes as integers and with units */
	r = load(&c, MIN "originals = \"delete\";\nduplicates = \"ignore\";\nlog_level = \"warning\";\n"
		 "max_file_size = 1000;\nmin_free_space = \"2 GiB\";\nmax_pixels = 5e6;\nthreshold = 1;\n");
	CHECKF(r == 0, "%s", err);
	if (r == 0) {
		CHECK(c.originals == ORIGINALS_DELETE && c.duplicates == DUPLICATES_IGNORE && c.log_level == LOG_WARN);
		CHECK(c.max_file_size == 1000 && c.min_free_space == 2ull << 30 && c.max_pixels == 5000000);
		CHECK(c.threshold == 1.0);
		config_free(&c);
	}
	/* a 64-bit integer (libconfig's L suffix) */
	r = load(&c, MIN "max_file_size = 8589934592L;\n");
	CHECKF(r == 0 && c.max_file_size == 8ull << 30, "%s", err);
	if (r == 0) config_free(&c);
}

static void test_default_patterns(void)
{
	struct digitd_config c;
	if (load(&c, MIN) < 0) { CHECKF(0, "%s", err); return; }
	CHECK(config_match_name(&c, "cheque.PNG") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, "scan 1.JPEG") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, "page.tiff") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, "x.webp") == CONFIG_NAME_ACCEPT);
	CHECK(config_match_name(&c, ".cheque.png") == CONFIG_NAME_IGNORE);
	CHECK(config_match_name(&c, "cheque.png.tmp") == CONFIG_NAME_IGNORE);
	CHECK(config_match_name(&c, "cheque.png.PART") == CONFIG_NAME_IGNORE);
	CHECK(config_match_name(&c, "~cheque.png") == CONFIG_NAME_IGNORE);
	CHECK(config_match_name(&c, "notes.txt") == CONFIG_NAME_REJECT);
	CHECK(config_match_name(&c, "noextension") == CONFIG_NAME_REJECT);
	config_free(&c);
}

static void test_errors(void)
{
	/* unknown keys, with and without a suggestion, and the line number */
	CHECK_FAILS(":4: unknown key 'treshold' (did you mean 'threshold'?)", MIN "treshold = 0.8;\n");
	CHECK_FAILS(":5: unknown key 'wokrers' (did you mean 'workers'?)", MIN "\nwokrers = 2;\n");
	CHECK_FAILS("unknown key 'Spool' (did you mean 'spool'?)", "Spool = \"/s\";\n");
	CHECK_FAILS("unknown key 'duplicate' (did you mean 'duplicates'?)", MIN "duplicate = \"record\";\n");
	CHECK_FAILS(":4: unknown key 'colour'", MIN "colour = \"blue\";\n");
	CHECKF(!strstr(err, "did you mean"), "no suggestion expected: %s", err);
	CHECK_FAILS("unknown key 'options'", MIN "options = { workers = 2; };\n");

	/* wrong types */
	CHECK_FAILS(":4: 'threshold' must be a number, not a string", MIN "threshold = \"0.9\";\n");
	CHECK_FAILS(":4: 'workers' must be an integer, not a number", MIN "workers = 2.5;\n");
	CHECK_FAILS(":1: 'spool' must be a string, not an integer", "spool = 5;\ndatabase = \"/d\";\nmodel = \"/m\";\n");
	CHECK_FAILS("'crop_png' must be true or false, not a string", MIN "crop_png = \"yes\";\n");
	CHECK_FAILS("'accept' must be a list of patterns", MIN "accept = \"*.png\";\n");
	CHECK_FAILS("'accept': element 2 must be a non-empty string", MIN "accept = (\"*.png\", 3);\n");
	CHECK_FAILS("'max_file_size' must be a size", MIN "max_file_size = 1.5;\n");
	CHECK_FAILS("'originals' must be a string", MIN "originals = true;\n");

	/* bad values */
	CHECK_FAILS(":4: 'threshold' must be between 0 and 1, not -0.5", MIN "threshold = -0.5;\n");
	CHECK_FAILS("'threshold' must be between 0 and 1, not 1.5", MIN "threshold = 1.5;\n");
	CHECK_FAILS("'review_error_rate' must be between 0 and 0.5", MIN "review_error_rate = 0.9;\n");
	CHECK_FAILS("'workers' must be between 0 and 256, not -1", MIN "workers = -1;\n");
	CHECK_FAILS("'workers' must be between 0 and 256, not 1000", MIN "workers = 1000;\n");
	CHECK_FAILS("'rescan_interval' must be at least 0.1 seconds", MIN "rescan_interval = 0;\n");
	CHECK_FAILS("'stable_time' must be between 0 and 3600", MIN "stable_time = -1;\n");
	CHECK_FAILS("'done_days' must be between 1 and 36500, not 0", MIN "done_days = 0;\n");
	CHECK_FAILS("'retain_days' must be between 0 and 36500, not -1", MIN "retain_days = -1;\n");
	CHECK_FAILS("'max_file_size': cannot read \"lots\" as a size", MIN "max_file_size = \"lots\";\n");
	CHECK_FAILS("'max_file_size': cannot read \"10X\" as a size", MIN "max_file_size = \"10X\";\n");
	CHECK_FAILS("'max_file_size' must be between 1 and", MIN "max_file_size = 0;\n");
	CHECK_FAILS("'min_free_space' must not be negative", MIN "min_free_space = -5;\n");
	CHECK_FAILS("'max_pixels' must be a whole number", MIN "max_pixels = 1.5;\n");
	CHECK_FAILS("'max_pixels' must be between 1 and", MIN "max_pixels = 0;\n");
	CHECK_FAILS("'worker_memory' must be between 268435456 and", MIN "worker_memory = \"100M\";\n");
	CHECK_FAILS("'worker_cpu_time' must be at least 0.01 seconds", MIN "worker_cpu_time = 0;\n");
	CHECK_FAILS("'worker_cpu_time' must be between 0 and 86400", MIN "worker_cpu_time = 1e6;\n");
	CHECK_FAILS("'originals' must be \"keep\", \"move\" or \"delete\", not \"archive\"", MIN "originals = \"archive\";\n");
	CHECK_FAILS("'duplicates' must be \"record\", \"reject\" or \"ignore\", not \"skip\"", MIN "duplicates = \"skip\";\n");
	CHECK_FAILS("'log_level' must be \"error\", \"warning\", \"notice\", \"info\" or \"debug\", not \"loud\"",
		    MIN "log_level = \"loud\";\n");
	CHECK_FAILS("'accept' must list at least 1 pattern", MIN "accept = [];\n");
	CHECK_FAILS("'model' must not be empty", "spool = \"/s\";\ndatabase = \"/d\";\nmodel = \"\";\n");

	/* missing required keys */
	CHECK_FAILS("missing required key 'spool'", "database = \"/d\";\nmodel = \"/m\";\n");
	CHECK_FAILS("missing required key 'database'", "spool = \"/s\";\nmodel = \"/m\";\n");
	CHECK_FAILS("missing required key 'model'", "spool = \"/s\";\ndatabase = \"/d\";\n");

	/* libconfig parse errors carry the line */
	CHECK_FAILS(":5: syntax error", MIN "\nthreshold = = 0.9;\nworkers = 2;\n");
	/* an unclosed string runs on; libconfig notices on the next line */
	CHECK_FAILS(":3: syntax error", "spool = \"/s\";\ndatabase = \"/d.db;\nmodel = \"/m\";\n");
	CHECK_FAILS(":5: 'threshold' is set twice (first on line 4); keep one", MIN "threshold = 0.9;\nthreshold = 0.8;\n");

	/* an @include'd file's error names that file and its line */
	char inc[PATH_MAX + 32];
	snprintf(inc, sizeof inc, "%s/local.conf", dir);
	FILE *f = fopen(inc, "w");
	fputs("# local settings\nworkers = 2;\nthreshhold = 0.5;\n", f);
	CHECK(fclose(f) == 0);
	struct digitd_config ci;
	CHECK(load(&ci, MIN "@include \"local.conf\"\n") < 0);
	char want[PATH_MAX + 96];
	snprintf(want, sizeof want, "%s:3: unknown key 'threshhold' (did you mean 'threshold'?)", inc);
	CHECKF(strcmp(err, want) == 0, "'%s' != '%s'", err, want);
	f = fopen(inc, "w");
	fputs("workers = = 2;\n", f);
	CHECK(fclose(f) == 0);
	CHECK(load(&ci, MIN "@include \"local.conf\"\n") < 0);
	snprintf(want, sizeof want, "%s:1: syntax error", inc);
	CHECKF(strcmp(err, want) == 0, "'%s' != '%s'", err, want);
	f = fopen(inc, "w");
	fputs("workers = 2;\n", f);
	CHECK(fclose(f) == 0);
	CHECKF(load(&ci, MIN "@include \"local.conf\"\n") == 0 && ci.workers == 2, "%s", err);
	if (ci.workers == 2) config_free(&ci);

	/* a file that is not there */
	struct digitd_config c;
	err[0] = '\0';
	CHECK(config_load("/nonexistent/digitd.conf", &c, err, sizeof err) < 0);
	CHECKF(strcmp(err, "/nonexistent/digitd.conf: cannot read the configuration: No such file or directory") == 0, "%s", err);
	/* a directory is not a config file */
	CHECK(config_load(dir, &c, err, sizeof err) < 0);
	CHECKF(strstr(err, "is a directory") != NULL, "%s", err);
}

/* A failed load leaves the struct it was given alone: SIGHUP's guarantee. */
static void test_reload_safety(void)
{
	struct digitd_config live;
	if (load(&live, MIN "threshold = 0.6;\nworkers = 2;\n") < 0) { CHECKF(0, "%s", err); return; }
	struct digitd_config before = live;
	CHECK(load(&live, MIN "threshold = 7;\n") < 0);
	CHECK(memcmp(&before, &live, sizeof live) == 0);
	CHECK(live.threshold == 0.6 && live.workers == 2 && strcmp(live.spool, "/s") == 0);
	struct digitd_config next;
	CHECK(load(&next, MIN "threshold = 0.8;\n") == 0);
	config_free(&live);
	live = next;
	CHECK(live.threshold == 0.8);
	config_free(&live);
}

/* Relative paths hang off the config file's directory, whatever the cwd;
 * a relative config name is resolved against the cwd first. */
static void test_relative(void)
{
	char sub[PATH_MAX + 8], old[PATH_MAX];
	snprintf(sub, sizeof sub, "%s/etc", dir);
	CHECK(mkdir(sub, 0700) == 0);
	char p[PATH_MAX + 32];
	snprintf(p, sizeof p, "%s/digitd.conf", sub);
	FILE *f = fopen(p, "w");
	fputs("spool = \"spool\";\ndatabase = \"./state/d.db\";\nmodel = \"/abs/m.model\";\n", f);
	CHECK(fclose(f) == 0);
	CHECK(getcwd(old, sizeof old) != NULL);
	CHECK(chdir("/") == 0);
	struct digitd_config c;
	int r = config_load(p, &c, err, sizeof err);
	CHECKF(r == 0, "%s", err);
	char want[PATH_MAX + 64];
	if (r == 0) {
		snprintf(want, sizeof want, "%s/spool", sub);
		CHECKF(strcmp(c.spool, want) == 0, "%s", c.spool);
		snprintf(want, sizeof want, "%s/./state/d.db", sub);
		CHECKF(strcmp(c.database, want) == 0, "%s", c.database);
		CHECK(strcmp(c.model, "/abs/m.model") == 0);
		config_free(&c);
	}
	CHECK(chdir(dir) == 0);
	r = config_load("etc/digitd.conf", &c, err, sizeof err);
	CHECKF(r == 0, "%s", err);
	if (r == 0) {
		CHECKF(strcmp(c.path, p) == 0, "%s", c.path);
		snprintf(want, sizeof want, "%s/spool", sub);
		CHECKF(strcmp(c.spool, want) == 0, "%s", c.spool);
		config_free(&c);
	}
	/* $DIGITD_CONFIG drives the default path and digitctl's --db default */
	setenv("DIGITD_CONFIG", p, 1);
	CHECK(strcmp(config_default_path(), p) == 0);
	char db[PATH_MAX + 64];
	CHECKF(config_default_db(db, sizeof db, err, sizeof err) == 0, "%s", err);
	snprintf(want, sizeof want, "%s/./state/d.db", sub);
	CHECKF(strcmp(db, want) == 0, "%s", db);
	CHECK(config_default_db(db, 5, err, sizeof err) < 0 && strstr(err, "too long"));
	setenv("DIGITD_CONFIG", "/nonexistent.conf", 1);
	CHECK(config_default_db(db, sizeof db, err, sizeof err) < 0 && strstr(err, "/nonexistent.conf"));
	unsetenv("DIGITD_CONFIG");
	CHECK(strcmp(config_default_path(), DIGITD_SYSCONFDIR "/digitd/digitd.conf") == 0);
	CHECK(chdir(old) == 0);
}

/* The shipped file loads (with @SHAREDIR@ as it stands) and states the defaults. */
static void test_shipped(void)
{
	const char *root = getenv("DIGITD_ROOT");
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/etc/digitd.conf", root ? root : ".");
	struct digitd_config c, d;
	int r = config_load(p, &c, err, sizeof err);
	CHECKF(r == 0, "%s", err);
	if (r < 0) return;
	CHECK(strcmp(c.spool, "/var/spool/digitd") == 0);
	CHECK(strcmp(c.database, "/var/lib/digitd/digitd.db") == 0);
	config_defaults(&d);
	/* every default written in the file equals the built-in one */
	CHECK(c.threshold == d.threshold && c.review_error_rate == d.review_error_rate);
	CHECK(c.rescan_interval == d.rescan_interval && c.stable_time == d.stable_time);
	CHECK(c.max_file_size == d.max_file_size && c.max_pixels == d.max_pixels && c.min_free_space == d.min_free_space);
	CHECK(c.originals == d.originals && c.done_days == d.done_days && c.duplicates == d.duplicates);
	CHECK(c.log_level == d.log_level && c.crop_png == d.crop_png);
	CHECK(c.n_accept == 11 && c.n_ignore == 4);
	config_free(&c);
}

/* Every error in one pass: an operator fixes the file once, not once per
 * error.  Each line names the file and the line of its key. */
static void test_every_error(void)
{
	struct digitd_config c;
	CHECK(load(&c, "spool = \"/s\";\nworkers = \"many\";\ntreshold = 0.5;\ndone_days = 0;\n") < 0);
	char want[4][PATH_MAX + 128];
	snprintf(want[0], sizeof want[0], "%s:2: 'workers' must be an integer", cfgpath);
	snprintf(want[1], sizeof want[1], "%s:3: unknown key 'treshold' (did you mean 'threshold'?)", cfgpath);
	snprintf(want[2], sizeof want[2], "%s:4: 'done_days' must be between 1", cfgpath);
	snprintf(want[3], sizeof want[3], "%s: missing required key 'database'", cfgpath);
	for (int i = 0; i < 4; i++) CHECKF(strstr(err, want[i]) != NULL, "'%s' lacks '%s'", err, want[i]);
	CHECKF(strstr(err, "missing required key 'model'") != NULL, "%s", err);
	int lines = 1;
	for (const char *p = err; *p; p++) lines += *p == '\n';
	CHECKF(lines == 5, "%d lines in '%s', expected 5", lines, err);
	/* a small buffer keeps whole messages that fit, and stays terminated */
	char small[80];
	CHECK(config_load(cfgpath, &c, small, sizeof small) < 0);
	CHECK(strlen(small) < sizeof small && strstr(small, "workers") != NULL);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_config.XXXXXX");
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(cfgpath, sizeof cfgpath, "%s/digitd.conf", dir);
	test_defaults();
	test_every_key();
	test_default_patterns();
	test_errors();
	test_every_error();
	test_reload_safety();
	test_relative();
	test_shipped();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
	CHECK_DONE();
}
