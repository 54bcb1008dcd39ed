/* log.h: one line per event, to stderr.
 *
 * When $JOURNAL_STREAM is set (stderr goes to the systemd journal) each line
 * carries a "<N>" syslog priority prefix so journald keeps the level; otherwise
 * lines look like "digitd: warning: message".  Thread-safe: a line is written
 * with a single write(2). */
#ifndef DIGITD_LOG_H
#define DIGITD_LOG_H

enum log_level { LOG_ERR = 3, LOG_WARN = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

void log_init(const char *progname);
void log_set_level(enum log_level max);          /* lines above max are dropped */
int log_level_parse(const char *s, enum log_level *out); /* "error".."debug"; -1 if unknown */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)    log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

/* Log at LOG_ERR and exit(1): states that cannot happen, so systemd restarts a clean process. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
