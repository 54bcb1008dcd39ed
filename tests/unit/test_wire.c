/* The worker's messages (daemon/wire.c): a result survives the trip
 * whole, and the parent refuses what a subverted worker could send: every
 * truncation, trailing bytes, counts the bytes cannot hold, values out of
 * range (a label of 10, a NaN confidence, a box off its page, a digit
 * pointing past the fields, a field text that is not digits, an oversized
 * crop), a bad header. */
#include "check.h"
#include "daemon/wire.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A result with every kind of item: 2 pages, 2 fields, 3 digits (one
 * outside any field, one with a crop PNG), 1 unread region. */
static void sample(rec_result *r)
{
	memset(r, 0, sizeof *r);
	r->ms = 12.5; r->ms_decode = 1; r->ms_clean = 2; r->ms_segment = 3; r->ms_classify = 4;
	r->npages = 2;
	r->pages = calloc(2, sizeof *r->pages);
	r->pages[0] = (rec_page){ 1000, 800 };
	r->pages[1] = (rec_page){ 640, 480 };
	r->nfields = 2;
	r->fields = calloc(2, sizeof *r->fields);
	r->fields[0] = (rec_field){ 0, 10, 20, 100, 40, strdup("42"), 0.9f, true, REC_FLAG_GAP };
	r->fields[1] = (rec_field){ 1, 600, 400, 40, 80, strdup("7"), 0.5f, false, 0 };
	r->ndigits = 3;
	r->digits = calloc(3, sizeof *r->digits);
	for (int i = 0; i < 3; i++) {
		rec_digit *d = &r->digits[i];
		*d = (rec_digit){ .page = i == 2, .x = 10 + 50 * i, .y = 20, .w = 30, .h = 40, .label = 4 - i,
				  .confidence = 0.99f - 0.1f * i, .alt_label = i == 1 ? -1 : 9, .alt_confidence = 0.01f,
				  .field = i == 2 ? -1 : i == 1 ? 0 : 1, .flagged = i == 1, .why = REC_FLAG_LOWCONF * (i == 1),
				  .reject = 0.125f };
		for (int k = 0; k < NN_PIXELS; k++) d->crop28[k] = (uint8_t)(k * (i + 1));
	}
	r->digits[1].crop_png = malloc(5);
	memcpy(r->digits[1].crop_png, "\x89PNG!", 5);
	r->digits[1].crop_png_len = 5;
	r->nunread = 1;
	r->unread = calloc(1, sizeof *r->unread);
	r->unread[0] = (rec_unread){ 1, 0, 0, 640, 480, REC_FLAG_UNREAD };
}

/* Encode r; decode the payload [0, len); 0 or -1 like wire_get_result. */
static int trip(const rec_result *r, size_t cut, int extra, rec_result *out, char *err, size_t errlen)
{
	wire_buf b = { 0 };
	wire_put_result(&b, r);
	CHECK(!b.oom);
	enum wire_type type;
	uint64_t len;
	CHECK(wire_header(b.p, &type, &len, WIRE_MAX_RESULT, err, errlen) == 0 && type == WIRE_RESULT);
	CHECK(len == b.len - WIRE_HEADER);
	size_t n = cut ? cut - 1 : (size_t)len;
	uint8_t *p = malloc(n + (size_t)extra + 1);
	memcpy(p, b.p + WIRE_HEADER, n);
	memset(p + n, 0, (size_t)extra);
	wire_cur c = { .p = p, .len = n + (size_t)extra };
	int rc = wire_get_result(&c, out, err, errlen);
	free(p);
	wire_buf_free(&b);
	return rc;
}

static void test_round_trip(void)
{
	rec_result r, o;
	char err[256];
	sample(&r);
	CHECKF(trip(&r, 0, 0, &o, err, sizeof err) == 0, "%s", err);
	CHECK(o.npages == 2 && o.pages[1].width == 640 && o.pages[1].height == 480);
	CHECK(o.ms == 12.5 && o.ms_classify == 4);
	CHECK(o.nfields == 2 && strcmp(o.fields[0].text, "42") == 0 && strcmp(o.fields[1].text, "7") == 0);
	CHECK(o.fields[0].flagged && o.fields[0].why == REC_FLAG_GAP && o.fields[1].page == 1);
	CHECK(o.ndigits == 3);
	for (size_t i = 0; i < 3 && o.ndigits == 3; i++) {
		const rec_digit *a = &r.digits[i], *b = &o.digits[i];
		CHECK(a->page == b->page && a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h);
		CHECK(a->label == b->label && a->confidence == b->confidence && a->alt_label == b->alt_label);
		CHECK(a->alt_confidence == b->alt_confidence && a->field == b->field && a->flagged == b->flagged);
		CHECK(a->why == b->why && a->reject == b->reject && memcmp(a->crop28, b->crop28, NN_PIXELS) == 0);
		CHECK(a->crop_png_len == b->crop_png_len &&
		      (!a->crop_png_len || memcmp(a->crop_png, b->crop_png, a->crop_png_len) == 0));
	}
	CHECK(o.nunread == 1 && o.unread[0].w == 640 && o.unread[0].why == REC_FLAG_UNREAD);
	rec_result_free(&o);
	rec_result_free(&r);
}

static void test_truncated_and_trailing(void)
{
	rec_result r, o;
	char err[256];
	sample(&r);
	wire_buf b = { 0 };
	wire_put_result(&b, &r);
	size_t len = b.len - WIRE_HEADER;
	wire_buf_free(&b);
	int accepted = 0;
	for (size_t cut = 1; cut <= len; cut++) {   /* payloads of 0 .. len-1 bytes */
		if (trip(&r, cut, 0, &o, err, sizeof err) == 0) accepted++;
		rec_result_free(&o);
	}
	CHECKF(accepted == 0, "%d truncated results accepted", accepted);
	CHECK(trip(&r, 0, 1, &o, err, sizeof err) < 0 && strstr(err, "after the result"));
	rec_result_free(&o);
	rec_result_free(&r);
}

/* One field of the sample set out of range must make the whole result refused. */
static void test_values(void)
{
	char err[256];
	rec_result r, o;
	static const char *const cases[] = {
		"label 10", "alt label 10", "NaN confidence", "confidence 2", "box off the page", "negative width",
		"page index 2", "field index past the fields", "text with a letter", "unread box off its page",
		"reject -1", "page width 0", "negative timing",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sample(&r);
		switch (i) {
		case 0: r.digits[0].label = 10; break;
		case 1: r.digits[0].alt_label = 10; break;
		case 2: r.digits[2].confidence = NAN; break;
		case 3: r.fields[1].confidence = 2; break;
		case 4: r.digits[0].x = 990; break;
		case 5: r.fields[0].w = -1; break;
		case 6: r.digits[1].page = 2; break;
		case 7: r.digits[1].field = 2; break;
		case 8: r.fields[0].text[1] = 'a'; break;
		case 9: r.unread[0].h = 481; break;
		case 10: r.digits[0].reject = -1; break;
		case 11: r.pages[0].width = 0; break;
		case 12: r.ms_segment = -1; break;
		}
		int rc = trip(&r, 0, 0, &o, err, sizeof err);
		CHECKF(rc < 0, "%s accepted", cases[i]);
		rec_result_free(&o);
		rec_result_free(&r);
	}
}

/* Counts written by hand: the bytes left cannot hold them. */
static void test_counts(void)
{
	char err[256];
	rec_result o;
	uint32_t counts[][4] = {
		{ 0, 0, 0, 0 },                 /* no page */
		{ 20000, 0, 0, 0 },             /* over WIRE_MAX_PAGES */
		{ 1, 0xffffffffu, 0, 0 },       /* fields */
		{ 1, 0, 0xffffffffu, 0 },       /* digits */
		{ 1, 0, 1000, 0 },              /* digits: fewer bytes than 1000 */
		{ 1, 0, 0, 0x40000000u },       /* unread */
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		wire_buf b = { 0 };
		for (int k = 0; k < 5; k++) wire_f64(&b, 1.0);
		wire_u32(&b, counts[i][0]);
		if (counts[i][0] == 1) {
			wire_i32(&b, 100);
			wire_i32(&b, 100);
		}
		wire_u32(&b, counts[i][1]);
		wire_u32(&b, counts[i][2]);
		wire_u32(&b, counts[i][3]);
		wire_cur c = { .p = b.p, .len = b.len };
		CHECKF(wire_get_result(&c, &o, err, sizeof err) < 0, "counts case %zu accepted", i);
		rec_result_free(&o);
		wire_buf_free(&b);
	}
	/* a crop PNG longer than WIRE_MAX_CROP_PNG is refused before it is copied */
	rec_result r;
	sample(&r);
	free(r.digits[1].crop_png);
	r.digits[1].crop_png_len = WIRE_MAX_CROP_PNG + 1;
	r.digits[1].crop_png = calloc(1, r.digits[1].crop_png_len);
	CHECK(trip(&r, 0, 0, &o, err, sizeof err) < 0 && strstr(err, "crop PNG"));
	rec_result_free(&o);
	rec_result_free(&r);
}

static void test_header_and_request(void)
{
	char err[256];
	uint8_t h[WIRE_HEADER];
	wire_buf b = { 0 };
	wire_begin(&b, WIRE_HELLO);
	wire_bytes(&b, "model", 5);
	wire_end(&b);
	enum wire_type t;
	uint64_t len;
	memcpy(h, b.p, sizeof h);
	CHECK(wire_header(h, &t, &len, 256, err, sizeof err) == 0 && t == WIRE_HELLO && len == 5);
	CHECK(wire_header(h, &t, &len, 4, err, sizeof err) < 0);      /* over the caller's bound */
	h[0] ^= 1;
	CHECK(wire_header(h, &t, &len, 256, err, sizeof err) < 0);    /* magic */
	h[0] ^= 1;
	h[6] = 9;
	CHECK(wire_header(h, &t, &len, 256, err, sizeof err) < 0);    /* type */
	wire_buf_free(&b);

	wire_request rq = { .threshold = 0.8f, .max_pixels = 123, .max_bytes = 456, .crop_png = true,
			    .verifier = false, .data = (const uint8_t *)"bytes", .len = 5 };
	strcpy(rq.name, "scan 1.png");
	wire_put_request(&b, &rq);
	wire_cur c = { .p = b.p + WIRE_HEADER, .len = b.len - WIRE_HEADER };
	wire_request got;
	CHECK(wire_get_request(&c, &got) == 0);
	CHECK(got.threshold == 0.8f && got.max_pixels == 123 && got.max_bytes == 456 && got.crop_png && !got.verifier);
	CHECK(strcmp(got.name, "scan 1.png") == 0 && got.len == 5 && memcmp(got.data, "bytes", 5) == 0);
	wire_cur shorter = { .p = b.p + WIRE_HEADER, .len = b.len - WIRE_HEADER - 1 };
	CHECK(wire_get_request(&shorter, &got) < 0);
	wire_buf_free(&b);
}

int main(void)
{
	test_round_trip();
	test_truncated_and_trailing();
	test_values();
	test_counts();
	test_header_and_request();
	CHECK_DONE();
}
