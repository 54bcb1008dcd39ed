/* textout.h: writing names and values that may contain anything.
 *
 * Document names come from whoever drops files in the spool: commas, quotes,
 * newlines, control characters and invalid UTF-8 all occur.  JSON output is
 * always valid UTF-8 JSON (invalid bytes become U+FFFD), CSV follows RFC 4180,
 * and terminal tables never let a name move the cursor or break a row. */
#ifndef DIGITD_CLI_TEXTOUT_H
#define DIGITD_CLI_TEXTOUT_H
#include <stdio.h>

/* A JSON string literal, quotes included; NULL writes null. */
void out_json_str(FILE *f, const char *s);
/* A JSON number, or null when not finite. */
void out_json_num(FILE *f, double v, int decimals);
/* One CSV field: quoted (quotes doubled) when it holds a comma, quote, CR or
 * LF, or starts/ends with a space; NULL writes an empty field. */
void out_csv_field(FILE *f, const char *s);
/* Table cell: control characters and invalid UTF-8 shown as '?', cut to at
 * most width columns (ending in "~" when cut), padded to width when pad. */
void out_cell(FILE *f, const char *s, int width, int pad);
/* Columns out_cell would use for s without a limit. */
int out_width(const char *s);

#endif
