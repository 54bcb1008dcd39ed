/* cmd_recognize.c: `digitctl recognize`, one-off recognition of image files
 * without the daemon or the database: a table for people, JSON lines for
 * scripts (the shape of issue #3 §5). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "nn/nn.h"
#include "recognize/recognize.h"
#include "recognize/verify.h"
#include "util/config.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: digitctl recognize [OPTIONS] FILE...\n"
		"\n"
		"Read the handwritten digits of scanned images (cheques, forms, sheets)\n"
		"and print them grouped into fields, each digit with its box and a\n"
		"calibrated confidence.  Nothing is stored: this is the daemon's pipeline\n"
		"run once, for trying settings and checking scans.\n"
		"\n"
		"Formats: PNG, JPEG, TIFF (every page of a multi-page TIFF is read), BMP,\n"
		"PGM/PBM/PPM, WebP, PDF (every page, rendered at 300 dpi).  Files over\n"
		"100 megapixels (all pages together) or 256 MiB are refused before\n"
		"decoding, as are encrypted PDFs and PDFs of more than 256 pages.\n"
		"\n"
		"Options:\n"
		"  --json             one JSON object per file and line, instead of a table:\n"
		"                     {\"file\", \"sha256\", \"pages\", \"width\", \"height\", \"ms\",\n"
		"                      \"digits\": [{\"page\", \"x\", \"y\", \"w\", \"h\", \"label\",\n"
		"                      \"confidence\", \"alt_label\", \"alt_confidence\", \"field\",\n"
		"                      \"flagged\", \"why\", \"reject\"}], \"fields\": [{\"page\",\n"
		"                      \"x\", \"y\", \"w\", \"h\", \"text\", \"confidence\",\n"
		"                      \"flagged\"}], \"error\"}\n"
		"                     Boxes are in the file's pixel coordinates; \"why\" holds\n"
		"                     the reasons for a flag (bits: 1 low confidence, 2 split,\n"
		"                     4 merged, 8 maybe not a digit, 16 odd size, 32 beside\n"
		"                     text, 128 small), \"reject\" the model's \"not a digit\"\n"
		"                     probability (0 with a 10-class model).\n"
		"  --debug-dir DIR    write DIR/<file>.overlay.png per input (one per page for\n"
		"                     multi-page TIFF): digit boxes with label and confidence,\n"
		"                     green when accepted, red when flagged; fields in blue\n"
		"  -c, --config FILE  take the model from this digitd configuration (default:\n"
		"                     $DIGITD_CONFIG, else " DIGITD_SYSCONFDIR "/digitd/digitd.conf when\n"
		"                     it exists), so the pages read as the daemon reads them\n"
		"  --model FILE       the model (default: the configuration's; without one,\n"
		"                     lenet5-reject.model, the one with a \"not a digit\"\n"
		"                     class, else lenet5.model; each looked for in ./models,\n"
		"                     in ../share/digitd/models beside this digitctl, then in\n"
		"                     %s/models)\n"
		"  --verifier FILE    the candidate verifier (default: the model's name with\n"
		"                     .verifier, when that file exists)\n"
		"  --no-verifier      hand rules only, no verifier\n"
		"  --verifier-network FILE\n"
		"                     hand rules only, but with --explain the candidates'\n"
		"                     features include this network's \"not a handwritten\n"
		"                     digit\" output: the rows a verifier is trained on\n"
		"  --threshold T      flag digits whose confidence is under T (0..1, default\n"
		"                     0.90); digits that had to be cut from touching ones, of\n"
		"                     odd size, likely not digits, or right beside rejected\n"
		"                     text are flagged whatever their confidence\n"
		"  -h, --help         show this help\n"
		"\n"
		"A field is flagged when any of its digits is; its confidence is the\n"
		"product of its digits' confidences.\n"
		"\n"
		"Exit status: 0 when every file was read, 1 when any file could not be\n"
		"(its error is reported and the other files are still processed), 2 on a\n"
		"usage error.\n"
		"\n"
		"Examples:\n"
		"  digitctl recognize scan.png\n"
		"  digitctl recognize --json --debug-dir /tmp/overlays samples/*.png\n",
		DIGITD_SHAREDIR);
}

/* The model with the "not a digit" class when it is installed: it reads
 * as well and reports far fewer printed words and marks as digits.  Each
 * name is looked for in ./models, then in the shared directory. */
static const char *const default_models[] = {
	"models/lenet5-reject.model",
	DIGITD_SHAREDIR "/models/lenet5-reject.model",
	"models/lenet5.model",
	DIGITD_SHAREDIR "/models/lenet5.model",
};
#define NDEFAULT_MODELS (sizeof default_models / sizeof *default_models)

/* The shared directory of the installation this digitctl belongs to
 * (BIN/../share/digitd), found from the running executable: a binary built
 * with one PREFIX and installed under another (make; make install
 * PREFIX=/usr) still finds its models. */
static int exe_sharedir(char *out, size_t n)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len <= 0) return -1;
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash) return -1;
	*slash = '\0';
	int w = snprintf(out, n, "%s/../share/digitd", exe);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* The first default model that can be read, into buf. */
static const char *default_model(char *buf, size_t n)
{
	char share[4096];
	bool have_share = exe_sharedir(share, sizeof share) == 0;
	for (size_t i = 0; i < NDEFAULT_MODELS; i++) {
		const char *name = strrchr(default_models[i], '/') + 1;
		if (i % 2 == 1 && have_share) {   /* beside this binary, before the built-in prefix */
			int w = snprintf(buf, n, "%s/models/%s", share, name);
			if (w > 0 && (size_t)w < n && access(buf, R_OK) == 0) return buf;
		}
		if (access(default_models[i], R_OK) == 0) {
			snprintf(buf, n, "%s", default_models[i]);
			return buf;
		}
	}
	return NULL;
}

/* The model named by the digitd configuration: the file given with -c, else
 * $DIGITD_CONFIG, else the installed one when it exists.  0 with the path in
 * buf, 1 when there is no configuration to read, -1 after reporting an
 * invalid one (a configuration asked for by name must not be skipped). */
static int config_model(const char *path, char *buf, size_t n)
{
	bool asked = path != NULL || (getenv("DIGITD_CONFIG") && *getenv("DIGITD_CONFIG"));
	if (!path) path = config_default_path();
	if (!asked && access(path, F_OK) < 0) return 1;
	struct digitd_config cfg;
	char err[2048];
	if (config_load(path, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl recognize: %s\n", err);
		return -1;
	}
	snprintf(buf, n, "%s", cfg.model);
	config_free(&cfg);
	return 0;
}

static void print_table(const char *file, const rec_result *r)
{
	size_t flagged = 0;
	for (size_t i = 0; i < r->ndigits; i++) flagged += r->digits[i].flagged;
	size_t dropped = 0;
	for (size_t i = 0; i < r->ncands; i++) dropped += r->cands[i].drop != 0;
	printf("%s: %d page%s, %dx%d, %.1f ms, %zu digit%s in %zu field%s, %zu flagged\n", file, r->npages,
	       r->npages == 1 ? "" : "s", r->npages ? r->pages[0].width : 0, r->npages ? r->pages[0].height : 0, r->ms,
	       r->ndigits, r->ndigits == 1 ? "" : "s", r->nfields, r->nfields == 1 ? "" : "s", flagged);
	if (r->nfields == 0) return;
	printf("  %-5s %-4s %-24s %-16s %-6s %s\n", "field", "page", "box (x,y wxh)", "text", "conf", "flag");
	for (size_t i = 0; i < r->nfields; i++) {
		const rec_field *f = &r->fields[i];
		char box[48];
		snprintf(box, sizeof box, "%d,%d %dx%d", f->x, f->y, f->w, f->h);
		char why[256];
		rec_flag_words(f->why, why, sizeof why);
		printf("  %-5zu %-4d %-24s %-16s %-6.3f %s%s%s\n", i, f->page, box, f->text, f->confidence,
		       f->flagged ? "REVIEW" : "", *why ? " " : "", why);
	}
	for (size_t i = 0; i < r->nunread; i++) {
		const rec_unread *u = &r->unread[i];
		char box[48], why[256];
		snprintf(box, sizeof box, "%d,%d %dx%d", u->x, u->y, u->w, u->h);
		rec_flag_words(u->why & ~(unsigned)REC_FLAG_UNREAD, why, sizeof why);
		printf("  %-5s %-4d %-24s %-16s %-6s REVIEW unread %s\n", "-", u->page, box, "?", "", why);
	}
	if (!r->cands) return;
	printf("  candidates (%zu, %zu dropped):\n", r->ncands, dropped);
	for (size_t i = 0; i < r->ncands; i++) {
		const rec_cand *c = &r->cands[i];
		char box[48], why[256];
		snprintf(box, sizeof box, "%d,%d %dx%d", c->x, c->y, c->w, c->h);
		if (c->drop) rec_drop_words(c->drop, why, sizeof why);
		else rec_flag_words(c->why, why, sizeof why);
		printf("    %-4d %-24s %d %.3f reject %.3f verifier %6.3f %s %s\n", c->page, box, c->label, c->confidence,
		       c->reject, c->verifier, c->drop ? "dropped:" : "kept", why);
	}
}

int cmd_recognize(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ "model", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "explain", no_argument, NULL, 'x' },
		{ "verifier", required_argument, NULL, 'v' },
		{ "no-verifier", no_argument, NULL, 'V' },
		{ "verifier-network", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *model_path = NULL, *verifier_path = NULL, *network_path = NULL, *config_path = NULL;
	char model_buf[4096];
	bool no_verifier = false;
	rec_options o;
	rec_options_default(&o);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'j': json = true; break;
		case 'd': o.debug_dir = optarg; break;
		case 'm': model_path = optarg; break;
		case 'x': o.explain = true; break;
		case 'v': verifier_path = optarg; break;
		case 'V': no_verifier = true; break;
		case 'N': network_path = optarg; no_verifier = true; break;
		case 't': {
			char *end;
			double t = strtod(optarg, &end);
			if (*optarg == 0 || *end || !(t >= 0 && t <= 1)) {
				fprintf(stderr, "digitctl recognize: --threshold '%s': a number from 0 to 1 expected\n",
					optarg);
				return EXIT_USAGE;
			}
			o.threshold = (float)t;
			break;
		}
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "digitctl recognize: %s '%s'\n\n",
				optopt ? "option needs an argument or is unknown:" : "unknown option", argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "digitctl recognize: no FILE given\n\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!model_path) {
		int r = config_model(config_path, model_buf, sizeof model_buf);
		if (r < 0) return 1;
		if (r == 0) model_path = model_buf;
	}
	if (!model_path && !(model_path = default_model(model_buf, sizeof model_buf))) {
		char share[4096];
		fprintf(stderr, "digitctl recognize: no configuration (%s) and no model found; looked for:\n",
			config_default_path());
		for (size_t i = 0; i < NDEFAULT_MODELS; i++) {
			if (i % 2 == 1 && exe_sharedir(share, sizeof share) == 0)
				fprintf(stderr, "  %s/models/%s\n", share, strrchr(default_models[i], '/') + 1);
			fprintf(stderr, "  %s\n", default_models[i]);
		}
		fprintf(stderr, "digitctl recognize: run from the source tree, `make install`, or give --model FILE\n");
		return 1;
	}
	char err[512];
	nn_model *m = nn_model_load(model_path, err, sizeof err);
	if (!m) {
		fprintf(stderr, "digitctl recognize: %s\n", err);
		fprintf(stderr, "digitctl recognize: train one with `digitctl train` or give --model FILE\n");
		return 1;
	}
	rec_verifier ver;
	char vpath[4096];
	if (!verifier_path && !no_verifier) {
		rec_verifier_path(model_path, vpath, sizeof vpath);
		if (access(vpath, F_OK) == 0) verifier_path = vpath;
	}
	if (verifier_path && !no_verifier) {
		if (rec_verifier_load(verifier_path, &ver, err, sizeof err) < 0 ||
		    rec_verifier_check_model(&ver, m, err, sizeof err) < 0) {
			rec_verifier_free(&ver);
			fprintf(stderr, "digitctl recognize: %s\n", err);
			fprintf(stderr, "digitctl recognize: retrain it (models/README.md) or give --no-verifier\n");
			nn_model_free(m);
			return 1;
		}
		o.verifier = &ver;
	}
	if (network_path) {
		memset(&ver, 0, sizeof ver);
		ver.net = nn_model_load(network_path, err, sizeof err);
		if (!ver.net || nn_model_classes(ver.net) != NN_CLASS_REJECT + 1) {
			fprintf(stderr, "digitctl recognize: --verifier-network: %s\n",
				ver.net ? "the network needs 11 outputs" : err);
			rec_verifier_free(&ver);
			nn_model_free(m);
			return 1;
		}
		ver.features_only = true;
		o.verifier = &ver;
	}
	nn_infer *nn = nn_infer_new(m, 256);
	if (!nn) {
		fprintf(stderr, "digitctl recognize: out of memory for the model's buffers\n");
		nn_model_free(m);
		rec_verifier_free(o.verifier ? &ver : NULL);
		return 1;
	}
	int status = 0;
	for (int i = optind; i < argc; i++) {
		rec_result r;
		if (rec_file(argv[i], &o, nn, &r, err, sizeof err) < 0) {
			status = 1;
			if (json) rec_result_json(stdout, argv[i], &r, err);
			else fprintf(stderr, "digitctl recognize: %s\n", err);
		} else if (json) {
			rec_result_json(stdout, argv[i], &r, NULL);
		} else {
			print_table(argv[i], &r);
		}
		fflush(stdout);
		rec_result_free(&r);
	}
	nn_infer_free(nn);
	nn_model_free(m);
	rec_verifier_free(o.verifier ? &ver : NULL);
	return status;
}
