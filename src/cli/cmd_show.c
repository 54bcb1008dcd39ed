/* cmd_show.c: `digitctl show DOC`, everything digitd recorded about one
 * document: its row, each field's predicted and final text, and each digit
 * with its label, confidence, second guess, flag and review. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "cli/overlay.h"
#include "recognize/flags.h"
#include "cli/textout.h"
#include "store/query.h"
#include "util/config.h"

static const char synopsis[] =
	"Usage: digitctl show [--db FILE] [--json] [--overlay FILE.png [--spool DIR]] DOC\n";

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "Show one document: its status, hash, times, the model that read it, each\n"
	      "field's text as predicted and as final (reviewed labels override the\n"
	      "model's), and each digit: box, label, confidence, second guess, why it was\n"
	      "flagged and who reviewed it.\n"
	      "\n"
	      "DOC is a document id (as `digitctl list` prints), the file name it was\n"
	      "dropped under, or a prefix of its sha256 (at least 4 hex digits).  When a\n"
	      "name or hash matches a document and its duplicates, the first one is shown.\n"
	      "\n"
	      "Options:\n"
	      "  --db FILE         the database (default: the one in the digitd config)\n"
	      "  --json            one JSON object instead of the text report\n"
	      "  --overlay FILE    also draw the boxes, final labels, flags (red) and\n"
	      "                    reviews (blue) over the original scan into FILE (.png,\n"
	      "                    .jpg...); when the original is no longer in the spool,\n"
	      "                    draw the stored digit crops field by field instead\n"
	      "  --spool DIR       where to look for the original (default: the spool in\n"
	      "                    the digitd config); documents.original is relative to it\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Flags: low-conf (confidence under the threshold), split (cut from touching\n"
	      "digits), merged (pieces joined), not-digit? (looks like no digit),\n"
	      "odd-size (unusual box for its field).\n"
	      "\n"
	      "Exit status: 0 success, 1 failure (no such document, bad database, overlay\n"
	      "not written), 2 usage error.\n"
	      "\n"
	      "Examples:\n"
	      "  digitctl show 42\n"
	      "  digitctl show scan-0007.png --overlay /tmp/scan-0007-read.png\n"
	      "  digitctl show 3f9a1c --json | jq '.fields[].final'\n", stdout);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void json_kv_str(const char *key, const char *v, int comma)
{
	printf("%s\"%s\": ", comma ? ", " : "", key);
	out_json_str(stdout, v);
}

/* The document's own row, as text or as the opening of the JSON object. */
static int print_document(sqlite3 *db, int64_t id, int json)
{
	sqlite3_stmt *st = NULL;
	const char *sql = "SELECT id, name, sha256, size, received_at, processed_at, status, error, model, ms, "
			  "duplicate_of, pages, width, height, original, requeued_at, superseded_by, "
			  "(SELECT max(o.id) FROM documents o WHERE o.superseded_by = documents.id) "
			  "FROM documents WHERE id = ?";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) { sqlite3_finalize(st); return -1; }
	int isnull_ms = sqlite3_column_type(st, 9) == SQLITE_NULL;
	int isnull_dup = sqlite3_column_type(st, 10) == SQLITE_NULL;
	int isnull_pages = sqlite3_column_type(st, 11) == SQLITE_NULL;
	if (json) {
		printf("{\"id\": %lld", (long long)id);
		json_kv_str("name", col_text(st, 1), 1);
		json_kv_str("sha256", col_text(st, 2), 1);
		printf(", \"size\": %lld", (long long)sqlite3_column_int64(st, 3));
		json_kv_str("received", col_text(st, 4), 1);
		json_kv_str("processed", col_text(st, 5), 1);
		json_kv_str("status", col_text(st, 6), 1);
		json_kv_str("error", col_text(st, 7), 1);
		json_kv_str("model", col_text(st, 8), 1);
		fputs(", \"ms\": ", stdout);
		if (isnull_ms) fputs("null", stdout); else out_json_num(stdout, sqlite3_column_double(st, 9), 3);
		if (isnull_dup) fputs(", \"duplicate_of\": null", stdout);
		else printf(", \"duplicate_of\": %lld", (long long)sqlite3_column_int64(st, 10));
		if (isnull_pages) fputs(", \"pages\": null, \"width\": null, \"height\": null", stdout);
		else printf(", \"pages\": %d, \"width\": %d, \"height\": %d", sqlite3_column_int(st, 11),
			    sqlite3_column_int(st, 12), sqlite3_column_int(st, 13));
		json_kv_str("original", col_text(st, 14), 1);
		/* schema 4: sent back by retry/reprocess, and the rows either side */
		json_kv_str("requeued", col_text(st, 15), 1);
		if (sqlite3_column_type(st, 16) == SQLITE_NULL) fputs(", \"superseded_by\": null", stdout);
		else printf(", \"superseded_by\": %lld", (long long)sqlite3_column_int64(st, 16));
		if (sqlite3_column_type(st, 17) == SQLITE_NULL) fputs(", \"supersedes\": null", stdout);
		else printf(", \"supersedes\": %lld", (long long)sqlite3_column_int64(st, 17));
	} else {
		printf("document %lld  ", (long long)id);
		out_cell(stdout, col_text(st, 1), 200, 0);
		printf("\n  status     %s\n", col_text(st, 6));
		if (col_text(st, 7)) {
			fputs("  error      ", stdout);
			out_cell(stdout, col_text(st, 7), 200, 0);
			fputc('\n', stdout);
		}
		if (!isnull_dup) printf("  duplicate  of document %lld\n", (long long)sqlite3_column_int64(st, 10));
		if (sqlite3_column_type(st, 16) != SQLITE_NULL)
			printf("  superseded by document %lld (sent back %s and read again; this row is kept)\n",
			       (long long)sqlite3_column_int64(st, 16), col_text(st, 15) ? col_text(st, 15) : "");
		else if (col_text(st, 15))
			printf("  sent back  %s (retry/reprocess): waiting for digitd to read it again\n", col_text(st, 15));
		if (sqlite3_column_type(st, 17) != SQLITE_NULL)
			printf("  supersedes document %lld (an earlier reading of the same file)\n",
			       (long long)sqlite3_column_int64(st, 17));
		printf("  sha256     %s\n", col_text(st, 2));
		printf("  received   %s\n", col_text(st, 4));
		if (col_text(st, 5)) {
			printf("  processed  %s", col_text(st, 5));
			if (!isnull_ms) printf("  (%.1f ms)", sqlite3_column_double(st, 9));
			fputc('\n', stdout);
		}
		printf("  model      %s\n", col_text(st, 8) ? col_text(st, 8) : "-");
		printf("  size       %lld bytes", (long long)sqlite3_column_int64(st, 3));
		if (!isnull_pages)
			printf(", %d page%s, %dx%d", sqlite3_column_int(st, 11), sqlite3_column_int(st, 11) == 1 ? "" : "s",
			       sqlite3_column_int(st, 12), sqlite3_column_int(st, 13));
		fputc('\n', stdout);
		if (col_text(st, 14)) {
			fputs("  original   ", stdout);
			out_cell(stdout, col_text(st, 14), 200, 0);
			fputc('\n', stdout);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* Digits of one field (field_id > 0) or those outside any field (field_id 0). */
static int print_digits(sqlite3 *db, int64_t doc, int64_t field_id, int json)
{
	sqlite3_stmt *st = NULL;
	const char *sql =
		"SELECT id, pos, page, x, y, w, h, label, confidence, alt_label, alt_confidence, flagged, why, "
		"       reviewed_label, reviewed_by, reviewed_at "
		"FROM digits WHERE document_id = ?1 AND (field_id = ?2 OR (?2 = 0 AND field_id IS NULL)) "
		"ORDER BY page, pos, x, id";
	int n = 0, step;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, field_id);
	if (json) fputs("[", stdout);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char box[64], why[256], alt[16] = "", altc[16] = "";
		int hasalt = sqlite3_column_type(st, 9) != SQLITE_NULL;
		int reviewed = sqlite3_column_type(st, 13) != SQLITE_NULL;
		int flagged = sqlite3_column_int(st, 11), label = sqlite3_column_int(st, 7);
		rec_flag_words((unsigned)sqlite3_column_int(st, 12), why, sizeof why);
		if (flagged && !why[0]) snprintf(why, sizeof why, "flagged");
		if (json) {
			printf("%s\n    {\"id\": %lld, \"pos\": %d, \"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"label\": %d, "
			       "\"confidence\": ", n ? "," : "", (long long)sqlite3_column_int64(st, 0),
			       sqlite3_column_int(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
			       sqlite3_column_int(st, 4), sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), label);
			out_json_num(stdout, sqlite3_column_double(st, 8), 4);
			if (hasalt) {
				printf(", \"alt_label\": %d, \"alt_confidence\": ", sqlite3_column_int(st, 9));
				out_json_num(stdout, sqlite3_column_double(st, 10), 4);
			} else {
				fputs(", \"alt_label\": null, \"alt_confidence\": null", stdout);
			}
			printf(", \"flagged\": %s, \"why\": ", flagged ? "true" : "false");
			out_json_str(stdout, why);
			if (reviewed) printf(", \"reviewed_label\": %d", sqlite3_column_int(st, 13));
			else fputs(", \"reviewed_label\": null", stdout);
			json_kv_str("reviewed_by", col_text(st, 14), 1);
			json_kv_str("reviewed_at", col_text(st, 15), 1);
			fputs("}", stdout);
		} else {
			if (n == 0)
				printf("    %6s  %3s  %-16s  %5s  %-6s  %-10s  %-16s  %s\n", "DIGIT", "POS", "BOX", "LABEL",
				       "CONF", "2ND GUESS", "FLAG", "REVIEW");
			snprintf(box, sizeof box, "%d,%d %dx%d", sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
				 sqlite3_column_int(st, 5), sqlite3_column_int(st, 6));
			if (hasalt) {
				snprintf(alt, sizeof alt, "%d", sqlite3_column_int(st, 9));
				snprintf(altc, sizeof altc, "%.4f", sqlite3_column_double(st, 10));
			}
			char row[160];
			int len = snprintf(row, sizeof row, "    %6lld  %3d  %-16s  %5d  %.4f  %-1s %-8s  %-16s  ",
					   (long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), box, label,
					   sqlite3_column_double(st, 8), alt, altc, why);
			if (!reviewed && !flagged)   /* nothing follows: no trailing blanks */
				while (len > 0 && row[len - 1] == ' ') row[--len] = 0;
			fputs(row, stdout);
			if (reviewed) {
				int rl = sqlite3_column_int(st, 13);
				printf("%d %s by ", rl, rl == label ? "(agrees)" : "(corrected)");
				out_cell(stdout, col_text(st, 14) ? col_text(st, 14) : "?", 40, 0);
				printf(" at %s", col_text(st, 15) ? col_text(st, 15) : "?");
			} else if (flagged) {
				fputs("pending", stdout);
			}
			fputc('\n', stdout);
		}
		n++;
	}
	if (json) fputs(n ? "\n   ]" : "]", stdout);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? n : -1;
}

/* Unread regions: ink that may be a number and was not read (schema 3). */
static int print_unread(sqlite3 *db, int64_t doc, int json)
{
	sqlite3_stmt *st = NULL;
	const char *sql = "SELECT id, page, x, y, w, h, why, reviewed_text, reviewed_by FROM unread "
			  "WHERE document_id = ? ORDER BY id";
	int n = 0, step;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	sqlite3_bind_int64(st, 1, doc);
	if (json) fputs(", \"unread\": [", stdout);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char why[256];
		rec_flag_words((unsigned)sqlite3_column_int(st, 6) & ~(unsigned)REC_FLAG_UNREAD, why, sizeof why);
		const char *typed = col_text(st, 7);
		if (json) {
			printf("%s\n  {\"id\": %lld, \"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d", n ? "," : "",
			       (long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			       sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
			json_kv_str("reasons", why, 1);
			if (typed) json_kv_str("reviewed_text", typed, 1);
			fputs("}", stdout);
		} else {
			if (n == 0) printf("\nunread (ink that may be a number; look at the scan)\n");
			printf("  unread %lld  page %d  box %d,%d %dx%d  %s%s%s\n", (long long)sqlite3_column_int64(st, 0),
			       sqlite3_column_int(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
			       sqlite3_column_int(st, 4), sqlite3_column_int(st, 5), why, typed ? "  typed: " : "  pending",
			       typed ? typed : "");
		}
		n++;
	}
	if (json) fputs(n ? "\n ]" : "]", stdout);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? n : -1;
}

static int print_fields(sqlite3 *db, int64_t doc, int json)
{
	sqlite3_stmt *st = NULL;
	/* predicted text from fields, final text as the document_text view has it */
	const char *sql =
		"SELECT f.id, f.idx, f.page, f.x, f.y, f.w, f.h, f.text, " QUERY_FIELD_TEXT("f.id") ", f.confidence, "
		"       f.flagged, " QUERY_FIELD_REVIEWED("f.id") ", " QUERY_FIELD_PENDING("f.id") ", f.why "
		"FROM fields f WHERE f.document_id = ? ORDER BY f.idx, f.id";
	int n = 0, step;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	sqlite3_bind_int64(st, 1, doc);
	if (json) fputs(", \"fields\": [", stdout);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t fid = sqlite3_column_int64(st, 0);
		const char *pred = col_text(st, 7), *fin = col_text(st, 8);
		int reviewed = sqlite3_column_int(st, 11), pending = sqlite3_column_int(st, 12);
		/* the field's own reasons; its digits show theirs */
		char fwhy[256];
		rec_flag_words((unsigned)sqlite3_column_int(st, 13) & REC_FIELD_FLAGS, fwhy,
			       sizeof fwhy);
		if (json) {
			printf("%s\n  {\"id\": %lld, \"idx\": %d, \"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d", n ? "," : "",
			       (long long)fid, sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			       sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), sqlite3_column_int(st, 5),
			       sqlite3_column_int(st, 6));
			json_kv_str("text", pred, 1);
			json_kv_str("final", fin ? fin : "", 1);
			fputs(", \"confidence\": ", stdout);
			out_json_num(stdout, sqlite3_column_double(st, 9), 4);
			/* "why": the field's own reasons as words, as its digits' are */
			printf(", \"flagged\": %s, \"reviewed\": %d, \"pending\": %d",
			       sqlite3_column_int(st, 10) ? "true" : "false", reviewed, pending);
			json_kv_str("why", fwhy, 1);
			fputs(", \"digits\": ", stdout);
		} else {
			printf("\nfield %d  page %d  box %d,%d %dx%d  text %s", sqlite3_column_int(st, 1),
			       sqlite3_column_int(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
			       sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), pred);
			if (fin && strcmp(fin, pred) != 0) printf(" -> final %s", fin);
			printf("  confidence %.4f", sqlite3_column_double(st, 9));
			if (pending) printf("  %d to review", pending);
			if (reviewed) printf("  %d reviewed", reviewed);
			if (fwhy[0]) printf("  flagged: %s", fwhy);
			fputc('\n', stdout);
		}
		if (print_digits(db, doc, fid, json) < 0) goto fail;
		if (json) fputs("}", stdout);
		n++;
	}
	if (step != SQLITE_DONE) goto fail;
	if (json) fputs(n ? "\n ]" : "]", stdout);
	sqlite3_finalize(st);
	return n;
fail:
	sqlite3_finalize(st);
	return -1;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'J' },
		{ "overlay", required_argument, NULL, 'O' },
		{ "spool", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *overlay = NULL, *spool = NULL;
	int json = 0, c, rc = 1;
	char err[1024];
	sqlite3 *db = NULL;
	int64_t id;
	struct digitd_config cfg;

	config_defaults(&cfg);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'D': dbpath = optarg; break;
		case 'J': json = 1; break;
		case 'O': overlay = optarg; break;
		case 'S': spool = optarg; break;
		case 'h': help(); return 0;
		default:
			return cli_usage_error("show", synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return cli_usage_error("show", synopsis, "which document? (give DOC)");
	if (optind + 1 != argc)
		return cli_usage_error("show", synopsis, "one document at a time ('%s' is extra)", argv[optind + 1]);
	if (cli_db_open("show", dbpath, 0, &db) < 0) return 1;
	/* one snapshot: a review stored meanwhile shows everywhere or nowhere */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;
	if (query_doc_resolve(db, argv[optind], &id, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl show: %s\n", err);
		goto out;
	}
	/* the picture first: a reader of the text that stops early (| head)
	 * must not cost the overlay */
	if (overlay) {
		const char *what = "";
		if (!spool && cli_config("show", &cfg, 0) == 0) spool = cfg.spool;
		if (overlay_write(db, id, spool, overlay, &what, err, sizeof err) < 0) {
			fprintf(stderr, "digitctl show: overlay: %s\n", err);
			goto out;
		}
		fprintf(stderr, "digitctl show: wrote %s (drawn over the %s)\n", overlay,
			strcmp(what, "scan") == 0 ? "original scan" : "stored crops; the original is gone");
	}
	if (print_document(db, id, json) < 0) goto sqlfail;
	int nf = print_fields(db, id, json);
	if (nf < 0) goto sqlfail;
	if (!json && nf == 0) printf("\nno fields\n");
	if (print_unread(db, id, json) < 0) goto sqlfail;
	/* digits outside any field: normally none */
	if (json) fputs(", \"loose_digits\": ", stdout);
	else fputs("", stdout);
	if (!json) {
		sqlite3_stmt *st = NULL;
		int loose = 0;
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM digits WHERE document_id = ? AND field_id IS NULL",
				       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW) loose = sqlite3_column_int(st, 0);
		}
		sqlite3_finalize(st);
		if (loose) {
			printf("\ndigits outside fields\n");
			if (print_digits(db, id, 0, 0) < 0) goto sqlfail;
		}
	} else {
		if (print_digits(db, id, 0, 1) < 0) goto sqlfail;
		fputs("}\n", stdout);
	}
	rc = 0;
	goto out;
sqlfail:
	rc = cli_sql_error("show", db);
out:
	sqlite3_close(db);
	config_free(&cfg);
	if (cli_flush_output("show") < 0) rc = 1;
	return rc;
}
