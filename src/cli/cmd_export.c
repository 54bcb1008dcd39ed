/* cmd_export.c: `digitctl export`, the results leaving the database: one row
 * per field with its final text (reviewed labels override predictions, as the
 * document_text view defines), as CSV (RFC 4180) or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "cli/textout.h"
#include "cli/timefmt.h"
#include "store/query.h"

static const char synopsis[] =
	"Usage: digitctl export [--db FILE] [--format csv|json] [--since TIME] [--reviewed-only]\n";

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "Write every field digitd read, one row per field, oldest document first,\n"
	      "with the field's final text: the model's digits with every reviewed label\n"
	      "put in (the database's document_text view).\n"
	      "\n"
	      "Columns (CSV header, JSON keys):\n"
	      "  document_id, name, sha256   the document the field came from\n"
	      "  received                    when digitd took the document (ISO 8601 UTC)\n"
	      "  field, page, x, y, w, h     the field's order in the document and its box\n"
	      "                              (original image pixels)\n"
	      "  text                        the final text\n"
	      "  predicted                   the text as the model read it\n"
	      "  confidence                  the model's confidence in the field (product of\n"
	      "                              its digits' confidences)\n"
	      "  reviewed                    how many of its digits a person reviewed\n"
	      "  pending                     flagged digits not reviewed yet\n"
	      "  checked                     1 when a person reviewed it and nothing flagged\n"
	      "                              is left (JSON: true/false)\n"
	      "\n"
	      "Options:\n"
	      "  --db FILE          the database (default: the one in the digitd config)\n"
	      "  --format FMT       csv (default) or json\n"
	      "  --json             the same as --format json\n"
	      "  --since TIME       only documents received at or after TIME (2026-11-26,\n"
	      "                     2026-11-26T04:30Z, 30m, 2h, 7d, today...)\n"
	      "  --reviewed-only    only fields a person checked (checked = 1)\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "CSV follows RFC 4180 so spreadsheets open it as is: a header line, CRLF line\n"
	      "ends, and a field that holds a comma, a double quote, CR or LF (names can\n"
	      "hold anything) is quoted with its quotes doubled.  Texts are quoted too, so\n"
	      "leading zeros survive.  A name that starts with = + - @, a tab or CR (which\n"
	      "a spreadsheet would run as a formula) is written with a ' in front.  JSON\n"
	      "is an array of objects, one per line.\n"
	      "\n"
	      "Exit status: 0 success, 1 failure, 2 usage error.\n"
	      "\n"
	      "Examples:\n"
	      "  digitctl export --since today > today.csv\n"
	      "  digitctl export --format json --reviewed-only | jq -r '.[].text'\n", stdout);
}

static void csv_row_end(void)
{
	fputs("\r\n", stdout);
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'J' },
		{ "since", required_argument, NULL, 'T' },
		{ "reviewed-only", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL;
	char since[32] = "";
	int json = 0, reviewed_only = 0, c, rc = 1, n = 0, step;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dbpath = optarg; break;
		case 'F':
			if (strcmp(optarg, "csv") == 0) json = 0;
			else if (strcmp(optarg, "json") == 0) json = 1;
			else return cli_usage_error("export", synopsis, "unknown format '%s' (csv or json)", optarg);
			break;
		case 'J': json = 1; break;
		case 'T':
			if (time_parse_since(optarg, time(NULL), since) < 0)
				return cli_usage_error("export", synopsis, "cannot read time '%s'", optarg);
			break;
		case 'R': reviewed_only = 1; break;
		case 'h': help(); return 0;
		default:
			return cli_usage_error("export", synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("export", synopsis, "unexpected argument '%s'", argv[optind]);
	if (cli_db_open("export", dbpath, 0, &db) < 0) return 1;

	/* one read transaction: a document committed meanwhile is wholly in or out */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;
	const char *sql =
		"SELECT f.document_id, d.name, d.sha256, d.received_at, f.idx, f.page, f.x, f.y, f.w, f.h, "
		"       coalesce(" QUERY_FIELD_TEXT("f.id") ", ''), f.text, f.confidence, "
		"       " QUERY_FIELD_REVIEWED("f.id") " AS reviewed, " QUERY_FIELD_PENDING("f.id") " AS pending "
		"  FROM fields f JOIN documents d ON d.id = f.document_id "
		"  WHERE (?1 IS NULL OR julianday(d.received_at) >= julianday(?1)) "
		/* SQLite lets WHERE name the result columns; the order is the
		 * outermost query's, where SQL guarantees it. */
		"    AND (?2 = 0 OR (reviewed > 0 AND pending = 0)) "
		"  ORDER BY d.received_at, f.document_id, f.idx, f.id";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) goto sqlfail;
	if (since[0]) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, reviewed_only);

	if (json) fputs("[", stdout);
	else {
		fputs("document_id,name,sha256,received,field,page,x,y,w,h,text,predicted,confidence,reviewed,pending,checked",
		      stdout);
		csv_row_end();
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long long doc = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sha = (const char *)sqlite3_column_text(st, 2);
		const char *recv = (const char *)sqlite3_column_text(st, 3);
		const char *text = (const char *)sqlite3_column_text(st, 10);
		const char *pred = (const char *)sqlite3_column_text(st, 11);
		double conf = sqlite3_column_double(st, 12);
		int nrev = sqlite3_column_int(st, 13), pending = sqlite3_column_int(st, 14);
		int checked = nrev > 0 && pending == 0;
		int idx = sqlite3_column_int(st, 4), page = sqlite3_column_int(st, 5);
		int x = sqlite3_column_int(st, 6), y = sqlite3_column_int(st, 7);
		int w = sqlite3_column_int(st, 8), h = sqlite3_column_int(st, 9);
		if (json) {
			printf("%s\n {\"document_id\": %lld, \"name\": ", n ? "," : "", doc);
			out_json_str(stdout, name);
			fputs(", \"sha256\": ", stdout);
			out_json_str(stdout, sha);
			fputs(", \"received\": ", stdout);
			out_json_str(stdout, recv);
			printf(", \"field\": %d, \"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"text\": ",
			       idx, page, x, y, w, h);
			out_json_str(stdout, text);
			fputs(", \"predicted\": ", stdout);
			out_json_str(stdout, pred);
			fputs(", \"confidence\": ", stdout);
			out_json_num(stdout, conf, 6);
			printf(", \"reviewed\": %d, \"pending\": %d, \"checked\": %s}", nrev, pending,
			       checked ? "true" : "false");
		} else {
			printf("%lld,", doc);
			out_csv_field(stdout, name);
			printf(",%s,%s,%d,%d,%d,%d,%d,%d,", sha ? sha : "", recv ? recv : "", idx, page, x, y, w, h);
			/* always quoted: a spreadsheet would drop "007"'s zeros anyway, but
			 * tools that honour quotes as text keep them */
			printf("\"%s\",\"%s\",%.6f,%d,%d,%d", text ? text : "", pred ? pred : "", conf, nrev, pending, checked);
			csv_row_end();
		}
		n++;
	}
	if (step != SQLITE_DONE) goto sqlfail;
	if (json) fputs(n ? "\n]\n" : "]\n", stdout);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	rc = 0;
	goto out;
sqlfail:
	rc = cli_sql_error("export", db);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (cli_flush_output("export") < 0) rc = 1;
	return rc;
}
