/* cmd_review.c: `digitctl review`, a person clears the flagged digits.
 *
 * Interactive on a terminal (review_tty.c), or scripted: --list prints the
 * queue, --set stores decisions, --export-crops writes the flagged digits'
 * images for a person or tool elsewhere.  Every decision is its own short
 * write transaction (query_review_set), so it is safe beside a running
 * digitd and nothing decided is lost if the session ends. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "cli/review.h"
#include "recognize/flags.h"
#include "cli/textout.h"
#include "imaging/draw.h"
#include "imaging/png.h"
#include "nn/nn.h"
#include "store/query.h"

static const char synopsis[] =
	"Usage: digitctl review [--db FILE] [--reviewer NAME] [--limit N]\n"
	"       digitctl review --list [--json] [--limit N]\n"
	"       digitctl review --set DIGIT_ID=LABEL... [--reviewer NAME]\n"
	"       digitctl review --export-crops DIR [--pending] [--crop28]\n"
	"       digitctl review --unread [--json] [--limit N]\n"
	"       digitctl review --set-unread REGION_ID=TEXT... [--reviewer NAME]\n";

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "Review the digits digitd flagged, least confident first.\n"
	      "\n"
	      "Without --list, --set or --export-crops, review runs interactively on the\n"
	      "terminal.  For each flagged digit it shows the 28x28 image the model saw\n"
	      "(drawn with Unicode half blocks in shades of grey), the field it belongs to\n"
	      "with its neighbouring digits, and the model's label, confidence and second\n"
	      "guess; on a terminal at least 110 columns wide also the crop as scanned.\n"
	      "Keys:\n"
	      "  0-9      the digit is this (stored at once)\n"
	      "  Enter    the model is right: store its label\n"
	      "  s        skip this digit for now (it stays in the queue)\n"
	      "  u        undo the last decision and show that digit again\n"
	      "  q        quit (^C and ^D too); decisions made are kept\n"
	      "Digits flagged by digitd while you review are added at the end.\n"
	      "\n"
	      "Each decision stores reviewed_label, reviewed_by (the login name, or\n"
	      "--reviewer) and reviewed_at (ISO 8601 UTC) in the digits table; from then\n"
	      "on the reviewed label overrides the model's in `show` and `export`.\n"
	      "\n"
	      "Options:\n"
	      "  --db FILE            the database (default: the one in the digitd config)\n"
	      "  --reviewer NAME      who is reviewing (default: the login name)\n"
	      "  --limit N            at most N digits (0 = all, the default)\n"
	      "  --list               print the queue (digits flagged and not reviewed)\n"
	      "  --json               with --list: a JSON array instead of the table\n"
	      "  --set ID=LABEL...    store decisions without a terminal: digit ID (as\n"
	      "                       --list or `show` print it) is LABEL (0-9); any\n"
	      "                       digit may be set, flagged or not, and setting a\n"
	      "                       reviewed digit again replaces the decision\n"
	      "  --export-crops DIR   write a PNG per flagged digit into DIR (created if\n"
	      "                       missing), named ID.png: the crop of the original\n"
	      "                       scan as stored by digitd\n"
	      "  --pending            with --export-crops: only digits still in the queue\n"
	      "  --unread             print the unread regions nobody has typed yet: ink\n"
	      "                       that may be a number but was not read (view\n"
	      "                       unread_queue), with the reasons; look at the scan\n"
	      "                       (digitctl show --overlay) and type what is there\n"
	      "  --set-unread ID=TEXT...\n"
	      "                       what is written in unread region ID: its digits,\n"
	      "                       or nothing (ID=) when there is no number\n"
	      "  --crop28             with --export-crops: the 28x28 image the model saw\n"
	      "                       (white ink on black) instead of the original crop\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 success, 1 failure (bad database, unknown digit id, not a\n"
	      "terminal, a file not written), 2 usage error.\n"
	      "\n"
	      "Examples:\n"
	      "  digitctl review --reviewer alice\n"
	      "  digitctl review --list --json | jq '.[0]'\n"
	      "  digitctl review --set 1043=7 1044=1\n"
	      "  digitctl review --export-crops /tmp/flagged\n", stdout);
}

/* The login name, for reviewed_by. */
static const char *login_name(char *buf, size_t n)
{
	struct passwd *pw;
	const char *env = getenv("USER");
	if (getlogin_r(buf, n) == 0 && buf[0]) return buf;
	if ((pw = getpwuid(geteuid())) && pw->pw_name) { snprintf(buf, n, "%s", pw->pw_name); return buf; }
	if (env && *env) { snprintf(buf, n, "%s", env); return buf; }
	snprintf(buf, n, "uid%u", (unsigned)geteuid());
	return buf;
}

static int do_list(sqlite3 *db, int json, int limit)
{
	sqlite3_stmt *st = NULL;
	int n = 0, step;
	const char *sql =
		"SELECT q.id, q.document_id, q.name, coalesce(f.idx, -1), d.pos, q.label, q.confidence, q.alt_label, "
		"       q.alt_confidence, d.why, coalesce(" QUERY_FIELD_TEXT("q.field_id") ", '') "
		"FROM review_queue q JOIN digits d ON d.id = q.id "
		"LEFT JOIN fields f ON f.id = q.field_id "
		"ORDER BY q.confidence, q.id LIMIT ?";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return cli_sql_error("review", db);
	sqlite3_bind_int(st, 1, limit ? limit : -1);
	if (json) fputs("[", stdout);
	else printf("%6s  %5s  %-24s  %5s  %3s  %5s  %-6s  %-10s  %-10s  %s\n", "DIGIT", "DOC", "NAME", "FIELD", "POS",
		    "LABEL", "CONF", "2ND GUESS", "FLAG", "FIELD TEXT");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char why[256], alt[24] = "";
		int hasalt = sqlite3_column_type(st, 7) != SQLITE_NULL;
		rec_flag_words((unsigned)sqlite3_column_int(st, 9), why, sizeof why);
		if (json) {
			printf("%s\n {\"id\": %lld, \"document_id\": %lld, \"name\": ", n ? "," : "",
			       (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
			out_json_str(stdout, (const char *)sqlite3_column_text(st, 2));
			printf(", \"field\": %d, \"pos\": %d, \"label\": %d, \"confidence\": ", sqlite3_column_int(st, 3),
			       sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
			out_json_num(stdout, sqlite3_column_double(st, 6), 4);
			if (hasalt) {
				printf(", \"alt_label\": %d, \"alt_confidence\": ", sqlite3_column_int(st, 7));
				out_json_num(stdout, sqlite3_column_double(st, 8), 4);
			} else {
				fputs(", \"alt_label\": null, \"alt_confidence\": null", stdout);
			}
			fputs(", \"why\": ", stdout);
			out_json_str(stdout, why);
			fputs(", \"field_text\": ", stdout);
			out_json_str(stdout, (const char *)sqlite3_column_text(st, 10));
			fputs("}", stdout);
		} else {
			if (hasalt) snprintf(alt, sizeof alt, "%d %.4f", sqlite3_column_int(st, 7), sqlite3_column_double(st, 8));
			printf("%6lld  %5lld  ", (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
			out_cell(stdout, (const char *)sqlite3_column_text(st, 2), 24, 1);
			printf("  %5d  %3d  %5d  %.4f  %-10s  %-10s  %s\n", sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
			       sqlite3_column_int(st, 5), sqlite3_column_double(st, 6), alt, why,
			       (const char *)sqlite3_column_text(st, 10));
		}
		n++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) return cli_sql_error("review", db);
	if (json) fputs(n ? "\n]\n" : "]\n", stdout);
	else if (n == 0) fputs("(the review queue is empty)\n", stdout);
	return 0;
}

typedef struct {
	long long id;
	int label;
} decision;

static int parse_set(const char *s, decision *d)
{
	char *end;
	errno = 0;
	long long id = strtoll(s, &end, 10);
	if (errno || end == s || id <= 0 || *end != '=') return -1;
	if (end[1] < '0' || end[1] > '9' || end[2]) return -1;
	d->id = id;
	d->label = end[1] - '0';
	return 0;
}

static int do_set(sqlite3 *db, decision *ds, int n, const char *reviewer)
{
	char at[32], err[512];
	int rc = 0;
	query_now_iso(at);
	for (int i = 0; i < n; i++) {
		query_review_prev prev;
		if (query_review_set(db, ds[i].id, ds[i].label, reviewer, at, &prev, err, sizeof err) < 0) {
			fprintf(stderr, "digitctl review: %s\n", err);
			rc = 1;
			continue;
		}
		if (prev.had_review && prev.label != ds[i].label)
			printf("digit %lld: %d (was reviewed as %d by %s)\n", ds[i].id, ds[i].label, prev.label, prev.by);
		else
			printf("digit %lld: %d\n", ds[i].id, ds[i].label);
	}
	return rc;
}

/* The unread queue, oldest document first. */
static int do_unread(sqlite3 *db, int json, int limit)
{
	sqlite3_stmt *st = NULL;
	int n = 0, step;
	if (sqlite3_prepare_v2(db, "SELECT id, document_id, name, page, x, y, w, h, why FROM unread_queue LIMIT ?", -1, &st,
			       NULL) != SQLITE_OK)
		return cli_sql_error("review", db);
	sqlite3_bind_int(st, 1, limit ? limit : -1);
	if (json) fputs("[", stdout);
	else printf("%6s  %5s  %-24s  %4s  %-20s  %s\n", "REGION", "DOC", "NAME", "PAGE", "BOX", "WHY");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char why[256], box[64];
		rec_flag_words((unsigned)sqlite3_column_int(st, 8) & ~(unsigned)REC_FLAG_UNREAD, why, sizeof why);
		snprintf(box, sizeof box, "%d,%d %dx%d", sqlite3_column_int(st, 4), sqlite3_column_int(st, 5),
			 sqlite3_column_int(st, 6), sqlite3_column_int(st, 7));
		if (json) {
			printf("%s\n {\"id\": %lld, \"document_id\": %lld, \"name\": ", n ? "," : "",
			       (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
			out_json_str(stdout, (const char *)sqlite3_column_text(st, 2));
			printf(", \"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"why\": ", sqlite3_column_int(st, 3),
			       sqlite3_column_int(st, 4), sqlite3_column_int(st, 5), sqlite3_column_int(st, 6),
			       sqlite3_column_int(st, 7));
			out_json_str(stdout, why);
			fputs("}", stdout);
		} else {
			printf("%6lld  %5lld  ", (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
			out_cell(stdout, (const char *)sqlite3_column_text(st, 2), 24, 1);
			printf("  %4d  %-20s  %s\n", sqlite3_column_int(st, 3), box, why);
		}
		n++;
	}
	if (json) fputs(n ? "\n]\n" : "]\n", stdout);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : cli_sql_error("review", db);
}

/* REGION_ID=TEXT for each argument; all parsed before any is stored. */
static int do_set_unread(sqlite3 *db, char **args, int n, const char *reviewer)
{
	char at[32], err[512];
	int rc = 0;
	query_now_iso(at);
	for (int i = 0; i < n; i++) {
		char *end;
		errno = 0;
		long long id = strtoll(args[i], &end, 10);
		if (errno || end == args[i] || id <= 0 || *end != '=') {
			fprintf(stderr, "digitctl review: '%s' is not REGION_ID=TEXT\n", args[i]);
			return 2;
		}
	}
	for (int i = 0; i < n; i++) {
		char *eq = strchr(args[i], '=');
		long long id = strtoll(args[i], NULL, 10);
		if (query_unread_set(db, id, eq + 1, reviewer, at, err, sizeof err) < 0) {
			fprintf(stderr, "digitctl review: %s\n", err);
			rc = 1;
			continue;
		}
		printf("unread region %lld: %s\n", id, eq[1] ? eq + 1 : "(no number there)");
	}
	return rc;
}

static int write_blob(const char *path, const void *data, size_t len)
{
	char tmp[4200];
	FILE *f;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "wb"))) return -1;
	if (fwrite(data, 1, len, f) != len) { fclose(f); unlink(tmp); return -1; }
	if (fclose(f) != 0 || rename(tmp, path) != 0) { unlink(tmp); return -1; }
	return 0;
}

static int do_export_crops(sqlite3 *db, const char *dir, int pending, int crop28)
{
	sqlite3_stmt *st = NULL;
	char path[4096];
	int n = 0, step, rc = 0;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "digitctl review: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	const char *sql = "SELECT id, crop_png, crop28 FROM digits WHERE flagged = 1 "
			  "AND (?1 = 0 OR reviewed_label IS NULL) ORDER BY id";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return cli_sql_error("review", db);
	sqlite3_bind_int(st, 1, pending);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const void *png = sqlite3_column_blob(st, 1);
		int pnglen = sqlite3_column_bytes(st, 1);
		const uint8_t *c28 = sqlite3_column_blob(st, 2);
		int len28 = sqlite3_column_bytes(st, 2);
		uint8_t *enc = NULL;
		size_t enclen = 0;
		snprintf(path, sizeof path, "%s/%lld.png", dir, id);
		if (crop28 || pnglen == 0) {
			/* no stored PNG (crop_png off in the config): the model's view */
			img_t im;
			img_err e;
			if (len28 != NN_PIXELS) {
				fprintf(stderr, "digitctl review: digit %lld has no stored image; skipped\n", id);
				rc = 1;
				continue;
			}
			if (img_alloc(&im, NN_SIDE, NN_SIDE, 1, &e) < 0) { rc = 1; break; }
			memcpy(im.data, c28, NN_PIXELS);
			if (img_encode_png(&im, &enc, &enclen, &e) < 0) {
				fprintf(stderr, "digitctl review: digit %lld: %s\n", id, e.msg);
				img_free(&im);
				rc = 1;
				continue;
			}
			img_free(&im);
			png = enc;
			pnglen = (int)enclen;
		}
		if (write_blob(path, png, (size_t)pnglen) < 0) {
			fprintf(stderr, "digitctl review: %s: %s\n", path, strerror(errno));
			free(enc);
			rc = 1;
			break;
		}
		free(enc);
		n++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) rc = cli_sql_error("review", db);
	sqlite3_finalize(st);
	printf("%d crop%s written to %s\n", n, n == 1 ? "" : "s", dir);
	return rc;
}

int cmd_review(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "reviewer", required_argument, NULL, 'R' },
		{ "limit", required_argument, NULL, 'L' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'J' },
		{ "set", no_argument, NULL, 's' },
		{ "export-crops", required_argument, NULL, 'E' },
		{ "pending", no_argument, NULL, 'P' },
		{ "crop28", no_argument, NULL, '2' },
		{ "unread", no_argument, NULL, 'U' },
		{ "set-unread", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *reviewer = NULL, *crops = NULL;
	char namebuf[256];
	int list = 0, json = 0, set = 0, pending = 0, crop28 = 0, unread = 0, set_unread = 0, c, rc = 1;
	long long limit = 0;
	sqlite3 *db = NULL;
	decision *ds = NULL;
	int nds = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dbpath = optarg; break;
		case 'R':
			if (!*optarg) return cli_usage_error("review", synopsis, "--reviewer needs a name");
			reviewer = optarg;
			break;
		case 'L':
			if ((limit = cli_parse_count(optarg)) < 0)
				return cli_usage_error("review", synopsis, "--limit %s", cli_count_why(optarg));
			break;
		case 'l': list = 1; break;
		case 'J': json = 1; break;
		case 's': set = 1; break;
		case 'E': crops = optarg; break;
		case 'P': pending = 1; break;
		case '2': crop28 = 1; break;
		case 'U': unread = 1; break;
		case 'T': set_unread = 1; break;
		case 'h': help(); return 0;
		default:
			return cli_usage_error("review", synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (list + set + (crops != NULL) + unread + set_unread > 1)
		return cli_usage_error("review", synopsis,
				       "--list, --set, --export-crops, --unread and --set-unread go one at a time");
	if (json && !list && !unread) return cli_usage_error("review", synopsis, "--json goes with --list or --unread");
	if (set_unread && optind == argc)
		return cli_usage_error("review", synopsis, "--set-unread needs REGION_ID=TEXT arguments");
	if ((pending || crop28) && !crops)
		return cli_usage_error("review", synopsis, "--pending and --crop28 go with --export-crops");
	if (set) {
		if (optind == argc) return cli_usage_error("review", synopsis, "--set needs DIGIT_ID=LABEL arguments");
		nds = argc - optind;
		ds = calloc((size_t)nds, sizeof *ds);
		if (!ds) { fprintf(stderr, "digitctl review: out of memory\n"); return 1; }
		/* all or nothing on syntax: a typo must not leave half the list stored */
		for (int i = 0; i < nds; i++)
			if (parse_set(argv[optind + i], &ds[i]) < 0) {
				free(ds);
				return cli_usage_error("review", synopsis, "'%s' is not DIGIT_ID=LABEL (LABEL 0-9)",
						       argv[optind + i]);
			}
	} else if (optind < argc && !set_unread) {
		return cli_usage_error("review", synopsis, "unexpected argument '%s'", argv[optind]);
	}
	if (!reviewer) reviewer = login_name(namebuf, sizeof namebuf);
	if (!list && !crops && !set && !unread && !set_unread && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "digitctl review: the interactive review needs a terminal; "
			"use --list, --set or --export-crops in scripts\n");
		return 1;
	}
	if (cli_db_open("review", dbpath, set || set_unread || (!list && !crops && !unread), &db) < 0) goto out;
	if (unread) rc = do_unread(db, json, (int)limit);
	else if (set_unread) rc = do_set_unread(db, argv + optind, argc - optind, reviewer);
	else if (list) rc = do_list(db, json, (int)limit);
	else if (set) rc = do_set(db, ds, nds, reviewer);
	else if (crops) rc = do_export_crops(db, crops, pending, crop28);
	else rc = review_tty(db, reviewer, (int)limit);
out:
	free(ds);
	sqlite3_close(db);
	if (cli_flush_output("review") < 0) rc = 1;
	return rc;
}
