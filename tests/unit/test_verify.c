/* The verifier's file (save, load, every way a damaged one is refused), its
 * arithmetic, and the one table of flag reasons. */
#include "check.h"
#include "nn/nn.h"
#include "recognize/flags.h"
#include "recognize/verify.h"
#include "util/sha256.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/digitd-verify.XXXXXX";

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(text, 1, len, f) == len);
	if (f) fclose(f);
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	static char buf[16384];
	*len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	buf[*len] = 0;
	if (f) fclose(f);
	return buf;
}

static rec_verifier sample(void)
{
	rec_verifier v;
	memset(&v, 0, sizeof v);
	for (int k = 0; k < REC_NFEAT; k++) v.mean[k] = 0.1f * k, v.scale[k] = 1.0f + k, v.weight[k] = k % 2 ? -0.5f : 0.25f;
	v.bias = 0.3f, v.keep = 0.8f, v.flag = 0.2f, v.unread = 0.1f;
	snprintf(v.network, sizeof v.network, "-");
	snprintf(v.network_sha, sizeof v.network_sha, "-");
	memset(v.model_sha, 'a', 64);
	v.model_sha[64] = 0;
	return v;
}

static void file_round_trip(void)
{
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/a.verifier", dir);
	rec_verifier v = sample(), w;
	CHECK(rec_verifier_save(path, &v, err, sizeof err) == 0);
	CHECKF(rec_verifier_load(path, &w, err, sizeof err) == 0, "%s", err);
	CHECK(memcmp(&v, &w, sizeof v) == 0);
	float f[REC_NFEAT] = { 0 };
	CHECK(fabsf(rec_verifier_prob(&v, f) - rec_verifier_prob(&w, f)) == 0);

	/* Every single byte changed before the checksum line is noticed. */
	size_t len;
	char *text = read_text(path, &len);
	char *copy = malloc(len + 1);
	memcpy(copy, text, len + 1);
	char bad[256];
	snprintf(bad, sizeof bad, "%s/bad.verifier", dir);
	size_t sumline = (size_t)(strstr(copy, "sha256 ") - copy);
	int refused = 0, tried = 0;
	for (size_t i = 0; i < sumline; i += 7) {
		char old = copy[i];
		copy[i] = old == '1' ? '2' : '1';
		write_text(bad, copy, len);
		refused += rec_verifier_load(bad, &w, err, sizeof err) < 0;
		tried++;
		copy[i] = old;
	}
	CHECKF(refused == tried, "%d of %d damaged files refused", refused, tried);
	/* Truncated anywhere: refused. */
	for (size_t cut = 0; cut < len; cut += 11) {
		write_text(bad, copy, cut);
		CHECK(rec_verifier_load(bad, &w, err, sizeof err) < 0);
	}
	free(copy);
	/* A readable file with wrong contents: each refused with its reason. */
	struct { const char *body, *reason; } cases[] = {
		{ "digitd-verifier 2\n", "version" },
		{ "digitd-verifier 1\nfeatures 3\n", "features" },
		{ "digitd-verifier 1\nbias nan\n", "cannot read" },
		{ "digitd-verifier 1\nbias 1\n", "no 'mean' line" },
		{ "digitd-verifier 1\nnetwork ../x.model 0\n", "network NAME SHA256" },
		{ "digitd-verifier 1\nmodel 12ab\n", "model SHA256" },
		{ "digitd-verifier 1\nbias 1e300\n", "cannot read" },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char body[512], hex[65];
		snprintf(body, sizeof body, "%s", cases[c].body);
		sha256_buf_hex(body, strlen(body), hex);
		snprintf(body + strlen(body), sizeof body - strlen(body), "sha256 %s\n", hex);
		write_text(bad, body, strlen(body));
		CHECKF(rec_verifier_load(bad, &w, err, sizeof err) < 0 && strstr(err, cases[c].reason), "case %zu: %s", c,
		       err);
	}
	/* A network that is missing, or not the one the verifier was trained
	 * with, is refused: its outputs are one of the features. */
	v = sample();
	snprintf(v.network, sizeof v.network, "net.model");
	memset(v.network_sha, 'a', 64);
	v.network_sha[64] = 0;
	CHECK(rec_verifier_save(path, &v, err, sizeof err) == 0);
	CHECK(rec_verifier_load(path, &w, err, sizeof err) < 0 && strstr(err, "net.model"));
	char net[256];
	snprintf(net, sizeof net, "%s/net.model", dir);
	write_text(net, "not a model", 11);
	CHECK(rec_verifier_load(path, &w, err, sizeof err) < 0 && strstr(err, "SHA-256 differs"));
	unlink(net);
	/* Fitted with another classifier: refused beside this one. */
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	char mp[512];
	snprintf(mp, sizeof mp, "%s/models/lenet5.model", root);
	nn_model *m = nn_model_load(mp, err, sizeof err);
	if (m) {
		rec_verifier x = sample();
		CHECK(rec_verifier_check_model(&x, m, err, sizeof err) < 0 && strstr(err, "retrain"));
		const char *id = strrchr(nn_model_id(m), ':') + 1;
		memcpy(x.model_sha, id, 12);
		CHECK(rec_verifier_check_model(&x, m, err, sizeof err) == 0);
		nn_model_free(m);
	}
	/* Thresholds out of order are refused. */
	v.flag = 0.9f, v.keep = 0.5f;
	CHECK(rec_verifier_save(path, &v, err, sizeof err) == 0);
	CHECK(rec_verifier_load(path, &w, err, sizeof err) < 0 && strstr(err, "thresholds"));
	unlink(path);
	unlink(bad);
}

static void arithmetic(void)
{
	rec_verifier v;
	memset(&v, 0, sizeof v);
	float f[REC_NFEAT] = { 0 };
	CHECK(fabsf(rec_verifier_prob(&v, f) - 0.5f) < 1e-6f);
	v.scale[REC_FEAT_TOP] = 1, v.weight[REC_FEAT_TOP] = 4;
	f[REC_FEAT_TOP] = 1;
	float hi = rec_verifier_prob(&v, f);
	f[REC_FEAT_TOP] = -1;
	float lo = rec_verifier_prob(&v, f);
	CHECK(hi > 0.98f && lo < 0.02f && fabsf(hi + lo - 1) < 1e-5f);
	char p[256];
	rec_verifier_path("models/lenet5-reject.model", p, sizeof p);
	CHECK(strcmp(p, "models/lenet5-reject.verifier") == 0);
	rec_verifier_path("dir.d/model", p, sizeof p);
	CHECK(strcmp(p, "dir.d/model.verifier") == 0);
	CHECK(rec_feature_name(0) && strcmp(rec_feature_name(REC_FEAT_TOP), "TOP") == 0 && !rec_feature_name(REC_NFEAT));
}

static void reasons(void)
{
	char w[256];
	rec_flag_words(0, w, sizeof w);
	CHECK(w[0] == 0);
	rec_flag_words(REC_FLAG_LOWCONF | REC_FLAG_SMALL, w, sizeof w);
	CHECK(strcmp(w, "low-conf,small") == 0);
	/* Bits 32 and 128 printed nothing in `show` before the table. */
	rec_flag_words(REC_FLAG_TEXTNEAR, w, sizeof w);
	CHECK(strcmp(w, "text-near") == 0);
	/* Every bit of every flag has a word and a help line; no word twice. */
	const char *seen[32] = { 0 };
	for (unsigned b = 0; b < 32; b++) {
		if (!rec_flag_help(1u << b)) continue;
		rec_flag_words(1u << b, w, sizeof w);
		CHECK(w[0] && !strchr(w, ','));
		seen[b] = strdup(w);
		for (unsigned a = 0; a < b; a++) CHECK(!seen[a] || strcmp(seen[a], w) != 0);
	}
	for (unsigned b = 0; b < 32; b++) free((void *)seen[b]);
	/* Bit 6 is the segmenter's slash hint: never a flag. */
	CHECK(rec_flag_help(1u << 6) == NULL);
	rec_drop_words(REC_DROP_SMALL | REC_DROP_PRINTED, w, sizeof w);
	CHECK(strcmp(w, "small,printed") == 0);
	char tiny[4];
	rec_flag_words(REC_FLAG_LOWCONF | REC_FLAG_SPLIT, tiny, sizeof tiny);
	CHECK(strlen(tiny) < sizeof tiny);
}

int main(void)
{
	if (!mkdtemp(dir)) SKIP("cannot make a temporary directory");
	file_round_trip();
	arithmetic();
	reasons();
	rmdir(dir);
	CHECK_DONE();
}
