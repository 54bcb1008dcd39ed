/* showfmt.c: REC_FLAG_* bits as the words people read. */
#include <stdio.h>
#include <string.h>

#include "cli/showfmt.h"
#include "recognize/recognize.h"

void why_words(unsigned why, char *buf, size_t n)
{
	static const struct { unsigned bit; const char *word; } words[] = {
		{ REC_FLAG_LOWCONF, "low-conf" }, { REC_FLAG_SPLIT, "split" }, { REC_FLAG_MERGED, "merged" },
		{ REC_FLAG_REJECT, "not-digit?" }, { REC_FLAG_ODDSIZE, "odd-size" },
	};
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (!(why & words[i].bit) || off >= n) continue;
		off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "," : "", words[i].word);
	}
}
