/* config.c: see config.h.
 *
 * The file is parsed by libconfig into a tree; we then walk the top level once
 * and dispatch every setting through the key table below.  Walking the file
 * (rather than looking up the keys we know) is what lets us refuse unknown
 * keys with their line number, which is how a typo like `treshold = 0.8`
 * gets caught instead of silently leaving the default in force. */
#include "util/config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DIGITD_SYSCONFDIR
#define DIGITD_SYSCONFDIR "/etc"
#endif

#define MAX_WORKERS  256
#define MAX_PATTERNS 64

static const char *const default_accept[] = {
	"*.png", "*.jpg", "*.jpeg", "*.tif", "*.tiff", "*.bmp", "*.pgm", "*.pbm", "*.ppm", "*.webp", "*.pdf",
};
static const char *const default_ignore[] = { ".*", "*.tmp", "*.part", "~*" };

/* The state of one load: where we are, for messages, and the struct being filled. */
struct loader {
	const char *file;  /* as given, for messages */
	char *dir;         /* absolute directory of the file, for relative paths */
	struct digitd_config *cfg;
	char *err;         /* every error so far, one "FILE:LINE: what" per line */
	size_t errlen;
	int nerr;
};

static int fail_at(struct loader *L, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append "FILE:LINE: message" (or "FILE: message" without a setting) to
 * err, on a line of its own: one load reports every bad key at once, so an
 * operator fixes a file in one pass instead of one error per try. */
static int fail_at(struct loader *L, const config_setting_t *s, const char *fmt, ...)
{
	int n;
	size_t used = L->nerr ? strlen(L->err) : 0;
	if (L->errlen == 0 || used + 2 >= L->errlen) { L->nerr++; return -1; }
	char *save_err = L->err;
	size_t save_len = L->errlen;
	if (used) { L->err[used++] = '\n'; L->err[used] = '\0'; }
	L->err += used;
	L->errlen -= used;
	L->nerr++;
	/* a setting from an @include'd file is reported against that file (which
	 * libconfig names as written, relative to the include directory) */
	const char *inc = s ? config_setting_source_file(s) : NULL;
	if (inc && strcmp(inc, L->file) != 0 && config_setting_source_line(s) > 0)
		n = snprintf(L->err, L->errlen, "%s%s%s:%u: ", inc[0] == '/' ? "" : L->dir,
			     inc[0] == '/' ? "" : "/", inc, config_setting_source_line(s));
	else if (s && config_setting_source_line(s) > 0)
		n = snprintf(L->err, L->errlen, "%s:%u: ", L->file, config_setting_source_line(s));
	else
		n = snprintf(L->err, L->errlen, "%s: ", L->file);
	if (n >= 0 && (size_t)n < L->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(L->err + n, L->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	L->err = save_err;
	L->errlen = save_len;
	return -1;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	case CONFIG_TYPE_GROUP: return "a group";
	default: return "something else";
	}
}

/* --- value readers: each checks the type and the range, and names the key --- */

static int get_double(struct loader *L, const config_setting_t *s, double lo, double hi, double *out)
{
	double v;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
	case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
	default:
		return fail_at(L, s, "'%s' must be a number, not %s", config_setting_name(s),
			       type_name(config_setting_type(s)));
	}
	if (!(v >= lo && v <= hi))
		return fail_at(L, s, "'%s' must be between %g and %g, not %g", config_setting_name(s), lo, hi, v);
	*out = v;
	return 0;
}

static int get_int(struct loader *L, const config_setting_t *s, long long lo, long long hi, long long *out)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return fail_at(L, s, "'%s' must be an integer, not %s", config_setting_name(s), type_name(t));
	long long v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return fail_at(L, s, "'%s' must be between %lld and %lld, not %lld", config_setting_name(s), lo, hi, v);
	*out = v;
	return 0;
}

static int get_string(struct loader *L, const config_setting_t *s, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_at(L, s, "'%s' must be a string, not %s", config_setting_name(s),
			       type_name(config_setting_type(s)));
	*out = config_setting_get_string(s);
	return 0;
}

/* A size: an integer number of bytes, or a string such as "256M" / "1.5 GiB"
 * (K M G T, powers of 1024, case-insensitive; a trailing "B" or "iB" is allowed). */
static int parse_size(const char *str, uint64_t *out)
{
	errno = 0;
	char *end;
	double v = strtod(str, &end);
	if (errno || end == str || !(v >= 0)) return -1;
	while (*end == ' ') end++;
	double mul = 1;
	switch (tolower((unsigned char)*end)) {
	case 'k': mul = 1024.0; end++; break;
	case 'm': mul = 1024.0 * 1024; end++; break;
	case 'g': mul = 1024.0 * 1024 * 1024; end++; break;
	case 't': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (mul > 1 && tolower((unsigned char)*end) == 'i') end++;
	if (tolower((unsigned char)*end) == 'b') end++;
	if (*end) return -1;
	v *= mul;
	if (v > 9.0e18) return -1;
	*out = (uint64_t)llround(v);
	return 0;
}

static int get_size(struct loader *L, const config_setting_t *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: {
		long long i = config_setting_get_int64(s);
		if (i < 0) return fail_at(L, s, "'%s' must not be negative", config_setting_name(s));
		v = (uint64_t)i;
		break;
	}
	case CONFIG_TYPE_STRING:
		if (parse_size(config_setting_get_string(s), &v) < 0)
			return fail_at(L, s, "'%s': cannot read \"%s\" as a size (bytes, or e.g. \"64M\", \"2G\")",
				       config_setting_name(s), config_setting_get_string(s));
		break;
	default:
		return fail_at(L, s, "'%s' must be a size (an integer number of bytes or a string like \"64M\"), not %s",
			       config_setting_name(s), type_name(config_setting_type(s)));
	}
	if (v < lo || v > hi)
		return fail_at(L, s, "'%s' must be between %llu and %llu bytes, not %llu", config_setting_name(s),
			       (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)v);
	*out = v;
	return 0;
}

/* Resolve a path from the file against the file's directory. */
static int get_path(struct loader *L, const config_setting_t *s, char **out)
{
	const char *v = NULL;
	if (get_string(L, s, &v) < 0) return -1;
	if (!*v) return fail_at(L, s, "'%s' must not be empty", config_setting_name(s));
	char *p;
	if (v[0] == '/') {
		p = strdup(v);
	} else {
		size_t n = strlen(L->dir) + 1 + strlen(v) + 1;
		p = malloc(n);
		if (p) snprintf(p, n, "%s/%s", L->dir, v);
	}
	if (!p) return fail_at(L, s, "out of memory");
	free(*out);
	*out = p;
	return 0;
}

static void free_list(char **list)
{
	if (!list) return;
	for (char **p = list; *p; p++) free(*p);
	free(list);
}

/* A list of fnmatch patterns: ["*.png", "*.jpg"] (array or list of strings). */
static int get_patterns(struct loader *L, const config_setting_t *s, char ***out, size_t *nout, int min)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail_at(L, s, "'%s' must be a list of patterns such as [\"*.png\", \"*.jpg\"], not %s",
			       config_setting_name(s), type_name(t));
	int n = config_setting_length(s);
	if (n < min) return fail_at(L, s, "'%s' must list at least %d pattern", config_setting_name(s), min);
	if (n > MAX_PATTERNS) return fail_at(L, s, "'%s' lists more than %d patterns", config_setting_name(s), MAX_PATTERNS);
	char **list = calloc((size_t)n + 1, sizeof *list);
	if (!list) return fail_at(L, s, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING || !*config_setting_get_string(e)) {
			free_list(list);
			return fail_at(L, s, "'%s': element %d must be a non-empty string", config_setting_name(s), i + 1);
		}
		if (!(list[i] = strdup(config_setting_get_string(e)))) {
			free_list(list);
			return fail_at(L, s, "out of memory");
		}
	}
	free_list(*out);
	*out = list;
	*nout = (size_t)n;
	return 0;
}

/* --- the keys --- */

static int cpu_count(void)
{
	cpu_set_t set;
	/* the affinity mask, not the machine: a container or CPUAffinity= may give us fewer */
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static int k_spool(struct loader *L, const config_setting_t *s) { return get_path(L, s, &L->cfg->spool); }
static int k_database(struct loader *L, const config_setting_t *s) { return get_path(L, s, &L->cfg->database); }
static int k_model(struct loader *L, const config_setting_t *s) { return get_path(L, s, &L->cfg->model); }
static int k_threshold(struct loader *L, const config_setting_t *s) { return get_double(L, s, 0, 1, &L->cfg->threshold); }
static int k_review_error_rate(struct loader *L, const config_setting_t *s)
{
	return get_double(L, s, 0, 0.5, &L->cfg->review_error_rate);
}
static int k_rescan_interval(struct loader *L, const config_setting_t *s)
{
	if (get_double(L, s, 0, 86400, &L->cfg->rescan_interval) < 0) return -1;
	if (L->cfg->rescan_interval < 0.1) return fail_at(L, s, "'rescan_interval' must be at least 0.1 seconds");
	return 0;
}
static int k_stable_time(struct loader *L, const config_setting_t *s) { return get_double(L, s, 0, 3600, &L->cfg->stable_time); }
static int k_workers(struct loader *L, const config_setting_t *s)
{
	long long v = 0;
	if (get_int(L, s, 0, MAX_WORKERS, &v) < 0) return -1;
	L->cfg->workers = (int)v;  /* 0 is resolved after the whole file is read */
	return 0;
}
static int k_done_days(struct loader *L, const config_setting_t *s)
{
	long long v = 0;
	if (get_int(L, s, 1, 36500, &v) < 0) return -1;
	L->cfg->done_days = (int)v;
	return 0;
}
static int k_retain_days(struct loader *L, const config_setting_t *s)
{
	long long v = 0;
	if (get_int(L, s, 0, 36500, &v) < 0) return -1;
	L->cfg->retain_days = (int)v;
	return 0;
}
static int k_accept(struct loader *L, const config_setting_t *s) { return get_patterns(L, s, &L->cfg->accept, &L->cfg->n_accept, 1); }
static int k_ignore(struct loader *L, const config_setting_t *s) { return get_patterns(L, s, &L->cfg->ignore, &L->cfg->n_ignore, 0); }
static int k_max_file_size(struct loader *L, const config_setting_t *s)
{
	return get_size(L, s, 1, (uint64_t)1 << 40, &L->cfg->max_file_size);
}
static int k_min_free_space(struct loader *L, const config_setting_t *s)
{
	return get_size(L, s, 0, (uint64_t)1 << 50, &L->cfg->min_free_space);
}
static int k_max_pixels(struct loader *L, const config_setting_t *s)
{
	double v;  /* a float so that 100e6 can be written as such */
	if (get_double(L, s, 1, 1e10, &v) < 0) return -1;
	if (v != floor(v)) return fail_at(L, s, "'max_pixels' must be a whole number, not %g", v);
	L->cfg->max_pixels = (uint64_t)v;
	return 0;
}
static int k_crop_png(struct loader *L, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail_at(L, s, "'crop_png' must be true or false, not %s", type_name(config_setting_type(s)));
	L->cfg->crop_png = config_setting_get_bool(s) != 0;
	return 0;
}
/* The worker process's limits (pipeline.h, worker.h).  The floor of
 * worker_memory is above what a worker maps before it reads a page: the
 * program with its ~140 shared libraries and the model, 200 MiB of address
 * space (VmSize, measured on Debian 12); below 256 MiB no page would fit. */
static int k_worker_memory(struct loader *L, const config_setting_t *s)
{
	return get_size(L, s, (uint64_t)256 << 20, (uint64_t)1 << 40, &L->cfg->worker_memory);
}
static int k_worker_cpu_time(struct loader *L, const config_setting_t *s)
{
	if (get_double(L, s, 0, 86400, &L->cfg->worker_cpu_time) < 0) return -1;
	if (L->cfg->worker_cpu_time < 0.01) return fail_at(L, s, "'worker_cpu_time' must be at least 0.01 seconds");
	return 0;
}

/* An enum value: one of `names`, else an error listing them. */
static int get_enum(struct loader *L, const config_setting_t *s, const char *const *names, int n, int *out)
{
	const char *v = NULL;
	if (get_string(L, s, &v) < 0) return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) { *out = i; return 0; }
	char choices[256] = "";
	for (int i = 0; i < n; i++) {
		size_t len = strlen(choices);
		snprintf(choices + len, sizeof choices - len, "%s\"%s\"", i ? (i == n - 1 ? " or " : ", ") : "", names[i]);
	}
	return fail_at(L, s, "'%s' must be %s, not \"%s\"", config_setting_name(s), choices, v);
}

static const char *const originals_names[] = { "keep", "move", "delete" };
static const char *const duplicates_names[] = { "record", "reject", "ignore" };
static const char *const log_level_names[] = { "error", "warning", "notice", "info", "debug" };

static int k_originals(struct loader *L, const config_setting_t *s)
{
	int v = 0;
	if (get_enum(L, s, originals_names, 3, &v) < 0) return -1;
	L->cfg->originals = (enum config_originals)v;
	return 0;
}
static int k_duplicates(struct loader *L, const config_setting_t *s)
{
	int v = 0;
	if (get_enum(L, s, duplicates_names, 3, &v) < 0) return -1;
	L->cfg->duplicates = (enum config_duplicates)v;
	return 0;
}
static int k_log_level(struct loader *L, const config_setting_t *s)
{
	int v = 0;
	if (get_enum(L, s, log_level_names, 5, &v) < 0) return -1;
	enum log_level lvl;
	if (log_level_parse(log_level_names[v], &lvl) < 0)
		return fail_at(L, s, "'log_level' \"%s\" is not known to the logger", log_level_names[v]);
	L->cfg->log_level = lvl;
	return 0;
}

static const struct key {
	const char *name;
	int (*set)(struct loader *, const config_setting_t *);
} keys[] = {
	{ "spool", k_spool },
	{ "database", k_database },
	{ "model", k_model },
	{ "threshold", k_threshold },
	{ "review_error_rate", k_review_error_rate },
	{ "workers", k_workers },
	{ "rescan_interval", k_rescan_interval },
	{ "stable_time", k_stable_time },
	{ "accept", k_accept },
	{ "ignore", k_ignore },
	{ "max_file_size", k_max_file_size },
	{ "max_pixels", k_max_pixels },
	{ "min_free_space", k_min_free_space },
	{ "originals", k_originals },
	{ "done_days", k_done_days },
	{ "retain_days", k_retain_days },
	{ "duplicates", k_duplicates },
	{ "log_level", k_log_level },
	{ "crop_png", k_crop_png },
	{ "worker_memory", k_worker_memory },
	{ "worker_cpu_time", k_worker_cpu_time },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Edit distance with adjacent transpositions (optimal string alignment),
 * case-insensitive: "treshold" and "threhsold" are both one edit away. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 63 || m > 63) return SIZE_MAX;
	size_t d[64][64];
	for (size_t i = 0; i <= n; i++) d[i][0] = i;
	for (size_t j = 0; j <= m; j++) d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

/* The known key closest to `name`, if close enough to be a plausible typo. */
static const char *suggest_key(const char *name)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < NKEYS; i++) {
		size_t d = edit_distance(name, keys[i].name);
		if (d < best_d) best_d = d, best = keys[i].name;
	}
	size_t len = strlen(name);
	size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	return best_d <= limit ? best : NULL;
}

static int apply_setting(struct loader *L, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(name, keys[i].name) == 0) return keys[i].set(L, s);
	const char *hint = suggest_key(name);
	if (hint) return fail_at(L, s, "unknown key '%s' (did you mean '%s'?)", name, hint);
	return fail_at(L, s, "unknown key '%s'", name);
}

/* --- public API --- */

void config_defaults(struct digitd_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->threshold = 0.90;
	cfg->review_error_rate = 0;
	cfg->workers = 0;
	cfg->rescan_interval = 30;
	cfg->stable_time = 5;
	cfg->max_file_size = (uint64_t)256 << 20;
	cfg->max_pixels = 100000000;
	cfg->min_free_space = (uint64_t)64 << 20;
	cfg->originals = ORIGINALS_KEEP;
	cfg->done_days = 30;
	cfg->duplicates = DUPLICATES_RECORD;
	cfg->log_level = LOG_INFO;
	cfg->crop_png = true;
	cfg->worker_memory = (uint64_t)2 << 30;
	cfg->worker_cpu_time = 120;
}

void config_free(struct digitd_config *cfg)
{
	if (!cfg) return;
	free(cfg->path);
	free(cfg->spool);
	free(cfg->database);
	free(cfg->model);
	free_list(cfg->accept);
	free_list(cfg->ignore);
	memset(cfg, 0, sizeof *cfg);
}

static char **copy_list(const char *const *src, size_t n)
{
	char **list = calloc(n + 1, sizeof *list);
	if (!list) return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(list[i] = strdup(src[i]))) { free_list(list); return NULL; }
	return list;
}

/* The setting name a line of a config file starts with, in key ("" if none). */
static void line_key(const char *line, char *key, size_t n)
{
	size_t k = 0;
	while (*line == ' ' || *line == '\t') line++;
	while (k + 1 < n && (isalnum((unsigned char)*line) || *line == '_' || *line == '-' || *line == '*'))
		key[k++] = *line++;
	key[k] = 0;
}

/* libconfig's parse errors, with the key named where libconfig does not:
 * "duplicate setting name" says neither which key nor where it was first
 * set, so read the line it points at and look for the first one. */
static void describe_read_error(const char *file, int line, const char *text, char *out, size_t n)
{
	snprintf(out, n, "%s", text ? text : "syntax error");
	if (!text || strcmp(text, "duplicate setting name") != 0 || line < 1) return;
	FILE *f = fopen(file, "re");
	if (!f) return;
	char buf[512], key[64] = "", here[64];
	int first = 0;
	for (int ln = 1; ln <= line && fgets(buf, sizeof buf, f); ln++)
		if (ln == line) line_key(buf, key, sizeof key);
	rewind(f);
	for (int ln = 1; key[0] && !first && ln < line && fgets(buf, sizeof buf, f); ln++) {
		line_key(buf, here, sizeof here);
		if (strcmp(here, key) == 0) first = ln;
	}
	fclose(f);
	if (first) snprintf(out, n, "'%s' is set twice (first on line %d); keep one", key, first);
	else if (key[0]) snprintf(out, n, "'%s' is set twice; keep one", key);
}

int config_load(const char *path, struct digitd_config *out, char *err, size_t errlen)
{
	struct digitd_config cfg;
	config_t lc;
	FILE *f = NULL;
	struct loader L = { .file = path, .cfg = &cfg, .err = err, .errlen = errlen };

	config_defaults(&cfg);
	config_init(&lc);
	if (errlen) err[0] = '\0';

	/* The absolute name of the file as given (symlinks not resolved): its
	 * directory is what relative paths in it are relative to. */
	if (!*path) { fail_at(&L, NULL, "empty configuration file name"); goto fail; }
	if (path[0] == '/') {
		cfg.path = strdup(path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd)) {
			fail_at(&L, NULL, "cannot resolve a relative name: getcwd: %s", strerror(errno));
			goto fail;
		}
		size_t len = strlen(cwd) + 1 + strlen(path) + 1;
		if ((cfg.path = malloc(len))) snprintf(cfg.path, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	}
	if (!cfg.path || !(L.dir = strdup(cfg.path))) { fail_at(&L, NULL, "out of memory"); goto fail; }
	*strrchr(L.dir, '/') = '\0';  /* cfg.path is absolute, so there is a '/' */
	if (!L.dir[0]) strcpy(L.dir, "/");
	if (!(f = fopen(cfg.path, "r"))) {
		fail_at(&L, NULL, "cannot read the configuration: %s", strerror(errno));
		goto fail;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0) {
		fail_at(&L, NULL, "cannot read the configuration: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fail_at(&L, NULL, "cannot read the configuration: %s",
			S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		goto fail;
	}
	config_set_include_dir(&lc, L.dir);
	if (config_read(&lc, f) != CONFIG_TRUE) {
		const char *ef = config_error_file(&lc);
		char where[4096], what[200];
		if (ef && ef[0] != '/')  /* an @include'd file, named relative to the include dir */
			snprintf(where, sizeof where, "%s/%s", L.dir, ef);
		else
			snprintf(where, sizeof where, "%s", ef ? ef : path);
		describe_read_error(where, config_error_line(&lc), config_error_text(&lc), what, sizeof what);
		snprintf(err, errlen, "%s:%d: %s", where, config_error_line(&lc), what);
		goto fail;
	}
	if (fclose(f) != 0) {
		f = NULL;
		fail_at(&L, NULL, "cannot read the configuration: %s", strerror(errno));
		goto fail;
	}
	f = NULL;

	const config_setting_t *root = config_root_setting(&lc);
	int n = config_setting_length(root);
	/* every key is checked, and every missing one named, before giving up */
	for (int i = 0; i < n; i++)
		apply_setting(&L, config_setting_get_elem(root, (unsigned)i));

	static const char *const required[] = { "spool", "database", "model" };
	char *const *req_val[] = { &cfg.spool, &cfg.database, &cfg.model };
	for (size_t i = 0; i < 3; i++)
		if (!*req_val[i]) fail_at(&L, NULL, "missing required key '%s'", required[i]);
	if (L.nerr) goto fail;
	if (!cfg.accept) {
		if (!(cfg.accept = copy_list(default_accept, sizeof default_accept / sizeof *default_accept)))
			{ fail_at(&L, NULL, "out of memory"); goto fail; }
		cfg.n_accept = sizeof default_accept / sizeof *default_accept;
	}
	if (!cfg.ignore) {
		if (!(cfg.ignore = copy_list(default_ignore, sizeof default_ignore / sizeof *default_ignore)))
			{ fail_at(&L, NULL, "out of memory"); goto fail; }
		cfg.n_ignore = sizeof default_ignore / sizeof *default_ignore;
	}
	if (cfg.workers == 0) {
		cfg.workers = cpu_count();
		if (cfg.workers > MAX_WORKERS) cfg.workers = MAX_WORKERS;
	}

	config_destroy(&lc);
	free(L.dir);
	*out = cfg;
	return 0;

fail:
	if (f) fclose(f);
	config_destroy(&lc);
	free(L.dir);
	config_free(&cfg);
	return -1;
}

const char *config_default_path(void)
{
	const char *e = getenv("DIGITD_CONFIG");
	if (e && *e) return e;
	return DIGITD_SYSCONFDIR "/digitd/digitd.conf";
}

int config_default_db(char *buf, size_t n, char *err, size_t errlen)
{
	struct digitd_config cfg;
	if (config_load(config_default_path(), &cfg, err, errlen) < 0) return -1;
	int r = 0;
	if (strlen(cfg.database) >= n) {
		snprintf(err, errlen, "%s: database path too long", cfg.path);
		r = -1;
	} else {
		strcpy(buf, cfg.database);
	}
	config_free(&cfg);
	return r;
}

enum config_name config_match_name(const struct digitd_config *cfg, const char *name)
{
	/* hidden and temporary names are never claimed, whatever `ignore` says:
	 * a writer's half-written file must not be read */
	for (size_t i = 0; i < sizeof default_ignore / sizeof *default_ignore; i++)
		if (fnmatch(default_ignore[i], name, FNM_CASEFOLD) == 0) return CONFIG_NAME_IGNORE;
	for (size_t i = 0; i < cfg->n_ignore; i++)
		if (fnmatch(cfg->ignore[i], name, FNM_CASEFOLD) == 0) return CONFIG_NAME_IGNORE;
	for (size_t i = 0; i < cfg->n_accept; i++)
		if (fnmatch(cfg->accept[i], name, FNM_CASEFOLD) == 0) return CONFIG_NAME_ACCEPT;
	return CONFIG_NAME_REJECT;
}

const char *config_originals_name(enum config_originals v)
{
	return (unsigned)v < 3 ? originals_names[v] : "?";
}

const char *config_duplicates_name(enum config_duplicates v)
{
	return (unsigned)v < 3 ? duplicates_names[v] : "?";
}
