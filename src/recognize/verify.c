/* verify.c: the verifier's arithmetic and its file (verify.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "recognize/verify.h"
#include "util/file.h"
#include "util/sha256.h"

#define VERIFIER_MAX_BYTES 65536        /* a verifier file is about 1 KB */
#define VERIFIER_MAX_VALUE 1e6          /* no trained value comes near; larger ones overflow the sums */

static const char *const feature_names[] = {
#define REC_FEAT_NAME(name, help) #name,
	REC_FEATURES(REC_FEAT_NAME)
#undef REC_FEAT_NAME
};

const char *rec_feature_name(int k)
{
	return k >= 0 && k < REC_NFEAT ? feature_names[k] : NULL;
}

float rec_verifier_prob(const rec_verifier *v, const float *feat)
{
	double z = v->bias;
	for (int k = 0; k < REC_NFEAT; k++) z += (double)v->weight[k] * ((double)feat[k] - v->mean[k]) * v->scale[k];
	return (float)(1.0 / (1.0 + exp(-z)));
}

void rec_verifier_path(const char *model_path, char *out, size_t n)
{
	const char *dot = strrchr(model_path, '.'), *slash = strrchr(model_path, '/');
	size_t stem = dot && (!slash || dot > slash) && strcmp(dot, ".model") == 0 ? (size_t)(dot - model_path)
										 : strlen(model_path);
	snprintf(out, n, "%.*s.verifier", (int)stem, model_path);
}

/* Parse "key v1 v2 ... vk" (exactly k finite numbers) from line. */
static int parse_row(const char *line, const char *key, float *v, int k)
{
	size_t kl = strlen(key);
	if (strncmp(line, key, kl) != 0 || line[kl] != ' ') return -1;
	const char *p = line + kl;
	for (int i = 0; i < k; i++) {
		char *end;
		errno = 0;
		double x = strtod(p, &end);
		if (end == p || errno || !isfinite(x) || fabs(x) > VERIFIER_MAX_VALUE) return -1;
		v[i] = (float)x;
		p = end;
	}
	while (*p == ' ') p++;
	return *p == 0 ? 0 : -1;
}

/* The network a verifier names, from the verifier's own directory, checked
 * against the SHA-256 recorded at training: its outputs are a feature the
 * weights were fitted to, so another network would make them meaningless. */
static int load_network(const char *path, rec_verifier *v, char *err, size_t errlen)
{
	char np[4096];
	const char *slash = strrchr(path, '/');
	snprintf(np, sizeof np, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, v->network);
	uint8_t *buf;
	size_t len;
	char hex[65];
	if (file_read_all(np, (size_t)64 << 20, &buf, &len, err, errlen) < 0) return -1;
	sha256_buf_hex(buf, len, hex);
	free(buf);
	if (strcmp(hex, v->network_sha) != 0) {
		snprintf(err, errlen, "%s: not the network %s was trained with (SHA-256 differs); retrain the verifier",
			 np, path);
		return -1;
	}
	v->net = nn_model_load(np, err, errlen);
	if (!v->net) return -1;
	if (nn_model_classes(v->net) != NN_CLASS_REJECT + 1) {
		snprintf(err, errlen, "%s: a verifier network needs 11 outputs (class 10: not a digit)", np);
		return -1;
	}
	return 0;
}

int rec_verifier_load(const char *path, rec_verifier *v, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	memset(v, 0, sizeof *v);
	if (file_read_all(path, VERIFIER_MAX_BYTES, &buf, &len, err, errlen) < 0) return -1;
	int rc = -1, lineno = 0;
	/* The checksum line: the last line, over every byte before it. */
	char *text = (char *)buf;
	if (len == 0 || text[len - 1] != '\n' || memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: not a verifier file (binary, empty or no final newline)", path);
		goto out;
	}
	text[len - 1] = 0;
	char *last = strrchr(text, '\n');
	if (!last || strncmp(last + 1, "sha256 ", 7) != 0) {
		snprintf(err, errlen, "%s: no sha256 line at the end", path);
		goto out;
	}
	char hex[65];
	sha256_buf_hex(text, (size_t)(last + 1 - text), hex);
	if (strcmp(last + 8, hex) != 0) {
		snprintf(err, errlen, "%s: checksum mismatch (the file is damaged or was edited; retrain with `digitctl train-verifier`)", path);
		goto out;
	}
	*last = 0;
	struct { const char *key; float *v; int k; bool seen; } rows[] = {
		{ "mean", v->mean, REC_NFEAT, false }, { "scale", v->scale, REC_NFEAT, false },
		{ "weight", v->weight, REC_NFEAT, false }, { "bias", &v->bias, 1, false },
		{ "keep", &v->keep, 1, false }, { "flag", &v->flag, 1, false }, { "unread", &v->unread, 1, false },
	};
	const size_t nrows = sizeof rows / sizeof rows[0];
	bool seen_network = false;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "digitd-verifier 1") != 0) {
				snprintf(err, errlen, "%s:1: not a digitd verifier (version 1) file", path);
				goto out;
			}
			continue;
		}
		if (strncmp(line, "model ", 6) == 0) {
			if (sscanf(line + 6, "%64s", v->model_sha) != 1 || strlen(v->model_sha) != 64 ||
			    strspn(v->model_sha, "0123456789abcdef") != 64) {
				snprintf(err, errlen, "%s:%d: expected \"model SHA256\"", path, lineno);
				goto out;
			}
			continue;
		}
		if (strncmp(line, "network ", 8) == 0) {
			if (sscanf(line + 8, "%255s %64s", v->network, v->network_sha) != 2 ||
			    (strcmp(v->network, "-") != 0 && (strlen(v->network_sha) != 64 || strchr(v->network, '/')))) {
				snprintf(err, errlen, "%s:%d: expected \"network NAME SHA256\" (a file name beside this one)",
					 path, lineno);
				goto out;
			}
			seen_network = true;
			continue;
		}
		float nf;
		if (parse_row(line, "features", &nf, 1) == 0) {
			if (nf != REC_NFEAT) {
				snprintf(err, errlen, "%s:%d: %g features; this digitd computes %d", path, lineno, nf, REC_NFEAT);
				goto out;
			}
			continue;
		}
		size_t r = 0;
		while (r < nrows && parse_row(line, rows[r].key, rows[r].v, rows[r].k) < 0) r++;
		if (r == nrows) {
			snprintf(err, errlen, "%s:%d: cannot read '%.40s'", path, lineno, line);
			goto out;
		}
		rows[r].seen = true;
	}
	for (size_t r = 0; r < nrows; r++)
		if (!rows[r].seen) {
			snprintf(err, errlen, "%s: no '%s' line", path, rows[r].key);
			goto out;
		}
	if (!(v->flag >= 0 && v->flag <= v->keep && v->keep <= 1 && v->unread >= 0 && v->unread <= 1)) {
		snprintf(err, errlen, "%s: thresholds out of order (need 0 <= flag <= keep <= 1)", path);
		goto out;
	}
	if (!seen_network || !v->model_sha[0]) {
		snprintf(err, errlen, "%s: no '%s' line", path, seen_network ? "model" : "network");
		goto out;
	}
	for (int k = 0; k < REC_NFEAT; k++)
		if (v->scale[k] < 0) {
			snprintf(err, errlen, "%s: scale of feature %s is negative", path, rec_feature_name(k));
			goto out;
		}
	if (strcmp(v->network, "-") != 0 && load_network(path, v, err, errlen) < 0) goto out;
	rc = 0;
out:
	free(buf);
	if (rc < 0) {
		rec_verifier_free(v);
		memset(v, 0, sizeof *v);
	}
	return rc;
}

int rec_verifier_check_model(const rec_verifier *v, const struct nn_model *m, char *err, size_t errlen)
{
	/* nn_model_id is "stem:" and the first 12 hex digits of the file's SHA-256 */
	const char *id = nn_model_id(m), *colon = strrchr(id, ':');
	const char *sha = colon ? colon + 1 : id;
	if (strlen(sha) >= 12 && strncmp(sha, v->model_sha, 12) == 0) return 0;
	snprintf(err, errlen, "the verifier was fitted with model %.12s, not %s (retrain it: make verifier)",
		 v->model_sha, id);
	return -1;
}

void rec_verifier_free(rec_verifier *v)
{
	if (!v) return;
	nn_model_free(v->net);
	v->net = NULL;
}

static void put_row(char *buf, size_t n, size_t *off, const char *key, const float *v, int k)
{
	if (*off >= n) return;
	*off += (size_t)snprintf(buf + *off, n - *off, "%s", key);
	for (int i = 0; i < k && *off < n; i++) *off += (size_t)snprintf(buf + *off, n - *off, " %.9g", v[i]);
	if (*off < n) *off += (size_t)snprintf(buf + *off, n - *off, "\n");
}

int rec_verifier_save(const char *path, const rec_verifier *v, char *err, size_t errlen)
{
	if (strlen(v->network) >= sizeof v->network - 1 || strpbrk(v->network, " /\n") ||
	    strlen(v->model_sha) != 64) {
		snprintf(err, errlen, "%s: the network's name must be a plain file name, and the model's SHA-256 known", path);
		return -1;
	}
	char buf[8192];
	size_t off = 0;
	off += (size_t)snprintf(buf, sizeof buf, "digitd-verifier 1\nfeatures %d\n", REC_NFEAT);
	put_row(buf, sizeof buf, &off, "mean", v->mean, REC_NFEAT);
	put_row(buf, sizeof buf, &off, "scale", v->scale, REC_NFEAT);
	put_row(buf, sizeof buf, &off, "weight", v->weight, REC_NFEAT);
	put_row(buf, sizeof buf, &off, "bias", &v->bias, 1);
	put_row(buf, sizeof buf, &off, "keep", &v->keep, 1);
	put_row(buf, sizeof buf, &off, "flag", &v->flag, 1);
	put_row(buf, sizeof buf, &off, "unread", &v->unread, 1);
	if (off < sizeof buf)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "network %s %s\nmodel %s\n",
					v->network[0] ? v->network : "-", v->network_sha[0] ? v->network_sha : "-",
					v->model_sha);
	if (off + 80 >= sizeof buf) {
		snprintf(err, errlen, "%s: verifier too large to write", path);
		return -1;
	}
	char hex[65];
	sha256_buf_hex(buf, off, hex);
	off += (size_t)snprintf(buf + off, sizeof buf - off, "sha256 %s\n", hex);
	return file_write_atomic(path, buf, off, err, errlen);
}
