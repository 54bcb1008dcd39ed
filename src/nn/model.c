/* model.c: the model file.
 *
 * Layout, all little-endian:
 *   8   magic "DGTNNMDL"
 *   u32 format version (1)
 *   u32 spec length L (1..255), then L bytes of spec (no NUL)
 *   f32 mean, f32 std, f32 temperature
 *   i64 created, u64 seed, u32 epochs, u32 best_epoch, u32 threads,
 *   u32 train_images, f32 validation accuracy
 *   u32 parameter count, then that many f32
 *   32  SHA-256 of every byte before it
 * A loader trusts nothing: it checks magic and version from a fixed-size
 * header before allocating, bounds the file size, verifies the checksum, and
 * requires the parameter count to be exactly what the spec implies, so a
 * damaged or hostile file is rejected with a message and no large allocation. */
#include "nn/model.h"
#include "util/file.h"
#include "util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_FIXED 12   /* magic + version */
#define META_BYTES (3 * 4 + 8 + 8 + 4 * 4 + 4)

nn_model *nn_model_new(const char *spec, char *err, size_t errlen)
{
	nn_model *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (nn_net_parse(&m->net, spec, err, errlen) < 0)
		goto fail;
	size_t bytes = (m->net.nparams * sizeof(float) + 63) & ~(size_t)63;
	m->params = aligned_alloc(64, bytes);
	if (!m->params) {
		snprintf(err, errlen, "out of memory for %zu parameters", m->net.nparams);
		goto fail;
	}
	memset(m->params, 0, bytes);
	snprintf(m->info.spec, sizeof m->info.spec, "%s", nn_spec_expand(spec));
	m->info.mean = 0.1307f;
	m->info.std = 0.3081f;
	m->info.temperature = 1.0f;
	snprintf(m->id, sizeof m->id, "unsaved");
	return m;
fail:
	free(m);
	return NULL;
}

void nn_model_free(nn_model *m)
{
	if (!m)
		return;
	free(m->params);
	free(m);
}

int nn_model_classes(const nn_model *m) { return m->net.classes; }
const char *nn_model_spec(const nn_model *m) { return m->info.spec; }
const char *nn_model_id(const nn_model *m) { return m->id; }
const nn_model_info *nn_model_get_info(const nn_model *m) { return &m->info; }

/* ---- little-endian encoding ---- */

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

static uint8_t *putf(uint8_t *p, float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	return put32(p, v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static float getf(const uint8_t *p)
{
	uint32_t v = get32(p);
	float f;
	memcpy(&f, &v, 4);
	return f;
}

uint8_t *nn_model_serialise(const nn_model *m, size_t *len)
{
	const size_t L = strlen(m->info.spec);
	const size_t n = HEAD_FIXED + 4 + L + META_BYTES + 4 + 4 * m->net.nparams + 32;
	uint8_t *buf = malloc(n), *p = buf;
	if (!buf)
		return NULL;
	memcpy(p, NN_MODEL_MAGIC, 8);
	p = put32(p + 8, NN_MODEL_VERSION);
	p = put32(p, (uint32_t)L);
	memcpy(p, m->info.spec, L);
	p += L;
	p = putf(p, m->info.mean);
	p = putf(p, m->info.std);
	p = putf(p, m->info.temperature);
	p = put64(p, (uint64_t)m->info.created);
	p = put64(p, m->info.seed);
	p = put32(p, m->info.epochs);
	p = put32(p, m->info.best_epoch);
	p = put32(p, m->info.threads);
	p = put32(p, m->info.train_images);
	p = putf(p, m->info.val_accuracy);
	p = put32(p, (uint32_t)m->net.nparams);
	for (size_t i = 0; i < m->net.nparams; i++)
		p = putf(p, m->params[i]);
	sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, buf, (size_t)(p - buf));
	sha256_final(&c, p);
	*len = n;
	return buf;
}

/* "dir/lenet5.model" -> "lenet5" */
static void stem(const char *path, char *out, size_t outlen)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strcspn(b, ".");
	if (n == 0)
		n = strlen(b);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

static void set_id(nn_model *m, const char *name, const uint8_t *buf, size_t len)
{
	char s[64], hex[65];
	stem(name, s, sizeof s);
	sha256_buf_hex(buf, len, hex);
	snprintf(m->id, sizeof m->id, "%s:%.12s", s, hex);
}

int nn_model_save(nn_model *m, const char *path, char *err, size_t errlen)
{
	size_t len;
	uint8_t *buf = nn_model_serialise(m, &len);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = file_write_atomic(path, buf, len, err, errlen);
	if (rc == 0) set_id(m, path, buf, len);
	free(buf);
	return rc;
}

/* Magic and format version: the first thing read from any file. */
static int check_head(const uint8_t *buf, size_t len, const char *name, char *err, size_t errlen)
{
	if (len < 8 || memcmp(buf, NN_MODEL_MAGIC, 8) != 0) {
		snprintf(err, errlen, "%s: not a digitd model file (bad magic)", name);
		return -1;
	}
	if (len < HEAD_FIXED) {
		snprintf(err, errlen, "%s: truncated (%zu bytes)", name, len);
		return -1;
	}
	uint32_t version = get32(buf + 8);
	if (version != NN_MODEL_VERSION) {
		snprintf(err, errlen, "%s: model format version %u is not supported (this build reads %u); "
			 "retrain it with this digitctl", name, version, NN_MODEL_VERSION);
		return -1;
	}
	return 0;
}

nn_model *nn_model_parse(const uint8_t *buf, size_t len, const char *name, char *err, size_t errlen)
{
	const size_t min = HEAD_FIXED + 4 + 1 + META_BYTES + 4 + 32;
	if (check_head(buf, len, name, err, errlen) < 0)
		return NULL;
	if (len < min) {
		snprintf(err, errlen, "%s: truncated (%zu bytes)", name, len);
		return NULL;
	}
	uint8_t sum[32];
	sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, buf, len - 32);
	sha256_final(&c, sum);
	if (memcmp(sum, buf + len - 32, 32) != 0) {
		snprintf(err, errlen, "%s: checksum mismatch: the file is truncated or corrupt", name);
		return NULL;
	}
	const uint8_t *p = buf + HEAD_FIXED;
	const size_t L = get32(p);
	p += 4;
	if (L < 1 || L > NN_SPEC_MAX || HEAD_FIXED + 4 + L + META_BYTES + 4 + 32 > len) {
		snprintf(err, errlen, "%s: bad architecture spec length %zu", name, L);
		return NULL;
	}
	char spec[NN_SPEC_MAX + 1];
	memcpy(spec, p, L);
	spec[L] = '\0';
	p += L;
	if (strlen(spec) != L) {
		snprintf(err, errlen, "%s: architecture spec contains a NUL byte", name);
		return NULL;
	}
	char perr[256];
	nn_net probe;
	if (nn_net_parse(&probe, spec, perr, sizeof perr) < 0) {
		snprintf(err, errlen, "%s: bad architecture: %s", name, perr);
		return NULL;
	}
	nn_model_info info = { 0 };
	memcpy(info.spec, spec, L + 1);
	info.mean = getf(p); p += 4;
	info.std = getf(p); p += 4;
	info.temperature = getf(p); p += 4;
	info.created = (int64_t)get64(p); p += 8;
	info.seed = get64(p); p += 8;
	info.epochs = get32(p); p += 4;
	info.best_epoch = get32(p); p += 4;
	info.threads = get32(p); p += 4;
	info.train_images = get32(p); p += 4;
	info.val_accuracy = getf(p); p += 4;
	if (!isfinite(info.mean) || fabsf(info.mean) > 1000 || !isfinite(info.std) || !(info.std > 1e-6f) ||
	    info.std > 1000 || !isfinite(info.temperature) || !(info.temperature >= 0.01f) || info.temperature > 100) {
		snprintf(err, errlen, "%s: absurd normalisation or temperature (mean %g, std %g, T %g)",
			 name, info.mean, info.std, info.temperature);
		return NULL;
	}
	const uint32_t np = get32(p);
	p += 4;
	if (np != probe.nparams) {
		snprintf(err, errlen, "%s: %u parameters stored, the architecture needs %zu", name, np, probe.nparams);
		return NULL;
	}
	if ((size_t)(buf + len - 32 - p) != 4 * (size_t)np) {
		snprintf(err, errlen, "%s: file size does not match its %u parameters", name, np);
		return NULL;
	}
	nn_model *m = nn_model_new(spec, perr, sizeof perr);
	if (!m) {
		snprintf(err, errlen, "%s: %s", name, perr);
		return NULL;
	}
	m->info = info;
	for (uint32_t i = 0; i < np; i++, p += 4) {
		m->params[i] = getf(p);
		if (!isfinite(m->params[i])) {
			snprintf(err, errlen, "%s: parameter %u is not a finite number", name, i);
			nn_model_free(m);
			return NULL;
		}
	}
	set_id(m, name, buf, len);
	return m;
}

nn_model *nn_model_load(const char *path, char *err, size_t errlen)
{
	uint8_t head[HEAD_FIXED];
	uint8_t *buf = NULL;
	nn_model *m = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	/* Magic and version first, from a fixed-size read: nothing is
	 * allocated for a file that is not a model at all. */
	ssize_t r = pread(fd, head, sizeof head, 0);
	if (r < 0) {
		snprintf(err, errlen, "%s: read failed: %s", path, strerror(errno));
		goto out;
	}
	if (check_head(head, (size_t)r, path, err, errlen) < 0)
		goto out;
	if (st.st_size > (off_t)NN_MODEL_MAX_BYTES) {
		snprintf(err, errlen, "%s: %lld bytes is too large for a model (limit %u)",
			 path, (long long)st.st_size, NN_MODEL_MAX_BYTES);
		goto out;
	}
	size_t len = (size_t)st.st_size;
	buf = malloc(len ? len : 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	size_t got = 0;
	while (got < len) {
		r = pread(fd, buf + got, len - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: read failed: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	m = nn_model_parse(buf, got, path, err, errlen);
out:
	free(buf);
	if (close(fd) < 0 && m) {
		snprintf(err, errlen, "%s: close failed: %s", path, strerror(errno));
		nn_model_free(m);
		m = NULL;
	}
	return m;
}
