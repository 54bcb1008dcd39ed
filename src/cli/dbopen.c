/* dbopen.c: the database and argument conventions the commands share.
 *
 * Reads open the database read-only, so a mistyped command can never change
 * results, and every connection waits up to STORE_BUSY_MS for the daemon's
 * commits instead of failing with "database is locked". */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "store/query.h"
#include "util/config.h"

int cli_db_open(const char *cmd, const char *path, int writable, sqlite3 **db)
{
	char buf[4096], err[1024];
	if (!path) {
		if (config_default_db(buf, sizeof buf, err, sizeof err) < 0) {
			fprintf(stderr, "digitctl %s: no --db FILE given and no configured database: %s\n", cmd, err);
			return -1;
		}
		path = buf;
	}
	if (query_open(path, writable, db, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl %s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

int cli_usage_error(const char *cmd, const char *synopsis, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "digitctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%sTry 'digitctl %s --help' for more information.\n", synopsis, cmd);
	return EXIT_USAGE;
}

long long cli_parse_count(const char *s)
{
	char *end;
	if (!s || *s < '0' || *s > '9') return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX) return -1;
	return v;
}

const char *cli_count_why(const char *s)
{
	static char why[160];
	const char *p = s ? s : "";
	while (*p >= '0' && *p <= '9') p++;
	if (s && *s && !*p)
		snprintf(why, sizeof why, "'%.40s' is more than %d", s, INT_MAX);
	else
		snprintf(why, sizeof why, "needs a count, not '%.40s'", s ? s : "");
	return why;
}

int cli_flush_output(const char *cmd)
{
	int e = 0;
	if (fflush(stdout) != 0) e = errno;
	else if (!ferror(stdout)) return 0;
	fprintf(stderr, "digitctl %s: cannot write the output%s%s\n", cmd, e ? ": " : "", e ? strerror(e) : "");
	return -1;
}

int cli_sql_error(const char *cmd, sqlite3 *db)
{
	fprintf(stderr, "digitctl %s: query failed: %s\n", cmd, sqlite3_errmsg(db));
	return 1;
}

int cli_config(const char *cmd, struct digitd_config *cfg, int warn)
{
	char err[1024];
	const char *path = config_default_path();
	config_defaults(cfg);
	if (access(path, F_OK) < 0) return -1;
	if (config_load(path, cfg, err, sizeof err) < 0) {
		if (warn) fprintf(stderr, "digitctl %s: warning: ignoring the config: %s\n", cmd, err);
		return -1;
	}
	return 0;
}
