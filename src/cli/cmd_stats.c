/* cmd_stats.c: `digitctl stats`, how digitd is doing and where to set the
 * review threshold.
 *
 * Two kinds of evidence, kept apart in the output:
 *  - what people found: reviewed digits, whose reviewed label says whether
 *    the model was right.  Accuracy per confidence band and the threshold
 *    that would have flagged >= 99 % of the mistakes seen so far come from
 *    these.  They are mostly digits that were flagged, so mistakes the model
 *    made confidently are seen only when people spot-check (review --set);
 *  - what the model believes: its calibrated confidences, whose complement
 *    is each digit's expected error.  The review policy (a target error rate
 *    for the digits nobody looks at) and the read rate at that error rate come
 *    from these, checked against the reviewed digits when there are any. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "cli/textout.h"
#include "cli/timefmt.h"
#include "store/query.h"
#include "util/config.h"
#include "util/order.h"

static const char synopsis[] =
	"Usage: digitctl stats [--db FILE] [--since TIME] [--hours N] [--target-error RATE]\n"
	"                      [--threshold T] [--json]\n";

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "Throughput, review backlog and threshold advice from the database.\n"
	      "\n"
	      "  processed      documents by status, digits read, share flagged\n"
	      "  backlog        flagged digits nobody has reviewed yet\n"
	      "  time           recognition time per document (mean, median, 95th\n"
	      "                 percentile) and documents per hour, hour by hour (UTC)\n"
	      "  accuracy       for reviewed digits: how often the model was right in\n"
	      "                 each confidence band\n"
	      "  threshold      the threshold that flags the fewest digits while still\n"
	      "                 catching at least 99 % of the model's mistakes seen so far\n"
	      "                 (a digit is flagged when its confidence is below it); only\n"
	      "                 once at least 100 digits were reviewed\n"
	      "  review policy  for a target error rate of the digits nobody reviews: the\n"
	      "                 threshold that reaches it (expected errors from the\n"
	      "                 model's calibrated confidences), and the read rate: the\n"
	      "                 share of digits (and of whole fields) accepted without a\n"
	      "                 person at that error rate\n"
	      "\n"
	      "Options:\n"
	      "  --db FILE            the database (default: the one in the digitd config)\n"
	      "  --since TIME         only documents received at or after TIME (2026-11-26,\n"
	      "                       2026-11-26T04:30Z, 30m, 2h, 7d, today...)\n"
	      "  --hours N            rows of the hour-by-hour table (default 24)\n"
	      "  --target-error RATE  the review policy's target error rate for unreviewed\n"
	      "                       digits, as 0.001 or 0.1% (default: review_error_rate\n"
	      "                       in the digitd config; none: the section is left out)\n"
	      "  --threshold T        the threshold in force, to compare with (default:\n"
	      "                       threshold in the digitd config, else 0.90)\n"
	      "  --json               one JSON object instead of the report\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 success, 1 failure, 2 usage error.\n"
	      "\n"
	      "Examples:\n"
	      "  digitctl stats\n"
	      "  digitctl stats --since 7d --target-error 0.5%\n", stdout);
}

/* The fewest reviewed digits a suggested threshold is drawn from.  The
 * suggestion is the lowest threshold that catches 99 % of the mistakes
 * reviews found; below 100 reviewed digits that is a statement about one or
 * two mistakes (each moves the observed error rate by more than a point),
 * and with none seen the rule of three still allows an error rate of 3 %
 * (95 % upper bound 3/n): the value would follow noise, and an operator
 * would set it.  Below this, stats says how many were reviewed and how many
 * more are needed instead. */
#define MIN_REVIEWED_FOR_SUGGESTION 100

static const double bands[] = { 0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0000001 };
#define NBANDS (sizeof bands / sizeof bands[0] - 1)

typedef struct {
	int docs, done, failed, dup;
	long long digits, flagged, reviewed, backlog, backlog_docs, fields;
	double ms_mean, ms_p50, ms_p95, ms_max;
	char first[40], last[40];
	int band_n[NBANDS], band_right[NBANDS];
	double *conf;          /* every digit's confidence */
	size_t nconf;
	double *err_conf;      /* reviewed digits the model got wrong */
	size_t nerr;
	double *rev_conf;      /* every reviewed digit: confidence, and 1 if wrong */
	int *rev_wrong;
	size_t nrev;
	double *field_min;     /* each field's least confident digit */
	size_t nfield;
} stats;

static int parse_rate(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s) return -1;
	if (*end == '%' && !end[1]) v /= 100, end++;
	if (*end || !(v > 0) || v >= 1) return -1;
	*out = v;
	return 0;
}

/* Run sql (with ?1 = since or NULL) and append column 0 (and 1) of each row. */
static int collect(sqlite3 *db, const char *sql, const char *since, double **a, int **b, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int step;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	if (since) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			double *p = realloc(*a, cap * sizeof *p);
			if (!p) goto fail;
			*a = p;
			if (b) {
				int *q = realloc(*b, cap * sizeof *q);
				if (!q) goto fail;
				*b = q;
			}
		}
		(*a)[*n] = sqlite3_column_double(st, 0);
		if (b) (*b)[*n] = sqlite3_column_int(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : -1;
fail:
	sqlite3_finalize(st);
	return -1;
}

#define DOC_FILTER " (?1 IS NULL OR julianday(doc.received_at) >= julianday(?1)) "

static int gather(sqlite3 *db, const char *since, stats *s)
{
	sqlite3_stmt *st = NULL;
	double *ms = NULL;
	size_t nms = 0;
	memset(s, 0, sizeof *s);
	const char *sql =
		"SELECT count(*), coalesce(sum(status = 'done'), 0), coalesce(sum(status = 'failed'), 0), "
		"       coalesce(sum(status = 'duplicate'), 0), coalesce(min(processed_at), ''), "
		"       coalesce(max(processed_at), '') FROM documents doc WHERE" DOC_FILTER;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	if (since) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) goto fail;
	s->docs = sqlite3_column_int(st, 0);
	s->done = sqlite3_column_int(st, 1);
	s->failed = sqlite3_column_int(st, 2);
	s->dup = sqlite3_column_int(st, 3);
	snprintf(s->first, sizeof s->first, "%s", sqlite3_column_text(st, 4));
	snprintf(s->last, sizeof s->last, "%s", sqlite3_column_text(st, 5));
	sqlite3_finalize(st);
	sql = "SELECT count(*), coalesce(sum(d.flagged), 0), coalesce(sum(d.reviewed_label IS NOT NULL), 0), "
	      "       coalesce(sum(d.flagged = 1 AND d.reviewed_label IS NULL), 0), "
	      "       count(DISTINCT CASE WHEN d.flagged = 1 AND d.reviewed_label IS NULL THEN d.document_id END) "
	      "FROM digits d JOIN documents doc ON doc.id = d.document_id WHERE" DOC_FILTER;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	if (since) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) goto fail;
	s->digits = sqlite3_column_int64(st, 0);
	s->flagged = sqlite3_column_int64(st, 1);
	s->reviewed = sqlite3_column_int64(st, 2);
	s->backlog = sqlite3_column_int64(st, 3);
	s->backlog_docs = sqlite3_column_int64(st, 4);
	sqlite3_finalize(st);
	st = NULL;

	if (collect(db, "SELECT ms FROM documents doc WHERE ms IS NOT NULL AND status = 'done' AND" DOC_FILTER,
		    since, &ms, NULL, &nms) < 0) goto fail;
	if (nms) {
		double sum = 0;
		qsort(ms, nms, sizeof *ms, order_double);
		for (size_t i = 0; i < nms; i++) sum += ms[i];
		s->ms_mean = sum / (double)nms;
		s->ms_p50 = ms[nms / 2];
		s->ms_p95 = ms[(size_t)((double)(nms - 1) * 0.95 + 0.5)];
		s->ms_max = ms[nms - 1];
	}
	free(ms);
	if (collect(db, "SELECT d.confidence FROM digits d JOIN documents doc ON doc.id = d.document_id WHERE" DOC_FILTER,
		    since, &s->conf, NULL, &s->nconf) < 0) return -1;
	if (collect(db, "SELECT d.confidence, d.reviewed_label != d.label FROM digits d "
		    "JOIN documents doc ON doc.id = d.document_id WHERE d.reviewed_label IS NOT NULL AND" DOC_FILTER,
		    since, &s->rev_conf, &s->rev_wrong, &s->nrev) < 0) return -1;
	if (collect(db, "SELECT min(d.confidence) FROM digits d JOIN documents doc ON doc.id = d.document_id "
		    "WHERE d.field_id IS NOT NULL AND" DOC_FILTER "GROUP BY d.field_id",
		    since, &s->field_min, NULL, &s->nfield) < 0) return -1;
	s->err_conf = malloc((s->nrev ? s->nrev : 1) * sizeof *s->err_conf);
	if (!s->err_conf) return -1;
	for (size_t i = 0; i < s->nrev; i++) {
		size_t b = 0;
		while (b + 1 < NBANDS && s->rev_conf[i] >= bands[b + 1]) b++;
		s->band_n[b]++;
		if (!s->rev_wrong[i]) s->band_right[b]++;
		else s->err_conf[s->nerr++] = s->rev_conf[i];
	}
	return 0;
fail:
	sqlite3_finalize(st);
	free(ms);
	return -1;
}

static void stats_free(stats *s)
{
	free(s->conf);
	free(s->err_conf);
	free(s->rev_conf);
	free(s->rev_wrong);
	free(s->field_min);
}

static double share(long long a, long long b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static size_t count_below(const double *v, size_t n, double t)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) k += v[i] < t;
	return k;
}

/* The hour-by-hour table: the last `hours` hours that saw documents. */
static int print_hours(sqlite3 *db, const char *since, int hours, int json)
{
	sqlite3_stmt *st = NULL;
	const char *sql =
		"SELECT * FROM (SELECT strftime('%Y-%m-%dT%H:00Z', doc.processed_at) AS hour, count(*), "
		"       coalesce(sum((SELECT count(*) FROM digits d WHERE d.document_id = doc.id)), 0), "
		"       coalesce(sum(doc.status = 'failed'), 0) "
		"FROM documents doc WHERE doc.processed_at IS NOT NULL AND" DOC_FILTER
		"GROUP BY hour ORDER BY hour DESC LIMIT ?2) ORDER BY hour";
	int n = 0, step;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	if (since) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, hours);
	if (json) fputs(", \"hours\": [", stdout);
	else printf("\nper hour (UTC, processed)\n  %-17s  %9s  %7s  %6s\n", "HOUR", "DOCUMENTS", "DIGITS", "FAILED");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		if (json)
			printf("%s{\"hour\": \"%s\", \"documents\": %d, \"digits\": %d, \"failed\": %d}", n ? ", " : "",
			       h ? h : "", sqlite3_column_int(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
		else
			printf("  %-17s  %9d  %7d  %6d\n", h ? h : "?", sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			       sqlite3_column_int(st, 3));
		n++;
	}
	if (json) fputs("]", stdout);
	else if (!n) printf("  (nothing processed)\n");
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : -1;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "since", required_argument, NULL, 'T' },
		{ "hours", required_argument, NULL, 'H' },
		{ "target-error", required_argument, NULL, 'E' },
		{ "threshold", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *target_from = "--target-error", *thr_from = "--threshold";
	char since[32] = "";
	double target = 0, threshold = -1;
	long long hours = 24;
	int json = 0, c, rc = 1;
	sqlite3 *db = NULL;
	stats s;
	struct digitd_config cfg;

	memset(&s, 0, sizeof s);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dbpath = optarg; break;
		case 'T':
			if (time_parse_since(optarg, time(NULL), since) < 0)
				return cli_usage_error("stats", synopsis, "cannot read time '%s'", optarg);
			break;
		case 'H':
			if ((hours = cli_parse_count(optarg)) < 0)
				return cli_usage_error("stats", synopsis, "--hours %s", cli_count_why(optarg));
			if (hours < 1)
				return cli_usage_error("stats", synopsis, "--hours needs a count of at least 1, not '%s'", optarg);
			break;
		case 'E':
			if (parse_rate(optarg, &target) < 0)
				return cli_usage_error("stats", synopsis, "--target-error needs a rate between 0 and 1 "
						       "(0.001 or 0.1%%), not '%s'", optarg);
			break;
		case 't': {
			char *end;
			threshold = strtod(optarg, &end);
			if (end == optarg || *end || !(threshold > 0) || threshold > 1)
				return cli_usage_error("stats", synopsis, "--threshold needs a number in (0, 1], not '%s'", optarg);
			break;
		}
		case 'J': json = 1; break;
		case 'h': help(); return 0;
		default:
			return cli_usage_error("stats", synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) return cli_usage_error("stats", synopsis, "unexpected argument '%s'", argv[optind]);
	int have_cfg = cli_config("stats", &cfg, 1) == 0;
	if (target == 0 && have_cfg && cfg.review_error_rate > 0) {
		target = cfg.review_error_rate;
		target_from = "review_error_rate in the config";
	}
	if (threshold < 0) {
		threshold = have_cfg ? cfg.threshold : 0.90;
		thr_from = have_cfg ? "threshold in the config" : "the default";
	}
	if (cli_db_open("stats", dbpath, 0, &db) < 0) goto out;
	/* one read transaction: every figure describes the same moment */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;
	if (gather(db, since[0] ? since : NULL, &s) < 0) goto sqlfail;

	bool enough = s.nrev >= MIN_REVIEWED_FOR_SUGGESTION;
	double suggest = enough ? query_threshold_catching(s.err_conf, s.nerr, 0.99) : 0;
	size_t flag_now = count_below(s.conf, s.nconf, threshold);
	size_t flag_suggest = suggest > 0 ? count_below(s.conf, s.nconf, suggest) : 0;
	size_t caught = suggest > 0 ? count_below(s.err_conf, s.nerr, suggest) : 0;
	double read_rate = 0, pol_t = -1, field_rate = 0;
	size_t rev_acc = 0, rev_acc_wrong = 0;
	if (target > 0 && s.nconf) {
		double *tmp = malloc(s.nconf * sizeof *tmp);
		if (!tmp) goto sqlfail;
		memcpy(tmp, s.conf, s.nconf * sizeof *tmp);
		pol_t = query_threshold_for_error(tmp, s.nconf, target, &read_rate);
		free(tmp);
		if (s.nfield) field_rate = 1.0 - (double)count_below(s.field_min, s.nfield, pol_t) / (double)s.nfield;
		for (size_t i = 0; i < s.nrev; i++)
			if (s.rev_conf[i] >= pol_t) { rev_acc++; rev_acc_wrong += s.rev_wrong[i] != 0; }
	}

	if (json) {
		printf("{\"documents\": %d, \"done\": %d, \"failed\": %d, \"duplicate\": %d, \"digits\": %lld, "
		       "\"flagged\": %lld, \"flagged_share\": ", s.docs, s.done, s.failed, s.dup, s.digits, s.flagged);
		out_json_num(stdout, s.digits ? (double)s.flagged / (double)s.digits : 0, 6);
		printf(", \"reviewed\": %lld, \"backlog\": %lld, \"backlog_documents\": %lld", s.reviewed, s.backlog,
		       s.backlog_docs);
		fputs(", \"first_processed\": ", stdout);
		out_json_str(stdout, s.first[0] ? s.first : NULL);
		fputs(", \"last_processed\": ", stdout);
		out_json_str(stdout, s.last[0] ? s.last : NULL);
		printf(", \"ms_mean\": %.3f, \"ms_p50\": %.3f, \"ms_p95\": %.3f, \"ms_max\": %.3f", s.ms_mean, s.ms_p50,
		       s.ms_p95, s.ms_max);
		if (print_hours(db, since[0] ? since : NULL, (int)hours, 1) < 0) goto sqlfail;
		fputs(", \"bands\": [", stdout);
		for (size_t b = 0; b < NBANDS; b++)
			printf("%s{\"from\": %g, \"to\": %g, \"reviewed\": %d, \"right\": %d}", b ? ", " : "", bands[b],
			       b + 1 == NBANDS ? 1.0 : bands[b + 1], s.band_n[b], s.band_right[b]);
		printf("], \"errors_seen\": %zu, \"threshold\": %.4f, \"threshold_flags\": %zu", s.nerr, threshold, flag_now);
		fputs(", \"suggested_threshold\": ", stdout);
		if (suggest > 0) printf("%.4f, \"suggested_flags\": %zu, \"suggested_catches\": %zu", suggest, flag_suggest, caught);
		else fputs("null", stdout);
		printf(", \"suggestion_reviewed\": %zu, \"suggestion_min_reviewed\": %d", s.nrev,
		       MIN_REVIEWED_FOR_SUGGESTION);
		if (pol_t >= 0)
			printf(", \"policy\": {\"target_error\": %g, \"threshold\": %.6f, \"read_rate\": %.6f, "
			       "\"field_read_rate\": %.6f, \"reviewed_accepted\": %zu, \"reviewed_accepted_wrong\": %zu}",
			       target, pol_t > 1 ? 1.0 : pol_t, read_rate, field_rate, rev_acc, rev_acc_wrong);
		else fputs(", \"policy\": null", stdout);
		fputs("}\n", stdout);
	} else {
		printf("processed\n");
		printf("  documents   %d: %d done, %d failed, %d duplicate\n", s.docs, s.done, s.failed, s.dup);
		printf("  digits      %lld read, %lld flagged (%.1f %%), %lld reviewed\n", s.digits, s.flagged,
		       share(s.flagged, s.digits), s.reviewed);
		printf("  backlog     %lld digit%s to review in %lld document%s\n", s.backlog, s.backlog == 1 ? "" : "s",
		       s.backlog_docs, s.backlog_docs == 1 ? "" : "s");
		if (s.first[0]) printf("  processed   from %s to %s\n", s.first, s.last);
		if (s.ms_mean > 0)
			printf("  time        %.1f ms per document (median %.1f, 95th percentile %.1f, max %.1f):\n"
			       "              up to %.0f documents per hour per worker thread\n",
			       s.ms_mean, s.ms_p50, s.ms_p95, s.ms_max, 3600e3 / s.ms_mean);
		if (print_hours(db, since[0] ? since : NULL, (int)hours, 0) < 0) goto sqlfail;

		printf("\nmodel accuracy on reviewed digits, by confidence\n");
		printf("  %-13s  %8s  %5s  %8s\n", "CONFIDENCE", "REVIEWED", "RIGHT", "ACCURACY");
		for (size_t b = 0; b < NBANDS; b++) {
			char band[32];
			if (b + 1 == NBANDS) snprintf(band, sizeof band, ">= %.3g", bands[b]);
			else snprintf(band, sizeof band, "%.3g - %.3g", bands[b], bands[b + 1]);
			if (s.band_n[b]) printf("  %-13s  %8d  %5d  %7.1f%%\n", band, s.band_n[b], s.band_right[b],
						share(s.band_right[b], s.band_n[b]));
			else printf("  %-13s  %8d  %5s  %8s\n", band, 0, "-", "-");
		}
		printf("  %zu mistake%s found in %zu reviewed digit%s\n", s.nerr, s.nerr == 1 ? "" : "s", s.nrev,
		       s.nrev == 1 ? "" : "s");

		printf("\nthreshold (a digit is flagged when its confidence is below it)\n");
		printf("  in force    %.4f (%s): flags %zu of %zu digits (%.1f %%)\n", threshold, thr_from, flag_now,
		       s.nconf, share((long long)flag_now, (long long)s.nconf));
		if (!enough)
			printf("  suggested   none yet: %zu reviewed digit%s; a suggestion needs at least %d\n"
			       "              (review %zu more with digitctl review)\n", s.nrev, s.nrev == 1 ? "" : "s",
			       MIN_REVIEWED_FOR_SUGGESTION, MIN_REVIEWED_FOR_SUGGESTION - s.nrev);
		else if (suggest > 0)
			printf("  suggested   %.4f: the lowest that catches >= 99 %% of the %zu mistake%s found in\n"
			       "              %zu reviewed digits (%zu caught); it flags %zu of %zu digits (%.1f %%)\n",
			       suggest, s.nerr, s.nerr == 1 ? "" : "s", s.nrev, caught, flag_suggest, s.nconf,
			       share((long long)flag_suggest, (long long)s.nconf));
		else
			printf("  suggested   none yet: no reviewed digit shows a mistake (review some with\n"
			       "              digitctl review)\n");
		if (s.nrev)
			printf("  note        mistakes are seen only in reviewed digits, mostly flagged ones; spot-check\n"
			       "              some confident digits (review --set) to see the mistakes above it\n");

		printf("\nreview policy\n");
		if (pol_t < 0) {
			printf("  no target error rate: set review_error_rate in the config (e.g. 0.001)\n"
			       "  or pass --target-error 0.1%%\n");
		} else if (pol_t > 1) {
			printf("  target      %g (%s) for unreviewed digits\n"
			       "  unreachable: even the most confident digits' expected error is higher;\n"
			       "  every digit would need review\n", target, target_from);
		} else {
			printf("  target      %g%% error among digits nobody reviews (%s)\n", target * 100, target_from);
			printf("  threshold   %.4f (expected errors from the model's calibrated confidences)\n", pol_t);
			printf("  read rate   %.1f %% of digits accepted without review, %.1f %% to review\n",
			       100 * read_rate, 100 * (1 - read_rate));
			if (s.nfield) printf("              %.1f %% of fields have no digit to review\n", 100 * field_rate);
			if (rev_acc)
				printf("  check       of %zu reviewed digit%s at or above it, %zu %s wrong (%.2f %%)\n", rev_acc,
				       rev_acc == 1 ? "" : "s", rev_acc_wrong, rev_acc_wrong == 1 ? "was" : "were",
				       share((long long)rev_acc_wrong, (long long)rev_acc));
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	rc = 0;
	goto out;
sqlfail:
	rc = cli_sql_error("stats", db);
out:
	stats_free(&s);
	sqlite3_close(db);
	config_free(&cfg);
	if (cli_flush_output("stats") < 0) rc = 1;
	return rc;
}
