/* Training distortions: zero ranges are the identity, the same generator
 * state gives the same distortion, a distortion keeps the digit's ink
 * roughly intact and its centre near the middle, and range lists parse
 * strictly. */
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

	nn_augment_params p = nn_augment_default;
	CHECK(nn_augment_parse("rot=5,shift=1.5", &p) == 0);
	CHECK(p.rotate_deg == 5.0f && p.translate == 1.5f && p.scale == nn_augment_default.scale);
	CHECK(nn_augment_parse("", &p) == 0);
	static const char *bad[] = { "rot", "rot=", "rot=x", "rot=90", "spin=1", "rot=1,", "rot=1;shift=2",
				     "prob=2", "scale=-0.1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECKF(nn_augment_parse(bad[i], &p) < 0, "'%s' accepted", bad[i]);
	CHECK_DONE();
}
