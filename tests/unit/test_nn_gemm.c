/* nn_gemm_nt's sums are part of the training reproducibility contract
 * (models/README.md: the same seed gives byte-identical weights, and the
 * shipped models can be retrained bit for bit), so this checks them
 * EXACTLY, not within a tolerance, against the order gemm.c documents: per
 * output, 16 lane partial sums over the first K - K%16 terms (lane j takes
 * terms j, j+16, ...), the fixed tree (s[j] + s[j+8], then + s[j+4], then
 * (s0 + s2) + (s1 + s3)), then the add into C.  Multiply-adds are fused in the AVX clones and not in the baseline one,
 * so either variant is accepted, but every element must match it. */
#include "check.h"
#include "nn/gemm.h"
#include "nn/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float madd(float a, float b, float c, int fused)
{
	if (fused)
		return fmaf(a, b, c);
	volatile float p = a * b;  /* rounded on its own, as without FMA */
	return c + p;
}

static float ref_dot(int K, const float *a, const float *b, int fused)
{
	float s[16] = { 0 };
	for (int k = 0; k < K; k += 16)
		for (int j = 0; j < 16; j++)
			s[j] = madd(a[k + j], b[k + j], s[j], fused);
	for (int j = 0; j < 8; j++)
		s[j] += s[j + 8];
	for (int j = 0; j < 4; j++)
		s[j] += s[j + 4];
	return (s[0] + s[2]) + (s[1] + s[3]);
}

int main(void)
{
	static const int Ms[] = { 1, 2, 3, 4, 5, 6, 8, 16, 17 };
	static const int Ns[] = { 1, 3, 4, 7, 10, 25, 150 };
	/* Multiples of 16 only (training's conv layers and first fc layer):
	 * how gcc contracts the scalar tail of other lengths varies with the
	 * length (a tail of 15 matches neither variant, before and after the
	 * vectorised tree), so those are left to test_nn_train's end-to-end
	 * determinism check. */
	static const int Ks[] = { 16, 32, 144, 400, 896 };
	nn_rng r;
	nn_rng_seed(&r, 11, 0, 0);
	for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++)
		for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++)
			for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++) {
				const int M = Ms[a], N = Ns[b], K = Ks[c], lda = K + 1, ldb = K + 3, ldc = N + 2;
				float *A = malloc(sizeof(float) * M * lda), *B = malloc(sizeof(float) * N * ldb);
				float *C = malloc(sizeof(float) * M * ldc), *R0 = malloc(sizeof(float) * M * ldc);
				float *R1 = malloc(sizeof(float) * M * ldc);
				if (!A || !B || !C || !R0 || !R1)
					abort();
				for (int i = 0; i < M * lda; i++)
					A[i] = nn_rng_sym(&r, 1.0f);
				for (int i = 0; i < N * ldb; i++)
					B[i] = nn_rng_sym(&r, 1.0f);
				for (int i = 0; i < M * ldc; i++)
					C[i] = R0[i] = R1[i] = nn_rng_sym(&r, 1.0f);
				nn_gemm_nt(M, N, K, A, lda, B, ldb, NULL, C, ldc);
				for (int m = 0; m < M; m++)
					for (int n = 0; n < N; n++) {
						R0[m * ldc + n] += ref_dot(K, A + m * lda, B + n * ldb, 0);
						R1[m * ldc + n] += ref_dot(K, A + m * lda, B + n * ldb, 1);
					}
				const size_t bytes = sizeof(float) * M * ldc;
				CHECKF(memcmp(C, R0, bytes) == 0 || memcmp(C, R1, bytes) == 0,
				       "nn_gemm_nt M%d N%d K%d does not sum in the documented order", M, N, K);
				free(A); free(B); free(C); free(R0); free(R1);
			}
	CHECK_DONE();
}
