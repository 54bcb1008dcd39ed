/* cmd_requeue.c: `digitctl retry` and `digitctl reprocess`, which send
 * documents back through the running pipeline.
 *
 * retry takes a failed document's original out of failed/, reprocess a done
 * document's out of done/, and moves it back into incoming/, where digitd
 * reads it like any dropped file.  Nothing is deleted: the document's row is
 * marked first (documents.requeued_at, schema 4), which makes its content
 * unsettled, and digitd's commit of the new reading inserts a new row and
 * links the old one to it (superseded_by).  The order is what keeps it
 * exactly-once: the mark is committed before the file moves (digitd must not
 * see the file while the old row still settles its content, or the file would
 * be recorded as a duplicate of it), and the mark is taken back when the move
 * fails.  A mark whose file never moved (digitctl killed between the two) is
 * redone by the next retry or reprocess of that document.
 *
 * digitctl moves files in digitd's spool, so it runs as a user who may write
 * it (`sudo -u digitd digitctl retry ...`). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dbopen.h"
#include "cli/timefmt.h"
#include "imaging/probe.h"
#include "store/query.h"
#include "util/config.h"
#include "util/sha256.h"

/* The schema that has documents.requeued_at and superseded_by. */
#define REQUEUE_SCHEMA 4
/* Bytes read at a time while hashing an original. */
#define HASH_CHUNK (1 << 16)
/* The header img_probe needs to name a format (a TIFF's first IFD may lie
 * further, but the magic is in the first bytes). */
#define SNIFF_BYTES 4096

static const char retry_synopsis[] =
	"Usage: digitctl retry [-c FILE] [--dry-run] DOC...\n"
	"       digitctl retry [-c FILE] [--dry-run] --failed\n";
static const char reprocess_synopsis[] =
	"Usage: digitctl reprocess [-c FILE] [--dry-run] DOC...\n"
	"       digitctl reprocess [-c FILE] [--dry-run] --since TIME\n";

static void retry_help(void)
{
	fputs(retry_synopsis, stdout);
	fputs("\n"
	      "Send failed documents back through digitd: each one's original is moved\n"
	      "from failed/ back into incoming/ (under a name `accept` takes: a name that\n"
	      "failed for its extension gets the one of its format), and digitd reads it\n"
	      "again.  The failed row is kept; the new reading gets a new row, and the\n"
	      "old one is linked to it (`show` says \"superseded by\", `list` shows\n"
	      "STATUS>ID).  Any failure may be retried, a content failure included (a\n"
	      "new decoder may read it).\n"
	      "\n"
	      "DOC is a document id, the name it was dropped under, or a sha256 prefix.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE  the digitd configuration naming the spool and the\n"
	      "                     database (default: $DIGITD_CONFIG or\n"
	      "                     " DIGITD_SYSCONFDIR "/digitd/digitd.conf)\n"
	      "  --failed           every failed document whose original is in failed/\n"
	      "  --dry-run          say what would be sent back, change nothing\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Run as a user who may write the spool and the database (digitd).\n"
	      "\n"
	      "Exit status: 0 all sent back, 1 some could not be (each is named), 2 usage\n"
	      "error.\n"
	      "\n"
	      "Examples:\n"
	      "  sudo -u digitd digitctl retry 42\n"
	      "  sudo -u digitd digitctl retry --failed\n", stdout);
}

static void reprocess_help(void)
{
	fputs(reprocess_synopsis, stdout);
	fputs("\n"
	      "Read done documents again with the model digitd runs now: each one's\n"
	      "original is moved from done/ back into incoming/ and digitd reads it.  The\n"
	      "new reading is a new row with its own fields and digits; the old row and\n"
	      "its results (reviews included) are kept, linked to the new one\n"
	      "(superseded_by), and leave the review queue and document_text.\n"
	      "\n"
	      "It needs the original: with originals = \"delete\", or once `move` pruned\n"
	      "it from done/, the document cannot be read again (said so, per document).\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE  the digitd configuration naming the spool and the\n"
	      "                     database (default: $DIGITD_CONFIG or\n"
	      "                     " DIGITD_SYSCONFDIR "/digitd/digitd.conf)\n"
	      "  --since TIME       every done document processed at or after TIME:\n"
	      "                     2026-11-26, 2026-11-26T04:30, 2h, 7d, today...\n"
	      "  --dry-run          say what would be sent back, change nothing\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Run as a user who may write the spool and the database (digitd).\n"
	      "\n"
	      "Exit status: 0 all sent back, 1 some could not be (each is named), 2 usage\n"
	      "error.\n"
	      "\n"
	      "Examples:\n"
	      "  sudo -u digitd digitctl reprocess 17 18\n"
	      "  sudo -u digitd digitctl reprocess --since 7d\n", stdout);
}

typedef struct {
	const char *cmd;           /* "retry" or "reprocess" */
	const char *want;          /* the status sent back: "failed" or "done" */
	struct digitd_config cfg;
	sqlite3 *db;
	int spool_fd, incoming_fd;
	int dry_run;
} requeue_ctx;

/* Hash the file at dirfd/path into hex; 0, or -1 with errno. */
static int hash_file(int dirfd, const char *path, char hex[65])
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) return -1;
	uint8_t *buf = malloc(HASH_CHUNK), d[32];
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	sha256_ctx c;
	sha256_init(&c);
	ssize_t n;
	while ((n = read(fd, buf, HASH_CHUNK)) > 0) sha256_update(&c, buf, (size_t)n);
	int e = errno;
	free(buf);
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}

static const char *format_ext(img_format f)
{
	switch (f) {
	case IMG_FMT_PNG: return ".png";
	case IMG_FMT_JPEG: return ".jpg";
	case IMG_FMT_TIFF: return ".tif";
	case IMG_FMT_BMP: return ".bmp";
	case IMG_FMT_PNM: return ".pgm";   /* digitd decodes by content: any PNM is read */
	case IMG_FMT_WEBP: return ".webp";
	default: return NULL;
	}
}

/* The name the original goes back under: its own when `accept` takes it,
 * else with its extension replaced by its format's (a .jfif that failed by
 * name comes back as .jpg); prefixed with the document id when incoming/
 * already holds that name.  Returns 0, or -1 when no name fits. */
static int pick_name(requeue_ctx *c, int64_t id, const char *name, const char *orig, char out[NAME_MAX + 1])
{
	char base[NAME_MAX + 1];
	snprintf(base, sizeof base, "%s", name);
	if (config_match_name(&c->cfg, base) != CONFIG_NAME_ACCEPT) {
		uint8_t head[SNIFF_BYTES];
		img_info info;
		img_err ierr;
		ssize_t n = -1;
		int fd = openat(c->spool_fd, orig, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			n = read(fd, head, sizeof head);
			close(fd);
		}
		memset(&info, 0, sizeof info);
		/* a truncated header still names its format: only the magic is used */
		if (n > 0) img_probe(head, (size_t)n, UINT64_MAX, &info, &ierr);
		const char *ext = format_ext(info.fmt);
		if (ext) {
			char *dot = strrchr(base, '.');
			if (dot && dot != base) *dot = 0;
			size_t room = sizeof base - strlen(ext) - 1;
			if (strlen(base) > room) base[room] = 0;
			strcat(base, ext);
		}
		if (config_match_name(&c->cfg, base) != CONFIG_NAME_ACCEPT)
			fprintf(stderr, "digitctl %s: warning: document %lld: \"%s\" is not a name `accept` takes and "
				"its format is not known; it will fail by name again\n", c->cmd, (long long)id, base);
	}
	struct stat sb;
	snprintf(out, NAME_MAX + 1, "%s", base);
	for (int i = 1; fstatat(c->incoming_fd, out, &sb, AT_SYMLINK_NOFOLLOW) == 0; i++) {
		if (i > 1000) return -1;
		int w = snprintf(out, NAME_MAX + 1, "%lld-%d-%s", (long long)id, i, base);
		if (w > NAME_MAX) return -1;
	}
	return 0;
}

static int set_mark(requeue_ctx *c, int64_t id, int on)
{
	sqlite3_stmt *st = NULL;
	char now[40];
	store_now_iso(now);
	const char *sql = on ? "UPDATE documents SET requeued_at = ?2 WHERE id = ?1 AND superseded_by IS NULL"
			     : "UPDATE documents SET requeued_at = NULL WHERE id = ?1 AND superseded_by IS NULL";
	int ok = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(st, 1, id);
		if (on) sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(c->db) == 1;
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

/* Send one document back.  Returns 0, or 1 after saying why it could not be. */
static int requeue_one(requeue_ctx *c, int64_t id)
{
	sqlite3_stmt *st = NULL;
	char name[NAME_MAX + 1], sha[65], orig[PATH_MAX], status[16], hex[65], dest[NAME_MAX + 1];
	int has_orig, requeued, superseded;
	int64_t by = 0;
	if (sqlite3_prepare_v2(c->db,
			       "SELECT name, sha256, status, original, requeued_at IS NOT NULL, superseded_by "
			       "FROM documents WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return cli_sql_error(c->cmd, c->db);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		fprintf(stderr, "digitctl %s: no document %lld\n", c->cmd, (long long)id);
		return 1;
	}
	snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(sha, sizeof sha, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(st, 2));
	has_orig = sqlite3_column_type(st, 3) != SQLITE_NULL;
	snprintf(orig, sizeof orig, "%s", has_orig ? (const char *)sqlite3_column_text(st, 3) : "");
	requeued = sqlite3_column_int(st, 4);
	superseded = sqlite3_column_type(st, 5) != SQLITE_NULL;
	if (superseded) by = sqlite3_column_int64(st, 5);
	sqlite3_finalize(st);

	if (superseded) {
		fprintf(stderr, "digitctl %s: document %lld was already read again: superseded by document %lld "
			"(%s that one)\n", c->cmd, (long long)id, (long long)by, c->cmd);
		return 1;
	}
	if (strcmp(status, c->want) != 0) {
		fprintf(stderr, "digitctl %s: document %lld is %s, not %s (%s)\n", c->cmd, (long long)id, status, c->want,
			strcmp(c->want, "failed") == 0 ? "retry sends back failed documents; reprocess done ones"
						       : "reprocess reads done documents again; retry sends back failed ones");
		return 1;
	}
	if (!has_orig) {
		fprintf(stderr, "digitctl %s: document %lld: its original was not kept (originals = \"delete\"): "
			"there is nothing to read again\n", c->cmd, (long long)id);
		return 1;
	}
	if (hash_file(c->spool_fd, orig, hex) < 0) {
		if (errno == ENOENT && requeued)
			fprintf(stderr, "digitctl %s: document %lld was already sent back and is waiting for digitd "
				"(its original left %s)\n", c->cmd, (long long)id, orig);
		else
			fprintf(stderr, "digitctl %s: document %lld: its original %s/%s: %s%s\n", c->cmd, (long long)id,
				c->cfg.spool, orig, strerror(errno),
				errno == ENOENT ? " (removed, or pruned from done/ after done_days): there is nothing to "
						  "read again" : "");
		return 1;
	}
	if (strcmp(hex, sha) != 0) {
		fprintf(stderr, "digitctl %s: document %lld: %s/%s no longer holds its bytes (sha256 %.12s, the "
			"document's is %.12s); left alone\n", c->cmd, (long long)id, c->cfg.spool, orig, hex, sha);
		return 1;
	}
	const char *slash = strrchr(orig, '/');
	if (pick_name(c, id, name, orig, dest) < 0) {
		fprintf(stderr, "digitctl %s: document %lld: no free name in incoming/ for \"%s\"\n", c->cmd,
			(long long)id, name);
		return 1;
	}
	if (c->dry_run) {
		printf("document %lld: %s -> incoming/%s (dry run)\n", (long long)id, orig, dest);
		return 0;
	}
	/* the mark first: once the file is in incoming/, digitd may read it */
	if (set_mark(c, id, 1) < 0) {
		fprintf(stderr, "digitctl %s: document %lld: cannot mark it in the database: %s\n", c->cmd,
			(long long)id, sqlite3_errmsg(c->db));
		return 1;
	}
	if (renameat2(c->spool_fd, orig, c->incoming_fd, dest, RENAME_NOREPLACE) < 0) {
		int e = errno;
		if (set_mark(c, id, 0) < 0)
			fprintf(stderr, "digitctl %s: document %lld: cannot take the mark back: %s\n", c->cmd,
				(long long)id, sqlite3_errmsg(c->db));
		fprintf(stderr, "digitctl %s: document %lld: cannot move %s/%s to incoming/: %s\n", c->cmd,
			(long long)id, c->cfg.spool, orig, strerror(e));
		return 1;
	}
	if (strcmp(c->want, "failed") == 0 && slash) {
		/* the .error beside a failed original goes with it; the row keeps its text */
		char errfile[PATH_MAX];
		if (snprintf(errfile, sizeof errfile, "%s.error", orig) < (int)sizeof errfile &&
		    unlinkat(c->spool_fd, errfile, 0) < 0 && errno != ENOENT)
			fprintf(stderr, "digitctl %s: warning: cannot remove %s/%s: %s\n", c->cmd, c->cfg.spool, errfile,
				strerror(errno));
	}
	printf("document %lld: %s -> incoming/%s\n", (long long)id, orig, dest);
	return 0;
}

/* The ids a --failed or --since selection names, oldest first. */
static int select_ids(requeue_ctx *c, const char *since, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = NULL;
	const char *sql = since
		? "SELECT id FROM documents WHERE status = 'done' AND superseded_by IS NULL AND requeued_at IS NULL "
		  "AND julianday(processed_at) >= julianday(?1) ORDER BY id"
		: "SELECT id FROM documents WHERE status = 'failed' AND superseded_by IS NULL AND requeued_at IS NULL "
		  "AND original IS NOT NULL ORDER BY id";
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	if (since) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			int64_t *m = realloc(*ids, cap * sizeof *m);
			if (!m) { rc = SQLITE_NOMEM; break; }
			*ids = m;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int open_spool(requeue_ctx *c)
{
	c->spool_fd = open(c->cfg.spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->spool_fd >= 0) c->incoming_fd = openat(c->spool_fd, "incoming", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->spool_fd < 0 || c->incoming_fd < 0) {
		fprintf(stderr, "digitctl %s: spool %s%s: %s\n", c->cmd, c->cfg.spool, c->spool_fd < 0 ? "" : "/incoming",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int run(int argc, char **argv, int reprocess)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "failed", no_argument, NULL, 'F' },
		{ "since", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	requeue_ctx c = { .cmd = reprocess ? "reprocess" : "retry", .want = reprocess ? "done" : "failed",
			  .spool_fd = -1, .incoming_fd = -1 };
	const char *synopsis = reprocess ? reprocess_synopsis : retry_synopsis;
	const char *conf = NULL;
	char since[32] = "", err[1024];
	int all_failed = 0, ch, rc = 1;
	int64_t *ids = NULL;
	size_t nids = 0;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'F':
			if (reprocess) return cli_usage_error(c.cmd, synopsis, "--failed is for retry");
			all_failed = 1;
			break;
		case 'T':
			if (!reprocess) return cli_usage_error(c.cmd, synopsis, "--since is for reprocess");
			if (time_parse_since(optarg, time(NULL), since) < 0)
				return cli_usage_error(c.cmd, synopsis, "cannot read time '%s'", optarg);
			break;
		case 'n': c.dry_run = 1; break;
		case 'h':
			if (reprocess) reprocess_help(); else retry_help();
			return 0;
		default:
			return cli_usage_error(c.cmd, synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	int selection = all_failed || since[0];
	if (selection && optind < argc)
		return cli_usage_error(c.cmd, synopsis, "give documents or %s, not both", reprocess ? "--since" : "--failed");
	if (!selection && optind >= argc)
		return cli_usage_error(c.cmd, synopsis, "which documents? give their ids, or %s",
				       reprocess ? "--since TIME" : "--failed");
	if (!conf) conf = config_default_path();
	config_defaults(&c.cfg);
	if (config_load(conf, &c.cfg, err, sizeof err) < 0) {
		fprintf(stderr, "digitctl %s: %s\n", c.cmd, err);
		return 1;
	}
	if (cli_db_open(c.cmd, c.cfg.database, !c.dry_run, &c.db) < 0) goto out;
	sqlite3_stmt *v = NULL;
	int version = 0;
	if (sqlite3_prepare_v2(c.db, "PRAGMA user_version", -1, &v, NULL) == SQLITE_OK && sqlite3_step(v) == SQLITE_ROW)
		version = sqlite3_column_int(v, 0);
	sqlite3_finalize(v);
	if (version < REQUEUE_SCHEMA) {
		fprintf(stderr, "digitctl %s: %s: schema version %d; start digitd once to migrate it to %d\n", c.cmd,
			c.cfg.database, version, REQUEUE_SCHEMA);
		goto out;
	}
	if (open_spool(&c) < 0) goto out;
	if (selection) {
		if (select_ids(&c, since[0] ? since : NULL, &ids, &nids) < 0) {
			rc = cli_sql_error(c.cmd, c.db);
			goto out;
		}
	} else {
		ids = calloc((size_t)(argc - optind), sizeof *ids);
		if (!ids) goto out;
		for (int i = optind; i < argc; i++) {
			if (query_doc_resolve(c.db, argv[i], &ids[nids], err, sizeof err) < 0) {
				fprintf(stderr, "digitctl %s: %s\n", c.cmd, err);
				goto out;
			}
			nids++;
		}
	}
	int bad = 0;
	for (size_t i = 0; i < nids; i++) bad |= requeue_one(&c, ids[i]);
	if (selection && nids == 0) printf("nothing to %s\n", c.cmd);
	rc = bad ? 1 : 0;
out:
	free(ids);
	if (c.db) sqlite3_close(c.db);
	if (c.incoming_fd >= 0) close(c.incoming_fd);
	if (c.spool_fd >= 0) close(c.spool_fd);
	config_free(&c.cfg);
	if (cli_flush_output(c.cmd) < 0) rc = 1;
	return rc;
}

int cmd_retry(int argc, char **argv) { return run(argc, argv, 0); }
int cmd_reprocess(int argc, char **argv) { return run(argc, argv, 1); }
