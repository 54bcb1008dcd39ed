/* showfmt.h: small formatting pieces `show`, `review` and the overlay share. */
#ifndef DIGITD_CLI_SHOWFMT_H
#define DIGITD_CLI_SHOWFMT_H
#include <stddef.h>

/* The REC_FLAG_* bits of digits.why as words ("low-conf,split"); "" for none. */
void why_words(unsigned why, char *buf, size_t n);

#endif
