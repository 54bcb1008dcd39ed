/* config.h: digitd's configuration file (libconfig syntax), loaded into a
 * plain struct that the rest of the program reads without further checks.
 *
 * Invariants config_load() guarantees on success: every path is absolute
 * (relative paths in the file are taken relative to the directory of the
 * file itself, so a config works wherever it is read from), every number is
 * inside its documented range, every enum is one of its values, and
 * `workers` is resolved (never 0).  A file with an unknown key, a key of the
 * wrong type or a value out of range is refused as a whole, with a message
 * naming the file, the line and the key:
 *
 *   /etc/digitd/digitd.conf:12: unknown key 'treshold' (did you mean 'threshold'?)
 *
 * Reload safety: config_load() writes *out only when it succeeds, so a SIGHUP
 * handler loads into a fresh struct and swaps it in only on success; the
 * settings in force are never half-replaced.
 *
 * Lives in util/ (part of libdigit.a) because digitctl uses it too: its
 * database commands default `--db` to the configured database. */
#ifndef DIGITD_CONFIG_H
#define DIGITD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

/* What happens to an original once its results are committed. */
enum config_originals {
	ORIGINALS_KEEP,   /* "keep": moved to done/ and kept there forever (default) */
	ORIGINALS_MOVE,   /* "move": moved to done/, pruned from done/ after done_days days */
	ORIGINALS_DELETE, /* "delete": deleted right after the commit */
};
/* Whatever the policy, a file that fails goes to failed/ with a .error next to it. */

/* What happens to a file whose SHA-256 is already in the database. */
enum config_duplicates {
	DUPLICATES_RECORD, /* "record": a documents row with status 'duplicate' pointing at the
	                      first (duplicate_of); the file then follows `originals` (default) */
	DUPLICATES_REJECT, /* "reject": the same row, but the file goes to failed/ with a .error
	                      naming the first document */
	DUPLICATES_IGNORE, /* "ignore": no row; the file follows `originals`; logged at info */
};

struct digitd_config {
	char *path;              /* absolute path of the file loaded; NULL for bare defaults */
	char *spool;             /* required: holds incoming/ work/ done/ failed/ */
	char *database;          /* required: the SQLite file */
	char *model;             /* required: the .model file */
	double threshold;        /* digits below this confidence are flagged for review; (0,1], 0.90 */
	double review_error_rate;/* target error rate of unreviewed digits for `digitctl stats`
	                            threshold advice; 0 = not set (default) */
	int workers;             /* recognition threads, resolved: 1..256 (0 in the file = cores) */
	double rescan_interval;  /* seconds between full scans of incoming/; default 30 */
	double stable_time;      /* seconds a file's size+mtime must stay unchanged before a
	                            file not seen closed (network FS writers) is claimed; 5 */
	char **accept;           /* fnmatch patterns, case-insensitive; NULL-terminated */
	size_t n_accept;
	char **ignore;           /* names left alone until renamed (temporaries), in addition to
	                            the built-in ".*" "*.tmp" "*.part" "~*"; NULL-terminated */
	size_t n_ignore;
	uint64_t max_file_size;  /* bytes; larger files fail; default 256 MiB */
	uint64_t max_pixels;     /* width*height per page; larger pages fail; default 100e6 */
	uint64_t min_free_space; /* bytes free on the spool and database file systems below
	                            which intake pauses; default 64 MiB */
	enum config_originals originals;
	int done_days;           /* with originals = "move": age (days since moved into done/,
	                            i.e. ctime) after which done/ files are removed; default 30 */
	int retain_days;         /* documents received more than this many days ago are purged
	                            (rows, crops, originals) once a day; 0 = never (default) */
	enum config_duplicates duplicates;
	enum log_level log_level;/* "error" "warning" "notice" "info" (default) "debug" */
	bool crop_png;           /* store a PNG of each digit's original crop; default true */
	uint64_t worker_memory;  /* bytes of address space a recognition worker process may map
	                            (RLIMIT_AS); 256 MiB..1 TiB, default 2 GiB */
	double worker_cpu_time;  /* seconds of CPU one document may take in its worker before the
	                            worker is killed and the document fails; 0.01..86400, default 120 */
};

/* Fill *cfg with the defaults (paths and pattern lists NULL, workers 0 =
 * not yet resolved; config_load fills those).  Owns nothing; config_free()
 * on it is safe. */
void config_defaults(struct digitd_config *cfg);

/* Load and validate `path`.  On success fill *out (which the caller later
 * passes to config_free) and return 0.  On failure return -1, leave *out
 * untouched, and put in err every error found, one "FILE:LINE: what" per
 * line (every key is checked before giving up; a syntax error stops the
 * parse, so it is reported alone).  Whether the paths exist is not checked
 * here: config_check_paths() (daemon/checkconf.h) does that for --check-config. */
int config_load(const char *path, struct digitd_config *out, char *err, size_t errlen);

void config_free(struct digitd_config *cfg);

/* The file to read when no -c is given: $DIGITD_CONFIG if set and non-empty,
 * else DIGITD_SYSCONFDIR "/digitd/digitd.conf". */
const char *config_default_path(void);

/* For digitctl's --db default: the database named by the default config file.
 * Returns 0 and the path in buf, or -1 with a message in err (no config file,
 * invalid, or buf too small). */
int config_default_db(char *buf, size_t n, char *err, size_t errlen);

/* How the spool should treat a name dropped in incoming/. */
enum config_name {
	CONFIG_NAME_ACCEPT, /* matches `accept` and no `ignore` pattern: process it */
	CONFIG_NAME_IGNORE, /* matches an `ignore` pattern or a built-in one: leave it alone */
	CONFIG_NAME_REJECT, /* matches no `accept` pattern: not an image we take -> failed/ */
};
enum config_name config_match_name(const struct digitd_config *cfg, const char *name);

/* Names of the enum values as written in the file ("keep", "record", ...). */
const char *config_originals_name(enum config_originals v);
const char *config_duplicates_name(enum config_duplicates v);

#endif
