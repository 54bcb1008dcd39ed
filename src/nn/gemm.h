/* gemm.h: the few matrix kernels every layer's forward and backward pass
 * reduces to.  They are the hot loops of the engine, so they are the only
 * functions built for several instruction sets (target_clones); everything
 * else is plain code.  Matrices are row-major floats and the result is
 * ACCUMULATED into C (callers zero or bias-fill it first).
 *
 * Rows of B (and of C for nn_gemm_nn) can be given by an offset table
 * instead of a fixed stride: convolution uses that to read the windows of an
 * image in place (row k of its im2col matrix is the input shifted by k's
 * kernel position), so no im2col copy is made. */
#ifndef DIGITD_NN_GEMM_H
#define DIGITD_NN_GEMM_H
#include <stddef.h>

/* The hot kernels (here and in fastnet.c) are built for several instruction
 * sets, the best picked at load time; never for the build machine's alone. */
#include "util/clones.h"
#define NN_HOT HOT_CLONES

/* C (M,N) += A (M,K) * B (K,N).  A's element (m,k) is A[m*sam + k*sak], so
 * the same kernel serves A and A transposed.  Row k of B starts at
 * B + boff[k] (or B + k*ldb when boff is NULL); row m of C at C + coff[m]
 * (or C + m*ldc).  Rows of C may overlap: they are updated in order of m. */
void nn_gemm_nn(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		const float *B, int ldb, const int *boff, float *C, int ldc, const int *coff);
/* C (M,N) = init[m] + A (M,K) * B (K,N): as nn_gemm_nn onto C filled with
 * init[m] in row m, with the same sums, without the fill pass. */
void nn_gemm_nn_init(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		     const float *B, int ldb, const int *boff, float *C, int ldc, const float *init);
/* C (M,N) += A (M,K) * B (N,K)^T: dot products of rows of A with rows of B;
 * row n of B starts at B + boff[n] (or B + n*ldb when boff is NULL). */
void nn_gemm_nt(int M, int N, int K, const float *A, int lda,
		const float *B, int ldb, const int *boff, float *C, int ldc);

/* C (M,N) = A (M,K) * B (K,N), stored, not accumulated; N must be a
 * multiple of 16 (callers pad B with zero columns or compute junk ones).
 * Row k of B at B + boff[k], or B + k*ldb when boff is NULL.  This is the
 * classification pass's kernel (fastnet.c); its sums are not those of
 * nn_gemm_nn, which training relies on. */
void nn_gemm_store(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
		   const int *boff, float *C, int ldc);
/* The same with three plain loops, for tests. */
void nn_gemm_store_ref(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
		       const int *boff, float *C, int ldc);

#endif
