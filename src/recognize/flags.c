/* flags.c: the reason table of flags.h as words. */
#include <stdio.h>

#include "recognize/flags.h"

static const struct {
	unsigned bit;
	const char *word, *help;
} flag_table[] = {
#define REC_FLAG_ROW(name, bit, word, help) { 1u << (bit), word, help },
	REC_FLAGS(REC_FLAG_ROW)
#undef REC_FLAG_ROW
};

static const struct {
	unsigned bit;
	const char *word;
} drop_table[] = {
#define REC_DROP_ROW(name, bit, word) { 1u << (bit), word },
	REC_DROPS(REC_DROP_ROW)
#undef REC_DROP_ROW
};

#define N_FLAGS (sizeof flag_table / sizeof flag_table[0])
#define N_DROPS (sizeof drop_table / sizeof drop_table[0])

void rec_flag_words(unsigned why, char *buf, size_t n)
{
	size_t off = 0;
	if (n) buf[0] = 0;
	for (size_t i = 0; i < N_FLAGS && off < n; i++)
		if (why & flag_table[i].bit)
			off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "," : "", flag_table[i].word);
}

void rec_drop_words(unsigned drop, char *buf, size_t n)
{
	size_t off = 0;
	if (n) buf[0] = 0;
	for (size_t i = 0; i < N_DROPS && off < n; i++)
		if (drop & drop_table[i].bit)
			off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "," : "", drop_table[i].word);
}

const char *rec_flag_help(unsigned bit)
{
	for (size_t i = 0; i < N_FLAGS; i++)
		if (flag_table[i].bit == bit) return flag_table[i].help;
	return NULL;
}
