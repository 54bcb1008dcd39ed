/* json.c: the `recognize --json` line.  The shape is a contract (issue #3
 * §5): keys may be added, never removed or renamed.  Numbers are printed
 * with enough digits to be useful and never as NaN (not JSON). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "recognize/recognize.h"
#include "recognize/verify.h"

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20) fprintf(out, "\\u%04x", *p);
			else fputc(*p, out);
		}
	}
	fputc('"', out);
}

static double num(double v)
{
	return isfinite(v) ? v : 0.0;
}

/* A comma-separated list of words as a JSON array of strings. */
static void json_words(FILE *out, const char *words)
{
	fputc('[', out);
	for (const char *p = words; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		fprintf(out, "%s\"%.*s\"", p == words ? "" : ", ", (int)n, p);
		p += n + (e != NULL);
	}
	fputc(']', out);
}

static void json_flags(FILE *out, unsigned why)
{
	char w[256];
	rec_flag_words(why, w, sizeof w);
	json_words(out, w);
}

void rec_result_json(FILE *out, const char *file, const rec_result *r, const char *error)
{
	static const rec_result empty;
	if (!r) r = &empty;
	fputs("{\"file\": ", out);
	json_str(out, file ? file : "");
	fputs(", \"sha256\": ", out);
	json_str(out, r->sha256);
	fprintf(out, ", \"pages\": %d, \"width\": %d, \"height\": %d, \"ms\": %.1f", r->npages,
		r->npages > 0 ? r->pages[0].width : 0, r->npages > 0 ? r->pages[0].height : 0, num(r->ms));
	fprintf(out, ", \"ms_decode\": %.1f, \"ms_clean\": %.1f, \"ms_segment\": %.1f, \"ms_classify\": %.1f",
		num(r->ms_decode), num(r->ms_clean), num(r->ms_segment), num(r->ms_classify));
	fputs(", \"digits\": [", out);
	for (size_t i = 0; i < r->ndigits; i++) {
		const rec_digit *d = &r->digits[i];
		fprintf(out,
			"%s{\"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"label\": %d, \"confidence\": %.4f, "
			"\"alt_label\": %d, \"alt_confidence\": %.4f, \"field\": %d, \"flagged\": %s, \"why\": %u, \"reject\": %.4f, "
			"\"reasons\": ",
			i ? ", " : "", d->page, d->x, d->y, d->w, d->h, d->label, num(d->confidence), d->alt_label,
			num(d->alt_confidence), d->field, d->flagged ? "true" : "false", d->why, num(d->reject));
		json_flags(out, d->why);
		fputc('}', out);
	}
	fputs("], \"fields\": [", out);
	for (size_t i = 0; i < r->nfields; i++) {
		const rec_field *f = &r->fields[i];
		fprintf(out, "%s{\"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"text\": ", i ? ", " : "",
			f->page, f->x, f->y, f->w, f->h);
		json_str(out, f->text ? f->text : "");
		fprintf(out, ", \"confidence\": %.4f, \"flagged\": %s, \"why\": %u, \"reasons\": ", num(f->confidence),
			f->flagged ? "true" : "false", f->why);
		json_flags(out, f->why);
		fputc('}', out);
	}
	fputs("], \"unread\": [", out);
	for (size_t i = 0; i < r->nunread; i++) {
		const rec_unread *u = &r->unread[i];
		char w[256];
		rec_flag_words(u->why & ~(unsigned)REC_FLAG_UNREAD, w, sizeof w);
		fprintf(out, "%s{\"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"why\": %u, \"reason\": \"%s\"}",
			i ? ", " : "", u->page, u->x, u->y, u->w, u->h, u->why, w);
	}
	fputc(']', out);
	if (r->explained) {
		fputs(", \"candidates\": [", out);
		for (size_t i = 0; i < r->ncands; i++) {
			const rec_cand *c = &r->cands[i];
			char w[256];
			rec_drop_words(c->drop, w, sizeof w);
			fprintf(out, "%s{\"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"label\": %d, "
				"\"confidence\": %.4f, \"reject\": %.4f, \"verifier\": %.4f, \"dropped\": ",
				i ? ", " : "", c->page, c->x, c->y, c->w, c->h, c->label, num(c->confidence), num(c->reject),
				num(c->verifier));
			json_words(out, w);
			fputs(", \"reasons\": ", out);
			json_flags(out, c->drop ? 0 : c->why);
			fputs(", \"features\": [", out);
			for (int k = 0; k < REC_NFEAT; k++) fprintf(out, "%s%.5g", k ? ", " : "", num(c->feat[k]));
			fputs("], \"img\": \"", out);
			for (int k = 0; k < NN_PIXELS; k++) fprintf(out, "%02x", c->img[k]);
			fputs("\"}", out);
		}
		fputc(']', out);
	}
	fputs(", \"error\": ", out);
	if (error) json_str(out, error);
	else fputs("null", out);
	fputs("}\n", out);
}
