/* cmd_reasons.c: `digitctl reasons`, the table of flag reasons (flags.h) as
 * people and scripts read them: bit, word, meaning. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "recognize/flags.h"

int cmd_reasons(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: digitctl reasons\n\nList the reasons a digit, a field or an unread region is flagged for\n"
		       "review: the bit stored in digits.why / fields.why, the word `show`,\n"
		       "`review` and the JSON print, and what it means.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "digitctl reasons: no arguments expected\n");
		return EXIT_USAGE;
	}
	printf("%-8s %-12s %s\n", "bit", "word", "meaning");
	for (unsigned b = 0; b < 32; b++) {
		const char *help = rec_flag_help(1u << b);
		char word[64];
		if (!help) continue;
		rec_flag_words(1u << b, word, sizeof word);
		printf("%-8u %-12s %s\n", 1u << b, word, help);
	}
	return 0;
}
