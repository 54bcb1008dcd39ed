/* overlay.h: `show --overlay`, a picture of what digitd read in a document. */
#ifndef DIGITD_CLI_OVERLAY_H
#define DIGITD_CLI_OVERLAY_H
#include <stdint.h>
#include <sqlite3.h>

/* Draw document id's fields and digits (boxes, final labels, flags, reviews)
 * over its original scan, found through documents.original (absolute, or
 * relative to spool) or by name in spool/done/; when the original is gone,
 * draw a mosaic of the stored crop_png crops instead.  Writes out_path (the
 * extension picks the format); a duplicate is drawn as the document it
 * duplicates.  *what receives "scan" or "crops".
 * Returns 0, or -1 with a message in err. */
int overlay_write(sqlite3 *db, int64_t id, const char *spool, const char *out_path, const char **what,
		  char *err, size_t errlen);

#endif
