/* log.c: see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "digitd";
static enum log_level max_level = LOG_INFO;
static int journal;

void log_init(const char *progname)
{
	prog = progname;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level max) { max_level = max; }

int log_level_parse(const char *s, enum log_level *out)
{
	static const struct { const char *name; enum log_level lvl; } t[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARN }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(s, t[i].name) == 0) { *out = t[i].lvl; return 0; }
	return -1;
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *names[8] = { "", "", "", "error: ", "warning: ", "", "", "debug: " };
	char line[2048];
	int n;
	if (journal)
		n = snprintf(line, sizeof line, "<%d>%s", (int)lvl, names[lvl]);
	else
		n = snprintf(line, sizeof line, "%s: %s", prog, names[lvl]);
	if (n < 0) n = 0;
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	if (m < 0) m = 0;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof line - 2) len = sizeof line - 2;
	/* one event, one line: fold embedded newlines (file names may hold them) */
	for (size_t i = (size_t)n; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl > max_level) return;
	va_list ap;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
