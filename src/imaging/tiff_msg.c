/* tiff_msg.c: libtiff's error and warning handlers (tiff_msg.h says why).
 * The handlers are process-wide; the img_tiff_msgs they write to is the
 * calling thread's, so decodes on several worker threads stay apart. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

#include "imaging/tiff_msg.h"
#include "util/log.h"

/* Messages logged per file at debug level (a damaged fax page repeats one
 * warning per line: thousands). */
#define TIFF_MSGS_LOGGED 3

static _Thread_local img_tiff_msgs *current;

/* libtiff's modules that read the directory (tags), not the pixel data. */
static bool about_tags(const char *module)
{
	static const char *const tags[] = { "TIFFReadDirectory", "TIFFFetch", "TIFFReadCustomDirectory",
					    "TIFFReadGPSDirectory", "TIFFReadEXIFDirectory", "_TIFFVSetField" };
	if (!module) return false;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strncmp(module, tags[i], strlen(tags[i])) == 0) return true;
	return false;
}

static void on_message(bool error, const char *module, const char *fmt, va_list ap)
{
	char msg[160];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (module && !module[0]) module = NULL;
	img_tiff_msgs *m = current;
	const char *name = m && m->name ? m->name : "(TIFF)";
	if (!error && about_tags(module)) {
		log_notice("\"%s\": libtiff: %s: %s (tag ignored; the pixels are read)", name, module, msg);
		return;
	}
	if (!m) {
		/* a TIFF read outside img_load: said, not silently dropped */
		log_warn("libtiff: %s: %s", module ? module : "", msg);
		return;
	}
	if (m->count++ < TIFF_MSGS_LOGGED)
		log_debug("\"%s\": libtiff %s: %s: %s", name, error ? "error" : "warning", module ? module : "", msg);
	if (!m->failed) snprintf(m->first, sizeof m->first, "%s%s%s", module ? module : "", module ? ": " : "", msg);
	m->failed = true;
}

static void on_error(const char *module, const char *fmt, va_list ap) { on_message(true, module, fmt, ap); }
static void on_warning(const char *module, const char *fmt, va_list ap) { on_message(false, module, fmt, ap); }

void img_tiff_msgs_install(void)
{
	TIFFSetErrorHandler(on_error);
	TIFFSetWarningHandler(on_warning);
}

void img_tiff_msgs_begin(img_tiff_msgs *m, const char *name)
{
	memset(m, 0, sizeof *m);
	m->name = name;
	current = m;
}

void img_tiff_msgs_end(void) { current = NULL; }
