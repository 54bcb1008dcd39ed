/* flags.c: the reason tables of flags.h as words. */
#include <stdio.h>

#include "recognize/flags.h"

typedef struct {
	unsigned bit;
	const char *word, *help;
} reason;

static const reason flag_table[] = {
#define REC_FLAG_ROW(name, bit, word, help) { 1u << (bit), word, help },
	REC_FLAGS(REC_FLAG_ROW)
#undef REC_FLAG_ROW
};

static const reason drop_table[] = {
#define REC_DROP_ROW(name, bit, word) { 1u << (bit), word, NULL },
	REC_DROPS(REC_DROP_ROW)
#undef REC_DROP_ROW
};

#define N_FLAGS (sizeof flag_table / sizeof flag_table[0])
#define N_DROPS (sizeof drop_table / sizeof drop_table[0])

/* The words of the table rows whose bits are set, comma-separated. */
static void words(const reason *t, size_t nt, unsigned bits, char *buf, size_t n)
{
	size_t off = 0;
	if (n) buf[0] = 0;
	for (size_t i = 0; i < nt && off < n; i++)
		if (bits & t[i].bit) off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "," : "", t[i].word);
}

void rec_flag_words(unsigned why, char *buf, size_t n) { words(flag_table, N_FLAGS, why, buf, n); }
void rec_drop_words(unsigned drop, char *buf, size_t n) { words(drop_table, N_DROPS, drop, buf, n); }

const char *rec_flag_help(unsigned bit)
{
	for (size_t i = 0; i < N_FLAGS; i++)
		if (flag_table[i].bit == bit) return flag_table[i].help;
	return NULL;
}
