/* json.c: the `recognize --json` line.  The shape is a contract (issue #3
 * §5): keys may be added, never removed or renamed.  Numbers are printed
 * with enough digits to be useful and never as NaN (not JSON). */
#include <math.h>
#include <stdio.h>

#include "recognize/recognize.h"

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
			"\"alt_label\": %d, \"alt_confidence\": %.4f, \"field\": %d, \"flagged\": %s, \"why\": %u, \"reject\": %.4f}",
			i ? ", " : "", d->page, d->x, d->y, d->w, d->h, d->label, num(d->confidence), d->alt_label,
			num(d->alt_confidence), d->field, d->flagged ? "true" : "false", d->why, num(d->reject));
	}
	fputs("], \"fields\": [", out);
	for (size_t i = 0; i < r->nfields; i++) {
		const rec_field *f = &r->fields[i];
		fprintf(out, "%s{\"page\": %d, \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"text\": ", i ? ", " : "",
			f->page, f->x, f->y, f->w, f->h);
		json_str(out, f->text ? f->text : "");
		fprintf(out, ", \"confidence\": %.4f, \"flagged\": %s}", num(f->confidence), f->flagged ? "true" : "false");
	}
	fputs("], \"error\": ", out);
	if (error) json_str(out, error);
	else fputs("null", out);
	fputs("}\n", out);
}
