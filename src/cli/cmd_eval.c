/* cmd_eval.c: `digitctl eval`: score a model on an MNIST-format test set:
 * accuracy, per-class accuracy, confusion matrix, calibration error before
 * and after the stored temperature, and an error-reject table. */
#include "cli/cli.h"
#include "nn/calib.h"
#include "nn/dataset.h"
#include "nn/nn.h"
#include "nn/train.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NDIGITS 10
static const double reject_rates[] = { 0.005, 0.01, 0.02, 0.05 };
#define NREJECT (sizeof reject_rates / sizeof reject_rates[0])

static void usage(FILE *f)
{
	fprintf(f,
"Usage: digitctl eval --model FILE --data DIR [--json] [--threads N]\n"
"\n"
"Classify every image of the test set in DIR (t10k-images-idx3-ubyte and\n"
"t10k-labels-idx1-ubyte, MNIST's IDX format; any digit set in that format\n"
"works) with the model in FILE and report:\n"
"  - accuracy, and accuracy per true digit;\n"
"  - the confusion matrix (rows: true digit, columns: prediction; an\n"
"    11-output model's column 'rej' counts \"not a digit\" answers, which\n"
"    are errors on a set of digits);\n"
"  - the expected calibration error (ECE, 10 equal-width confidence bins)\n"
"    with raw softmax confidences (T = 1) and with the model's fitted\n"
"    temperature;\n"
"  - the error-reject table: the error rate among the digits kept when the\n"
"    least confident 0.5 %%, 1 %%, 2 %% and 5 %% are rejected, and the\n"
"    confidence threshold that does it.\n"
"\n"
"Options:\n"
"  --model FILE   model file written by digitctl train\n"
"  --data DIR     directory holding the t10k image/label pair\n"
"  --json         print one JSON object instead of tables, with the keys\n"
"                 model, spec, images, accuracy, per_class, confusion,\n"
"                 ece {before, after, temperature}, reject [{rate, threshold,\n"
"                 error}]\n"
"  --threads N    classification threads (default: number of cores)\n"
"  -h, --help     this text\n"
"\n"
"Example:\n"
"  digitctl eval --model models/lenet5.model --data data/mnist\n"
"\n"
"Exit status: 0 success, 1 failure (unreadable model or data), 2 usage error.\n");
}

struct reject_row { double rate, threshold, error; };

struct report {
	size_t n, right;
	int classes;
	size_t count[NDIGITS], correct[NDIGITS];
	size_t confusion[NDIGITS][64];
	double ece_before, ece_after;
	struct reject_row reject[NREJECT];
};

static int cmp_conf(const void *a, const void *b)
{
	const float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

/* The error-reject table: sort (confidence, wrong) pairs by confidence and
 * drop the lowest fraction.  Pairs are stored as two floats so one qsort of
 * 8-byte records carries the flag along. */
static int reject_table(const float *probs, const uint8_t *labels, size_t n, int classes, struct report *r)
{
	float *pairs = malloc(sizeof(float) * 2 * n);
	if (!pairs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const int k = nn_argmax(probs + i * classes, classes);
		pairs[2 * i] = probs[i * classes + k];
		pairs[2 * i + 1] = k != labels[i];
	}
	qsort(pairs, n, 2 * sizeof(float), cmp_conf);
	for (size_t j = 0; j < NREJECT; j++) {
		size_t drop = (size_t)ceil(reject_rates[j] * (double)n), wrong = 0;
		if (drop >= n)
			drop = n - 1;
		for (size_t i = drop; i < n; i++)
			wrong += pairs[2 * i + 1] != 0.0f;
		r->reject[j].rate = reject_rates[j];
		r->reject[j].threshold = pairs[2 * drop];
		r->reject[j].error = (double)wrong / (double)(n - drop);
	}
	free(pairs);
	return 0;
}

/* Digits an 11-output model called "not a digit". */
static size_t rejected(const struct report *r)
{
	size_t n = 0;
	for (int d = 0; d < NDIGITS && r->classes > NN_CLASS_REJECT; d++)
		n += r->confusion[d][NN_CLASS_REJECT];
	return n;
}

static void print_text(const struct report *r, const char *id, const char *spec, float T)
{
	printf("model     %s\nspec      %s\nimages    %zu\n", id, spec, r->n);
	printf("accuracy  %.2f%% (%zu errors)\n", 100.0 * r->right / r->n, r->n - r->right);
	if (r->classes > NN_CLASS_REJECT)
		printf("rejected  %zu as not a digit (counted as errors)\n", rejected(r));
	putchar('\n');
	printf("per class:");
	for (int d = 0; d < NDIGITS; d++)
		printf(" %d:%.2f%%", d, r->count[d] ? 100.0 * r->correct[d] / r->count[d] : 0.0);
	printf("\n\nconfusion (rows true, columns predicted):\n     ");
	for (int c = 0; c < r->classes; c++)
		c == NN_CLASS_REJECT ? printf("  rej") : printf("%5d", c);
	putchar('\n');
	for (int d = 0; d < NDIGITS; d++) {
		printf("%5d", d);
		for (int c = 0; c < r->classes; c++)
			printf("%5zu", r->confusion[d][c]);
		putchar('\n');
	}
	printf("\nECE (10 bins): %.4f with T = 1, %.4f with T = %.3f\n", r->ece_before, r->ece_after, T);
	printf("\nerror-reject (calibrated confidence):\n  rejected  threshold  error\n");
	printf("     0.0%%     0.0000  %.2f%%\n", 100.0 * (r->n - r->right) / r->n);
	for (size_t j = 0; j < NREJECT; j++)
		printf("  %6.1f%%     %.4f  %.2f%%\n", 100 * r->reject[j].rate, r->reject[j].threshold,
		       100 * r->reject[j].error);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const struct report *r, const char *id, const char *spec, float T)
{
	printf("{\"model\":");
	json_str(id);
	printf(",\"spec\":");
	json_str(spec);
	printf(",\"images\":%zu,\"classes\":%d,\"accuracy\":%.6f,\"rejected_as_nondigit\":%zu,\"per_class\":[",
	       r->n, r->classes, (double)r->right / r->n, rejected(r));
	for (int d = 0; d < NDIGITS; d++)
		printf("%s%.6f", d ? "," : "", r->count[d] ? (double)r->correct[d] / r->count[d] : 0.0);
	printf("],\"confusion\":[");
	for (int d = 0; d < NDIGITS; d++) {
		printf("%s[", d ? "," : "");
		for (int c = 0; c < r->classes; c++)
			printf("%s%zu", c ? "," : "", r->confusion[d][c]);
		putchar(']');
	}
	printf("],\"ece\":{\"before\":%.6f,\"after\":%.6f,\"temperature\":%.6f},\"reject\":[",
	       r->ece_before, r->ece_after, T);
	for (size_t j = 0; j < NREJECT; j++)
		printf("%s{\"rate\":%.3f,\"threshold\":%.6f,\"error\":%.6f}", j ? "," : "",
		       r->reject[j].rate, r->reject[j].threshold, r->reject[j].error);
	printf("]}\n");
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' }, { "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' }, { "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *model_path = NULL, *dir = NULL;
	int json = 0, threads = 0, c, rc = 1;
	nn_dataset test = { 0 };
	nn_model *m = NULL;
	float *logits = NULL, *probs = NULL;
	char err[512], ip[4096], lp[4096];
	struct report r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		case 'm': model_path = optarg; break;
		case 'd': dir = optarg; break;
		case 'j': json = 1; break;
		case 't': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 64) {
				fprintf(stderr, "digitctl eval: --threads: '%s' is not a number in [1, 64]\n\n", optarg);
				usage(stderr);
				return EXIT_USAGE;
			}
			threads = (int)v;
			break;
		}
		default:
			fprintf(stderr, "digitctl eval: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || !model_path || !dir) {
		if (optind < argc)
			fprintf(stderr, "digitctl eval: unexpected argument '%s'\n\n", argv[optind]);
		else
			fprintf(stderr, "digitctl eval: --model and --data are required\n\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (threads == 0) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		threads = nc < 1 ? 1 : nc > 64 ? 64 : (int)nc;
	}
	if (!(m = nn_model_load(model_path, err, sizeof err))) {
		fprintf(stderr, "digitctl eval: %s\n", err);
		return 1;
	}
	snprintf(ip, sizeof ip, "%s/t10k-images-idx3-ubyte", dir);
	snprintf(lp, sizeof lp, "%s/t10k-labels-idx1-ubyte", dir);
	if (nn_idx_append_pair(&test, ip, lp, NDIGITS, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl eval: %s\n", err);
		goto out;
	}
	if (test.n == 0) {
		fprintf(stderr, "digitctl eval: %s holds no images\n", ip);
		goto out;
	}
	const int C = nn_model_classes(m);
	const float T = nn_model_get_info(m)->temperature;
	logits = malloc(sizeof(float) * test.n * C);
	probs = malloc(sizeof(float) * test.n * C);
	if (!logits || !probs || nn_model_logits(m, test.images, test.n, threads, logits) < 0) {
		fprintf(stderr, "digitctl eval: out of memory\n");
		goto out;
	}
	memset(&r, 0, sizeof r);
	r.n = test.n;
	r.classes = C;
	for (size_t i = 0; i < test.n; i++) {
		const int k = nn_argmax(logits + i * C, C), y = test.labels[i];
		r.count[y]++;
		r.confusion[y][k]++;
		if (k == y) {
			r.correct[y]++;
			r.right++;
		}
	}
	nn_softmax(logits, (int)test.n, C, 1.0f, probs);
	r.ece_before = nn_calib_ece(probs, test.labels, test.n, C, 10);
	nn_softmax(logits, (int)test.n, C, T, probs);
	r.ece_after = nn_calib_ece(probs, test.labels, test.n, C, 10);
	if (reject_table(probs, test.labels, test.n, C, &r) < 0) {
		fprintf(stderr, "digitctl eval: out of memory\n");
		goto out;
	}
	if (json)
		print_json(&r, nn_model_id(m), nn_model_spec(m), T);
	else
		print_text(&r, nn_model_id(m), nn_model_spec(m), T);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	free(logits);
	free(probs);
	nn_dataset_free(&test);
	nn_model_free(m);
	return rc;
}
