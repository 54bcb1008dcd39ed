/* timefmt.h: the times people type on the command line.
 *
 * The database stores ISO 8601 UTC text; commands compare with SQLite's
 * julianday(), so any form it understands matches whatever precision the
 * daemon wrote.  --since accepts:
 *   2026-11-26   2026-11-26T04:30   2026-11-26 04:30:15   ...Z or ...+01:00
 *   30m 2h 7d 1w (that long ago)   today   yesterday */
#ifndef DIGITD_CLI_TIMEFMT_H
#define DIGITD_CLI_TIMEFMT_H
#include <time.h>

/* Parse s into out as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC); now is the reference for
 * relative forms.  Returns 0, or -1 if s is not a time. */
int time_parse_since(const char *s, time_t now, char out[32]);

#endif
