/* cmd_purge.c: `digitctl purge`, removing old documents for good: rows,
 * crops and originals (store/purge.h does the work and says what it
 * guarantees; this file is the options and the report). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "store/purge.h"
#include "util/config.h"

static const char synopsis[] =
	"Usage: digitctl purge --older-than DAYS [--status done,failed,duplicate] [--dry-run]\n"
	"                      [--db FILE] [--spool DIR]\n";

static void help(void)
{
	fputs(synopsis, stdout);
	fputs("\n"
	      "Delete the documents received more than DAYS days ago: their rows (pages,\n"
	      "fields, digits with their crops, unread regions), the 'duplicate' rows\n"
	      "pointing at them, and their originals in the spool (done/NAME,\n"
	      "failed/NAME and failed/NAME.error).  The database file does not shrink:\n"
	      "new documents reuse the freed pages (docs/operations.md: VACUUM).\n"
	      "\n"
	      "Safe while digitd runs: documents go in write transactions of at most\n"
	      "about 20 ms, with a pause between them, so the daemon's commits wait no\n"
	      "longer than that.  Reviewed digits go with their documents: export them\n"
	      "first (digitctl review --export-crops) if you train on them.\n"
	      "\n"
	      "Options:\n"
	      "  --older-than DAYS  documents received more than DAYS (may be fractional,\n"
	      "                     0 = all) days ago\n"
	      "  --status LIST      only these statuses, comma-separated (done, failed,\n"
	      "                     duplicate); default all\n"
	      "  --dry-run          count what would go; delete nothing\n"
	      "  --db FILE          the database (default: the one in the digitd config)\n"
	      "  --spool DIR        the spool holding the originals (default: the one in\n"
	      "                     the digitd config when --db is its database; needed)\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Example:\n"
	      "  sudo -u digitd digitctl purge --older-than 365 --dry-run\n", stdout);
}

static int parse_status(const char *s, unsigned *out)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", s);
	*out = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "done") == 0) *out |= PURGE_DONE;
		else if (strcmp(t, "failed") == 0) *out |= PURGE_FAILED;
		else if (strcmp(t, "duplicate") == 0) *out |= PURGE_DUPLICATE;
		else return -1;
	}
	return *out ? 0 : -1;
}

int cmd_purge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "status", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'D' },
		{ "spool", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *spool = NULL;
	double days = -1;
	purge_opts o = { 0 };
	struct digitd_config cfg;
	sqlite3 *db = NULL;
	config_defaults(&cfg);
	int c, rc = 1;
	char before[40], err[1024];

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': {
			char *end;
			days = strtod(optarg, &end);
			if (!*optarg || *end || !(days >= 0 && days <= 36500))
				return cli_usage_error("purge", synopsis, "--older-than '%s': a number of days (0..36500)",
						       optarg);
			break;
		}
		case 's':
			if (parse_status(optarg, &o.statuses) < 0)
				return cli_usage_error("purge", synopsis, "--status '%s': done, failed or duplicate, "
						       "comma-separated", optarg);
			break;
		case 'n': o.dry_run = true; break;
		case 'D': dbpath = optarg; break;
		case 'S': spool = optarg; break;
		case 'h': help(); return 0;
		default:
			return cli_usage_error("purge", synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) return cli_usage_error("purge", synopsis, "unexpected argument '%s'", argv[optind]);
	if (days < 0) return cli_usage_error("purge", synopsis, "how old? (give --older-than DAYS)");
	/* the configured spool holds the originals of the configured database
	 * only: with another --db, give its --spool */
	if (cli_config("purge", &cfg, 0) == 0 && !spool && (!dbpath || strcmp(dbpath, cfg.database) == 0))
		spool = cfg.spool;
	/* Rows without their originals would be worse than no purge: digitd
	 * re-queues a file in done/ that has no row (src/daemon/recover.c), all
	 * of them once the database is empty. */
	if (!spool && !o.dry_run) {
		fprintf(stderr, "digitctl purge: which spool holds the originals? Give --spool DIR (the originals must go "
			"with their rows: digitd would take a file in done/ without its row for work not yet committed)\n");
		goto out;
	}
	if (cli_db_open("purge", dbpath, !o.dry_run, &db) < 0) goto out;
	purge_cutoff(days, before, sizeof before);
	o.before = before;
	o.spool = spool;
	purge_stats st;
	if (purge_run(db, &o, &st, err, sizeof err) < 0) fprintf(stderr, "digitctl %s\n", err);
	else rc = 0;
	printf("%s %ld document%s received before %s: %ld digit%s, %.1f MB of crops; %ld original%s, %.1f MB\n",
	       o.dry_run ? "would purge" : "purged", st.documents, st.documents == 1 ? "" : "s", before, st.digits,
	       st.digits == 1 ? "" : "s", st.crop_bytes / 1e6, st.originals, st.originals == 1 ? "" : "s",
	       st.original_bytes / 1e6);
	if (!o.dry_run)
		printf("in %ld transaction%s, the longest holding the write lock %.1f ms%s\n", st.transactions,
		       st.transactions == 1 ? "" : "s", st.max_hold_ms,
		       st.kept ? "; some changed meanwhile and were kept" : "");
out:
	sqlite3_close(db);
	config_free(&cfg);
	if (fflush(stdout) != 0) rc = 1;
	return rc;
}
