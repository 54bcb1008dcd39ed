/* IDX files: a valid pair loads; wrong magic, wrong dimensions, truncated
 * or padded data, absurd counts, labels out of range and image/label counts
 * that disagree are each refused with a message naming the file. */
#include "check.h"
#include "nn/dataset.h"
#include "nn/nn.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* Write an IDX file: magic, dims[ndims], then len data bytes. */
static void write_idx(const char *path, uint32_t magic, const uint32_t *dims, int ndims,
		      const uint8_t *data, size_t len)
{
	uint8_t h[16];
	FILE *f = fopen(path, "wb");
	be32(h, magic);
	for (int i = 0; i < ndims; i++)
		be32(h + 4 + 4 * i, dims[i]);
	if (!f || fwrite(h, 1, 4 + 4 * (size_t)ndims, f) != 4 + 4 * (size_t)ndims ||
	    (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void expect_images_fail(const char *what, const char *path, const char *want)
{
	uint8_t *im = NULL;
	size_t n = 0;
	char err[512] = "";
	CHECKF(nn_idx_read_images(path, &im, &n, err, sizeof err) < 0, "%s: accepted", what);
	CHECKF(strstr(err, want) && strstr(err, path), "%s: message '%s' lacks '%s' or the path", what, err, want);
	free(im);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_idx.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	char ip[128], lp[128], err[512];
	snprintf(ip, sizeof ip, "%s/images", dir);
	snprintf(lp, sizeof lp, "%s/labels", dir);
	static uint8_t pix[4 * NN_PIXELS];
	for (size_t i = 0; i < sizeof pix; i++)
		pix[i] = (uint8_t)(i * 7);
	const uint8_t labels[4] = { 3, 1, 4, 1 };
	uint32_t d3[3] = { 3, 28, 28 }, d1[1] = { 3 };

	/* Valid pair. */
	write_idx(ip, 0x803, d3, 3, pix, 3 * NN_PIXELS);
	write_idx(lp, 0x801, d1, 1, labels, 3);
	nn_dataset d = { 0 };
	CHECK(nn_idx_append_pair(&d, ip, lp, 10, err, sizeof err) == 0);
	CHECK(d.n == 3 && memcmp(d.images, pix, 3 * NN_PIXELS) == 0 && memcmp(d.labels, labels, 3) == 0);
	/* Appending grows the set; a fixed label fills in for NULL labels. */
	CHECK(nn_dataset_append(&d, pix, NULL, 10, 2) == 0);
	CHECK(d.n == 5 && d.labels[3] == 10 && d.labels[4] == 10);
	nn_dataset_free(&d);

	/* Images: each defect. */
	write_idx(ip, 0x801, d3, 3, pix, 3 * NN_PIXELS);
	expect_images_fail("labels magic on images", ip, "magic");
	write_idx(ip, 0x0d03, d3, 3, pix, 3 * NN_PIXELS);
	expect_images_fail("float type code", ip, "magic");
	write_idx(ip, 0x803, (uint32_t[]){ 3, 27, 28 }, 3, pix, 3 * 27 * 28);
	expect_images_fail("27x28 images", ip, "dimension");
	write_idx(ip, 0x803, d3, 3, pix, 3 * NN_PIXELS - 1);
	expect_images_fail("one byte short", ip, "truncated");
	write_idx(ip, 0x803, d3, 3, pix, 2 * NN_PIXELS);
	expect_images_fail("one image short", ip, "truncated");
	write_idx(ip, 0x803, d3, 3, pix, 4 * NN_PIXELS);
	expect_images_fail("an image too many", ip, "trailing");
	write_idx(ip, 0x803, (uint32_t[]){ 0xffffffffu, 28, 28 }, 3, pix, NN_PIXELS);
	expect_images_fail("absurd count", ip, "limit");
	write_idx(ip, 0x803, (uint32_t[]){ 1000000, 28, 28 }, 3, pix, NN_PIXELS);
	expect_images_fail("count beyond file", ip, "truncated");
	write_idx(ip, 0x803, d3, 1, NULL, 0);
	expect_images_fail("header cut short", ip, "truncated");
	write_idx(ip, 0x803, d3, 0, NULL, 0);
	expect_images_fail("empty file", ip, "truncated");
	expect_images_fail("missing file", "/nonexistent/images", "cannot open");

	/* Labels: range, and counts that disagree with the images. */
	write_idx(ip, 0x803, d3, 3, pix, 3 * NN_PIXELS);
	const uint8_t badlab[3] = { 1, 10, 2 };
	write_idx(lp, 0x801, d1, 1, badlab, 3);
	CHECK(nn_idx_append_pair(&d, ip, lp, 10, err, sizeof err) < 0 && strstr(err, "label 10"));
	CHECK(nn_idx_append_pair(&d, ip, lp, 11, err, sizeof err) == 0 && d.n == 3);
	nn_dataset_free(&d);
	write_idx(lp, 0x801, (uint32_t[]){ 4 }, 1, labels, 4);
	CHECK(nn_idx_append_pair(&d, ip, lp, 10, err, sizeof err) < 0 && strstr(err, "3 images but"));
	CHECK(d.n == 0);
	write_idx(lp, 0x803, d1, 1, labels, 3);
	CHECK(nn_idx_append_pair(&d, ip, lp, 10, err, sizeof err) < 0 && strstr(err, "magic"));
	write_idx(lp, 0x801, d1, 1, labels, 2);
	CHECK(nn_idx_append_pair(&d, ip, lp, 10, err, sizeof err) < 0 && strstr(err, "truncated"));
	nn_dataset_free(&d);

	unlink(ip);
	unlink(lp);
	rmdir(dir);
	CHECK_DONE();
}
