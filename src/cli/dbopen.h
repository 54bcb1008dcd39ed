/* dbopen.h: what every database command of digitctl shares: finding and
 * opening the database, and the usage-error convention. */
#ifndef DIGITD_CLI_DBOPEN_H
#define DIGITD_CLI_DBOPEN_H
#include <sqlite3.h>

/* Open --db FILE (or, when path is NULL, the database named by the default
 * config file) read-only or read-write.  On failure prints
 * "digitctl CMD: what happened" on stderr and returns -1 (the command then
 * exits 1). */
int cli_db_open(const char *cmd, const char *path, int writable, sqlite3 **db);

/* Print "digitctl CMD: message", the synopsis and a pointer to --help on
 * stderr; returns EXIT_USAGE for `return cli_usage_error(...)`. */
int cli_usage_error(const char *cmd, const char *synopsis, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse a non-negative integer option value (at most INT_MAX); -1 if it is
 * not one.  cli_count_why(s) then says why, for "--limit %s": "needs a
 * count, not 'x'" or "'2147483648' is more than 2147483647" (a static
 * buffer, overwritten by the next call). */
long long cli_parse_count(const char *s);
const char *cli_count_why(const char *s);

/* Flush standard output and say so when it could not be written (a full
 * disk, /dev/full, a closed pipe): "digitctl CMD: cannot write the output:
 * No space left on device".  Returns 0, or -1 after the message (the
 * command then exits 1). */
int cli_flush_output(const char *cmd);

/* Report a failed query ("digitctl CMD: query failed: ...") and return 1. */
int cli_sql_error(const char *cmd, sqlite3 *db);


struct digitd_config;
/* Load the default config file (config_default_path()) into cfg.  Returns 0,
 * or -1 when there is none or it is invalid (cfg then holds the defaults);
 * with warn, an invalid file is reported on stderr. */
int cli_config(const char *cmd, struct digitd_config *cfg, int warn);

#endif
