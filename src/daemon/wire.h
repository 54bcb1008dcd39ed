/* wire.h: the messages between digitd and its recognition worker processes.
 *
 * A worker decodes hostile bytes, so everything it sends is untrusted input:
 * the parent reads each message through a cursor that checks every count and
 * length against the bytes actually received and against fixed bounds, and
 * every value the database or a person will see (page index, box, label,
 * confidence, field text) against its range, before anything is allocated
 * from it.  A message that fails a check is refused whole: the document
 * fails with "the worker sent an invalid result", nothing of it is stored.
 *
 * Framing, on a SOCK_STREAM socketpair, integers little-endian as on every
 * machine digitd runs on (the peer is always the same binary):
 *
 *   u32 magic WIRE_MAGIC, u16 version WIRE_VERSION, u16 type, u64 length,
 *   then length bytes of payload.
 *
 *   WIRE_HELLO   worker -> parent once, after start-up: the model id it loaded
 *   WIRE_REQUEST parent -> worker: settings, name, the file's bytes
 *   WIRE_RESULT  worker -> parent: a recognised document (wire_put_result)
 *   WIRE_ERROR   worker -> parent: u8 kind (wire_error_kind), then the message */
#ifndef DIGITD_WIRE_H
#define DIGITD_WIRE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recognize/recognize.h"

#define WIRE_MAGIC 0x57474944u     /* "DIGW" */
#define WIRE_VERSION 1
#define WIRE_HEADER 16

enum wire_type { WIRE_HELLO = 1, WIRE_REQUEST = 2, WIRE_RESULT = 3, WIRE_ERROR = 4 };

/* What the worker says a failed recognition was about. */
enum wire_error_kind {
	WIRE_ERR_CONTENT = 0,   /* the bytes: not a readable image, refused by a probe */
	WIRE_ERR_MEMORY = 1,    /* an allocation failed under the worker's memory limit */
	WIRE_ERR_OTHER = 2,     /* classified by the parent from the message */
};

/* Bounds on a result, far above anything a real page gives (a dense A4
 * sheet at 600 dpi has about 2,000 digits) and low enough that a hostile
 * count cannot make the parent allocate much: the payload itself is capped
 * at WIRE_MAX_RESULT bytes, and every count is also checked against the
 * bytes left. */
#define WIRE_MAX_PAGES 10000
#define WIRE_MAX_ITEMS 1000000
#define WIRE_MAX_TEXT 4096           /* one field's digits */
#define WIRE_MAX_CROP_PNG (4u << 20) /* one digit's crop PNG */
#define WIRE_MAX_RESULT ((uint64_t)1 << 30)
#define WIRE_MAX_ERROR 4096
#define WIRE_MAX_DIM 1000000         /* a page side, in pixels */

/* A growable output buffer; on allocation failure it stays failed (oom). */
typedef struct {
	uint8_t *p;
	size_t len, cap;
	bool oom;
} wire_buf;

void wire_buf_free(wire_buf *b);
/* Start a message of `type`: the header, length filled by wire_end. */
void wire_begin(wire_buf *b, enum wire_type type);
void wire_end(wire_buf *b);
void wire_u8(wire_buf *b, uint8_t v);
void wire_u32(wire_buf *b, uint32_t v);
void wire_i32(wire_buf *b, int32_t v);
void wire_u64(wire_buf *b, uint64_t v);
void wire_f32(wire_buf *b, float v);
void wire_f64(wire_buf *b, double v);
void wire_bytes(wire_buf *b, const void *p, size_t n);
/* u32 length, then the bytes */
void wire_blob(wire_buf *b, const void *p, size_t n);

/* A bounds-checked reader over a received payload.  Any read past the end
 * sets bad and returns zeros, so a decoder checks once at the end. */
typedef struct {
	const uint8_t *p;
	size_t len, off;
	bool bad;
} wire_cur;

uint8_t wire_get_u8(wire_cur *c);
uint32_t wire_get_u32(wire_cur *c);
int32_t wire_get_i32(wire_cur *c);
uint64_t wire_get_u64(wire_cur *c);
float wire_get_f32(wire_cur *c);
double wire_get_f64(wire_cur *c);
/* A pointer to the next n bytes (NULL and bad when fewer are left). */
const uint8_t *wire_get_bytes(wire_cur *c, size_t n);

/* Parse a header: 0 with *type and *len, -1 with a message when the magic,
 * version or type is wrong or len exceeds max. */
int wire_header(const uint8_t h[WIRE_HEADER], enum wire_type *type, uint64_t *len, uint64_t max, char *err,
		size_t errlen);

/* The request: what rec_buffer needs besides the model. */
typedef struct {
	float threshold;
	uint64_t max_pixels, max_bytes;
	bool crop_png, verifier;
	char name[256];
	const uint8_t *data;
	size_t len;
} wire_request;

void wire_put_request(wire_buf *b, const wire_request *rq);
/* Parse a request (from the parent, trusted; still checked): data points into c. */
int wire_get_request(wire_cur *c, wire_request *rq);

/* A recognised document; the sha256 and the explain candidates stay behind. */
void wire_put_result(wire_buf *b, const rec_result *r);
/* Parse and validate a result into *r (rec_result_free'd by the caller in
 * every case).  0, or -1 with what was wrong in err. */
int wire_get_result(wire_cur *c, rec_result *r, char *err, size_t errlen);

#endif
