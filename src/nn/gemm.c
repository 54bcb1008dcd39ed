/* gemm.c: see gemm.h.
 *
 * The loops are written so that gcc vectorises them without intrinsics: the
 * innermost loop runs over contiguous memory through restrict parameters,
 * and several rows are combined per pass so that each loaded vector feeds
 * more than one multiply-add (a pass of plain axpy is bound by loads and
 * stores, not arithmetic).  Dot products keep 16 independent partial sums in
 * a fixed lane order, so results do not depend on how the compiler
 * vectorised, only on whether it contracted multiply-adds (FMA). */
#include "nn/gemm.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define NN_HOT __attribute__((target_clones("default", "arch=haswell", "arch=x86-64-v4")))
#else
#define NN_HOT
#endif
/* Helpers must be inlined into each clone to be compiled for its target. */
#define ALWAYS_INLINE __attribute__((always_inline))

/* c[0..n) += a0*b0 + a1*b1 + a2*b2 + a3*b3 */
static inline ALWAYS_INLINE void axpy4(int n, float *restrict c, float a0, const float *restrict b0,
			 float a1, const float *restrict b1, float a2, const float *restrict b2,
			 float a3, const float *restrict b3)
{
	for (int i = 0; i < n; i++)
		c[i] += a0 * b0[i] + a1 * b1[i] + a2 * b2[i] + a3 * b3[i];
}

static inline ALWAYS_INLINE void axpy1(int n, float *restrict c, float a0, const float *restrict b0)
{
	for (int i = 0; i < n; i++)
		c[i] += a0 * b0[i];
}

NN_HOT
void nn_gemm_nn(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		const float *B, int ldb, const int *boff, float *C, int ldc, const int *coff)
{
#define BROW(k) (B + (boff ? (ptrdiff_t)boff[k] : (ptrdiff_t)(k) * ldb))
	for (int m = 0; m < M; m++) {
		float *c = C + (coff ? (ptrdiff_t)coff[m] : (ptrdiff_t)m * ldc);
		const float *a = A + m * sam;
		int k = 0;
		/* Four rows of B per pass: 5 loads + 1 store per 4 multiply-adds. */
		for (; k + 4 <= K; k += 4)
			axpy4(N, c, a[k * sak], BROW(k), a[(k + 1) * sak], BROW(k + 1),
			      a[(k + 2) * sak], BROW(k + 2), a[(k + 3) * sak], BROW(k + 3));
		for (; k < K; k++)
			axpy1(N, c, a[k * sak], BROW(k));
	}
}

#define LANES 16

/* Sum of 16 lanes as a fixed tree of halvings, which vectorises. */
static inline ALWAYS_INLINE float hsum(float *s)
{
	for (int j = 0; j < 8; j++)
		s[j] += s[j + 8];
	for (int j = 0; j < 4; j++)
		s[j] += s[j + 4];
	return (s[0] + s[2]) + (s[1] + s[3]);
}

/* Four dot products of a with b0..b3 over [0,K). */
static inline ALWAYS_INLINE void dot4(int K, const float *restrict a, const float *restrict b0,
			const float *restrict b1, const float *restrict b2,
			const float *restrict b3, float out[4])
{
	const int kv = K - K % LANES;
	float s0[LANES] = { 0 }, s1[LANES] = { 0 }, s2[LANES] = { 0 }, s3[LANES] = { 0 };
	for (int k = 0; k < kv; k += LANES)
		for (int j = 0; j < LANES; j++) {
			const float x = a[k + j];
			s0[j] += x * b0[k + j];
			s1[j] += x * b1[k + j];
			s2[j] += x * b2[k + j];
			s3[j] += x * b3[k + j];
		}
	float t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
	for (int k = kv; k < K; k++) {
		t0 += a[k] * b0[k]; t1 += a[k] * b1[k];
		t2 += a[k] * b2[k]; t3 += a[k] * b3[k];
	}
	out[0] = t0; out[1] = t1; out[2] = t2; out[3] = t3;
}

static inline ALWAYS_INLINE float dot1(int K, const float *restrict a, const float *restrict b0)
{
	const int kv = K - K % LANES;
	float s0[LANES] = { 0 };
	for (int k = 0; k < kv; k += LANES)
		for (int j = 0; j < LANES; j++)
			s0[j] += a[k + j] * b0[k + j];
	float t0 = hsum(s0);
	for (int k = kv; k < K; k++)
		t0 += a[k] * b0[k];
	return t0;
}

NN_HOT
void nn_gemm_nt(int M, int N, int K, const float *A, int lda,
		const float *B, int ldb, const int *boff, float *C, int ldc)
{
	for (int m = 0; m < M; m++) {
		const float *a = A + (ptrdiff_t)m * lda;
		float *c = C + (ptrdiff_t)m * ldc;
		int n = 0;
		/* Four dot products per pass share each load of a. */
		for (; n + 4 <= N; n += 4) {
			float t[4];
			dot4(K, a, BROW(n), BROW(n + 1), BROW(n + 2), BROW(n + 3), t);
			c[n] += t[0]; c[n + 1] += t[1]; c[n + 2] += t[2]; c[n + 3] += t[3];
		}
		for (; n < N; n++)
			c[n] += dot1(K, a, BROW(n));
	}
#undef BROW
}
