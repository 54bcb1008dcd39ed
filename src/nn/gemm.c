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

#include <string.h>

/* Helpers must be inlined into each clone to be compiled for its target. */
#define ALWAYS_INLINE __attribute__((always_inline))

/* gcc's generic vectors (no intrinsics: the default clone splits a vec16
 * into four SSE registers, the haswell one into two AVX ones), and lanes
 * picked from two of them: SHUF(a, b, i0, ..., i15), 16-31 meaning b's. */
typedef float vec16 __attribute__((vector_size(64)));
typedef int ivec16 __attribute__((vector_size(64)));
#ifdef __clang__
#define SHUF(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF(a, b, ...) __builtin_shuffle(a, b, (ivec16){ __VA_ARGS__ })
#endif

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

/* A register tile: rows [m0, m0+MB) and columns [n0, n0+TILE_N) of C, whose
 * accumulators stay in vector registers for the whole K loop; each k costs
 * two vector loads of B and MB broadcasts of A for 2*MB multiply-adds. */
#define DEFINE_TILE(MB, TILE_N)								\
static inline ALWAYS_INLINE void tile##MB##_##TILE_N(int K, const float *A, ptrdiff_t sam, ptrdiff_t sak, \
		const float *B, int ldb, const int *boff, float *C, int ldc, int m0, int n0, \
		const float *init)							\
{											\
	float acc[MB][TILE_N];								\
	for (int i = 0; i < MB; i++)							\
		for (int j = 0; j < TILE_N; j++)					\
			acc[i][j] = init ? init[m0 + i] : C[(ptrdiff_t)(m0 + i) * ldc + n0 + j]; \
	for (int k = 0; k < K; k++) {							\
		const float *b = B + (boff ? (ptrdiff_t)boff[k] : (ptrdiff_t)k * ldb) + n0; \
		for (int i = 0; i < MB; i++) {						\
			const float a = A[(m0 + i) * sam + k * sak];			\
			for (int j = 0; j < TILE_N; j++)				\
				acc[i][j] += a * b[j];					\
		}									\
	}										\
	for (int i = 0; i < MB; i++)							\
		for (int j = 0; j < TILE_N; j++)					\
			C[(ptrdiff_t)(m0 + i) * ldc + n0 + j] = acc[i][j];		\
}
DEFINE_TILE(8, 32)
DEFINE_TILE(6, 32)
DEFINE_TILE(4, 32)
DEFINE_TILE(2, 32)
DEFINE_TILE(1, 32)


static inline ALWAYS_INLINE void gemm_nn(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		const float *B, int ldb, const int *boff, float *C, int ldc, const int *coff,
		const float *init)
{
#define BROW(k) (B + (boff ? (ptrdiff_t)boff[k] : (ptrdiff_t)(k) * ldb))
	int n0 = 0;
	/* Register tiles, unless rows of C overlap (then they must be
	 * updated one after the other, below). */
	if (!coff) {
		const int n32 = N - N % 32;
		int m = 0;
		/* Taller tiles reuse each loaded row of B for more rows of C.
		 * Every element is summed the same way whatever tile holds it. */
		for (; m + 8 <= M; m += 8)
			for (int n = 0; n < n32; n += 32)
				tile8_32(K, A, sam, sak, B, ldb, boff, C, ldc, m, n, init);
		if (M - m == 6) {
			for (int n = 0; n < n32; n += 32)
				tile6_32(K, A, sam, sak, B, ldb, boff, C, ldc, m, n, init);
			m += 6;
		}
		for (; m + 4 <= M; m += 4) {
			for (int n = 0; n < n32; n += 32)
				tile4_32(K, A, sam, sak, B, ldb, boff, C, ldc, m, n, init);
		}
		for (; m + 2 <= M; m += 2) {
			for (int n = 0; n < n32; n += 32)
				tile2_32(K, A, sam, sak, B, ldb, boff, C, ldc, m, n, init);
		}
		for (; m < M; m++) {
			for (int n = 0; n < n32; n += 32)
				tile1_32(K, A, sam, sak, B, ldb, boff, C, ldc, m, n, init);
		}
		n0 = n32;
	}
	/* Remaining columns: rows of C as sums of rows of B. */
	const int n = N - n0;
	for (int m = 0; m < M && n > 0; m++) {
		float *c = C + (coff ? (ptrdiff_t)coff[m] : (ptrdiff_t)m * ldc) + n0;
		const float *a = A + m * sam;
		for (int j = 0; init && j < n; j++)
			c[j] = init[m];
		int k = 0;
		/* Four rows of B per pass: 5 loads + 1 store per 4 multiply-adds. */
		for (; k + 4 <= K; k += 4)
			axpy4(n, c, a[k * sak], BROW(k) + n0, a[(k + 1) * sak], BROW(k + 1) + n0,
			      a[(k + 2) * sak], BROW(k + 2) + n0, a[(k + 3) * sak], BROW(k + 3) + n0);
		for (; k < K; k++)
			axpy1(n, c, a[k * sak], BROW(k) + n0);
	}
}

NN_HOT
void nn_gemm_nn(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		const float *B, int ldb, const int *boff, float *C, int ldc, const int *coff)
{
	gemm_nn(M, N, K, A, sam, sak, B, ldb, boff, C, ldc, coff, NULL);
}

NN_HOT
void nn_gemm_nn_init(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		     const float *B, int ldb, const int *boff, float *C, int ldc, const float *init)
{
	gemm_nn(M, N, K, A, sam, sak, B, ldb, boff, C, ldc, NULL, init);
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

/* hsum of sixteen lane arrays at once: r[i] = hsum(s[i]) bit for bit, the
 * very same additions of the same operands (hsum's tree, lane by lane), but
 * as 15 vector additions of lanes paired up by shuffles instead of sixteen
 * trees of extracts and scalar additions, which cost training more than
 * the multiply-adds of the dot products they finish. */
static inline ALWAYS_INLINE void hsum16(float *const s[16], float r[16])
{
	vec16 v[16], l1[8], l2[4], l3[2];
	for (int i = 0; i < 16; i++)
		memcpy(&v[i], s[i], sizeof v[i]);
	/* [s_p[j] + s_p[j+8], s_q[j] + s_q[j+8]], j < 8, for pairs p, q */
	for (int k = 0; k < 8; k++)
		l1[k] = SHUF(v[2 * k], v[2 * k + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +
			SHUF(v[2 * k], v[2 * k + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
	/* then t[j] + t[j+4], j < 4, for four arrays */
	for (int m = 0; m < 4; m++)
		l2[m] = SHUF(l1[2 * m], l1[2 * m + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +
			SHUF(l1[2 * m], l1[2 * m + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
	/* then u[0] + u[2] and u[1] + u[3], for eight arrays */
	for (int h = 0; h < 2; h++)
		l3[h] = SHUF(l2[2 * h], l2[2 * h + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29) +
			SHUF(l2[2 * h], l2[2 * h + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
	/* and their sum, for all sixteen */
	const vec16 sum = SHUF(l3[0], l3[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) +
			  SHUF(l3[0], l3[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
	memcpy(r, &sum, sizeof sum);
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

/* Sixteen dot products: rows a0..a3 of A with rows b0..b3 of B; 8 loads per
 * 16 multiply-adds.  Each product is summed exactly as dot1 sums it. */
#define ACC4(p) float p##0[LANES] = { 0 }, p##1[LANES] = { 0 }, p##2[LANES] = { 0 }, p##3[LANES] = { 0 }
static inline ALWAYS_INLINE void dot4x4(int K, const float *restrict a0, const float *restrict a1,
					const float *restrict a2, const float *restrict a3,
					const float *restrict b0, const float *restrict b1,
					const float *restrict b2, const float *restrict b3, float out[4][4])
{
	const int kv = K - K % LANES;
	ACC4(s0); ACC4(s1); ACC4(s2); ACC4(s3);
	for (int k = 0; k < kv; k += LANES)
		for (int j = 0; j < LANES; j++) {
			const float p = b0[k + j], q = b1[k + j], r = b2[k + j], t = b3[k + j];
			const float x0 = a0[k + j], x1 = a1[k + j], x2 = a2[k + j], x3 = a3[k + j];
			s00[j] += x0 * p; s01[j] += x0 * q; s02[j] += x0 * r; s03[j] += x0 * t;
			s10[j] += x1 * p; s11[j] += x1 * q; s12[j] += x1 * r; s13[j] += x1 * t;
			s20[j] += x2 * p; s21[j] += x2 * q; s22[j] += x2 * r; s23[j] += x2 * t;
			s30[j] += x3 * p; s31[j] += x3 * q; s32[j] += x3 * r; s33[j] += x3 * t;
		}
	float *const acc[16] = { s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 };
	float r[16];
	hsum16(acc, r);
	for (int i = 0; i < 4; i++)
		for (int n = 0; n < 4; n++)
			out[i][n] = r[4 * i + n];
	const float *a[4] = { a0, a1, a2, a3 }, *b[4] = { b0, b1, b2, b3 };
	for (int i = 0; i < 4; i++)
		for (int n = 0; n < 4; n++)
			for (int k = kv; k < K; k++)
				out[i][n] += a[i][k] * b[n][k];
}

/* Eight dot products: rows a0, a1 of A with rows b0..b3 of B; 6 loads per
 * 8 multiply-adds, partial sums in eight vector registers. */
static inline ALWAYS_INLINE void dot2x4(int K, const float *restrict a0, const float *restrict a1,
					const float *restrict b0, const float *restrict b1,
					const float *restrict b2, const float *restrict b3, float out[2][4])
{
	const int kv = K - K % LANES;
	float s0[LANES] = { 0 }, s1[LANES] = { 0 }, s2[LANES] = { 0 }, s3[LANES] = { 0 };
	float s4[LANES] = { 0 }, s5[LANES] = { 0 }, s6[LANES] = { 0 }, s7[LANES] = { 0 };
	for (int k = 0; k < kv; k += LANES)
		for (int j = 0; j < LANES; j++) {
			const float x = a0[k + j], y = a1[k + j];
			const float p = b0[k + j], q = b1[k + j], r = b2[k + j], t = b3[k + j];
			s0[j] += x * p; s1[j] += x * q; s2[j] += x * r; s3[j] += x * t;
			s4[j] += y * p; s5[j] += y * q; s6[j] += y * r; s7[j] += y * t;
		}
	/* Eight sums, computed as sixteen (the second eight again). */
	float *const acc[16] = { s0, s1, s2, s3, s4, s5, s6, s7, s0, s1, s2, s3, s4, s5, s6, s7 };
	float r[16];
	hsum16(acc, r);
	for (int n = 0; n < 4; n++) {
		out[0][n] = r[n];
		out[1][n] = r[4 + n];
	}
	for (int k = kv; k < K; k++) {
		out[0][0] += a0[k] * b0[k]; out[0][1] += a0[k] * b1[k];
		out[0][2] += a0[k] * b2[k]; out[0][3] += a0[k] * b3[k];
		out[1][0] += a1[k] * b0[k]; out[1][1] += a1[k] * b1[k];
		out[1][2] += a1[k] * b2[k]; out[1][3] += a1[k] * b3[k];
	}
}

NN_HOT
void nn_gemm_nt(int M, int N, int K, const float *A, int lda,
		const float *B, int ldb, const int *boff, float *C, int ldc)
{
	int m = 0;
	for (; m + 4 <= M; m += 4) {
		const float *a0 = A + (ptrdiff_t)m * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
		int n = 0;
		for (; n + 4 <= N; n += 4) {
			float t[4][4];
			dot4x4(K, a0, a1, a2, a3, BROW(n), BROW(n + 1), BROW(n + 2), BROW(n + 3), t);
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 4; j++)
					C[(ptrdiff_t)(m + i) * ldc + n + j] += t[i][j];
		}
		for (; n < N; n++) {
			const float *b = BROW(n);
			C[(ptrdiff_t)m * ldc + n] += dot1(K, a0, b);
			C[(ptrdiff_t)(m + 1) * ldc + n] += dot1(K, a1, b);
			C[(ptrdiff_t)(m + 2) * ldc + n] += dot1(K, a2, b);
			C[(ptrdiff_t)(m + 3) * ldc + n] += dot1(K, a3, b);
		}
	}
	for (; m + 2 <= M; m += 2) {
		const float *a0 = A + (ptrdiff_t)m * lda, *a1 = a0 + lda;
		float *c0 = C + (ptrdiff_t)m * ldc, *c1 = c0 + ldc;
		int n = 0;
		for (; n + 4 <= N; n += 4) {
			float t[2][4];
			dot2x4(K, a0, a1, BROW(n), BROW(n + 1), BROW(n + 2), BROW(n + 3), t);
			for (int j = 0; j < 4; j++) {
				c0[n + j] += t[0][j];
				c1[n + j] += t[1][j];
			}
		}
		for (; n < N; n++) {
			c0[n] += dot1(K, a0, BROW(n));
			c1[n] += dot1(K, a1, BROW(n));
		}
	}
	for (; m < M; m++) {
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

/* ---- the classification pass's product: C = A B, A and B plain row-major ----
 *
 * Register tiles of MB rows by 16*NV columns, accumulated from zero in
 * registers over the whole K loop and stored once.  Per k a tile loads NV
 * vectors of B and broadcasts MB elements of A for MB*NV vector
 * multiply-adds: 8x48 and 6x48 keep 24 accumulators, which with the 3 rows
 * of B fit in AVX-512's 32 registers and leave the loop bound by the
 * multiply-adds rather than the loads.
 *
 * These tiles are written with gcc's generic vector type (no intrinsics: the
 * default clone splits a vec16 into four SSE registers, the haswell one into
 * two AVX ones): written as scalar loops, gcc 12 vectorises the narrow tiles
 * along k as sixteen reductions and shuffles them, several times slower. */
#define DEFINE_STORE_TILE(MB, NV)							\
static inline ALWAYS_INLINE void stile##MB##_##NV(int K, const float *restrict A, int lda, \
		const float *restrict B, int ldb, const int *boff, float *restrict C, int ldc) \
{											\
	vec16 acc[MB][NV];								\
	for (int i = 0; i < MB; i++)							\
		for (int j = 0; j < NV; j++)						\
			acc[i][j] = (vec16){ 0 };					\
	for (int k = 0; k < K; k++) {							\
		vec16 b[NV];								\
		for (int j = 0; j < NV; j++)						\
			memcpy(&b[j], B + (boff ? boff[k] : (ptrdiff_t)k * ldb) + 16 * j, sizeof b[j]); \
		for (int i = 0; i < MB; i++) {						\
			const float a = A[(ptrdiff_t)i * lda + k];			\
			for (int j = 0; j < NV; j++)					\
				acc[i][j] += a * b[j];					\
		}									\
	}										\
	for (int i = 0; i < MB; i++)							\
		for (int j = 0; j < NV; j++)						\
			memcpy(C + (ptrdiff_t)i * ldc + 16 * j, &acc[i][j], sizeof acc[i][j]); \
}
DEFINE_STORE_TILE(8, 3)
DEFINE_STORE_TILE(6, 3)
DEFINE_STORE_TILE(4, 3)
DEFINE_STORE_TILE(2, 3)
DEFINE_STORE_TILE(1, 3)
DEFINE_STORE_TILE(8, 2)
DEFINE_STORE_TILE(6, 2)
DEFINE_STORE_TILE(4, 2)
DEFINE_STORE_TILE(2, 2)
DEFINE_STORE_TILE(1, 2)
DEFINE_STORE_TILE(8, 1)
DEFINE_STORE_TILE(6, 1)
DEFINE_STORE_TILE(4, 1)
DEFINE_STORE_TILE(2, 1)
DEFINE_STORE_TILE(1, 1)

/* Rows [0,M) of one column panel 16*NV wide, in the tallest tiles that fit. */
#define PANEL(NV)									\
	do {										\
		int m = 0;								\
		for (; m + 8 <= M; m += 8)						\
			stile8_##NV(K, A + (ptrdiff_t)m * lda, lda, B + n, ldb, boff, C + (ptrdiff_t)m * ldc + n, ldc); \
		if (M - m >= 6) {							\
			stile6_##NV(K, A + (ptrdiff_t)m * lda, lda, B + n, ldb, boff, C + (ptrdiff_t)m * ldc + n, ldc); \
			m += 6;								\
		}									\
		for (; m + 4 <= M; m += 4)						\
			stile4_##NV(K, A + (ptrdiff_t)m * lda, lda, B + n, ldb, boff, C + (ptrdiff_t)m * ldc + n, ldc); \
		for (; m + 2 <= M; m += 2)						\
			stile2_##NV(K, A + (ptrdiff_t)m * lda, lda, B + n, ldb, boff, C + (ptrdiff_t)m * ldc + n, ldc); \
		for (; m < M; m++)							\
			stile1_##NV(K, A + (ptrdiff_t)m * lda, lda, B + n, ldb, boff, C + (ptrdiff_t)m * ldc + n, ldc); \
	} while (0)

NN_HOT
void nn_gemm_store(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
		   const int *boff, float *C, int ldc)
{
	/* Column panels outermost: a panel of B (K rows of NB floats) is
	 * loaded into L1 by the first row tile and reused by the others. */
	int n = 0;
	for (; n + 48 <= N; n += 48)
		PANEL(3);
	if (n + 32 <= N) {
		PANEL(2);
		n += 32;
	}
	for (; n + 16 <= N; n += 16)
		PANEL(1);
}

void nn_gemm_store_ref(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
		       const int *boff, float *C, int ldc)
{
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			float s = 0;
			for (int k = 0; k < K; k++)
				s += A[(ptrdiff_t)m * lda + k] * B[(boff ? boff[k] : (ptrdiff_t)k * ldb) + n];
			C[(ptrdiff_t)m * ldc + n] = s;
		}
}
