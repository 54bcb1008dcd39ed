/* digitctl: the command-line tool for training, evaluation, one-off
 * recognition and the database (review, export, stats). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/heap.h"
#include "util/log.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "train", cmd_train, "train a LeNet-5 model on MNIST (and reviewed digits)" },
	{ "eval", cmd_eval, "score a model on an MNIST-format test set" },
	{ "recognize", cmd_recognize, "read the digits of scanned images (table or JSON)" },
	{ "list", cmd_list, "list documents in the database, newest first" },
	{ "show", cmd_show, "show one document's fields and digits" },
	{ "review", cmd_review, "review flagged digits (interactive or scripted)" },
	{ "export", cmd_export, "export field texts as CSV or JSON" },
	{ "stats", cmd_stats, "throughput, review backlog and threshold advice" },
	{ "purge", cmd_purge, "delete old documents: rows, crops and originals" },
	{ "retry", cmd_retry, "send failed documents back through digitd (row kept, linked)" },
	{ "reprocess", cmd_reprocess, "read done documents again with the current model (old rows kept)" },
	{ "train-verifier", cmd_train_verifier, "fit the candidate verifier to labelled candidates" },
	{ "reasons", cmd_reasons, "list the reasons a digit, field or region is flagged" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: digitctl COMMAND [OPTIONS] [ARGS]\n"
		"       digitctl COMMAND --help\n"
		"\n"
		"Handwritten digit recognition for scanned documents: the companion of the\n"
		"digitd daemon.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s  %s\n", commands[i].name, commands[i].what);
	fprintf(f,
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n"
		"See digitctl COMMAND --help for each command's options.\n");
}

int main(int argc, char **argv)
{
	log_init("digitctl");
	heap_keep_pages();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("digitctl %s\n", DIGITD_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0) continue;
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "digitctl: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
