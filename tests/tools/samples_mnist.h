/* samples_mnist.h: read an MNIST IDX image/label pair for the generators.
 * The header is checked (magic, 28x28, a sane count, the exact file size)
 * before anything is allocated from it. */
#ifndef DIGITD_SAMPLES_MNIST_H
#define DIGITD_SAMPLES_MNIST_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
	int n;
	uint8_t *img;   /* n x 28 x 28, ink high */
	uint8_t *lab;   /* n */
} mnist_t;

static uint32_t mnist_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read the whole file at path, expecting exactly hdr + count*item bytes. */
static uint8_t *mnist_slurp(const char *path, uint32_t magic, size_t hdr, size_t item, uint32_t *count)
{
	uint8_t h[16];
	uint8_t *buf = NULL;
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f) { fprintf(stderr, "%s: %s (run `make data`)\n", path, strerror(errno)); return NULL; }
	if (fstat(fileno(f), &st) < 0 || fread(h, 1, hdr, f) != hdr) goto bad;
	if (mnist_be32(h) != magic) goto bad;
	*count = mnist_be32(h + 4);
	if (*count == 0 || *count > 100000) goto bad;
	if (hdr == 16 && (mnist_be32(h + 8) != 28 || mnist_be32(h + 12) != 28)) goto bad;
	if ((uint64_t)st.st_size != hdr + (uint64_t)*count * item) goto bad;
	buf = malloc((size_t)*count * item);
	if (!buf || fread(buf, item, *count, f) != *count) goto bad;
	fclose(f);
	return buf;
bad:
	fprintf(stderr, "%s: not a valid MNIST IDX file (magic %#x expected)\n", path, magic);
	free(buf);
	fclose(f);
	return NULL;
}

static int mnist_load(mnist_t *m, const char *images, const char *labels)
{
	uint32_t ni = 0, nl = 0;
	memset(m, 0, sizeof *m);
	m->img = mnist_slurp(images, 0x803, 16, 784, &ni);
	m->lab = m->img ? mnist_slurp(labels, 0x801, 8, 1, &nl) : NULL;
	if (!m->img || !m->lab || ni != nl) {
		if (m->img && m->lab) fprintf(stderr, "%s: %u images but %u labels\n", labels, ni, nl);
		free(m->img); free(m->lab);
		memset(m, 0, sizeof *m);
		return -1;
	}
	m->n = (int)ni;
	return 0;
}

static void mnist_free(mnist_t *m)
{
	free(m->img); free(m->lab);
	memset(m, 0, sizeof *m);
}

#endif
