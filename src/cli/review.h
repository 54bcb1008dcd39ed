/* review.h: the pieces of `digitctl review` (cmd_review.c parses options and
 * runs the scripted forms; review_tty.c is the interactive queue). */
#ifndef DIGITD_CLI_REVIEW_H
#define DIGITD_CLI_REVIEW_H
#include <sqlite3.h>

/* Run the interactive queue on the terminal; limit 0 = the whole queue.
 * Returns the exit status. */
int review_tty(sqlite3 *db, const char *reviewer, int limit);

#endif
