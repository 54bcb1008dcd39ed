/* Model files: save/load round trip (weights, metadata, identical outputs,
 * the id), and every way a file can be damaged: truncation, flipped bits,
 * wrong magic, wrong version, absurd dimensions behind a valid checksum,
 * non-finite numbers, oversized files.  Also spec parsing. */
#include "check.h"
#include "nn/model.h"
#include "nn/net.h"
#include "nn/rng.h"
#include "util/sha256.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Recompute the trailing checksum, so a crafted defect is caught by the
 * check meant for it rather than by the checksum. */
static void reseal(uint8_t *buf, size_t len)
{
	sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, buf, len - 32);
	sha256_final(&c, buf + len - 32);
}

/* Load buf as a file; expect failure with a message containing want. */
static void expect_fail(const char *what, const uint8_t *buf, size_t len, const char *want)
{
	char path[128], err[512] = "";
	snprintf(path, sizeof path, "%s/bad.model", dir);
	write_file(path, buf, len);
	nn_model *m = nn_model_load(path, err, sizeof err);
	CHECKF(m == NULL, "%s: loaded", what);
	CHECKF(strstr(err, want) != NULL, "%s: message '%s' lacks '%s'", what, err, want);
	CHECKF(strstr(err, path) != NULL, "%s: message '%s' does not name the file", what, err);
	nn_model_free(m);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_specs(void)
{
	nn_net net;
	char err[256];
	CHECK(nn_net_parse(&net, "classic", err, sizeof err) == 0);
	/* 6*25+6 + 16*150+16 + 400*120+120 + 120*84+84 + 84*10+10 */
	CHECK(net.nparams == 61706);
	CHECK(net.classes == 10 && net.in_side == 32);
	CHECK(nn_net_parse(&net, "paper", err, sizeof err) == 0);
	CHECK(net.nparams == 156 + 12 * 150 + 12 + 300 * 10 + 10);
	CHECK(nn_net_parse(&net, "classic-reject", err, sizeof err) == 0);
	CHECK(net.classes == 11);
	CHECK(nn_net_parse(&net, "pad2 c6k5 relu, max2 fc10", err, sizeof err) == 0);
	CHECK(nn_net_parse(&net, "c6k5 relu max2 fc50 relu drop50 fc10", err, sizeof err) == 0);
	CHECK(net.nparams == 156 + 864 * 50 + 50 + 510);
	static const char *bad[] = {
		"", "relu", "c6k5 relu", "c6k5 fc1", "c0k5 fc10", "c6k0 fc10", "c6k5p5 fc10", "c6k29 fc10",
		"c6k5 max9 fc10", "fc10 pad2", "pad17 fc10", "conv fc10", "c6k5x fc10", "fc99999999",
		"c1024k15 c1024k5 fc10", "fc65536 fc65536 fc10", "fc10 fc100", "fc10 drop0 fc10", "fc10 drop91 fc10", "drop fc10",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		CHECKF(nn_net_parse(&net, bad[i], err, sizeof err) < 0, "spec '%s' accepted", bad[i]);
		CHECKF(err[0] != '\0', "spec '%s': no message", bad[i]);
	}
	char longspec[400];
	memset(longspec, 'x', sizeof longspec - 1);
	longspec[sizeof longspec - 1] = '\0';
	CHECK(nn_net_parse(&net, longspec, err, sizeof err) < 0);
}

int main(void)
{
	char err[512], path[128];
	test_specs();
	snprintf(dir, sizeof dir, "/tmp/test_nn_model.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	nn_model *m = nn_model_new("classic", err, sizeof err);
	CHECK(m != NULL);
	nn_net_init_params(&m->net, m->params, 7);
	m->info.temperature = 1.25f;
	m->info.seed = 7;
	m->info.epochs = 3;
	m->info.best_epoch = 2;
	m->info.threads = 2;
	m->info.train_images = 55000;
	m->info.val_accuracy = 0.9912f;
	m->info.created = 1700000000;
	snprintf(path, sizeof path, "%s/lenet5.model", dir);
	CHECK(nn_model_save(m, path, err, sizeof err) == 0);

	/* Round trip. */
	nn_model *l = nn_model_load(path, err, sizeof err);
	CHECKF(l != NULL, "%s", err);
	if (!l)
		CHECK_DONE();
	CHECK(memcmp(l->params, m->params, sizeof(float) * m->net.nparams) == 0);
	CHECK(strcmp(nn_model_spec(l), nn_model_spec(m)) == 0);
	CHECK(nn_model_classes(l) == 10);
	const nn_model_info *i = nn_model_get_info(l);
	CHECK(i->temperature == 1.25f && i->seed == 7 && i->epochs == 3 && i->best_epoch == 2 &&
	      i->threads == 2 && i->train_images == 55000 && i->val_accuracy == 0.9912f &&
	      i->created == 1700000000);
	/* The id is the file stem and the start of the file's SHA-256. */
	FILE *f = fopen(path, "rb");
	static uint8_t file[1 << 20];
	size_t len = fread(file, 1, sizeof file, f);
	fclose(f);
	char hex[65], want[96];
	sha256_buf_hex(file, len, hex);
	snprintf(want, sizeof want, "lenet5:%.12s", hex);
	CHECKF(strcmp(nn_model_id(l), want) == 0, "id %s, want %s", nn_model_id(l), want);
	CHECK(strcmp(nn_model_id(m), want) == 0);
	/* Identical outputs, probabilities summing to 1. */
	uint8_t img[4 * NN_PIXELS];
	nn_rng r;
	nn_rng_seed(&r, 3, 0, 0);
	for (size_t k = 0; k < sizeof img; k++)
		img[k] = (uint8_t)nn_rng_below(&r, 256);
	nn_infer *a = nn_infer_new(m, 4), *b = nn_infer_new(l, 4);
	float pa[40], pb[40];
	CHECK(nn_infer_run(a, img, 4, pa) == 0 && nn_infer_run(b, img, 4, pb) == 0);
	CHECK(memcmp(pa, pb, sizeof pa) == 0);
	double sum = 0;
	for (int k = 0; k < 10; k++)
		sum += pa[k];
	CHECK(fabs(sum - 1) < 1e-5);
	/* One at a time gives exactly what a batch gives. */
	nn_infer *one = nn_infer_new(l, 1);
	for (int k = 0; k < 4; k++) {
		float p1[10];
		CHECK(nn_infer_run(one, img + k * NN_PIXELS, 1, p1) == 0);
		CHECK(memcmp(p1, pa + k * 10, sizeof p1) == 0);
	}
	nn_infer_free(one);
	CHECK(nn_infer_run(a, img, 5, pa) == -1);
	CHECK(nn_infer_run(a, img, -1, pa) == -1);
	nn_infer_free(a);
	nn_infer_free(b);
	nn_model_free(l);

	/* Damage. */
	uint8_t *buf = malloc(len);
	const size_t cuts[] = { 0, 4, 8, 11, 12, 20, 100, len / 2, len - 33, len - 1 };
	for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
		char what[64];
		snprintf(what, sizeof what, "truncated to %zu", cuts[k]);
		expect_fail(what, file, cuts[k], cuts[k] < 8 ? "magic" : cuts[k] <= 100 ? "truncated" : "checksum");
	}
	const size_t flips[] = { 0, 9, 13, 16, 30, 80, 100, 1000, len / 2, len - 40, len - 1 };
	for (size_t k = 0; k < sizeof flips / sizeof flips[0]; k++) {
		char what[64];
		memcpy(buf, file, len);
		buf[flips[k]] ^= 0x10;
		snprintf(what, sizeof what, "bit flipped at %zu", flips[k]);
		expect_fail(what, buf, len, flips[k] < 8 ? "magic" : flips[k] < 12 ? "version" : "checksum");
	}
	memcpy(buf, file, len);
	memcpy(buf, "LENET5!!", 8);
	expect_fail("wrong magic", buf, len, "bad magic");
	memcpy(buf, file, len);
	put32(buf + 8, 2);
	reseal(buf, len);
	expect_fail("wrong version", buf, len, "version 2");

	/* Absurd dimensions behind a valid checksum. */
	const size_t specoff = 16, speclen = strlen(m->info.spec);
	memcpy(buf, file, len);
	memcpy(buf + specoff, "c999k15", 7);      /* 999 maps of 15x15: too large */
	reseal(buf, len);
	expect_fail("absurd spec", buf, len, "architecture");
	memcpy(buf, file, len);
	put32(buf + 12, 0xffffffffu);
	reseal(buf, len);
	expect_fail("absurd spec length", buf, len, "spec length");
	memcpy(buf, file, len);
	put32(buf + specoff + speclen + 12 + 8 + 8 + 16 + 4, 1000000);
	reseal(buf, len);
	expect_fail("wrong parameter count", buf, len, "parameters");
	memcpy(buf, file, len);
	{
		const float nan = NAN;
		memcpy(buf + specoff + speclen + 12 + 8 + 8 + 16 + 4 + 4 + 400, &nan, 4);
	}
	reseal(buf, len);
	expect_fail("NaN weight", buf, len, "finite");
	memcpy(buf, file, len);
	memset(buf + specoff + speclen + 8, 0, 4);   /* temperature 0 */
	reseal(buf, len);
	expect_fail("zero temperature", buf, len, "temperature");
	/* A huge file is refused before it is read. */
	snprintf(path, sizeof path, "%s/huge.model", dir);
	write_file(path, file, 64);
	CHECK(truncate(path, (off_t)1 << 30) == 0);
	err[0] = '\0';
	CHECK(nn_model_load(path, err, sizeof err) == NULL);
	CHECKF(strstr(err, "too large") != NULL, "%s", err);
	unlink(path);
	CHECK(nn_model_load(dir, err, sizeof err) == NULL);
	CHECK(nn_model_load("/nonexistent/x.model", err, sizeof err) == NULL && strstr(err, "cannot open"));

	free(buf);
	nn_model_free(m);
	snprintf(path, sizeof path, "%s/lenet5.model", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/bad.model", dir);
	unlink(path);
	rmdir(dir);
	CHECK_DONE();
}
