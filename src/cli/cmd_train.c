/* cmd_train.c: `digitctl train`: train a model on MNIST (plus optional extra
 * samples) and write a model file.
 *
 * The work is in src/nn/train.c; this file turns options into a training
 * set, a validation split and nn_train_opts, and shows progress.  New sources
 * of training samples plug in at add_extra_sources(): anything that can
 * produce 28x28 images with labels appends them to the training dataset. */
#include "cli/cli.h"
#include "nn/dataset.h"
#include "nn/model.h"
#include "nn/train.h"
#include "store/reviewed.h"
#include "util/log.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VAL_DEFAULT 5000

struct train_args {
	const char *data, *out, *negatives;
	const char *extra_db;    /* --extra-db: reviewed digits from a digitd database */
	const char *pages;       /* --pages: PREFIX of an IDX pair of labelled page crops */
	size_t val, limit;
	int quiet;
	nn_train_opts o;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: digitctl train --data DIR --out FILE [OPTIONS]\n"
"\n"
"Train a LeNet-5 network on the MNIST training set in DIR and write the model\n"
"to FILE.  The last 5,000 training images are held out as a validation split:\n"
"the weights of the epoch that scores best on it are kept, and the softmax\n"
"temperature is fitted on it so that reported confidences are calibrated.\n"
"Training images are randomly distorted on the fly (rotation, scale, shear,\n"
"shift, elastic bending).  The same options, seed and thread count give the\n"
"same model bit for bit.\n"
"\n"
"Options:\n"
"  --data DIR        directory with train-images-idx3-ubyte and\n"
"                    train-labels-idx1-ubyte (MNIST's IDX format)\n"
"  --out FILE        model file to write (replaced atomically)\n"
"  --arch SPEC       classic (default), paper, classic-reject, or a layer list\n"
"                    such as \"pad2 c6k5 relu max2 c16k5 relu max2 fc120 relu fc84\n"
"                    relu fc10\" (tokens: pad<P> c<OC>k<K>[p<P>] max<S> avg<S>\n"
"                    relu tanh sigmoid fc<O>; the last fc gives the classes)\n"
"  --epochs N        passes over the training set (default 24)\n"
"  --seed S          random seed for weights, shuffling, distortions (default 1)\n"
"  --threads N       worker threads (default: number of cores)\n"
"  --extra-db FILE   also train on the digits people reviewed in the digitd\n"
"                    database FILE (their stored 28x28 crops with the reviewed\n"
"                    labels; see digitctl review), so the model learns the\n"
"                    handwriting it actually reads\n"
"  --pages PREFIX    also train on candidates cut from generated pages by our\n"
"                    own page path: PREFIX-images-idx3-ubyte and\n"
"                    PREFIX-labels-idx1-ubyte (scripts/page-crops.js; label 10\n"
"                    = not a handwritten digit, for 11-output specs); a tenth\n"
"                    join the validation split, so the softmax temperature is\n"
"                    fitted on page crops too\n"
"  --negatives FILE  IDX3 file of 28x28 non-digit images, all labelled class 10\n"
"                    (\"not a digit\"); needs an 11-output spec (classic-reject);\n"
"                    a tenth of them join the validation split\n"
"  --batch N         images per step, a multiple of 16 (default 64)\n"
"  --optimizer NAME  adam (default) or sgd (with momentum 0.9)\n"
"  --lr RATE         initial learning rate, decayed by a cosine to 1/100\n"
"                    (default 0.002 for adam, 0.05 for sgd)\n"
"  --weight-decay W  decoupled weight decay (default 0)\n"
"  --patience N      stop after N epochs without a better validation score\n"
"  --no-augment      train on the images as they are\n"
"  --augment LIST    distortion ranges; the defaults are rot=10,scale=0.1,\n"
"                    shear=0.1,shift=2,elastic=1,prob=1 (degrees, scale factor,\n"
"                    shear factor, pixels, pixels, chance of distorting a sample)\n"
"                    plus scan-path fields, off (0) by default: thick=R (stroke\n"
"                    radius change in +-R px), blur=S (Gaussian sigma up to S),\n"
"                    binar=P (chance of binarising at a random threshold and\n"
"                    re-rendering the hard-edged ink as seg_normalize does),\n"
"                    gamma=G (ink gamma exp(+-G)), noise=N (when binarising,\n"
"                    noise of +-N times the peak ink before the cut, <= 0.25)\n"
"  --val N           validation images held out (default 5000)\n"
"  --limit N         use only the first N training images (quick experiments)\n"
"  --quiet           no progress output\n"
"  -h, --help        this text\n"
"\n"
"Progress goes to stderr: a live bar on a terminal, one line per epoch\n"
"otherwise.  Ctrl-C stops after the current batch and saves the best epoch so far.\n"
"\n"
"Example:\n"
"  digitctl train --data data/mnist --epochs 24 --seed 1 --threads 2 \\\n"
"      --out models/lenet5.model\n"
"\n"
"Exit status: 0 model written, 1 failure, 2 usage error.\n");
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "digitctl train: %s: '%s' is not a number in [%g, %g]\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static volatile int stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

struct progress_state { int tty; };

static void progress(const nn_progress *p, void *arg)
{
	struct progress_state *ps = arg;
	if (ps->tty) {
		const int width = 30;
		int fill = (int)((double)p->done / (double)p->total * width);
		char bar[64];
		for (int i = 0; i < width; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[width] = '\0';
		fprintf(stderr, "\repoch %2d/%d [%s] loss %.4f", p->epoch, p->epochs, bar, p->loss);
		if (p->epoch_done && p->val_accuracy >= 0)
			fprintf(stderr, " val %.2f%%", 100.0 * p->val_accuracy);
		fprintf(stderr, " %6.0fs %6.0f img/s\033[K", p->elapsed, p->images_per_s);
		if (p->epoch_done)
			fputc('\n', stderr);
	} else if (p->epoch_done) {
		fprintf(stderr, "epoch %d/%d loss %.4f val %.2f%% best %.2f%% (epoch %d) elapsed %.0fs %.0f img/s\n",
			p->epoch, p->epochs, p->loss, 100.0 * p->val_accuracy, 100.0 * p->best_val_accuracy,
			p->best_epoch, p->elapsed, p->images_per_s);
	}
	fflush(stderr);
}

/* Reviewed digits from a digitd database (--extra-db), appended to train.
 * Returns 0 or -1. */
static int add_reviewed(const char *db, nn_dataset *train, int quiet)
{
	char err[1024];
	uint8_t *im = NULL, *lab = NULL;
	size_t n = 0;
	if (store_reviewed_crops(db, &im, &lab, &n, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl train: --extra-db: %s\n", err);
		return -1;
	}
	int rc = n ? nn_dataset_append(train, im, lab, 0, n) : 0;
	free(im);
	free(lab);
	if (rc < 0)
		fprintf(stderr, "digitctl train: out of memory adding reviewed digits\n");
	else if (!quiet)
		fprintf(stderr, "added %zu reviewed digits from %s to training\n", n, db);
	return rc;
}

/* Labelled page crops (--pages PREFIX): nine tenths to train, the last
 * tenth to validation.  Returns 0 or -1. */
static int add_pages(const char *prefix, int classes, nn_dataset *train, nn_dataset *val, int quiet)
{
	char ip[4096], lp[4096], err[512];
	snprintf(ip, sizeof ip, "%s-images-idx3-ubyte", prefix);
	snprintf(lp, sizeof lp, "%s-labels-idx1-ubyte", prefix);
	uint8_t *im = NULL, *lab = NULL;
	size_t n = 0, nl = 0;
	int rc = -1;
	if (nn_idx_read_images(ip, &im, &n, err, sizeof err) < 0 ||
	    nn_idx_read_labels(lp, classes, &lab, &nl, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl train: --pages: %s\n", err);
		goto out;
	}
	if (n != nl) {
		fprintf(stderr, "digitctl train: --pages: %zu images but %zu labels\n", n, nl);
		goto out;
	}
	const size_t nval = n / 10;
	rc = nn_dataset_append(train, im, lab, 0, n - nval);
	if (rc == 0) rc = nn_dataset_append(val, im + (n - nval) * NN_PIXELS, lab + (n - nval), 0, nval);
	if (rc < 0) fprintf(stderr, "digitctl train: out of memory adding page crops\n");
	else if (!quiet) fprintf(stderr, "added %zu page crops to training, %zu to validation\n", n - nval, nval);
out:
	free(im);
	free(lab);
	return rc;
}

static int add_extra_sources(const struct train_args *a, int classes, nn_dataset *train, nn_dataset *val)
{
	if (a->pages && add_pages(a->pages, classes, train, val, a->quiet) < 0)
		return -1;
	/* reviewed digits train only: the validation split stays MNIST's, so
	 * scores stay comparable between models */
	if (a->extra_db && add_reviewed(a->extra_db, train, a->quiet) < 0)
		return -1;
	if (!a->negatives)
		return 0;
	if (classes != NN_CLASS_REJECT + 1) {
		fprintf(stderr, "digitctl train: --negatives needs an 11-output spec (e.g. --arch classic-reject); "
			"this one has %d outputs\n", classes);
		return -1;
	}
	char err[512];
	uint8_t *im = NULL;
	size_t n = 0;
	if (nn_idx_read_images(a->negatives, &im, &n, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl train: %s\n", err);
		return -1;
	}
	const size_t nval = n / 10;
	int rc = nn_dataset_append(train, im, NULL, NN_CLASS_REJECT, n - nval);
	if (rc == 0)
		rc = nn_dataset_append(val, im + (n - nval) * NN_PIXELS, NULL, NN_CLASS_REJECT, nval);
	free(im);
	if (rc < 0)
		fprintf(stderr, "digitctl train: out of memory adding negatives\n");
	else if (!a->quiet)
		fprintf(stderr, "added %zu negatives to training, %zu to validation\n", n - nval, nval);
	return rc;
}

static int parse_args(int argc, char **argv, struct train_args *a)
{
	enum { O_DATA = 256, O_OUT, O_ARCH, O_EPOCHS, O_SEED, O_THREADS, O_NEG, O_BATCH, O_OPT,
	       O_LR, O_WD, O_PAT, O_NOAUG, O_VAL, O_LIMIT, O_QUIET, O_AUG, O_EXTRA_DB, O_PAGES };
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, O_DATA }, { "out", required_argument, NULL, O_OUT },
		{ "arch", required_argument, NULL, O_ARCH }, { "epochs", required_argument, NULL, O_EPOCHS },
		{ "seed", required_argument, NULL, O_SEED }, { "threads", required_argument, NULL, O_THREADS },
		{ "negatives", required_argument, NULL, O_NEG }, { "batch", required_argument, NULL, O_BATCH },
		{ "optimizer", required_argument, NULL, O_OPT }, { "lr", required_argument, NULL, O_LR },
		{ "weight-decay", required_argument, NULL, O_WD }, { "patience", required_argument, NULL, O_PAT },
		{ "no-augment", no_argument, NULL, O_NOAUG }, { "val", required_argument, NULL, O_VAL },
		{ "limit", required_argument, NULL, O_LIMIT }, { "quiet", no_argument, NULL, O_QUIET },
		{ "augment", required_argument, NULL, O_AUG },
		{ "extra-db", required_argument, NULL, O_EXTRA_DB },
		{ "pages", required_argument, NULL, O_PAGES },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	double v;
	int lr_set = 0, c;
	memset(a, 0, sizeof *a);
	nn_train_defaults(&a->o);
	a->val = VAL_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); exit(0);
		case O_DATA: a->data = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_ARCH: a->o.spec = optarg; break;
		case O_NEG: a->negatives = optarg; break;
		case O_EXTRA_DB: a->extra_db = optarg; break;
		case O_PAGES: a->pages = optarg; break;
		case O_EPOCHS: if (parse_num("--epochs", optarg, 1, 10000, &v)) return -1; a->o.epochs = (int)v; break;
		case O_SEED: if (parse_num("--seed", optarg, 0, 1e18, &v)) return -1; a->o.seed = (uint64_t)v; break;
		case O_THREADS: if (parse_num("--threads", optarg, 1, 64, &v)) return -1; a->o.threads = (int)v; break;
		case O_BATCH:
			if (parse_num("--batch", optarg, NN_TRAIN_CHUNK, 4096, &v)) return -1;
			a->o.batch = (int)v;
			if (a->o.batch % NN_TRAIN_CHUNK) {
				fprintf(stderr, "digitctl train: --batch must be a multiple of %d\n", NN_TRAIN_CHUNK);
				return -1;
			}
			break;
		case O_OPT:
			if (strcmp(optarg, "adam") == 0) a->o.opt = NN_OPT_ADAM;
			else if (strcmp(optarg, "sgd") == 0) a->o.opt = NN_OPT_SGD;
			else { fprintf(stderr, "digitctl train: --optimizer is adam or sgd, not '%s'\n", optarg); return -1; }
			break;
		case O_LR: if (parse_num("--lr", optarg, 1e-7, 10, &v)) return -1; a->o.lr = (float)v; lr_set = 1; break;
		case O_WD: if (parse_num("--weight-decay", optarg, 0, 1, &v)) return -1; a->o.weight_decay = (float)v; break;
		case O_PAT: if (parse_num("--patience", optarg, 0, 10000, &v)) return -1; a->o.patience = (int)v; break;
		case O_NOAUG: a->o.augment = 0; break;
		case O_AUG:
			if (nn_augment_parse(optarg, &a->o.aug) < 0) {
				fprintf(stderr, "digitctl train: --augment: cannot read '%s'\n", optarg);
				return -1;
			}
			break;
		case O_VAL: if (parse_num("--val", optarg, 0, 1e7, &v)) return -1; a->val = (size_t)v; break;
		case O_LIMIT: if (parse_num("--limit", optarg, 1, 1e8, &v)) return -1; a->limit = (size_t)v; break;
		case O_QUIET: a->quiet = 1; break;
		default:
			fprintf(stderr, "digitctl train: unknown or incomplete option '%s'\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "digitctl train: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!a->data || !a->out) {
		fprintf(stderr, "digitctl train: --data and --out are required\n");
		return -1;
	}
	if (!lr_set && a->o.opt == NN_OPT_SGD)
		a->o.lr = 0.05f;
	a->o.lr_final = a->o.lr / 100.0f;
	return 0;
}

int cmd_train(int argc, char **argv)
{
	struct train_args a;
	nn_dataset all = { 0 }, train = { 0 }, val = { 0 };
	nn_model *m = NULL;
	char err[512], ip[4096], lp[4096];
	int rc = 1;

	if (parse_args(argc, argv, &a) < 0) {
		fputc('\n', stderr);
		usage(stderr);
		return EXIT_USAGE;
	}
	nn_net probe;
	if (nn_net_parse(&probe, a.o.spec, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl train: --arch: %s\n\n", err);
		usage(stderr);
		return EXIT_USAGE;
	}
	snprintf(ip, sizeof ip, "%s/train-images-idx3-ubyte", a.data);
	snprintf(lp, sizeof lp, "%s/train-labels-idx1-ubyte", a.data);
	if (nn_idx_append_pair(&all, ip, lp, 10, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl train: %s\n", err);
		goto out;
	}
	if (a.val >= all.n) {
		fprintf(stderr, "digitctl train: --val %zu leaves no training images (%zu in %s)\n", a.val, all.n, ip);
		goto out;
	}
	/* MNIST's last 5,000 training images are the customary validation split. */
	size_t ntrain = all.n - a.val;
	if (a.limit && a.limit < ntrain)
		ntrain = a.limit;
	if (nn_dataset_append(&train, all.images, all.labels, 0, ntrain) < 0 ||
	    nn_dataset_append(&val, all.images + (all.n - a.val) * NN_PIXELS, all.labels + (all.n - a.val), 0, a.val) < 0) {
		fprintf(stderr, "digitctl train: out of memory\n");
		goto out;
	}
	nn_dataset_free(&all);
	if (add_extra_sources(&a, probe.classes, &train, &val) < 0)
		goto out;

	struct progress_state ps = { .tty = isatty(STDERR_FILENO) };
	if (!a.quiet) {
		a.o.progress = progress;
		a.o.progress_arg = &ps;
		fprintf(stderr, "training %s on %zu images (%zu validation), %d epochs, seed %llu, %d threads\n",
			nn_spec_expand(a.o.spec), train.n, val.n, a.o.epochs, (unsigned long long)a.o.seed, a.o.threads);
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	a.o.stop = &stop_flag;
	m = nn_train(&train, &val, &a.o, err, sizeof err);
	if (!m) {
		fprintf(stderr, "digitctl train: %s\n", err);
		goto out;
	}
	if (nn_model_save(m, a.out, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl train: %s\n", err);
		goto out;
	}
	const nn_model_info *info = nn_model_get_info(m);
	printf("wrote %s (%s): best epoch %u of %u, validation accuracy %.2f%%, temperature %.3f\n",
	       a.out, nn_model_id(m), info->best_epoch, info->epochs, 100.0 * info->val_accuracy, info->temperature);
	rc = 0;
out:
	nn_model_free(m);
	nn_dataset_free(&all);
	nn_dataset_free(&train);
	nn_dataset_free(&val);
	return rc;
}
