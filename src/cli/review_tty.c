/* review_tty.c: the interactive review queue.
 *
 * One flagged digit per screen, least confident first: the 28x28 image the
 * model saw (half-block graphics, see term.h), the digits around it in its
 * field, and what the model said.  A key stores the decision at once (its own
 * write transaction); `u` puts the last decision back exactly as it was.
 * The queue is read when the session starts and again when it runs out, so
 * digits digitd flags meanwhile are reviewed too; a digit someone else
 * reviewed in the meantime is passed over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/review.h"
#include "recognize/flags.h"
#include "cli/term.h"
#include "cli/textout.h"
#include "imaging/load.h"
#include "imaging/ops.h"
#include "nn/nn.h"
#include "store/query.h"

#define SCAN_W 32
#define SCAN_H 16

typedef struct {
	size_t pos;                 /* index in the session's list */
	int label, model;
	query_review_prev prev;
} decision;

typedef struct {
	sqlite3 *db;
	const char *reviewer;
	int limit;
	int64_t *ids;
	size_t n, cap, pos;
	decision *hist;
	size_t nhist, histcap;
	int decided, corrected, skipped;
	char status[640];
	int truecolor;
} session;

/* What one screen shows about the current digit. */
typedef struct {
	int64_t id, doc, field;
	char name[256];
	int label, alt, has_alt, pos, why, field_idx;
	double conf, alt_conf;
	uint8_t crop[NN_PIXELS];
	int has_crop;
	/* the crop as scanned (crop_png), grey, fitted in SCAN_W x SCAN_H */
	uint8_t scan[SCAN_W * SCAN_H];
	int scan_w, scan_h;
	/* the field: every digit's final label and image, in order */
	int nf, cur;
	int flabel[64];
	int freviewed[64];
	uint8_t fcrop[64][NN_PIXELS];
	int fhas[64];
} item;

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Append queue digits not yet in the session (all of them at the start).
 * The ids already seen are looked up in a sorted copy: a backlog of a
 * million digits must not cost a million squared comparisons. */
static int refill(session *s)
{
	sqlite3_stmt *st = NULL;
	int added = 0;
	size_t nseen = s->n;
	int64_t *seen = NULL;
	if (nseen) {
		seen = malloc(nseen * sizeof *seen);
		if (!seen) return -1;
		memcpy(seen, s->ids, nseen * sizeof *seen);
		qsort(seen, nseen, sizeof *seen, cmp_id);
	}
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM review_queue", -1, &st, NULL) != SQLITE_OK) {
		free(seen);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (s->limit && s->n >= (size_t)s->limit) break;
		if (nseen && bsearch(&id, seen, nseen, sizeof *seen, cmp_id)) continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			int64_t *p = realloc(s->ids, cap * sizeof *p);
			if (!p) break;
			s->ids = p;
			s->cap = cap;
		}
		s->ids[s->n++] = id;
		added++;
	}
	sqlite3_finalize(st);
	free(seen);
	return added;
}

/* Decode the stored crop of the original scan into it->scan (paper light, as
 * scanned), keeping its aspect; leaves scan_w 0 when it cannot. */
static void load_scan(const void *png, size_t len, item *it)
{
	img_load_opts o;
	img_doc doc;
	img_err e;
	img_t grey = { 0 }, small = { 0 };
	img_load_opts_default(&o);
	o.min_dpi = 0;
	it->scan_w = it->scan_h = 0;
	if (img_load(png, len, &o, &doc, &e) < 0) return;
	const img_t *p = &doc.pages[0];
	if (img_alloc(&grey, p->w, p->h, 1, &e) < 0) goto out;
	for (int y = 0; y < p->h; y++)
		for (int x = 0; x < p->w; x++) {
			const uint8_t *px = p->data + (size_t)y * p->stride + (size_t)x * (size_t)p->ch;
			grey.data[(size_t)y * grey.stride + (size_t)x] =
				p->ch == 3 ? (uint8_t)((px[0] + 2 * px[1] + px[2]) / 4) : px[0];
		}
	double k = (double)SCAN_H / p->h;
	if (p->w * k > SCAN_W) k = (double)SCAN_W / p->w;
	int w = (int)(p->w * k + 0.5), h = (int)(p->h * k + 0.5);
	if (w < 1) w = 1;
	if (h < 2) h = 2;
	if (img_resize(&grey, w, h, k < 1 ? IMG_INTER_AREA : IMG_INTER_LINEAR, &small, &e) < 0) goto out;
	for (int y = 0; y < h; y++) memcpy(it->scan + y * w, small.data + (size_t)y * small.stride, (size_t)w);
	it->scan_w = w;
	it->scan_h = h;
out:
	img_free(&small);
	img_free(&grey);
	img_doc_free(&doc);
}

/* Load digit id; 0 when it is still waiting for review, 1 when it no longer
 * needs it (someone reviewed it, or it is gone), -1 on error. */
static int load_item(session *s, int64_t id, item *it)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	memset(it, 0, sizeof *it);
	const char *sql = "SELECT d.id, d.document_id, doc.name, coalesce(d.field_id, 0), d.pos, d.label, d.confidence, "
			  "       d.alt_label, d.alt_confidence, d.why, d.crop28, d.reviewed_label IS NOT NULL, "
			  "       coalesce(f.idx, -1), d.crop_png "
			  "FROM digits d JOIN documents doc ON doc.id = d.document_id "
			  "LEFT JOIN fields f ON f.id = d.field_id WHERE d.id = ?";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_DONE) { rc = 1; goto out; }
	if (step != SQLITE_ROW) goto out;
	if (sqlite3_column_int(st, 11)) { rc = 1; goto out; }
	it->id = id;
	it->doc = sqlite3_column_int64(st, 1);
	snprintf(it->name, sizeof it->name, "%s", sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
	it->field = sqlite3_column_int64(st, 3);
	it->pos = sqlite3_column_int(st, 4);
	it->label = sqlite3_column_int(st, 5);
	it->conf = sqlite3_column_double(st, 6);
	it->has_alt = sqlite3_column_type(st, 7) != SQLITE_NULL;
	it->alt = sqlite3_column_int(st, 7);
	it->alt_conf = sqlite3_column_double(st, 8);
	it->why = sqlite3_column_int(st, 9);
	it->field_idx = sqlite3_column_int(st, 12);
	if (sqlite3_column_bytes(st, 10) == NN_PIXELS) {
		memcpy(it->crop, sqlite3_column_blob(st, 10), NN_PIXELS);
		it->has_crop = 1;
	}
	if (sqlite3_column_bytes(st, 13) > 0)
		load_scan(sqlite3_column_blob(st, 13), (size_t)sqlite3_column_bytes(st, 13), it);
	sqlite3_finalize(st);
	st = NULL;
	it->cur = -1;
	if (it->field) {
		if (sqlite3_prepare_v2(s->db, "SELECT id, coalesce(reviewed_label, label), reviewed_label IS NOT NULL, "
				       "crop28 FROM digits WHERE field_id = ? ORDER BY pos, x, id", -1, &st, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_int64(st, 1, it->field);
		while (sqlite3_step(st) == SQLITE_ROW && it->nf < 64) {
			int k = it->nf++;
			if (sqlite3_column_int64(st, 0) == id) it->cur = k;
			it->flabel[k] = sqlite3_column_int(st, 1);
			it->freviewed[k] = sqlite3_column_int(st, 2);
			it->fhas[k] = sqlite3_column_bytes(st, 3) == NN_PIXELS;
			if (it->fhas[k]) memcpy(it->fcrop[k], sqlite3_column_blob(st, 3), NN_PIXELS);
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* crop28 (ink high) as paper-light grey, enlarged or halved to side x side. */
static void to_paper(const uint8_t *crop, int has, uint8_t *out, int half)
{
	int side = half ? NN_SIDE / 2 : NN_SIDE;
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++) {
			int v;
			if (!has) v = 0;
			else if (half)
				v = (crop[(2 * y) * NN_SIDE + 2 * x] + crop[(2 * y) * NN_SIDE + 2 * x + 1] +
				     crop[(2 * y + 1) * NN_SIDE + 2 * x] + crop[(2 * y + 1) * NN_SIDE + 2 * x + 1]) / 4;
			else v = crop[y * NN_SIDE + x];
			/* paper 242, ink 16: strong contrast without a glaring white */
			out[y * side + x] = (uint8_t)(242 - v * 226 / 255);
		}
}

static void at(FILE *f, int row, int col)
{
	fprintf(f, "\x1b[%d;%dH", row + 1, col + 1);
}

/* A line of text at (row, col), cut to width. */
static void text_at(FILE *f, int row, int col, int width, const char *s)
{
	if (width <= 0) return;
	at(f, row, col);
	out_cell(f, s, width, 0);
}

/* Returns 1 when the digit is on screen, 0 when the terminal is too small. */
static int draw(session *s, const item *it)
{
	char *frame = NULL, line[512], why[256];
	size_t flen = 0;
	int cols, rows;
	FILE *f = open_memstream(&frame, &flen);
	int shown = 0;
	if (!f) return 0;
	term_size(&cols, &rows);
	int scale = rows >= 40 && cols >= 110 ? 2 : 1;
	int cw = NN_SIDE * scale, ch = NN_SIDE * scale / 2;
	int x0 = 2 + cw + 4, tw = cols - x0 - 1;
	uint8_t paper[NN_PIXELS];

	fputs("\x1b[H\x1b[2J", f);
	if (cols < 48 || rows < 22) {
		/* the crop alone needs 14 rows; never draw a garbled screen */
		fprintf(f, "digitctl review: the terminal is %dx%d;\r\nenlarge it to at least 48x22 (q quits)", cols, rows);
		goto flush;
	}
	/* title bar */
	snprintf(line, sizeof line, " digitctl review   digit %zu of %zu   %d decided, %d skipped   reviewer: %s",
		 s->pos + 1, s->n, s->decided, s->skipped, s->reviewer);
	at(f, 0, 0);
	fputs("\x1b[7m", f);
	out_cell(f, line, cols, 1);
	fputs("\x1b[0m", f);

	/* the crop */
	to_paper(it->crop, it->has_crop, paper, 0);
	for (int r = 0; r < ch; r++) {
		char buf[8192] = "";
		term_halfblock_row(buf, sizeof buf, paper, NN_SIDE, NN_SIDE, scale, r, s->truecolor);
		at(f, 2 + r, 2);
		fputs(buf, f);
	}
	if (!it->has_crop) text_at(f, 2 + ch / 2, 4, cw - 4, "(no image stored)");

	/* what the model said */
	int r = 2;
	snprintf(line, sizeof line, "document %lld  ", (long long)it->doc);
	text_at(f, r, x0, tw, line);
	at(f, r++, x0 + (int)strlen(line));
	out_cell(f, it->name, tw - (int)strlen(line), 0);
	if (it->field_idx >= 0)
		snprintf(line, sizeof line, "field %d, digit %d of %d   (digit id %lld)", it->field_idx, it->cur + 1, it->nf,
			 (long long)it->id);
	else
		snprintf(line, sizeof line, "no field   (digit id %lld)", (long long)it->id);
	text_at(f, r++, x0, tw, line);
	r++;
	at(f, r++, x0);
	fprintf(f, "model says  \x1b[1m%d\x1b[0m   confidence %.3f", it->label, it->conf);
	if (it->has_alt) {
		at(f, r++, x0);
		fprintf(f, "2nd guess   %d   confidence %.3f", it->alt, it->alt_conf);
	}
	rec_flag_words((unsigned)it->why, why, sizeof why);
	snprintf(line, sizeof line, "flagged     %s", why[0] ? why : "yes");
	text_at(f, r++, x0, tw, line);
	r++;
	/* the crop as scanned, beside the text when the terminal is wide enough:
	 * the model saw a normalised copy, the person may want the original */
	int sx = x0 + 44;
	if (it->scan_w > 0 && sx + SCAN_W <= cols) {
		text_at(f, 2, sx, cols - sx, "as scanned:");
		for (int rr = 0; rr < (it->scan_h + 1) / 2; rr++) {
			char buf[4096] = "";
			term_halfblock_row(buf, sizeof buf, it->scan, it->scan_w, it->scan_h, 1, rr, s->truecolor);
			at(f, 3 + rr, sx);
			fputs(buf, f);
		}
		if (r < 3 + (it->scan_h + 1) / 2 + 1) r = 3 + (it->scan_h + 1) / 2 + 1;   /* the field below it */
	}

	/* the field around it: neighbours at half size, this digit marked */
	if (it->nf > 0 && it->cur >= 0) {
		int cell = NN_SIDE / 2 + 2, fit = tw / cell;
		if (fit > it->nf) fit = it->nf;
		if (fit < 1) fit = 1;
		int first = it->cur - fit / 2;
		if (first + fit > it->nf) first = it->nf - fit;
		if (first < 0) first = 0;
		text_at(f, r++, x0, tw, first > 0 || first + fit < it->nf ? "in its field (part):" : "in its field:");
		for (int k = first; k < first + fit; k++) {
			uint8_t small[NN_PIXELS / 4];
			to_paper(it->fcrop[k], it->fhas[k], small, 1);
			for (int rr = 0; rr < NN_SIDE / 4; rr++) {
				char buf[4096] = "";
				term_halfblock_row(buf, sizeof buf, small, NN_SIDE / 2, NN_SIDE / 2, 1, rr, s->truecolor);
				at(f, r + rr, x0 + (k - first) * cell);
				fputs(buf, f);
			}
			at(f, r + NN_SIDE / 4, x0 + (k - first) * cell + NN_SIDE / 4 - 1);
			if (k == it->cur) fputs("\x1b[7m ? \x1b[0m", f);
			else fprintf(f, " %d%s", it->flabel[k], it->freviewed[k] ? "*" : " ");
		}
		r += NN_SIDE / 4 + 1;
		int anyrev = 0;
		for (int k = first; k < first + fit; k++) anyrev |= it->freviewed[k] && k != it->cur;
		if (anyrev) text_at(f, r++, x0, tw, "(* reviewed)");
	}

	int keys_row = (2 + ch > r ? 2 + ch : r) + 1;
	at(f, keys_row, 2);
	fprintf(f, "\x1b[1m0-9\x1b[0m label   \x1b[1mEnter\x1b[0m accept %d   \x1b[1ms\x1b[0m skip   "
		"\x1b[1mu\x1b[0m undo   \x1b[1mq\x1b[0m quit", it->label);
	text_at(f, keys_row + 1, 2, cols - 3, s->status);
	shown = 1;
flush:
	fclose(f);
	if (frame) {
		size_t off = 0;
		while (off < flen) {
			ssize_t w = write(STDOUT_FILENO, frame + off, flen - off);
			if (w <= 0) break;
			off += (size_t)w;
		}
	}
	free(frame);
	return shown;
}

static void draw_done(session *s)
{
	int cols, rows;
	char line[256];
	term_size(&cols, &rows);
	printf("\x1b[H\x1b[2J");
	snprintf(line, sizeof line, " digitctl review   the queue is done   %d decided, %d skipped   reviewer: %s",
		 s->decided, s->skipped, s->reviewer);
	printf("\x1b[7m");
	out_cell(stdout, line, cols, 1);
	printf("\x1b[0m\x1b[3;3HNothing left to review%s.", s->skipped ? " but the digits you skipped" : "");
	printf("\x1b[5;3H\x1b[1mq\x1b[0m quit   \x1b[1mu\x1b[0m undo the last decision   \x1b[1mr\x1b[0m look for new digits");
	printf("\x1b[6;3H");
	out_cell(stdout, s->status, cols - 3, 0);
	fflush(stdout);
}

static int decide(session *s, const item *it, int label)
{
	char now[32], err[512];
	decision d = { .pos = s->pos, .label = label, .model = it->label };
	query_now_iso(now);
	if (s->nhist == s->histcap) {
		size_t cap = s->histcap ? s->histcap * 2 : 64;
		decision *p = realloc(s->hist, cap * sizeof *p);
		if (!p) { snprintf(s->status, sizeof s->status, "out of memory"); return -1; }
		s->hist = p;
		s->histcap = cap;
	}
	if (query_review_set(s->db, it->id, label, s->reviewer, now, &d.prev, err, sizeof err) < 0) {
		snprintf(s->status, sizeof s->status, "NOT STORED: %s (press the key again to retry)", err);
		return -1;
	}
	s->hist[s->nhist++] = d;
	s->decided++;
	if (label != it->label) s->corrected++;
	snprintf(s->status, sizeof s->status, "digit %lld: %d stored%s", (long long)it->id, label,
		 label == it->label ? " (the model was right)" : label == it->alt && it->has_alt ? " (the 2nd guess)" : " (corrected)");
	s->pos++;
	return 0;
}

static void undo(session *s)
{
	char err[512];
	if (s->nhist == 0) {
		snprintf(s->status, sizeof s->status, "nothing to undo");
		return;
	}
	decision *d = &s->hist[s->nhist - 1];
	if (query_review_restore(s->db, &d->prev, err, sizeof err) < 0) {
		snprintf(s->status, sizeof s->status, "undo failed: %s", err);
		return;
	}
	s->nhist--;
	s->decided--;
	if (d->label != d->model) s->corrected--;
	s->pos = d->pos;
	snprintf(s->status, sizeof s->status, "undone: digit %lld (was %d) is back in the queue",
		 (long long)d->prev.digit_id, d->label);
}

int review_tty(sqlite3 *db, const char *reviewer, int limit)
{
	session s = { .db = db, .reviewer = reviewer, .limit = limit, .truecolor = term_truecolor() };
	item *it = malloc(sizeof *it);
	int rc = 0, key;

	if (!it) return 1;
	if (refill(&s) < 0) {
		fprintf(stderr, "digitctl review: cannot read the review queue: %s\n", sqlite3_errmsg(db));
		free(it);
		return 1;
	}
	if (s.n == 0) {
		printf("The review queue is empty: nothing is flagged and waiting.\n");
		free(it);
		return 0;
	}
	if (term_raw_enter() < 0) {
		fprintf(stderr, "digitctl review: cannot put the terminal in raw mode\n");
		free(it);
		return 1;
	}
	for (;;) {
		if (s.pos >= s.n && refill(&s) <= 0) {
			draw_done(&s);
			key = term_read_key();
			if (key == 'u') { undo(&s); continue; }
			if (key == 'r') { snprintf(s.status, sizeof s.status, "looked again for new digits"); continue; }
			if (key == TERM_KEY_OTHER) continue;
			break;
		}
		int l = load_item(&s, s.ids[s.pos], it);
		if (l < 0) {
			term_raw_leave();
			fprintf(stderr, "digitctl review: cannot read digit %lld: %s\n", (long long)s.ids[s.pos], sqlite3_errmsg(db));
			rc = 1;
			break;
		}
		if (l == 1) { s.pos++; continue; }   /* reviewed elsewhere meanwhile */
		int shown = draw(&s, it);
		key = term_read_key();
		if (!shown && key != 'q' && key != 'Q' && key != 3 && key != 4 && key != -1)
			continue;   /* no decisions about a digit nobody can see */
		if (key >= '0' && key <= '9') decide(&s, it, key - '0');
		else if (key == '\r' || key == '\n') decide(&s, it, it->label);
		else if (key == 's' || key == ' ') {
			snprintf(s.status, sizeof s.status, "digit %lld skipped", (long long)it->id);
			s.skipped++;
			s.pos++;
		} else if (key == 'u') undo(&s);
		else if (key == 'q' || key == 'Q' || key == 3 || key == 4 || key == -1) break;
		else if (key == TERM_KEY_OTHER) continue;   /* arrows, resize: redraw */
		else snprintf(s.status, sizeof s.status, "keys: 0-9, Enter, s, u, q");
	}
	term_raw_leave();
	int left = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM review_queue", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		left = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	printf("review: %d decided (%d corrected the model), %d skipped, %d left in the queue\n", s.decided,
	       s.corrected, s.skipped, left);
	free(s.ids);
	free(s.hist);
	free(it);
	return rc;
}
