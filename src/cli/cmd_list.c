/* cmd_list.c: `digitctl list`, the documents in the database, newest first. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "cli/textout.h"
#include "cli/timefmt.h"

static const char synopsis[] =
	"Usage: digitctl list [--db FILE] [--status S] [--flagged|--pending] [--since TIME]\n"
	"                     [--limit N] [--json]\n";

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "List the documents digitd has read, newest first, one per line: id, file\n"
	      "name, when it was received (UTC), status, how many digits were read, how\n"
	      "many were flagged for review and how many of those a person has reviewed.\n"
	      "A status followed by '>N' was read again (digitctl retry or reprocess) and\n"
	      "is kept beside document N, the new reading; '*' means sent back, waiting\n"
	      "for digitd.\n"
	      "\n"
	      "Options:\n"
	      "  --db FILE      the database (default: the one named in the digitd config,\n"
	      "                 $DIGITD_CONFIG or " DIGITD_SYSCONFDIR "/digitd/digitd.conf)\n"
	      "  --status S     only documents with status S: done, failed or duplicate\n"
	      "  --flagged      only documents with at least one flagged digit\n"
	      "  --pending      only documents with flagged digits nobody has reviewed yet\n"
	      "  --since TIME   only documents received at or after TIME: 2026-11-26,\n"
	      "                 2026-11-26T04:30, 2026-11-26 04:30:15Z, 30m, 2h, 7d, 1w,\n"
	      "                 today or yesterday\n"
	      "  --limit N      at most N documents (default 100; 0 = all)\n"
	      "  --json         a JSON array of objects instead of the table; names are\n"
	      "                 given in full there (the table shows control characters\n"
	      "                 as '?' and cuts long names with '~')\n"
	      "  -h, --help     this help\n"
	      "\n"
	      "The database is opened read-only; digitd may be writing to it meanwhile.\n"
	      "\n"
	      "Exit status: 0 success, 1 failure (no or bad database), 2 usage error.\n"
	      "\n"
	      "Examples:\n"
	      "  digitctl list --pending --limit 20\n"
	      "  digitctl list --since 2h --json | jq '.[].name'\n", stdout);
}

#define NAME_MAX_COLS 40

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "status", required_argument, NULL, 'S' },
		{ "flagged", no_argument, NULL, 'F' },
		{ "pending", no_argument, NULL, 'P' },
		{ "since", required_argument, NULL, 'T' },
		{ "limit", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *status = NULL;
	char since[32] = "";
	int flagged = 0, pending = 0, json = 0, c;
	long long limit = 100;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dbpath = optarg; break;
		case 'S':
			if (strcmp(optarg, "done") && strcmp(optarg, "failed") && strcmp(optarg, "duplicate"))
				return cli_usage_error("list", synopsis, "unknown status '%s' (done, failed or duplicate)", optarg);
			status = optarg;
			break;
		case 'F': flagged = 1; break;
		case 'P': pending = 1; break;
		case 'T':
			if (time_parse_since(optarg, time(NULL), since) < 0)
				return cli_usage_error("list", synopsis, "cannot read time '%s'", optarg);
			break;
		case 'L':
			if ((limit = cli_parse_count(optarg)) < 0)
				return cli_usage_error("list", synopsis, "--limit %s", cli_count_why(optarg));
			break;
		case 'J': json = 1; break;
		case 'h': help(); return 0;
		default:
			return cli_usage_error("list", synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("list", synopsis, "unexpected argument '%s'", argv[optind]);
	if (cli_db_open("list", dbpath, 0, &db) < 0) return 1;
	/* one snapshot for both passes below, while digitd commits */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;

	/* Newest first through the received_at index, counting each shown
	 * document's digits through digits_document: a page of results costs the
	 * same on a database of a thousand documents or of a million.  (The unary
	 * + keeps SQLite from preferring digits_review, flagged first, for these
	 * per-document counts, which would scan every flagged digit each time.) */
	const char *sql =
		"SELECT d.id, d.name, d.received_at, d.status, "
		"       (SELECT count(*) FROM digits g WHERE g.document_id = d.id), "
		"       (SELECT count(*) FROM digits g WHERE g.document_id = d.id AND +g.flagged = 1), "
		"       (SELECT count(*) FROM digits g WHERE g.document_id = d.id AND +g.flagged = 1 "
		"                                        AND g.reviewed_label IS NOT NULL), "
		"       (SELECT count(*) FROM digits g WHERE g.document_id = d.id AND g.reviewed_label IS NOT NULL), "
		"       d.sha256, d.superseded_by, d.requeued_at "
		"FROM documents d "
		"WHERE (?1 IS NULL OR d.status = ?1) "
		"  AND (?2 IS NULL OR julianday(d.received_at) >= julianday(?2)) "
		"  AND (?3 = 0 OR EXISTS (SELECT 1 FROM digits g WHERE g.document_id = d.id AND +g.flagged = 1)) "
		"  AND (?4 = 0 OR EXISTS (SELECT 1 FROM digits g WHERE g.document_id = d.id AND +g.flagged = 1 "
		"                                                AND g.reviewed_label IS NULL)) "
		"ORDER BY d.received_at DESC, d.id DESC LIMIT ?5";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) goto sqlfail;
	if (status) sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (since[0]) sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, flagged);
	sqlite3_bind_int(st, 4, pending);
	sqlite3_bind_int64(st, 5, limit ? limit : -1);

	/* The table's name column is as wide as the widest name shown (capped), so
	 * the rows are read twice: once to measure, once to print. */
	int namew = 4, idw = 2, n = 0, step;
	if (!json) {
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			int w = out_width((const char *)sqlite3_column_text(st, 1));
			int iw = snprintf(NULL, 0, "%lld", (long long)sqlite3_column_int64(st, 0));
			if (w > namew) namew = w;
			if (iw > idw) idw = iw;
		}
		if (step != SQLITE_DONE) goto sqlfail;
		sqlite3_reset(st);
		if (namew > NAME_MAX_COLS) namew = NAME_MAX_COLS;
		printf("%*s  %-*s  %-24s  %-9s  %6s  %7s  %8s\n", idw, "ID", namew, "NAME", "RECEIVED", "STATUS",
		       "DIGITS", "FLAGGED", "REVIEWED");
	} else {
		fputs("[", stdout);
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *recv = (const char *)sqlite3_column_text(st, 2);
		const char *stat = (const char *)sqlite3_column_text(st, 3);
		int ndig = sqlite3_column_int(st, 4), nflag = sqlite3_column_int(st, 5);
		int nflagrev = sqlite3_column_int(st, 6), nrev = sqlite3_column_int(st, 7);
		if (json) {
			printf("%s\n {\"id\": %lld, \"name\": ", n ? "," : "", id);
			out_json_str(stdout, name);
			fputs(", \"sha256\": ", stdout);
			out_json_str(stdout, (const char *)sqlite3_column_text(st, 8));
			fputs(", \"received\": ", stdout);
			out_json_str(stdout, recv);
			fputs(", \"status\": ", stdout);
			out_json_str(stdout, stat);
			if (sqlite3_column_type(st, 9) == SQLITE_NULL) fputs(", \"superseded_by\": null", stdout);
			else printf(", \"superseded_by\": %lld", (long long)sqlite3_column_int64(st, 9));
			fputs(", \"requeued\": ", stdout);
			out_json_str(stdout, (const char *)sqlite3_column_text(st, 10));
			printf(", \"digits\": %d, \"flagged\": %d, \"flagged_reviewed\": %d, \"reviewed\": %d}",
			       ndig, nflag, nflagrev, nrev);
		} else {
			/* REVIEWED counts every reviewed digit; a reviewed digit that was
			 * not flagged (a spot check) still shows in it. */
			/* done>12: superseded by document 12 (retry, reprocess);
			 * done*: sent back, waiting for digitd */
			char shown[40];
			if (sqlite3_column_type(st, 9) != SQLITE_NULL)
				snprintf(shown, sizeof shown, "%s>%lld", stat ? stat : "",
					 (long long)sqlite3_column_int64(st, 9));
			else
				snprintf(shown, sizeof shown, "%s%s", stat ? stat : "",
					 sqlite3_column_type(st, 10) != SQLITE_NULL ? "*" : "");
			printf("%*lld  ", idw, id);
			out_cell(stdout, name, namew, 1);
			printf("  %-24s  %-9s  %6d  %7d  %8d\n", recv ? recv : "", shown, ndig, nflag, nrev);
		}
		n++;
	}
	if (step != SQLITE_DONE) goto sqlfail;
	if (json) fputs(n ? "\n]\n" : "]\n", stdout);
	rc = 0;
	goto out;
sqlfail:
	rc = cli_sql_error("list", db);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (cli_flush_output("list") < 0) rc = 1;
	return rc;
}
