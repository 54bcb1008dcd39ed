/* review_fixture: build a small, fully known digitd database for digitctl's
 * tests, independent of the daemon and the model.
 *
 *   review_fixture SCHEMA.sql MNIST_DIR SPOOL DB
 *
 * Digits are real MNIST test images: crop28 is the image itself, the scan is
 * the images drawn dark on white at twice their size, and crop_png is the
 * digit's box cut from that scan.  Confidences come from a fixed generator; a
 * few predictions are made wrong on purpose so review and stats have errors to
 * find.  Documents:
 *   1 form-0001.png            done, 2 fields, original kept in SPOOL/done/
 *   2 cheque, "big" #2.png     done, 1 field, original gone (NULL)
 *   3 multi<LF>line.tif        done, 1 field, original recorded but missing
 *   4 broken.png               failed
 *   5 form-0001 copy.png       duplicate of 1
 *   6 esc<ESC>[31m<TAB>red<FF>.png   done, 1 field: control characters, invalid UTF-8
 * It prints nothing and exits 0, or prints why and exits 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "imaging/draw.h"
#include "imaging/png.h"
#include "imaging/imaging.h"
#include "store/store.h"
#include "util/sha256.h"

#define SIDE 28
#define SCALE 2
#define PITCH 64               /* horizontal distance between digits in the scan */

static uint8_t *images, *labels;
static unsigned rng = 12345;

static double uniform(void)
{
	rng = rng * 1103515245u + 12345u;
	return (double)((rng >> 8) & 0xFFFF) / 65536.0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	if (!f) { fprintf(stderr, "%s: %s\n", path, strerror(errno)); return NULL; }
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		fprintf(stderr, "%s: cannot read\n", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sql: %s\n", msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

typedef struct {
	const char *name, *status, *original, *error;
	int fields[3];             /* digits per field, 0 ends */
	int write_original;
	long long duplicate_of;
} docspec;

static const docspec docs[] = {
	{ "form-0001.png", "done", "done/form-0001.png", NULL, { 6, 4, 0 }, 1, 0 },
	{ "cheque, \"big\" #2.png", "done", NULL, NULL, { 5, 0, 0 }, 0, 0 },
	{ "multi\nline.tif", "done", "done/multi-line.tif", NULL, { 3, 0, 0 }, 0, 0 },
	{ "broken.png", "failed", "failed/broken.png", "broken.png: not an image (unknown format)", { 0 }, 0, 0 },
	{ "form-0001 copy.png", "duplicate", "done/form-0001 copy.png", NULL, { 0 }, 0, 1 },
	/* a name that would colour a terminal, with a tab and a byte that is not UTF-8 */
	{ "esc\x1b[31m\tred\xff.png", "done", NULL, NULL, { 2, 0, 0 }, 0, 0 },
};

/* Paste MNIST image k dark-on-white at (x, y), scaled by SCALE. */
static void paste(img_t *scan, int k, int x, int y)
{
	const uint8_t *src = images + (size_t)k * SIDE * SIDE;
	for (int r = 0; r < SIDE * SCALE; r++)
		for (int c = 0; c < SIDE * SCALE; c++)
			scan->data[(size_t)(y + r) * scan->stride + (size_t)(x + c)] =
				(uint8_t)(255 - src[(r / SCALE) * SIDE + c / SCALE]);
}

/* Ink bounding box of MNIST image k in scan coordinates. */
static void inkbox(int k, int x, int y, int *bx, int *by, int *bw, int *bh)
{
	const uint8_t *src = images + (size_t)k * SIDE * SIDE;
	int x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1;
	for (int r = 0; r < SIDE; r++)
		for (int c = 0; c < SIDE; c++)
			if (src[r * SIDE + c] > 40) {
				if (c < x0) x0 = c;
				if (c > x1) x1 = c;
				if (r < y0) y0 = r;
				if (r > y1) y1 = r;
			}
	*bx = x + x0 * SCALE; *by = y + y0 * SCALE;
	*bw = (x1 - x0 + 1) * SCALE; *bh = (y1 - y0 + 1) * SCALE;
}

static int crop_png(const img_t *scan, int x, int y, int w, int h, uint8_t **png, size_t *len)
{
	img_t c;
	img_err e;
	if (img_alloc(&c, w, h, 1, &e) < 0) return -1;
	for (int r = 0; r < h; r++)
		memcpy(c.data + (size_t)r * c.stride, scan->data + (size_t)(y + r) * scan->stride + x, (size_t)w);
	int rc = img_encode_png(&c, png, len, &e);
	img_free(&c);
	return rc;
}

int main(int argc, char **argv)
{
	size_t slen, ilen, llen;
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins_doc = NULL, *ins_field = NULL, *ins_digit = NULL, *ins_page = NULL, *upd_field = NULL;
	int next_image = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: review_fixture SCHEMA.sql MNIST_DIR SPOOL DB\n");
		return 2;
	}
	char *schema = (char *)slurp(argv[1], &slen);
	snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", argv[2]);
	images = slurp(path, &ilen);
	snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", argv[2]);
	labels = slurp(path, &llen);
	if (!schema || !images || !labels || ilen < 16 + 100 * 784 || llen < 8 + 100) return 1;
	images += 16;
	labels += 8;
	snprintf(path, sizeof path, "%s/done", argv[3]);
	if (mkdir(argv[3], 0755) < 0 && errno != EEXIST) { perror(argv[3]); return 1; }
	if (mkdir(path, 0755) < 0 && errno != EEXIST) { perror(path); return 1; }
	unlink(argv[4]);
	if (sqlite3_open(argv[4], &db) != SQLITE_OK) { fprintf(stderr, "%s: cannot create\n", argv[4]); return 1; }
	if (exec(db, "BEGIN") || exec(db, schema) ||
	    exec(db, "PRAGMA application_id = 0x44474954; PRAGMA user_version = 1"))
		return 1;
	const char *sql_doc = "INSERT INTO documents (id, sha256, name, size, received_at, processed_at, status, error, "
			      "model, ms, duplicate_of, pages, width, height, original) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
	const char *sql_field = "INSERT INTO fields (document_id, page, x, y, w, h, text, confidence, flagged, idx) "
				"VALUES (?1, 0, ?2, ?3, ?4, ?5, '', 1, 0, ?6)";
	const char *sql_upd = "UPDATE fields SET text = ?2, confidence = ?3, flagged = ?4 WHERE id = ?1";
	const char *sql_digit = "INSERT INTO digits (document_id, field_id, page, x, y, w, h, label, confidence, "
				"alt_label, alt_confidence, flagged, reviewed_label, reviewed_by, reviewed_at, crop28, "
				"crop_png, pos, why) VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
				"?14, ?15, ?16, ?17, ?18)";
	const char *sql_page = "INSERT INTO pages (document_id, page, width, height) VALUES (?1, 0, ?2, ?3)";
	if (sqlite3_prepare_v2(db, sql_doc, -1, &ins_doc, NULL) || sqlite3_prepare_v2(db, sql_field, -1, &ins_field, NULL) ||
	    sqlite3_prepare_v2(db, sql_upd, -1, &upd_field, NULL) || sqlite3_prepare_v2(db, sql_digit, -1, &ins_digit, NULL) ||
	    sqlite3_prepare_v2(db, sql_page, -1, &ins_page, NULL)) {
		fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	int ndigit = 0;
	for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
		const docspec *ds = &docs[d];
		long long id = (long long)d + 1;
		int nf = 0, maxd = 0;
		for (; nf < 3 && ds->fields[nf]; nf++) if (ds->fields[nf] > maxd) maxd = ds->fields[nf];
		int W = 80 + maxd * PITCH + 60, H = 60 + nf * 110 + 40;
		char sha[65], recv[40], proc[40];
		/* a stable fake content hash per content; the duplicate shares doc 1's */
		long long content = ds->duplicate_of ? ds->duplicate_of : id;
		for (int i = 0; i < 64; i++) sha[i] = "0123456789abcdef"[(content * 7 + i * (content + 3)) % 16];
		sha[64] = 0;
		snprintf(recv, sizeof recv, "2026-11-26T03:%02d:%02d.000Z", (int)d * 10, (int)d * 3);
		snprintf(proc, sizeof proc, "2026-11-26T03:%02d:%02d.250Z", (int)d * 10, (int)d * 3);
		sqlite3_reset(ins_doc);
		sqlite3_clear_bindings(ins_doc);
		sqlite3_bind_int64(ins_doc, 1, id);
		sqlite3_bind_text(ins_doc, 2, sha, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_doc, 3, ds->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins_doc, 4, 1000 + (int)d * 37);
		sqlite3_bind_text(ins_doc, 5, recv, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_doc, 6, proc, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_doc, 7, ds->status, -1, SQLITE_STATIC);
		if (ds->error) sqlite3_bind_text(ins_doc, 8, ds->error, -1, SQLITE_STATIC);
		if (nf) {
			sqlite3_bind_text(ins_doc, 9, "lenet5:fixture000001", -1, SQLITE_STATIC);
			sqlite3_bind_double(ins_doc, 10, 12.5 + (double)d);
			sqlite3_bind_int(ins_doc, 12, 1);
			sqlite3_bind_int(ins_doc, 13, W);
			sqlite3_bind_int(ins_doc, 14, H);
		}
		if (ds->duplicate_of) sqlite3_bind_int64(ins_doc, 11, ds->duplicate_of);
		if (ds->original) sqlite3_bind_text(ins_doc, 15, ds->original, -1, SQLITE_STATIC);
		if (sqlite3_step(ins_doc) != SQLITE_DONE) goto sqlfail;
		if (!nf) continue;
		sqlite3_reset(ins_page);
		sqlite3_bind_int64(ins_page, 1, id);
		sqlite3_bind_int(ins_page, 2, W);
		sqlite3_bind_int(ins_page, 3, H);
		if (sqlite3_step(ins_page) != SQLITE_DONE) goto sqlfail;

		img_t scan;
		img_err e;
		if (img_alloc(&scan, W, H, 1, &e) < 0) return 1;
		memset(scan.data, 255, scan.stride * (size_t)H);
		for (int f = 0; f < nf; f++) {
			int fy = 60 + f * 110, n = ds->fields[f];
			char text[16] = "";
			double fconf = 1;
			int fflag = 0;
			sqlite3_reset(ins_field);
			sqlite3_bind_int64(ins_field, 1, id);
			sqlite3_bind_int(ins_field, 2, 76);
			sqlite3_bind_int(ins_field, 3, fy - 4);
			sqlite3_bind_int(ins_field, 4, n * PITCH);
			sqlite3_bind_int(ins_field, 5, SIDE * SCALE + 8);
			sqlite3_bind_int(ins_field, 6, f);
			if (sqlite3_step(ins_field) != SQLITE_DONE) goto sqlfail;
			long long fid = sqlite3_last_insert_rowid(db);
			for (int p = 0; p < n; p++, ndigit++) {
				int k = next_image++, x = 80 + p * PITCH, truth = labels[k];
				int bx, by, bw, bh;
				paste(&scan, k, x, fy);
				inkbox(k, x, fy, &bx, &by, &bw, &bh);
				/* confidences: most high, some low; every 4th digit is a wrong guess */
				double conf = uniform() < 0.6 ? 0.97 + 0.0299 * uniform() : 0.45 + 0.5 * uniform();
				int wrong = ndigit % 4 == 3, label = wrong ? (truth + 1) % 10 : truth;
				if (wrong && ndigit % 8 != 7) conf = 0.40 + 0.45 * uniform();
				int alt = wrong ? truth : (truth + 3) % 10;
				int flagged = conf < 0.90;
				text[p] = (char)('0' + label);
				text[p + 1] = 0;
				fconf *= conf;
				fflag |= flagged;
				uint8_t *png;
				size_t pnglen;
				if (crop_png(&scan, bx, by, bw, bh, &png, &pnglen) < 0) return 1;
				sqlite3_reset(ins_digit);
				sqlite3_clear_bindings(ins_digit);
				sqlite3_bind_int64(ins_digit, 1, id);
				sqlite3_bind_int64(ins_digit, 2, fid);
				sqlite3_bind_int(ins_digit, 3, bx);
				sqlite3_bind_int(ins_digit, 4, by);
				sqlite3_bind_int(ins_digit, 5, bw);
				sqlite3_bind_int(ins_digit, 6, bh);
				sqlite3_bind_int(ins_digit, 7, label);
				sqlite3_bind_double(ins_digit, 8, conf);
				sqlite3_bind_int(ins_digit, 9, alt);
				sqlite3_bind_double(ins_digit, 10, (1 - conf) * 0.8);
				sqlite3_bind_int(ins_digit, 11, flagged);
				if (d == 0 && p == 3 && f == 0) {  /* one decision already made */
					sqlite3_bind_int(ins_digit, 12, truth);
					sqlite3_bind_text(ins_digit, 13, "alice", -1, SQLITE_STATIC);
					sqlite3_bind_text(ins_digit, 14, "2026-11-26T03:30:00Z", -1, SQLITE_STATIC);
				}
				sqlite3_bind_blob(ins_digit, 15, images + (size_t)k * 784, 784, SQLITE_STATIC);
				sqlite3_bind_blob(ins_digit, 16, png, (int)pnglen, free);
				sqlite3_bind_int(ins_digit, 17, p);
				sqlite3_bind_int(ins_digit, 18, flagged ? 1 : 0);
				if (sqlite3_step(ins_digit) != SQLITE_DONE) goto sqlfail;
			}
			sqlite3_reset(upd_field);
			sqlite3_bind_int64(upd_field, 1, fid);
			sqlite3_bind_text(upd_field, 2, text, -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(upd_field, 3, fconf);
			sqlite3_bind_int(upd_field, 4, fflag);
			if (sqlite3_step(upd_field) != SQLITE_DONE) goto sqlfail;
		}
		if (ds->write_original) {
			/* the real file's hash, so show --overlay recognises it (and its duplicate) */
			uint8_t *png;
			size_t pnglen;
			char hex[65];
			FILE *f;
			snprintf(path, sizeof path, "%s/%s", argv[3], ds->original);
			if (img_encode_png(&scan, &png, &pnglen, &e) < 0) { fprintf(stderr, "%s\n", e.msg); return 1; }
			if (!(f = fopen(path, "wb")) || fwrite(png, 1, pnglen, f) != pnglen || fclose(f) != 0) {
				perror(path);
				return 1;
			}
			sha256_buf_hex(png, pnglen, hex);
			free(png);
			char *q = sqlite3_mprintf("UPDATE documents SET sha256 = '%q', size = %lld WHERE id = %lld; "
						  "UPDATE documents SET sha256 = '%q' WHERE duplicate_of = %lld",
						  hex, (long long)pnglen, id, hex, id);
			if (!q || exec(db, q)) return 1;
			sqlite3_free(q);
		}
		img_free(&scan);
	}
	sqlite3_finalize(ins_doc);
	sqlite3_finalize(ins_field);
	sqlite3_finalize(upd_field);
	sqlite3_finalize(ins_digit);
	sqlite3_finalize(ins_page);
	if (exec(db, "UPDATE documents SET sha256 = (SELECT p.sha256 FROM documents p WHERE p.id = documents.duplicate_of) "
		     "WHERE duplicate_of IS NOT NULL") || exec(db, "COMMIT"))
		return 1;
	if (sqlite3_close(db) != SQLITE_OK) return 1;
	/* the fixture is written at the baseline schema (version 1); bring it
	 * to the current version the way digitd would */
	char err[512];
	store *st = store_open(argv[4], STORE_RW, err, sizeof err);
	if (!st) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	store_close(st);
	free(schema);
	free(images - 16);
	free(labels - 8);
	return 0;
sqlfail:
	fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
	return 1;
}
