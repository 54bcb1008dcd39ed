/* idx.c: IDX files and in-memory datasets; see dataset.h.
 *
 * IDX is big-endian: a 4-byte magic (two zero bytes, a type code 0x08 for
 * unsigned bytes, the number of dimensions), one u32 per dimension, then the
 * data.  We accept only what digits need (images n x 28 x 28, labels n) and
 * insist the file is exactly as long as its header says: a truncated or
 * padded file is an error, not a silently shorter data set. */
#include "nn/dataset.h"
#include "nn/nn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int nn_dataset_append(nn_dataset *d, const uint8_t *images, const uint8_t *labels,
		      uint8_t label, size_t n)
{
	if (n > NN_IDX_MAX_ITEMS || d->n + n > 4 * (size_t)NN_IDX_MAX_ITEMS)
		return -1;
	if (d->n + n > d->cap) {
		size_t cap = d->cap ? d->cap : 1024;
		while (cap < d->n + n)
			cap *= 2;
		uint8_t *im = realloc(d->images, cap * NN_PIXELS);
		if (!im)
			return -1;
		d->images = im;
		uint8_t *lb = realloc(d->labels, cap);
		if (!lb)
			return -1;
		d->labels = lb;
		d->cap = cap;
	}
	memcpy(d->images + d->n * NN_PIXELS, images, n * NN_PIXELS);
	if (labels)
		memcpy(d->labels + d->n, labels, n);
	else
		memset(d->labels + d->n, label, n);
	d->n += n;
	return 0;
}

void nn_dataset_free(nn_dataset *d)
{
	free(d->images);
	free(d->labels);
	memset(d, 0, sizeof *d);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int read_full(int fd, uint8_t *buf, size_t len, off_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		got += (size_t)r;
	}
	return 1;
}

/* Read an IDX file of ndims dimensions (the trailing ones must equal tail[])
 * into a malloc'd buffer of items * item bytes. */
static int read_idx(const char *path, int ndims, const uint32_t *tail, size_t item,
		    uint8_t **out, size_t *items, char *err, size_t errlen)
{
	uint8_t head[16];
	uint8_t *buf = NULL;
	struct stat st;
	int rc = -1, r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	const size_t hlen = 4 + 4 * (size_t)ndims;
	if ((r = read_full(fd, head, hlen, 0)) <= 0) {
		snprintf(err, errlen, "%s: %s", path, r < 0 ? strerror(errno) : "truncated IDX header");
		goto out;
	}
	const uint32_t magic = 0x0800u | (uint32_t)ndims;
	if (be32(head) != magic) {
		snprintf(err, errlen, "%s: bad IDX magic 0x%08x (expected 0x%08x: unsigned bytes, %d dimension%s)",
			 path, be32(head), magic, ndims, ndims > 1 ? "s" : "");
		goto out;
	}
	const uint32_t n = be32(head + 4);
	for (int i = 1; i < ndims; i++)
		if (be32(head + 4 + 4 * i) != tail[i - 1]) {
			snprintf(err, errlen, "%s: dimension %d is %u, expected %u", path, i + 1,
				 be32(head + 4 + 4 * i), tail[i - 1]);
			goto out;
		}
	if (n > NN_IDX_MAX_ITEMS) {
		snprintf(err, errlen, "%s: %u items is more than the limit of %u", path, n, NN_IDX_MAX_ITEMS);
		goto out;
	}
	const size_t want = hlen + (size_t)n * item;
	if ((size_t)st.st_size != want) {
		snprintf(err, errlen, "%s: %s: header says %u items (%zu bytes), file has %lld bytes", path,
			 (size_t)st.st_size < want ? "truncated" : "trailing bytes", n, want, (long long)st.st_size);
		goto out;
	}
	buf = malloc((size_t)n * item + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if ((r = read_full(fd, buf, (size_t)n * item, (off_t)hlen)) <= 0) {
		snprintf(err, errlen, "%s: %s", path, r < 0 ? strerror(errno) : "truncated while reading");
		goto out;
	}
	*out = buf;
	*items = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (close(fd) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: close failed: %s", path, strerror(errno));
		free(*out);
		*out = NULL;
		rc = -1;
	}
	return rc;
}

int nn_idx_read_images(const char *path, uint8_t **images, size_t *n, char *err, size_t errlen)
{
	static const uint32_t tail[2] = { NN_SIDE, NN_SIDE };
	return read_idx(path, 3, tail, NN_PIXELS, images, n, err, errlen);
}

int nn_idx_read_labels(const char *path, int classes, uint8_t **labels, size_t *n,
		       char *err, size_t errlen)
{
	if (read_idx(path, 1, NULL, 1, labels, n, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if ((*labels)[i] >= classes) {
			snprintf(err, errlen, "%s: label %u of item %zu is not below %d", path,
				 (*labels)[i], i, classes);
			free(*labels);
			*labels = NULL;
			return -1;
		}
	return 0;
}

int nn_idx_append_pair(nn_dataset *d, const char *images_path, const char *labels_path,
		       int classes, char *err, size_t errlen)
{
	uint8_t *im = NULL, *lb = NULL;
	size_t ni = 0, nl = 0;
	int rc = -1;
	if (nn_idx_read_images(images_path, &im, &ni, err, errlen) < 0)
		goto out;
	if (nn_idx_read_labels(labels_path, classes, &lb, &nl, err, errlen) < 0)
		goto out;
	if (ni != nl) {
		snprintf(err, errlen, "%s has %zu images but %s has %zu labels", images_path, ni, labels_path, nl);
		goto out;
	}
	if (nn_dataset_append(d, im, lb, 0, ni) < 0) {
		snprintf(err, errlen, "%s: out of memory", images_path);
		goto out;
	}
	rc = 0;
out:
	free(im);
	free(lb);
	return rc;
}
