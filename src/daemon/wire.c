/* wire.c: see wire.h.  Writers append to a growable buffer; readers go
 * through a cursor that never reads past what was received.  The result
 * decoder is the one place the parent looks at what a worker produced, so
 * each field is checked here against the range the database and the review
 * screens assume. */
#include "daemon/wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- writing ------------------------------------------------------------------- */

void wire_buf_free(wire_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static void put(wire_buf *b, const void *p, size_t n)
{
	if (b->oom) return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n) cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	if (n) memcpy(b->p + b->len, p, n);
	b->len += n;
}

void wire_u8(wire_buf *b, uint8_t v) { put(b, &v, 1); }
void wire_u32(wire_buf *b, uint32_t v) { put(b, &v, 4); }
void wire_i32(wire_buf *b, int32_t v) { put(b, &v, 4); }
void wire_u64(wire_buf *b, uint64_t v) { put(b, &v, 8); }
void wire_f32(wire_buf *b, float v) { put(b, &v, 4); }
void wire_f64(wire_buf *b, double v) { put(b, &v, 8); }
void wire_bytes(wire_buf *b, const void *p, size_t n) { put(b, p, n); }

void wire_blob(wire_buf *b, const void *p, size_t n)
{
	wire_u32(b, (uint32_t)n);
	put(b, p, n);
}

void wire_begin(wire_buf *b, enum wire_type type)
{
	b->len = 0;
	b->oom = false;
	wire_u32(b, WIRE_MAGIC);
	uint16_t v = WIRE_VERSION, t = (uint16_t)type;
	put(b, &v, 2);
	put(b, &t, 2);
	wire_u64(b, 0);
}

void wire_end(wire_buf *b)
{
	if (b->oom) return;
	uint64_t n = b->len - WIRE_HEADER;
	memcpy(b->p + 8, &n, 8);
}

/* --- reading ------------------------------------------------------------------- */

const uint8_t *wire_get_bytes(wire_cur *c, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p + c->off;
	c->off += n;
	return p;
}

#define GETTER(name, type)                                   \
	type name(wire_cur *c)                               \
	{                                                    \
		type v = 0;                                  \
		const uint8_t *p = wire_get_bytes(c, sizeof v); \
		if (p) memcpy(&v, p, sizeof v);              \
		return v;                                    \
	}
GETTER(wire_get_u8, uint8_t)
GETTER(wire_get_u32, uint32_t)
GETTER(wire_get_i32, int32_t)
GETTER(wire_get_u64, uint64_t)
GETTER(wire_get_f32, float)
GETTER(wire_get_f64, double)
#undef GETTER

int wire_header(const uint8_t h[WIRE_HEADER], enum wire_type *type, uint64_t *len, uint64_t max, char *err,
		size_t errlen)
{
	uint32_t magic;
	uint16_t v, t;
	memcpy(&magic, h, 4);
	memcpy(&v, h + 4, 2);
	memcpy(&t, h + 6, 2);
	memcpy(len, h + 8, 8);
	if (magic != WIRE_MAGIC || v != WIRE_VERSION) {
		snprintf(err, errlen, "bad message header (magic %08x, version %u)", magic, v);
		return -1;
	}
	if (t < WIRE_HELLO || t > WIRE_ERROR) {
		snprintf(err, errlen, "unknown message type %u", t);
		return -1;
	}
	if (*len > max) {
		snprintf(err, errlen, "message of %llu bytes, over the limit of %llu", (unsigned long long)*len,
			 (unsigned long long)max);
		return -1;
	}
	*type = (enum wire_type)t;
	return 0;
}

/* --- the request --------------------------------------------------------------- */

void wire_put_request(wire_buf *b, const wire_request *rq)
{
	wire_begin(b, WIRE_REQUEST);
	wire_f32(b, rq->threshold);
	wire_u64(b, rq->max_pixels);
	wire_u64(b, rq->max_bytes);
	wire_u8(b, (uint8_t)(rq->crop_png | rq->verifier << 1));
	wire_blob(b, rq->name, strlen(rq->name));
	wire_u64(b, rq->len);
	wire_bytes(b, rq->data, rq->len);
	wire_end(b);
}

int wire_get_request(wire_cur *c, wire_request *rq)
{
	memset(rq, 0, sizeof *rq);
	rq->threshold = wire_get_f32(c);
	rq->max_pixels = wire_get_u64(c);
	rq->max_bytes = wire_get_u64(c);
	uint8_t fl = wire_get_u8(c);
	rq->crop_png = fl & 1;
	rq->verifier = fl & 2;
	uint32_t n = wire_get_u32(c);
	if (n >= sizeof rq->name) return -1;
	const uint8_t *name = wire_get_bytes(c, n);
	if (name) memcpy(rq->name, name, n);
	uint64_t len = wire_get_u64(c);
	if (c->bad || len != c->len - c->off) return -1;
	rq->data = wire_get_bytes(c, (size_t)len);
	rq->len = (size_t)len;
	return c->bad ? -1 : 0;
}

/* --- the result ---------------------------------------------------------------- */

static void put_box(wire_buf *b, int page, int x, int y, int w, int h)
{
	wire_i32(b, page);
	wire_i32(b, x);
	wire_i32(b, y);
	wire_i32(b, w);
	wire_i32(b, h);
}

void wire_put_result(wire_buf *b, const rec_result *r)
{
	wire_begin(b, WIRE_RESULT);
	wire_f64(b, r->ms);
	wire_f64(b, r->ms_decode);
	wire_f64(b, r->ms_clean);
	wire_f64(b, r->ms_segment);
	wire_f64(b, r->ms_classify);
	wire_u32(b, (uint32_t)r->npages);
	for (int i = 0; i < r->npages; i++) {
		wire_i32(b, r->pages[i].width);
		wire_i32(b, r->pages[i].height);
	}
	wire_u32(b, (uint32_t)r->nfields);
	for (size_t i = 0; i < r->nfields; i++) {
		const rec_field *f = &r->fields[i];
		put_box(b, f->page, f->x, f->y, f->w, f->h);
		wire_f32(b, f->confidence);
		wire_u8(b, f->flagged);
		wire_u32(b, f->why);
		wire_blob(b, f->text, f->text ? strlen(f->text) : 0);
	}
	wire_u32(b, (uint32_t)r->ndigits);
	for (size_t i = 0; i < r->ndigits; i++) {
		const rec_digit *d = &r->digits[i];
		put_box(b, d->page, d->x, d->y, d->w, d->h);
		wire_i32(b, d->label);
		wire_f32(b, d->confidence);
		wire_i32(b, d->alt_label);
		wire_f32(b, d->alt_confidence);
		wire_i32(b, d->field);
		wire_u8(b, d->flagged);
		wire_u32(b, d->why);
		wire_f32(b, d->reject);
		wire_bytes(b, d->crop28, NN_PIXELS);
		wire_blob(b, d->crop_png, d->crop_png ? d->crop_png_len : 0);
	}
	wire_u32(b, (uint32_t)r->nunread);
	for (size_t i = 0; i < r->nunread; i++) {
		const rec_unread *u = &r->unread[i];
		put_box(b, u->page, u->x, u->y, u->w, u->h);
		wire_u32(b, u->why);
	}
	wire_end(b);
}

/* Smallest encoding of one item, to refuse a count the bytes left cannot hold. */
#define BOX_BYTES 20
#define FIELD_MIN (BOX_BYTES + 4 + 1 + 4 + 4)
#define DIGIT_MIN (BOX_BYTES + 4 + 4 + 4 + 4 + 4 + 1 + 4 + 4 + NN_PIXELS + 4)
#define UNREAD_BYTES (BOX_BYTES + 4)

static bool prob_ok(float p) { return isfinite(p) && p >= 0.0f && p <= 1.0f; }

/* A box on page `page` of r, inside that page. */
static bool get_box(wire_cur *c, const rec_result *r, int *page, int *x, int *y, int *w, int *h)
{
	*page = wire_get_i32(c);
	*x = wire_get_i32(c);
	*y = wire_get_i32(c);
	*w = wire_get_i32(c);
	*h = wire_get_i32(c);
	if (c->bad || *page < 0 || *page >= r->npages) return false;
	const rec_page *pg = &r->pages[*page];
	return *x >= 0 && *y >= 0 && *w >= 0 && *h >= 0 && (int64_t)*x + *w <= pg->width &&
	       (int64_t)*y + *h <= pg->height;
}

static uint32_t get_count(wire_cur *c, size_t min_bytes, uint32_t max)
{
	uint32_t n = wire_get_u32(c);
	if (n > max || (uint64_t)n * min_bytes > c->len - c->off) c->bad = true;
	return c->bad ? 0 : n;
}

#define BAD(...)                                      \
	do {                                          \
		snprintf(err, errlen, __VA_ARGS__);   \
		return -1;                            \
	} while (0)

int wire_get_result(wire_cur *c, rec_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	double *ms[] = { &r->ms, &r->ms_decode, &r->ms_clean, &r->ms_segment, &r->ms_classify };
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		*ms[i] = wire_get_f64(c);
		if (!isfinite(*ms[i]) || *ms[i] < 0) BAD("timing %zu out of range", i);
	}
	uint32_t np = get_count(c, 8, WIRE_MAX_PAGES);
	if (c->bad || np == 0) BAD("page count %u out of range", np);
	if (!(r->pages = calloc(np, sizeof *r->pages))) BAD("out of memory");
	r->npages = (int)np;
	for (uint32_t i = 0; i < np; i++) {
		r->pages[i].width = wire_get_i32(c);
		r->pages[i].height = wire_get_i32(c);
		if (r->pages[i].width < 1 || r->pages[i].width > WIRE_MAX_DIM || r->pages[i].height < 1 ||
		    r->pages[i].height > WIRE_MAX_DIM)
			BAD("page %u: size out of range", i);
	}
	uint32_t nf = get_count(c, FIELD_MIN, WIRE_MAX_ITEMS);
	if (c->bad) BAD("field count out of range");
	if (nf && !(r->fields = calloc(nf, sizeof *r->fields))) BAD("out of memory");
	for (uint32_t i = 0; i < nf; i++) {
		rec_field *f = &r->fields[i];
		r->nfields = i + 1;   /* so rec_result_free frees the texts read so far */
		if (!get_box(c, r, &f->page, &f->x, &f->y, &f->w, &f->h)) BAD("field %u: box out of its page", i);
		f->confidence = wire_get_f32(c);
		f->flagged = wire_get_u8(c) != 0;
		f->why = wire_get_u32(c);
		uint32_t n = wire_get_u32(c);
		if (n > WIRE_MAX_TEXT) BAD("field %u: text of %u bytes", i, n);
		const uint8_t *t = wire_get_bytes(c, n);
		if (c->bad || !prob_ok(f->confidence)) BAD("field %u out of range", i);
		if (!(f->text = malloc(n + 1))) BAD("out of memory");
		for (uint32_t k = 0; k < n; k++) {
			if (t[k] < '0' || t[k] > '9') BAD("field %u: text holds a byte other than a digit", i);
			f->text[k] = (char)t[k];
		}
		f->text[n] = 0;
	}
	uint32_t nd = get_count(c, DIGIT_MIN, WIRE_MAX_ITEMS);
	if (c->bad) BAD("digit count out of range");
	if (nd && !(r->digits = calloc(nd, sizeof *r->digits))) BAD("out of memory");
	for (uint32_t i = 0; i < nd; i++) {
		rec_digit *d = &r->digits[i];
		r->ndigits = i + 1;
		if (!get_box(c, r, &d->page, &d->x, &d->y, &d->w, &d->h)) BAD("digit %u: box out of its page", i);
		d->label = wire_get_i32(c);
		d->confidence = wire_get_f32(c);
		d->alt_label = wire_get_i32(c);
		d->alt_confidence = wire_get_f32(c);
		d->field = wire_get_i32(c);
		d->flagged = wire_get_u8(c) != 0;
		d->why = wire_get_u32(c);
		d->reject = wire_get_f32(c);
		const uint8_t *crop = wire_get_bytes(c, NN_PIXELS);
		if (crop) memcpy(d->crop28, crop, NN_PIXELS);
		uint32_t n = wire_get_u32(c);
		if (n > WIRE_MAX_CROP_PNG) BAD("digit %u: crop PNG of %u bytes", i, n);
		const uint8_t *png = wire_get_bytes(c, n);
		if (c->bad || d->label < 0 || d->label > 9 || d->alt_label < -1 || d->alt_label > 9 ||
		    !prob_ok(d->confidence) || !prob_ok(d->alt_confidence) || !prob_ok(d->reject) || d->field < -1 ||
		    (int64_t)d->field >= (int64_t)nf)
			BAD("digit %u out of range", i);
		if (n) {
			if (!(d->crop_png = malloc(n))) BAD("out of memory");
			memcpy(d->crop_png, png, n);
			d->crop_png_len = n;
		}
	}
	uint32_t nu = get_count(c, UNREAD_BYTES, WIRE_MAX_ITEMS);
	if (c->bad) BAD("unread count out of range");
	if (nu && !(r->unread = calloc(nu, sizeof *r->unread))) BAD("out of memory");
	r->nunread = nu;
	for (uint32_t i = 0; i < nu; i++) {
		rec_unread *u = &r->unread[i];
		if (!get_box(c, r, &u->page, &u->x, &u->y, &u->w, &u->h)) BAD("unread region %u: box out of its page", i);
		u->why = wire_get_u32(c);
	}
	if (c->bad) BAD("truncated");
	if (c->off != c->len) BAD("%zu bytes after the result", c->len - c->off);
	return 0;
}
