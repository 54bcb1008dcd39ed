/* test_decoder_limit: OpenCV's own pixel limit, set from max_pixels, is a
 * second wall behind the header probe.  A process of its own: OpenCV reads
 * the limit as its library is loaded, so the test executes itself again
 * with it in place, as digitd does at start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "imaging/draw.h"
#include "imaging/load.h"
#include "util/file.h"

static char tmpdir[] = "/tmp/digitd-test-decoder-limit-XXXXXX";

/* Decode a w x h BMP (OpenCV's decoder) with the probe's budget far above
 * it, so only OpenCV's limit can refuse it. */
static int load_bmp(int w, int h, img_err *e)
{
	img_t im;
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/%dx%d.bmp", tmpdir, w, h);
	CHECK(img_alloc(&im, w, h, 1, e) == 0);
	memset(im.data, 200, (size_t)h * im.stride);
	CHECK(img_write(path, &im, 1, 0, e) == 0);
	img_free(&im);
	uint8_t *b;
	size_t len;
	if (file_read_all(path, SIZE_MAX, &b, &len, err, sizeof err) < 0) return -2;
	img_load_opts o;
	img_load_opts_default(&o);
	o.max_pixels = 1000000000ULL;
	img_doc d;
	int rc = img_load(b, len, &o, &d, e);
	if (rc == 0) img_doc_free(&d);
	free(b);
	return rc;
}

int main(int argc, char **argv)
{
	(void)argc;
	CHECKF(img_decoder_limit_reexec(10000, argv) == 0, "re-executing: %s", strerror(errno));
	CHECK(img_decoder_limit() == 10000);
	if (!mkdtemp(tmpdir)) SKIP("mkdtemp failed");
	img_err e;
	CHECKF(load_bmp(90, 90, &e) == 0, "%s", e.msg);          /* 8100 pixels: under */
	CHECK(load_bmp(320, 200, &e) == -1);                     /* 64000: over OpenCV's limit */
	CHECKF(strstr(e.msg, "over the limit of 10000 pixels of OpenCV's decoder") != NULL, "%s", e.msg);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
	CHECK_DONE();
}
