/* Training distortions: zero ranges are the identity, the same generator
 * state gives the same distortion, a distortion keeps the digit's ink
 * roughly intact and its centre near the middle, and range lists parse
 * strictly.  Scan-path distortions: binarising leaves only sixteenths of
 * full ink, noise before the cut changes edges, stroke changes both thicken
 * and thin, blur keeps the ink, gamma keeps paper and full ink fixed. */
#include "check.h"
#include "nn/augment.h"
#include "nn/nn.h"

#include <math.h>
#include <string.h>

int main(void)
{
	uint8_t src[NN_PIXELS] = { 0 }, a[NN_PIXELS], b[NN_PIXELS];
	/* A thick "1"-like bar with a foot, off-centre enough to be asymmetric. */
	for (int y = 6; y < 22; y++)
		for (int x = 12; x < 16; x++)
			src[y * 28 + x] = (uint8_t)(200 + y);
	for (int x = 10; x < 19; x++)
		src[21 * 28 + x] = 255;

	nn_augment_params zero = { 0 };
	zero.prob = 1;
	nn_rng r;
	nn_rng_seed(&r, 1, 2, 3);
	nn_augment(src, a, &r, &zero);
	CHECK(memcmp(a, src, sizeof src) == 0);

	long ink0 = 0;
	for (int i = 0; i < NN_PIXELS; i++)
		ink0 += src[i];
	for (int t = 0; t < 200; t++) {
		nn_rng r1, r2;
		nn_rng_seed(&r1, 7, 1, (uint64_t)t);
		nn_rng_seed(&r2, 7, 1, (uint64_t)t);
		nn_augment(src, a, &r1, &nn_augment_default);
		nn_augment(src, b, &r2, &nn_augment_default);
		CHECK(memcmp(a, b, sizeof a) == 0);
		long ink = 0;
		double cx = 0, cy = 0;
		for (int i = 0; i < NN_PIXELS; i++) {
			ink += a[i];
			cx += (double)a[i] * (i % 28);
			cy += (double)a[i] * (i / 28);
		}
		CHECKF(ink > ink0 * 0.6 && ink < ink0 * 1.5, "distortion %d: ink %ld of %ld", t, ink, ink0);
		CHECKF(fabs(cx / ink - 13.5) < 5 && fabs(cy / ink - 14) < 6, "distortion %d: centre %.1f,%.1f",
		       t, cx / ink, cy / ink);
	}
	/* prob=0: never distorted. */
	nn_augment_params never = nn_augment_default;
	never.prob = 0;
	nn_augment(src, a, &r, &never);
	CHECK(memcmp(a, src, sizeof src) == 0);

	/* Scan path alone (geometric ranges 0, so the resampling is exact). */
	nn_augment_params bin = zero;
	bin.binar = 1;
	int partial = 0;
	for (int t = 0; t < 50; t++) {
		nn_rng r1, r2;
		nn_rng_seed(&r1, 9, 1, (uint64_t)t);
		nn_rng_seed(&r2, 9, 1, (uint64_t)t);
		nn_augment(src, a, &r1, &bin);
		nn_augment(src, b, &r2, &bin);
		CHECK(memcmp(a, b, sizeof a) == 0);
		long ink = 0;
		for (int i = 0; i < NN_PIXELS; i++) {
			/* 255 n / 16, rounded: n = 0..16 sub-pixels inked. */
			const int n = (a[i] * 16 + 127) / 255;
			CHECKF(a[i] == (uint8_t)(255.0f * (float)n / 16 + 0.5f), "binarised pixel %d = %d", i, a[i]);
			partial += a[i] > 0 && a[i] < 255;
			ink += a[i];
		}
		CHECKF(ink > ink0 * 0.7 && ink < ink0 * 1.4, "binarised %d: ink %ld of %ld", t, ink, ink0);
	}
	CHECK(partial > 0);
	/* Noise before the cut roughens edges: some draws differ from the clean
	 * cut with the same threshold, and the result is still sixteenths. */
	nn_augment_params noisy = bin;
	noisy.noise = 0.25f;
	int rough = 0;
	for (int t = 0; t < 20; t++) {
		nn_rng r1, r2;
		nn_rng_seed(&r1, 9, 1, (uint64_t)t);
		nn_rng_seed(&r2, 9, 1, (uint64_t)t);
		nn_augment(src, a, &r1, &bin);
		nn_augment(src, b, &r2, &noisy);
		rough += memcmp(a, b, sizeof a) != 0;
		for (int i = 0; i < NN_PIXELS; i++)
			CHECK(b[i] == (uint8_t)(255.0f * (float)((b[i] * 16 + 127) / 255) / 16 + 0.5f));
	}
	CHECKF(rough > 10, "noise changed only %d of 20 binarisations", rough);

	nn_augment_params thick = zero;
	thick.thick = 1;
	int thicker = 0, thinner = 0;
	for (int t = 0; t < 50; t++) {
		nn_rng_seed(&r, 9, 2, (uint64_t)t);
		nn_augment(src, a, &r, &thick);
		long ink = 0;
		for (int i = 0; i < NN_PIXELS; i++)
			ink += a[i];
		thicker += ink > ink0;
		thinner += ink < ink0;
	}
	CHECKF(thicker > 5 && thinner > 5, "stroke change: %d thicker, %d thinner", thicker, thinner);

	nn_augment_params blur = zero;
	blur.blur = 2;
	for (int t = 0; t < 20; t++) {
		nn_rng_seed(&r, 9, 3, (uint64_t)t);
		nn_augment(src, a, &r, &blur);
		long ink = 0;
		int peak = 0;
		for (int i = 0; i < NN_PIXELS; i++) {
			ink += a[i];
			peak = a[i] > peak ? a[i] : peak;
		}
		CHECKF(ink > ink0 * 0.97 && ink < ink0 * 1.03, "blur %d: ink %ld of %ld", t, ink, ink0);
		CHECK(peak <= 255);
	}

	nn_augment_params gam = zero;
	gam.gamma = 1;
	for (int t = 0; t < 20; t++) {
		nn_rng_seed(&r, 9, 4, (uint64_t)t);
		nn_augment(src, a, &r, &gam);
		for (int i = 0; i < NN_PIXELS; i++)
			if (src[i] == 0 || src[i] == 255)
				CHECKF(a[i] == src[i], "gamma moved pixel %d from %d to %d", i, src[i], a[i]);
	}

	nn_augment_params p = nn_augment_default;
	CHECK(nn_augment_parse("rot=5,shift=1.5", &p) == 0);
	CHECK(p.rotate_deg == 5.0f && p.translate == 1.5f && p.scale == nn_augment_default.scale);
	CHECK(nn_augment_parse("", &p) == 0);
	CHECK(nn_augment_parse("thick=0.5,blur=0.8,binar=0.7,gamma=0.3,noise=0.2", &p) == 0);
	CHECK(p.thick == 0.5f && p.blur == 0.8f && p.binar == 0.7f && p.gamma == 0.3f && p.noise == 0.2f &&
	      p.rotate_deg == 5.0f);
	static const char *bad[] = { "rot", "rot=", "rot=x", "rot=90", "spin=1", "rot=1,", "rot=1;shift=2",
				     "prob=2", "scale=-0.1", "binar=1.5", "thick=3", "blur=-1", "gamma=2", "noise=0.3" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECKF(nn_augment_parse(bad[i], &p) < 0, "'%s' accepted", bad[i]);
	CHECK_DONE();
}
