/* gemm.c: see gemm.h.
 *
 * The loops are written so that gcc vectorises them without intrinsics: the
 * innermost loop runs over contiguous memory with restrict pointers, and
 * several rows are combined per pass so that each loaded vector feeds more
 * than one multiply-add (a pass of plain axpy is bound by loads and stores,
 * not arithmetic).  Reductions keep 16 independent partial sums, a fixed
 * lane order, so results do not depend on how the compiler vectorised. */
#include "nn/gemm.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define NN_HOT __attribute__((target_clones("default", "arch=haswell", "arch=x86-64-v4")))
#else
#define NN_HOT
#endif

NN_HOT
void nn_gemm_nn(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		const float *B, int ldb, float *C, int ldc)
{
	for (int m = 0; m < M; m++) {
		float *restrict c = C + (ptrdiff_t)m * ldc;
		const float *a = A + m * sam;
		int k = 0;
		/* Four rows of B per pass: 5 loads + 1 store per 4 multiply-adds. */
		for (; k + 4 <= K; k += 4) {
			const float a0 = a[k * sak], a1 = a[(k + 1) * sak];
			const float a2 = a[(k + 2) * sak], a3 = a[(k + 3) * sak];
			const float *restrict b0 = B + (ptrdiff_t)k * ldb;
			const float *restrict b1 = b0 + ldb;
			const float *restrict b2 = b1 + ldb;
			const float *restrict b3 = b2 + ldb;
			for (int n = 0; n < N; n++)
				c[n] += a0 * b0[n] + a1 * b1[n] + a2 * b2[n] + a3 * b3[n];
		}
		for (; k < K; k++) {
			const float a0 = a[k * sak];
			const float *restrict b0 = B + (ptrdiff_t)k * ldb;
			for (int n = 0; n < N; n++)
				c[n] += a0 * b0[n];
		}
	}
}

#define LANES 16

NN_HOT
void nn_gemm_nt(int M, int N, int K, const float *A, int lda,
		const float *B, int ldb, float *C, int ldc)
{
	const int kv = K - K % LANES;
	for (int m = 0; m < M; m++) {
		const float *restrict a = A + (ptrdiff_t)m * lda;
		int n = 0;
		/* Four dot products per pass share each load of a. */
		for (; n + 4 <= N; n += 4) {
			const float *restrict b0 = B + (ptrdiff_t)n * ldb;
			const float *restrict b1 = b0 + ldb;
			const float *restrict b2 = b1 + ldb;
			const float *restrict b3 = b2 + ldb;
			float s0[LANES] = { 0 }, s1[LANES] = { 0 }, s2[LANES] = { 0 }, s3[LANES] = { 0 };
			for (int k = 0; k < kv; k += LANES)
				for (int j = 0; j < LANES; j++) {
					const float x = a[k + j];
					s0[j] += x * b0[k + j];
					s1[j] += x * b1[k + j];
					s2[j] += x * b2[k + j];
					s3[j] += x * b3[k + j];
				}
			float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
			for (int j = 0; j < LANES; j++) {
				t0 += s0[j]; t1 += s1[j]; t2 += s2[j]; t3 += s3[j];
			}
			for (int k = kv; k < K; k++) {
				t0 += a[k] * b0[k]; t1 += a[k] * b1[k];
				t2 += a[k] * b2[k]; t3 += a[k] * b3[k];
			}
			float *c = C + (ptrdiff_t)m * ldc + n;
			c[0] += t0; c[1] += t1; c[2] += t2; c[3] += t3;
		}
		for (; n < N; n++) {
			const float *restrict b0 = B + (ptrdiff_t)n * ldb;
			float s0[LANES] = { 0 };
			for (int k = 0; k < kv; k += LANES)
				for (int j = 0; j < LANES; j++)
					s0[j] += a[k + j] * b0[k + j];
			float t0 = 0;
			for (int j = 0; j < LANES; j++)
				t0 += s0[j];
			for (int k = kv; k < K; k++)
				t0 += a[k] * b0[k];
			C[(ptrdiff_t)m * ldc + n] += t0;
		}
	}
}
